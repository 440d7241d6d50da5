/**
 * An index of the session cache, for `status`: what each cache file holds (its description and
 * expiry, never its credentials), with the file's identity (inode, size, modification and change
 * times). With 10,000 sessions, `status` otherwise opens, reads and parses 10,000 files.
 *
 * The index is never trusted on its own word. Every listing reads the folder and `stat`s every
 * cache file; an entry is used only when the file still has exactly the identity recorded, and
 * any other file (new, replaced, edited in place) is read and decoded as without an index. A
 * missing, unreadable, damaged or foreign index is the same as an empty one. So writers do not
 * keep it up to date (the cold path pays nothing): the listing that finds it out of date writes
 * it again, atomically. Two listings racing each write a complete index of what they saw, and
 * whichever lands is checked the same way by the next.
 */
import { readdirSync, statSync, type Stats } from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../errors.js";
import { BoundedReadError, READ_LIMITS, readRegularTextSync } from "./bounded-read.js";
import { writeFileAtomic } from "./atomic-write.js";
import { parseJsonRecord } from "./json-file.js";
import { decodeCacheFile, SESSION_KINDS, type SessionDescription } from "./session-cache.js";

/** Not a cache file's name (those are 16 hex digits and .json), so no listing takes it for a session. */
export const SESSION_INDEX_FILE = "sessions-index.json";
const INDEX_FORMAT_VERSION = 1;
/** 10,000 sessions make an index of a few MB; far more than anyone holds. */
const INDEX_MAX_BYTES = 64 * 1024 * 1024;
const CACHE_FILE_NAME = /^[0-9a-f]{16}\.json$/;

/** A cache file's session as `status` shows it: the description and when the credentials expire. */
export interface ListedSession {
  readonly file: string;
  readonly description: SessionDescription;
  readonly expiration: Date;
}

/** What the index records for one cache file: its identity, and its session (null: not a session). */
interface IndexEntry {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly session: (SessionDescription & { readonly expiration: string }) | null;
}

function sameIdentity(entry: IndexEntry, stats: Stats): boolean {
  return entry.ino === stats.ino && entry.size === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs;
}

const isOptionalString = (value: unknown) => value === undefined || typeof value === "string";
const isOptionalNumber = (value: unknown) => value === undefined || (typeof value === "number" && Number.isFinite(value));
const isStringArray = (value: unknown) => value === undefined || (Array.isArray(value) && value.every((item) => typeof item === "string"));

/** An index entry's session, checked field by field; undefined (the file is read again) when anything is off. */
function indexedSession(value: unknown): IndexEntry["session"] | undefined {
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) return undefined;
  const session = value as Record<string, unknown>;
  if (!(SESSION_KINDS as readonly unknown[]).includes(session.kind) || typeof session.profile !== "string" || session.profile === "") return undefined;
  if (typeof session.expiration !== "string" || Number.isNaN(new Date(session.expiration).getTime())) return undefined;
  for (const key of ["roleArn", "assumedRoleArn", "sessionName", "sourceIdentity", "region", "mfaSerial", "policy"])
    if (!isOptionalString(session[key])) return undefined;
  if (!isOptionalNumber(session.packedPolicySize) || !isOptionalNumber(session.clockOffsetMs)) return undefined;
  if (!isStringArray(session.policyArns) || !isStringArray(session.transitiveTagKeys)) return undefined;
  const tags = session.tags;
  if (tags !== undefined && (typeof tags !== "object" || tags === null || Array.isArray(tags) || !Object.values(tags).every((tag) => typeof tag === "string")))
    return undefined;
  return value as IndexEntry["session"];
}

function indexEntry(value: unknown): IndexEntry | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const entry = value as Record<string, unknown>;
  const numbers = [entry.ino, entry.size, entry.mtimeMs, entry.ctimeMs];
  if (!numbers.every((number) => typeof number === "number" && Number.isFinite(number))) return undefined;
  const session = indexedSession(entry.session);
  return session === undefined ? undefined : { ...(entry as unknown as IndexEntry), session };
}

/** The index's entries by file name; empty when there is no index or it is not one rolecred wrote. */
function readIndex(directory: string): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  let text: string;
  try {
    text = readRegularTextSync(join(directory, SESSION_INDEX_FILE), { what: "the session index", maxBytes: INDEX_MAX_BYTES });
  } catch {
    return entries;
  }
  const parsed = parseJsonRecord(text);
  const files = parsed?.files;
  if (parsed?.version !== INDEX_FORMAT_VERSION || typeof files !== "object" || files === null || Array.isArray(files)) return entries;
  for (const [name, value] of Object.entries(files)) {
    const entry = CACHE_FILE_NAME.test(name) ? indexEntry(value) : undefined;
    if (entry !== undefined) entries.set(name, entry);
  }
  return entries;
}

/** A cache file read and decoded as without an index; null when it is not a session. */
function readEntry(file: string, stats: Stats): IndexEntry {
  let session: IndexEntry["session"] = null;
  try {
    const decoded = decodeCacheFile(readRegularTextSync(file, { what: "the cache file", maxBytes: READ_LIMITS.cacheFile }), undefined);
    if (decoded !== undefined) {
      const { credentials, ...description } = decoded.session;
      session = { ...description, expiration: credentials.expiration.toISOString() };
    }
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    // not a file rolecred can use: not a session
  }
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, session };
}

/**
 * Every valid session in the cache, expired ones included, in file-name order: the sessions
 * `listCachedSessions` finds, without their credentials. Rewrites the index when it was out of
 * date (a failed write changes nothing but the next listing's speed).
 */
export async function listSessionsIndexed(directory: string): Promise<ListedSession[]> {
  let names: string[];
  try {
    names = readdirSync(directory)
      .filter((name) => CACHE_FILE_NAME.test(name))
      .sort();
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
  const index = readIndex(directory);
  const fresh = new Map<string, IndexEntry>();
  let changed = index.size !== names.length;
  for (const name of names) {
    const file = join(directory, name);
    let stats: Stats;
    try {
      // stat, not lstat: a listing reads a symlinked file as the file it points to.
      stats = statSync(file);
    } catch {
      changed = true;
      continue;
    }
    const known = index.get(name);
    if (known !== undefined && sameIdentity(known, stats)) {
      fresh.set(name, known);
      continue;
    }
    changed = true;
    // Neither read nor recorded: a FIFO or device planted here is not a session (and must not hang).
    if (stats.isFile()) fresh.set(name, readEntry(file, stats));
  }
  if (changed) await writeIndex(directory, fresh);
  const sessions: ListedSession[] = [];
  for (const [name, entry] of fresh) {
    if (entry.session === null) continue;
    const { expiration, ...description } = entry.session;
    sessions.push({ file: join(directory, name), description, expiration: new Date(expiration) });
  }
  return sessions;
}

async function writeIndex(directory: string, entries: ReadonlyMap<string, IndexEntry>): Promise<void> {
  const text = `${JSON.stringify({ version: INDEX_FORMAT_VERSION, files: Object.fromEntries(entries) })}\n`;
  try {
    await writeFileAtomic(join(directory, SESSION_INDEX_FILE), text, { mode: 0o600, directoryMode: 0o700, what: "the session index" });
  } catch {
    // A cache folder rolecred cannot write to (read-only, another owner): list without an index.
  }
}
