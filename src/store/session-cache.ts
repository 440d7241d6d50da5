/**
 * rolecred's session cache: one small JSON file per session, in a private folder (0700, files
 * 0600, written atomically), so shell aliases, `exec` and credential_process reuse a session
 * until it is close to expiry instead of asking STS (and the user's MFA device) every time.
 *
 * A file that is corrupt, foreign, for another key or expired is ignored and later replaced:
 * never trusted, never a crash. The cache holds temporary credentials only; it is as sensitive
 * as the credentials file and kept with the same care.
 */
import { unlink } from "node:fs/promises";
import { directoryEntries, parseJsonRecord } from "./json-file.js";
import { join } from "node:path";
import { errnoCode } from "../errors.js";
import { BoundedReadError, READ_LIMITS, readRegularTextSync } from "./bounded-read.js";
import type { Session, SessionIdentity, TemporaryCredentials } from "../credentials/types.js";
import { writeFileAtomic } from "./atomic-write.js";
import { makeDirectorySync } from "./ownership.js";
import { withFileLock, type LockOptions, type LockWaitNotice } from "./lock.js";

/** Sessions are refreshed this long before they expire, as the AWS SDKs do. */
export const EXPIRY_WINDOW_SECONDS = 5 * 60;

const CACHE_FORMAT_VERSION = 1;

/**
 * How a cached session was made: by an STS call of a chain's link, or by one of the registered
 * credential sources (src/sources/) that hand out temporary credentials themselves.
 * "credentials-file": temporary keys a profile of the credentials file holds (one rolecred or
 * another tool wrote), handed out as they are; never cached.
 */
export const SESSION_KINDS = ["assume-role", "session-token", "roles-anywhere", "identity-center", "credential-process", "credentials-file"] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/**
 * What a cached session is, besides its credentials: enough for `status` to describe it. The
 * identity fields (role, session name, source identity, region…) are the base vocabulary's
 * (credentials/types.ts), each undefined when unknown.
 */
export interface SessionDescription extends SessionIdentity {
  readonly kind: SessionKind;
  /** The profile whose settings made it (for session tokens: the profile holding the keys). */
  readonly profile: string;
  readonly mfaSerial?: string | undefined;
  /** The inline session policy that narrowed it (minified JSON), and the managed ARNs. */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  /**
   * STS's clock minus this machine's when the session was issued (ms), from STS's Date header,
   * when they differed by more than noise. Expiry is judged on STS's clock.
   */
  readonly clockOffsetMs?: number | undefined;
}

/** A session as the cache keeps it: the base Session plus how it was made. */
export interface CachedSession extends SessionDescription, Session {}

interface CacheFile extends Omit<CachedSession, "credentials"> {
  readonly version: number;
  /** The cache key itself (not secret): a file is only used for the key it was written for. */
  readonly key: string;
  readonly credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
}

/**
 * The file a key's session lives in: a 64-bit FNV-1a hash of the key. Not a cryptographic hash on
 * purpose: node:crypto alone costs the warm path several milliseconds, and nothing depends on the
 * name being unguessable (the folder is private) or collision-free (a file is only used when the
 * key stored inside it is the key asked for; a collision costs a refresh, never a wrong session).
 */
export function cacheFileName(key: string): string {
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let index = 0; index < key.length; index++) {
    low ^= key.charCodeAt(index);
    // 64-bit multiply by the FNV prime 0x100000001b3, in two 32-bit halves.
    const lowProduct = Math.imul(low, 0x1b3) >>> 0;
    const carry = Math.floor(((low >>> 0) * 0x1b3) / 0x100000000);
    high = (Math.imul(high, 0x1b3) + Math.imul(low, 0x100) + carry) >>> 0;
    low = lowProduct;
  }
  return `${high.toString(16).padStart(8, "0")}${(low >>> 0).toString(16).padStart(8, "0")}.json`;
}

function isString(value: unknown): value is string {
  return typeof value === "string" && value !== "";
}

/** A cache file's content as a session, or undefined when it is not one rolecred wrote. */
export function decodeCacheFile(text: string, key: string | undefined): { key: string; session: CachedSession } | undefined {
  const parsed = parseJsonRecord(text);
  if (parsed === undefined) return undefined;
  const file = parsed as Partial<CacheFile>;
  const credentials = file.credentials as Partial<CacheFile["credentials"]> | undefined;
  if (file.version !== CACHE_FORMAT_VERSION || !isString(file.key) || (key !== undefined && file.key !== key)) return undefined;
  if (!(SESSION_KINDS as readonly unknown[]).includes(file.kind)) return undefined;
  if (!isString(file.profile) || credentials === undefined || credentials === null) return undefined;
  if (file.clockOffsetMs !== undefined && !Number.isFinite(file.clockOffsetMs)) return undefined;
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials;
  if (!isString(AccessKeyId) || !isString(SecretAccessKey) || !isString(SessionToken) || !isString(Expiration)) return undefined;
  const expiration = new Date(Expiration);
  if (Number.isNaN(expiration.getTime())) return undefined;
  const { version: _version, key: fileKey, credentials: _credentials, ...stored } = file as CacheFile;
  const description = withoutInventedNames(stored);
  return {
    key: fileKey,
    session: { ...description, credentials: { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration } },
  };
}

/**
 * Files written before the one session vocabulary may hold `""` for an assumed-role ARN or a
 * session name nobody reported (Roles Anywhere without an assumedRoleUser): read as unknown.
 */
function withoutInventedNames<T extends SessionDescription>(description: T): T {
  const { assumedRoleArn, sessionName } = description;
  if (assumedRoleArn !== "" && sessionName !== "") return description;
  return { ...description, assumedRoleArn: assumedRoleArn || undefined, sessionName: sessionName || undefined };
}

/** Fresh: more than the window left, judged on STS's clock when the session recorded an offset. */
export function isFresh(
  session: { readonly credentials: TemporaryCredentials; readonly clockOffsetMs?: number | undefined },
  now: Date,
  windowSeconds = EXPIRY_WINDOW_SECONDS,
): boolean {
  const stsNow = now.getTime() + (session.clockOffsetMs ?? 0);
  return session.credentials.expiration.getTime() - stsNow > windowSeconds * 1000;
}

export interface CacheLookup {
  /** The session, when the file is valid for this key and not within the expiry window. */
  readonly session: CachedSession | undefined;
  /** Why a file that exists was not used, for --verbose. */
  readonly rejected: string | undefined;
}

export async function readCachedSession(directory: string, key: string, now: Date): Promise<CacheLookup> {
  let text: string;
  try {
    // Synchronous: one small file on the warm path, where the promise machinery costs more than the read.
    // Bounded and regular-only: a FIFO planted in the cache folder must not hang credential_process.
    text = readRegularTextSync(join(directory, cacheFileName(key)), { what: "the cache file", maxBytes: READ_LIMITS.cacheFile });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return { session: undefined, rejected: undefined };
    return { session: undefined, rejected: `cache file unusable (${error instanceof Error ? error.message : String(error)}); it will be replaced` };
  }
  const decoded = decodeCacheFile(text, key);
  if (decoded === undefined) return { session: undefined, rejected: "cache file is corrupt or not rolecred's; it will be replaced" };
  if (!isFresh(decoded.session, now))
    return {
      session: undefined,
      rejected: `cached session expires ${decoded.session.credentials.expiration.toISOString()}, within ${EXPIRY_WINDOW_SECONDS / 60} minutes`,
    };
  return { session: decoded.session, rejected: undefined };
}

export async function writeCachedSession(directory: string, key: string, session: CachedSession): Promise<void> {
  const { credentials, ...description } = session;
  const file: CacheFile = {
    version: CACHE_FORMAT_VERSION,
    key,
    ...description,
    credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: credentials.expiration.toISOString(),
    },
  };
  makeDirectorySync(directory, 0o700);
  await writeFileAtomic(join(directory, cacheFileName(key)), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, directoryMode: 0o700 });
}

/**
 * Run `refresh` for `key` under a lock, so that twenty credential_process calls at IDE start-up
 * make one STS call and ask for one MFA code. The lock waits long enough for a person to type a code.
 */
export async function withCacheLock<T>(directory: string, key: string, refresh: () => Promise<T>, onWait?: LockWaitNotice): Promise<T> {
  makeDirectorySync(directory, 0o700);
  const options: LockOptions = { timeoutMs: 180_000, staleMs: 10_000, onWait };
  return withFileLock(join(directory, cacheFileName(key)), refresh, options);
}

/** Every valid session file in the cache, expired ones included (for `status` and `logout`). */
export async function listCachedSessions(directory: string): Promise<Array<{ file: string; session: CachedSession }>> {
  const names = await directoryEntries(directory);
  const sessions: Array<{ file: string; session: CachedSession }> = [];
  for (const name of names.filter((entry) => /^[0-9a-f]{16}\.json$/.test(entry)).sort()) {
    const file = join(directory, name);
    let text = "";
    try {
      text = readRegularTextSync(file, { what: "the cache file", maxBytes: READ_LIMITS.cacheFile });
    } catch {
      // not a file rolecred can use: not a session
    }
    const decoded = decodeCacheFile(text, undefined);
    if (decoded !== undefined) sessions.push({ file, session: decoded.session });
  }
  return sessions;
}

export async function removeCacheFile(file: string): Promise<void> {
  await unlink(file).catch((error: unknown) => {
    if (errnoCode(error) !== "ENOENT") throw error;
  });
}
