/**
 * One stored pair of an IAM user's long-term keys, as every key-store backend holds it, and the
 * checks a name or a pair must pass before anything is stored. Pure: no I/O.
 */
import { inputError } from "../errors.js";

export interface StoredKeys {
  /** The store entry's name: what `rolecred_keys = NAME` in a profile refers to. */
  readonly name: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** When the key pair was stored (ISO 8601): `keys list` shows its age, rotation resets it. */
  readonly createdAt: string;
}

/** Entry names: what IAM and profile names allow, short enough for any OS keyring. */
export const KEY_NAME_PATTERN = /^[A-Za-z0-9_.@+=,-]{1,64}$/;
/** Long-term IAM user keys start with AKIA; ASIA keys are temporary and need a session token. */
export const ACCESS_KEY_ID_PATTERN = /^AKIA[A-Z0-9]{12,124}$/;
/** IAM secrets are 40 characters of base64's alphabet; a little slack either way. */
export const SECRET_ACCESS_KEY_PATTERN = /^[A-Za-z0-9/+=]{16,128}$/;

export function checkKeyName(name: string, where: string): string {
  if (!KEY_NAME_PATTERN.test(name)) {
    throw inputError(`${where} "${name}" is not a valid key name`, "use 1-64 of letters, digits and _ . @ + = , -");
  }
  return name;
}

/** The pair as typed or piped, checked; the secret is never part of a message. */
export function checkKeyPair(accessKeyId: string, secretAccessKey: string, where: string): { accessKeyId: string; secretAccessKey: string } {
  const id = accessKeyId.trim();
  const secret = secretAccessKey.trim();
  if (id.startsWith("ASIA")) throw inputError(`${where}: ${id.slice(0, 4)}… is a temporary access key; only an IAM user's long-term keys (AKIA…) are stored`);
  if (!ACCESS_KEY_ID_PATTERN.test(id)) throw inputError(`${where}: the access key id is not an IAM access key id (AKIA followed by 16 letters or digits)`);
  if (!SECRET_ACCESS_KEY_PATTERN.test(secret)) throw inputError(`${where}: the secret access key is not one (40 characters of letters, digits, / + =)`);
  return { accessKeyId: id, secretAccessKey: secret };
}

/** The JSON a backend keeps per entry (the keyring) or per name (inside the encrypted file). */
export interface EncodedKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly createdAt: string;
}

/** An entry read back from a backend, or undefined when it is not one rolecred wrote. */
export function decodeKeys(name: string, value: unknown): StoredKeys | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { accessKeyId, secretAccessKey, createdAt } = value as Partial<Record<keyof EncodedKeys, unknown>>;
  if (typeof accessKeyId !== "string" || !ACCESS_KEY_ID_PATTERN.test(accessKeyId)) return undefined;
  if (typeof secretAccessKey !== "string" || !SECRET_ACCESS_KEY_PATTERN.test(secretAccessKey)) return undefined;
  if (typeof createdAt !== "string" || Number.isNaN(Date.parse(createdAt))) return undefined;
  return { name, accessKeyId, secretAccessKey, createdAt };
}

export function encodeKeys(entry: StoredKeys): EncodedKeys {
  return { accessKeyId: entry.accessKeyId, secretAccessKey: entry.secretAccessKey, createdAt: entry.createdAt };
}
