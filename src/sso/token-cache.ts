/**
 * The AWS CLI's SSO token cache: ~/.aws/sso/cache/<sha1 hex of the session name, or of the start
 * URL for a legacy profile>.json, in the CLI's own JSON shape, so `aws sso login` and
 * `rolecred sso login` share one sign-in and the AWS SDKs' fromSSO read what rolecred wrote.
 *
 *     { "startUrl", "region", "accessToken", "expiresAt": "2026-01-01T00:00:00Z",
 *       "clientId", "clientSecret", "registrationExpiresAt", "refreshToken" }
 *
 * The file holds a bearer token (and a refresh token): it is written 0600 in a 0700 folder,
 * atomically, and read through the bounded reader.
 */
import { createHash } from "node:crypto";
import { unlink } from "node:fs/promises";
import { directoryEntries, parseJsonRecord } from "../store/json-file.js";
import { join } from "node:path";
import type { Env } from "../deps.js";
import { errnoCode } from "../errors.js";
import { homeDirectory } from "../paths.js";
import { readOptionalTextSync } from "../store/bounded-read.js";
import { writeFileAtomic } from "../store/atomic-write.js";

export interface SsoToken {
  readonly startUrl: string;
  readonly region: string;
  readonly accessToken: string;
  readonly expiresAt: Date;
  readonly refreshToken?: string | undefined;
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly registrationExpiresAt?: Date | undefined;
}

/** ~/.aws/sso/cache (the AWS CLI and SDKs do not move it with any variable). */
function ssoCacheDirectory(env: Env): string {
  return join(homeDirectory(env), ".aws", "sso", "cache");
}

export function tokenCachePath(env: Env, cacheId: string): string {
  return join(ssoCacheDirectory(env), `${createHash("sha1").update(cacheId, "utf8").digest("hex")}.json`);
}

/** The CLI writes whole seconds in UTC: 2026-01-01T00:00:00Z. */
function cliTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function time(value: unknown): Date | undefined {
  const raw = text(value);
  if (raw === undefined) return undefined;
  // Older AWS CLI releases wrote "2026-01-01T00:00:00UTC", which Date does not read as it stands.
  const date = new Date(raw.replace(/UTC$/, "Z"));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** A cache file's content as a token, or undefined when it is not one (corrupt, or another kind of file). */
export function decodeSsoToken(content: string): SsoToken | undefined {
  const file = parseJsonRecord(content);
  if (file === undefined) return undefined;
  const startUrl = text(file.startUrl);
  const region = text(file.region);
  const accessToken = text(file.accessToken);
  const expiresAt = time(file.expiresAt);
  if (startUrl === undefined || region === undefined || accessToken === undefined || expiresAt === undefined) return undefined;
  return {
    startUrl,
    region,
    accessToken,
    expiresAt,
    refreshToken: text(file.refreshToken),
    clientId: text(file.clientId),
    clientSecret: text(file.clientSecret),
    registrationExpiresAt: time(file.registrationExpiresAt),
  };
}

function encodeSsoToken(token: SsoToken): string {
  const file: Record<string, string> = { startUrl: token.startUrl, region: token.region, accessToken: token.accessToken, expiresAt: cliTime(token.expiresAt) };
  if (token.clientId !== undefined) file.clientId = token.clientId;
  if (token.clientSecret !== undefined) file.clientSecret = token.clientSecret;
  if (token.registrationExpiresAt !== undefined) file.registrationExpiresAt = cliTime(token.registrationExpiresAt);
  if (token.refreshToken !== undefined) file.refreshToken = token.refreshToken;
  return JSON.stringify(file);
}

/** The cached token at `path`, or undefined when there is none or it is not a token. */
export function readSsoToken(path: string): SsoToken | undefined {
  const content = readOptionalTextSync(path, { maxBytes: 1024 * 1024, what: "the SSO token cache file" });
  return content === undefined ? undefined : decodeSsoToken(content);
}

export async function writeSsoToken(path: string, token: SsoToken): Promise<void> {
  await writeFileAtomic(path, encodeSsoToken(token), { mode: 0o600, directoryMode: 0o700 });
}

export async function removeSsoToken(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
}

/** Every token file in the cache (the AWS CLI's client registrations and other files are skipped). */
export async function listSsoTokens(env: Env): Promise<Array<{ path: string; token: SsoToken }>> {
  const directory = ssoCacheDirectory(env);
  const names = await directoryEntries(directory);
  const tokens: Array<{ path: string; token: SsoToken }> = [];
  for (const name of names.filter((entry) => /^[0-9a-f]{40}\.json$/.test(entry)).sort()) {
    const path = join(directory, name);
    try {
      const token = readSsoToken(path);
      if (token !== undefined) tokens.push({ path, token });
    } catch {
      // Not a regular file or unreadable: not a token rolecred can use; leave it alone.
    }
  }
  return tokens;
}
