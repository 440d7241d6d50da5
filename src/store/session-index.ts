/**
 * An index of the session cache, for `status`: what `status` shows of each cache file (never its
 * credentials), with the file's identity (inode, size, modification and change times), and the
 * cache folder's identity when the index was made. With 10,000 sessions, `status` otherwise
 * opens, reads and parses 10,000 files.
 *
 * The index is never trusted on its own word. A listing `stat`s the cache folder: when it has
 * exactly the identity recorded (device, inode, size, modification and change times), no name in
 * it was added, removed or renamed since the index was made, and the entries are used without
 * listing the folder or `stat`ing each file. rolecred writes every cache file by renaming a new
 * file into place, so every session it writes, refreshes or removes changes the folder. What
 * this does not see is a cache file edited in place by something else (an editor that writes in
 * place, `echo > file`): `status` shows what the file held until the next change of the folder's
 * names, while `process`, `env` and every other reader read the file itself and find it changed.
 * A folder changed within the last second is not recorded (file times come from a coarse clock:
 * a change in the same tick would not show), so right after a change every listing checks each
 * file as below until the folder has settled.
 *
 * Otherwise every cache file is `stat`ed; an entry is used only when the file still has exactly
 * the identity recorded, and any other file (new, replaced, edited in place) is read and decoded
 * as without an index. A missing, unreadable, damaged or foreign index is the same as an empty
 * one. So writers do not keep it up to date (the cold path pays nothing): the listing that finds
 * it out of date writes it again, atomically, in a folder of its own inside the cache folder (a
 * write there does not change the cache folder's identity). Two listings racing each write a
 * complete index of what they saw, and whichever lands is checked the same way by the next.
 *
 * Each entry is one JSON array of numbers and strings (format 2): no key names repeated 10,000
 * times, no nested objects to check, and only what `status` shows (the policy's length, not the
 * policy).
 */
import { readdirSync, statSync, unlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { errnoCode } from "../errors.js";
import { BoundedReadError, READ_LIMITS, readRegularTextSync } from "./bounded-read.js";
import { writeFileAtomic } from "./atomic-write.js";
import { parseJsonRecord } from "./json-file.js";
import { identityOfStats, sameIdentity as sameFileIdentity, settledLongEnough, type FileIdentity } from "./file-identity.js";
import { decodeCacheFile, SESSION_KINDS, type SessionDescription, type SessionKind } from "./session-cache.js";

/** Not a cache file's name (those are 16 hex digits and .json), so no listing takes it for a session. */
export const SESSION_INDEX_FILE = "sessions-index.json";
/** The index's own folder in the cache folder: writing the index there leaves the cache folder's identity as it was. */
const INDEX_FOLDER = "status-index";

/** The folder of `status`'s own files in the cache folder `directory` (the index, the credentials file's memo). */
export function statusIndexFolder(directory: string): string {
  return join(directory, INDEX_FOLDER);
}

export function sessionIndexPath(directory: string): string {
  return join(statusIndexFolder(directory), SESSION_INDEX_FILE);
}
const INDEX_FORMAT_VERSION = 2;
/** 10,000 sessions make an index of about 2 MB; far more than anyone holds. */
const INDEX_MAX_BYTES = 64 * 1024 * 1024;
const CACHE_FILE_NAME = /^[0-9a-f]{16}\.json$/;

/** A cache file's session as `status` shows it: never its credentials. */
export interface ListedSession {
  readonly kind: SessionKind;
  readonly profile: string;
  readonly roleArn: string | undefined;
  /** When the credentials expire, in ms on this machine's clock (the session's clock offset taken off). */
  readonly expiresAt: number;
  readonly sourceIdentity: string | undefined;
  /** Characters of the inline session policy, if one narrowed the session. */
  readonly policyCharacters: number | undefined;
  readonly policyArns: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly packedPolicySize: number | undefined;
}

/** What `status` shows of a decoded cache file's session. */
export function listedSession(description: SessionDescription, expiration: Date): ListedSession {
  return {
    kind: description.kind,
    profile: description.profile,
    roleArn: description.roleArn,
    // On this machine's clock: a clock 2 h ahead of STS's must not show a fresh session as expired.
    expiresAt: expiration.getTime() - (description.clockOffsetMs ?? 0),
    sourceIdentity: description.sourceIdentity,
    policyCharacters: description.policy?.length,
    policyArns: description.policyArns ?? [],
    tags: description.tags ?? {},
    packedPolicySize: description.packedPolicySize,
  };
}

/** What the index records for one cache file: its identity, and its session (null: not a session). */
interface IndexEntry {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly session: ListedSession | null;
}

function sameIdentity(entry: IndexEntry, stats: Stats): boolean {
  return entry.ino === stats.ino && entry.size === stats.size && entry.mtimeMs === stats.mtimeMs && entry.ctimeMs === stats.ctimeMs;
}

/** An entry as the index file holds it: name and identity, then (for a session) its fields in this order, null for undefined. */
type StoredEntry = readonly unknown[];
const IDENTITY_FIELDS = 5;

function storedEntry(name: string, entry: IndexEntry): StoredEntry {
  const identity = [name, entry.ino, entry.size, entry.mtimeMs, entry.ctimeMs];
  const session = entry.session;
  if (session === null) return identity;
  return [
    ...identity,
    session.kind,
    session.profile,
    session.roleArn ?? null,
    session.expiresAt,
    session.sourceIdentity ?? null,
    session.policyCharacters ?? null,
    session.policyArns,
    session.tags,
    session.packedPolicySize ?? null,
  ];
}

const isFiniteNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const optionalString = (value: unknown): string | undefined | false => (value === null ? undefined : typeof value === "string" ? value : false);
const optionalNumber = (value: unknown): number | undefined | false => (value === null ? undefined : isFiniteNumber(value) ? value : false);

const isSessionKind = (value: unknown): value is SessionKind => (SESSION_KINDS as readonly unknown[]).includes(value);
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string");

function isStringRecord(value: unknown): value is Record<string, string> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  for (const key in value) if (typeof (value as Record<string, unknown>)[key] !== "string") return false;
  return true;
}

/** A stored entry checked field by field; undefined (the file is read again) when anything is off. */
function indexEntry(stored: unknown): [string, IndexEntry] | undefined {
  if (!Array.isArray(stored) || (stored.length !== IDENTITY_FIELDS && stored.length !== IDENTITY_FIELDS + 9)) return undefined;
  const [name, ino, size, mtimeMs, ctimeMs] = stored as unknown[];
  if (typeof name !== "string" || !CACHE_FILE_NAME.test(name)) return undefined;
  if (!isFiniteNumber(ino) || !isFiniteNumber(size) || !isFiniteNumber(mtimeMs) || !isFiniteNumber(ctimeMs)) return undefined;
  if (stored.length === IDENTITY_FIELDS) return [name, { ino, size, mtimeMs, ctimeMs, session: null }];
  const [kind, profile, roleArn, expiresAt, sourceIdentity, policyCharacters, policyArns, tags, packedPolicySize] = stored.slice(IDENTITY_FIELDS) as unknown[];
  if (!isSessionKind(kind) || typeof profile !== "string" || profile === "" || !isFiniteNumber(expiresAt)) return undefined;
  const role = optionalString(roleArn);
  const source = optionalString(sourceIdentity);
  const characters = optionalNumber(policyCharacters);
  const packed = optionalNumber(packedPolicySize);
  if (role === false || source === false || characters === false || packed === false) return undefined;
  if (!isStringArray(policyArns) || !isStringRecord(tags)) return undefined;
  const session: ListedSession = {
    kind,
    profile,
    roleArn: role,
    expiresAt,
    sourceIdentity: source,
    policyCharacters: characters,
    policyArns,
    tags,
    packedPolicySize: packed,
  };
  return [name, { ino, size, mtimeMs, ctimeMs, session }];
}

interface Index {
  /** The cache folder's identity when the index was made, if it had settled by then. */
  readonly folder: FileIdentity | undefined;
  readonly entries: Map<string, IndexEntry>;
}

/** A folder identity as the index holds it: five decimal strings (BigInt values). */
function storedFolder(folder: FileIdentity): string[] {
  return [folder.dev, folder.ino, folder.size, folder.mtimeNs, folder.ctimeNs].map(String);
}

function folderIdentity(stored: unknown): FileIdentity | undefined {
  if (!Array.isArray(stored) || stored.length !== 5 || !stored.every((value) => typeof value === "string" && /^\d{1,30}$/.test(value))) return undefined;
  const [dev, ino, size, mtimeNs, ctimeNs] = (stored as string[]).map(BigInt) as [bigint, bigint, bigint, bigint, bigint];
  return { dev, ino, size, mtimeNs, ctimeNs };
}

/** The index's entries by file name; empty when there is no index or it is not one rolecred wrote. */
function readIndex(directory: string): Index {
  const entries = new Map<string, IndexEntry>();
  const empty: Index = { folder: undefined, entries };
  let text: string;
  try {
    text = readRegularTextSync(sessionIndexPath(directory), { what: "the session index", maxBytes: INDEX_MAX_BYTES });
  } catch {
    return empty;
  }
  const parsed = parseJsonRecord(text);
  const files = parsed?.files;
  if (parsed?.version !== INDEX_FORMAT_VERSION || !Array.isArray(files)) return empty;
  for (const stored of files) {
    const entry = indexEntry(stored);
    // A damaged entry: the folder's identity no longer vouches for the index.
    if (entry === undefined) return { folder: undefined, entries };
    entries.set(entry[0], entry[1]);
  }
  return { folder: folderIdentity(parsed.folder), entries };
}

/** A cache file read and decoded as without an index; null when it is not a session. */
function readEntry(file: string, stats: Stats): IndexEntry {
  let session: ListedSession | null = null;
  try {
    const decoded = decodeCacheFile(readRegularTextSync(file, { what: "the cache file", maxBytes: READ_LIMITS.cacheFile }), undefined);
    if (decoded !== undefined) session = listedSession(decoded.session, decoded.session.credentials.expiration);
  } catch (error) {
    if (!(error instanceof BoundedReadError)) throw error;
    // not a file rolecred can use: not a session
  }
  return { ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, session };
}

function sessionsOf(entries: ReadonlyMap<string, IndexEntry>): ListedSession[] {
  const sessions: ListedSession[] = [];
  for (const entry of entries.values()) if (entry.session !== null) sessions.push(entry.session);
  return sessions;
}

/**
 * Every valid session in the cache, expired ones included, in file-name order: the sessions
 * `listCachedSessions` finds, as `status` shows them. Rewrites the index when it was out of date
 * (a failed write changes nothing but the next listing's speed). `nowMs`: this run's clock, to
 * tell whether the folder has settled.
 */
export async function listSessionsIndexed(directory: string, nowMs: number): Promise<ListedSession[]> {
  let folder: FileIdentity;
  try {
    folder = identityOfStats(statSync(directory, { bigint: true }));
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
  const index = readIndex(directory);
  // Nothing added, removed or renamed since the index was made: its entries are the folder's files.
  if (index.folder !== undefined && sameFileIdentity(index.folder, folder)) return sessionsOf(index.entries);
  let names: string[];
  try {
    names = readdirSync(directory)
      .filter((name) => CACHE_FILE_NAME.test(name))
      .sort();
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
  const fresh = new Map<string, IndexEntry>();
  let changed = index.entries.size !== names.length;
  // The folder's path once, each file's by concatenation: path.join per file was a visible cost.
  const prefix = join(directory, "/");
  for (const name of names) {
    const file = prefix + name;
    let stats: Stats | undefined;
    try {
      // stat, not lstat: a listing reads a symlinked file as the file it points to.
      stats = statSync(file, { throwIfNoEntry: false });
    } catch {
      stats = undefined;
    }
    if (stats === undefined) {
      changed = true;
      continue;
    }
    const known = index.entries.get(name);
    if (known !== undefined && sameIdentity(known, stats)) {
      fresh.set(name, known);
      continue;
    }
    changed = true;
    // Neither read nor recorded: a FIFO or device planted here is not a session (and must not hang).
    if (stats.isFile()) fresh.set(name, readEntry(file, stats));
  }
  // The identity seen before the folder was listed, recorded only once it has settled.
  const settled = settledLongEnough(folder, nowMs) ? folder : undefined;
  const sameFolder = settled === undefined ? index.folder === undefined : index.folder !== undefined && sameFileIdentity(index.folder, settled);
  if (changed || !sameFolder) await writeIndex(directory, fresh, settled);
  return sessionsOf(fresh);
}

async function writeIndex(directory: string, entries: ReadonlyMap<string, IndexEntry>, folder: FileIdentity | undefined): Promise<void> {
  const files = [...entries].map(([name, entry]) => storedEntry(name, entry));
  const text = `${JSON.stringify({ version: INDEX_FORMAT_VERSION, folder: folder === undefined ? null : storedFolder(folder), files })}\n`;
  try {
    await writeFileAtomic(sessionIndexPath(directory), text, { mode: 0o600, directoryMode: 0o700, what: "the session index" });
    // The first format's index, in the cache folder itself: no longer read.
    unlinkSync(join(directory, SESSION_INDEX_FILE));
  } catch {
    // A cache folder rolecred cannot write to (read-only, another owner): list without an index.
    // (Or there was no index of the first format to remove.)
  }
}
