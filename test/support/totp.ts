// RFC 6238 time-based one-time passwords, as AWS virtual MFA devices use them: HMAC-SHA1, a
// 30-second step, 6 digits, the seed shared as base32 (RFC 4648) text.
import { createHmac, randomBytes } from "node:crypto";

export const TOTP_STEP_SECONDS = 30;
const TOTP_DIGITS = 6;
const BASE32_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Decodes base32 seed text; case, spaces and `=` padding are ignored, as authenticator apps do. */
export function decodeBase32(text: string): Buffer {
  const clean = text.replace(/[\s=]/g, "").toUpperCase();
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of clean) {
    const value = BASE32_ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`not a base32 character: ${JSON.stringify(char)}`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

export function encodeBase32(bytes: Uint8Array): string {
  let text = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) text += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return text;
}

/** A fresh random seed of the size AWS virtual MFA devices use (160 bits). */
export function newTotpSecret(): string {
  return encodeBase32(randomBytes(20));
}

/** The RFC 6238 time-step counter that `at` falls in. */
export function totpCounter(at: Date): number {
  return Math.floor(at.getTime() / 1000 / TOTP_STEP_SECONDS);
}

/** RFC 4226 HOTP value for one counter. */
export function hotp(seed: Buffer, counter: number): string {
  const message = Buffer.alloc(8);
  message.writeBigUInt64BE(BigInt(counter));
  const digest = createHmac("sha1", seed).update(message).digest();
  // Dynamic truncation (RFC 4226 §5.3): the low nibble of the last byte picks 4 bytes.
  const offset = (digest[digest.length - 1] ?? 0) & 0x0f;
  const binary = digest.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** TOTP_DIGITS).padStart(TOTP_DIGITS, "0");
}

export function generateTotp(secretBase32: string, at: Date = new Date()): string {
  return hotp(decodeBase32(secretBase32), totpCounter(at));
}

/**
 * Checks a code against the steps around `at` (±`window` steps, for clock drift and a user
 * who types slowly). Returns the counter of the step that matched, so the caller can refuse
 * that step's code a second time (RFC 6238 §5.2), or undefined when no step matches.
 */
export function matchTotp(secretBase32: string, code: string, at: Date, window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const seed = decodeBase32(secretBase32);
  const current = totpCounter(at);
  for (let counter = current - window; counter <= current + window; counter++) {
    if (hotp(seed, counter) === code) return counter;
  }
  return undefined;
}
