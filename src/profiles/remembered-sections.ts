/**
 * Where a profile's chain lives in the two AWS files, remembered between warm runs (issue 16).
 *
 * A warm `process dev` with a 50,000-profile config used to read the 5.9 MB file and search it
 * twice (its target is last, and a name the file lacks is known absent only at its end). Once a
 * run has resolved a profile, the cache folder keeps, in `chain-sections.json`, for each of the
 * two files its path and identity (device, inode, size, mtime, ctime: store/file-identity.ts) and,
 * for each section name the resolution looked up, the byte ranges of its pieces or none (absent).
 * A later run opens both files and compares their identities with the record's: when both match,
 * and the record was taken when neither file had changed within the last second (a change in the
 * same timestamp tick could otherwise go unseen: bounded-read's rule), only the recorded ranges
 * are read and parsed. Anything else (another identity, a name the record does not cover, a
 * range that no longer starts with its header, a damaged or foreign record) reads the files as
 * before (`IniSectionIndex`, as profiles/aws-files.ts does) and records again. Files under a
 * megabyte together are not worth it ({@link worthRemembering}): the fast path reads them whole.
 *
 * The record holds file paths, section names and offsets: never a value, so never a secret.
 * Resolution depends on nothing in the environment but the two paths (the profile is named on
 * the command line), and both paths are part of each entry's key.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../deps.js";
import { configFilePath, credentialsFilePath } from "../paths.js";
import { BoundedReadError, READ_LIMITS, readOptionalTextSync, readRegularFileSync } from "../store/bounded-read.js";
import { identityOfStats, sameIdentity, settledLongEnough, type FileIdentity } from "../store/file-identity.js";
import { IniSectionIndex, readIniSections } from "../store/ini-document.js";
import { replaceSmallFileSync } from "../store/ownership.js";
import type { AwsFiles, IniSections } from "./aws-files.js";

/** In the cache folder. Not a session file's name (16 hex digits and .json): no listing takes it for one. */
export const CHAIN_RECORD_FILE = "chain-sections.json";
const RECORD_FORMAT_VERSION = 1;
/** Profiles remembered at once; the least recently recorded is dropped first. */
const MAX_ENTRIES = 64;
const RECORD_MAX_BYTES = 1024 * 1024;

/** [start, end) byte offsets of one piece of a section: from its header line to the next header. */
type Range = readonly [number, number];

interface FileRecord {
  readonly path: string;
  /** undefined: the file did not exist. */
  readonly identity: FileIdentity | undefined;
  /** Each name the resolution looked up: its pieces in file order, none when absent. */
  readonly sections: ReadonlyMap<string, readonly Range[]>;
}

interface ChainRecord {
  readonly profile: string;
  /** When the files were read (ms): both must have settled by then for the record to be trusted. */
  readonly takenAtMs: number;
  readonly config: FileRecord;
  readonly credentials: FileRecord;
}

/**
 * Below this size (both files together) the files are read as they always were: reading and
 * searching a file of ordinary size costs no more than the record's own work (measured with
 * callgrind: the record path is flat at any size, about what reading 1.5 MB of files costs).
 */
export const REMEMBER_FROM_BYTES = 1024 * 1024;

/**
 * Whether the two files are large enough for the record to pay: a `stat` of each, nothing read.
 * A missing file counts as empty; anything odd is left to the reader, which says what is wrong.
 */
export function worthRemembering(env: Env, fromBytes = REMEMBER_FROM_BYTES): boolean {
  let total = 0;
  for (const path of [configFilePath(env), credentialsFilePath(env)]) {
    try {
      total += statSync(path, { throwIfNoEntry: false })?.size ?? 0;
    } catch {
      return false;
    }
  }
  return total >= fromBytes;
}

/** A lookup the record does not cover: the caller's work is redone from the files. */
class NotRemembered extends Error {}

/** How a lookup was answered: for tests and the bench, which check that the record is used. */
export type SectionsSource = "record" | "files";

export interface Remembered<T> {
  readonly value: T;
  readonly source: SectionsSource;
}

/**
 * `lookup(files)` (resolving `profile`'s chain, reading what it needs) from the remembered ranges
 * when the record is current, else from the files, recording where the sections it looked up
 * are. `nowMs`: the caller's clock. Errors of `lookup` on the files are the caller's; writing the
 * record never fails the run.
 */
export function withRememberedSections<T>(env: Env, cacheDirectory: string, profile: string, nowMs: number, lookup: (files: AwsFiles) => T): Remembered<T> {
  const configPath = configFilePath(env);
  const credentialsPath = credentialsFilePath(env);
  // Only the entry asked for is checked; the others are kept as they are, for their own runs.
  const entries = readRecords(cacheDirectory);
  const isThisEntry = (raw: unknown) =>
    isObject(raw) && raw.profile === profile && pathOf(raw.config) === configPath && pathOf(raw.credentials) === credentialsPath;
  const entry = parseEntry(entries.find(isThisEntry));
  if (entry !== undefined) {
    try {
      const files = filesFromRecord(entry);
      if (files !== undefined) return { value: lookup(files), source: "record" };
    } catch {
      // Not covered, damaged, or an error that the files themselves will tell again: read them.
    }
  }
  const config = recordingFile(configPath, "the config file", false);
  const credentials = recordingFile(credentialsPath, "the credentials file", true);
  const value = lookup({ configPath, credentialsPath, config: config.sections, credentials: credentials.sections });
  const fresh = takeRecord(profile, nowMs, config, credentials);
  if (fresh !== undefined)
    writeRecords(cacheDirectory, [serializeEntry(fresh), ...entries.filter((raw) => !isThisEntry(raw) && parseEntry(raw) !== undefined)]);
  return { value, source: "files" };
}

// ---------------------------------------------------------------------------------------------
// Answering from the record

function filesFromRecord(entry: ChainRecord): AwsFiles | undefined {
  if (!recordedFileSettled(entry.config, entry.takenAtMs) || !recordedFileSettled(entry.credentials, entry.takenAtMs)) return undefined;
  const config = sectionsFromRecord(entry.config);
  const credentials = config === undefined ? undefined : sectionsFromRecord(entry.credentials);
  if (config === undefined || credentials === undefined) return undefined;
  return { configPath: entry.config.path, credentialsPath: entry.credentials.path, config, credentials };
}

function recordedFileSettled(file: FileRecord, takenAtMs: number): boolean {
  return file.identity === undefined || settledLongEnough(file.identity, takenAtMs);
}

/**
 * The recorded sections of one file, read from their ranges, or undefined when the file is not
 * the one recorded. Opened as bounded-read opens (non-blocking, then fstat of the descriptor: a
 * FIFO or device is never read), and compared by the identity of what was opened.
 */
function sectionsFromRecord(file: FileRecord): IniSections | undefined {
  let fd: number;
  try {
    fd = openSync(file.path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return file.identity === undefined && (code === "ENOENT" || code === "ENOTDIR") ? new RecordedSections(file.sections, new Map()) : undefined;
  }
  try {
    if (file.identity === undefined) return undefined;
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile() || !sameIdentity(identityOfStats(stats), file.identity)) return undefined;
    const size = Number(stats.size);
    const found = new Map<string, ReadonlyMap<string, string>>();
    for (const [name, ranges] of file.sections) {
      if (ranges.length === 0) continue;
      const header = Buffer.from(`[${name}]`, "utf8");
      const merged = new Map<string, string>();
      for (const [start, end] of ranges) {
        if (end > size || end - start < header.length) return undefined;
        const piece = Buffer.allocUnsafe(end - start);
        let filled = 0;
        while (filled < piece.length) {
          const read = readSync(fd, piece, filled, piece.length - filled, start + filled);
          if (read === 0) return undefined;
          filled += read;
        }
        // The identity says the bytes are the recorded ones; the header is checked all the same.
        if (!piece.subarray(0, header.length).equals(header)) return undefined;
        const sections = readIniSections(piece.toString("utf8"));
        const section = sections.get(name);
        if (sections.size !== 1 || section === undefined) return undefined;
        for (const [key, value] of section) merged.set(key, value);
      }
      found.set(name, merged);
    }
    return new RecordedSections(file.sections, found);
  } finally {
    closeSync(fd);
  }
}

/**
 * The sections a record covers, looked up by name. Any other question (a name not recorded, a
 * listing) is one only the whole file can answer: it throws, and the lookup is redone from the files.
 */
class RecordedSections implements ReadonlyMap<string, ReadonlyMap<string, string>> {
  readonly #covered: ReadonlyMap<string, readonly Range[]>;
  readonly #found: ReadonlyMap<string, ReadonlyMap<string, string>>;

  constructor(covered: ReadonlyMap<string, readonly Range[]>, found: ReadonlyMap<string, ReadonlyMap<string, string>>) {
    this.#covered = covered;
    this.#found = found;
  }

  get(name: string): ReadonlyMap<string, string> | undefined {
    if (!this.#covered.has(name)) throw new NotRemembered(name);
    return this.#found.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    throw new NotRemembered("size");
  }

  keys(): MapIterator<string> {
    throw new NotRemembered("keys");
  }

  values(): MapIterator<ReadonlyMap<string, string>> {
    throw new NotRemembered("values");
  }

  entries(): MapIterator<[string, ReadonlyMap<string, string>]> {
    throw new NotRemembered("entries");
  }

  [Symbol.iterator](): MapIterator<[string, ReadonlyMap<string, string>]> {
    throw new NotRemembered("iterator");
  }

  forEach(): void {
    throw new NotRemembered("forEach");
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the files and noting where the looked-up sections are

interface RecordingFile {
  readonly path: string;
  readonly sections: IniSections;
  /** The file's identity before and after the read; undefined when missing. */
  readonly identity: FileIdentity | undefined;
  /** False when the read and the file may differ (it changed while read, or is not a regular file). */
  readonly stable: boolean;
  readonly bytes: Buffer | undefined;
  /** The names looked up, in order. */
  readonly looked: Set<string>;
}

/** A file's sections, noting each name looked up; a listing (which ranges cannot answer) is noted too. */
class LookupRecorder implements ReadonlyMap<string, ReadonlyMap<string, string>> {
  readonly looked = new Set<string>();
  readonly #sections: IniSections;

  constructor(sections: IniSections) {
    this.#sections = sections;
  }

  get(name: string): ReadonlyMap<string, string> | undefined {
    this.looked.add(name);
    return this.#sections.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  #listed(): IniSections {
    this.looked.add(LISTED);
    return this.#sections;
  }

  get size(): number {
    return this.#listed().size;
  }

  keys(): MapIterator<string> {
    return this.#listed().keys();
  }

  values(): MapIterator<ReadonlyMap<string, string>> {
    return this.#listed().values();
  }

  entries(): MapIterator<[string, ReadonlyMap<string, string>]> {
    return this.#listed().entries();
  }

  [Symbol.iterator](): MapIterator<[string, ReadonlyMap<string, string>]> {
    return this.#listed()[Symbol.iterator]();
  }

  forEach(callback: (value: ReadonlyMap<string, string>, key: string, map: ReadonlyMap<string, ReadonlyMap<string, string>>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#listed()) callback.call(thisArg, value, key, this);
  }
}

/** Noted among the looked-up names when the whole file was listed: no name can be a NUL. */
const LISTED = "\u0000listing";

function identityAt(path: string): FileIdentity | undefined | null {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (stats === undefined) return undefined;
  return stats.isFile() ? identityOfStats(stats) : null;
}

function recordingFile(path: string, what: string, keep: boolean): RecordingFile {
  // Taken before the read: a change during it shows as a different identity after it.
  const before = identityAt(path);
  let bytes: Buffer | undefined;
  try {
    // Bounded and regular-only (exit 3 otherwise), exactly as profiles/aws-files.ts reads them.
    bytes = readRegularFileSync(path, { what, maxBytes: READ_LIMITS.awsFile, keep });
  } catch (error) {
    if (!(error instanceof BoundedReadError && error.reason === "missing")) throw error;
  }
  const after = identityAt(path);
  const stable =
    before !== null &&
    after !== null &&
    (before === undefined ? after === undefined && bytes === undefined : after !== undefined && sameIdentity(before, after) && bytes !== undefined);
  const index: IniSections = bytes === undefined ? new Map() : new IniSectionIndex(bytes);
  const sections = new LookupRecorder(index);
  return { path, sections, identity: after ?? undefined, stable, bytes, looked: sections.looked };
}

/**
 * The record of what was looked up, or undefined when it cannot be trusted: a file that changed
 * while read or within the last second, an indented `[` (only the whole file places sections
 * then), or pieces that do not read as the file does.
 */
function takeRecord(profile: string, nowMs: number, config: RecordingFile, credentials: RecordingFile): ChainRecord | undefined {
  const configRecord = fileRecord(config, nowMs);
  const credentialsRecord = configRecord === undefined ? undefined : fileRecord(credentials, nowMs);
  if (configRecord === undefined || credentialsRecord === undefined) return undefined;
  return { profile, takenAtMs: nowMs, config: configRecord, credentials: credentialsRecord };
}

function fileRecord(file: RecordingFile, nowMs: number): FileRecord | undefined {
  if (!file.stable) return undefined;
  if (file.looked.has(LISTED)) return undefined;
  if (file.identity === undefined || file.bytes === undefined) {
    return { path: file.path, identity: undefined, sections: new Map([...file.looked].map((name) => [name, []])) };
  }
  if (!settledLongEnough(file.identity, nowMs)) return undefined;
  if (file.looked.size === 0) return { path: file.path, identity: file.identity, sections: new Map() };
  const sections = new Map<string, Range[]>();
  for (const name of file.looked) {
    const ranges = piecesOf(file.bytes, name);
    if (ranges === undefined) return undefined;
    sections.set(name, ranges);
  }
  // The pieces must read as the file's own reader read the section: else the record would answer differently.
  for (const [name, ranges] of sections) {
    const fromFile = file.sections.get(name);
    const merged = new Map<string, string>();
    for (const [start, end] of ranges) {
      const piece = readIniSections(file.bytes.toString("utf8", start, end));
      if (piece.size !== 1 || !piece.has(name)) return undefined;
      for (const [key, value] of piece.get(name) ?? []) merged.set(key, value);
    }
    if (ranges.length === 0 ? fromFile !== undefined : !sameSection(merged, fromFile)) return undefined;
  }
  return { path: file.path, identity: file.identity, sections };
}

const OPEN_BRACKET = 0x5b;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** The reader's section line (store/ini-document.ts's classifier), for a line that starts with `[`. */
const SECTION_LINE = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/;

/**
 * Where `name`'s pieces are: from each header line `[name]` that starts a line to the next line
 * that is a header of any name (or the end). Only the names looked up are searched for (a byte
 * search each): indexing all 50,000 headers of a file cost the run that records four times the
 * run itself. Undefined when only the whole file can tell (`[name]` indented: after a blank
 * line it is a header, after a key a continuation). The pieces are then checked against what
 * the file's own reader answered, so a difference in how a line is classified here costs the
 * record, never a wrong answer.
 */
function piecesOf(bytes: Buffer, name: string): Range[] | undefined {
  const needle = Buffer.from(`[${name}]`, "utf8");
  const bodyStart = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const ranges: Range[] = [];
  for (let at = bytes.indexOf(needle, bodyStart); at !== -1; at = bytes.indexOf(needle, at + 1)) {
    const lineStart = lineStartOf(bytes, at, bodyStart);
    if (lineStart !== at) {
      if (/^\s+$/.test(bytes.toString("utf8", lineStart, at))) return undefined;
      continue; // `key = [name]`, `# [name]`: no header
    }
    if (!isHeaderLine(bytes, at)) continue;
    ranges.push([at, nextHeaderStart(bytes, lineEndOf(bytes, at))]);
  }
  return ranges;
}

function lineStartOf(bytes: Buffer, at: number, bodyStart: number): number {
  let start = at;
  while (start > bodyStart && bytes[start - 1] !== LINE_FEED && bytes[start - 1] !== CARRIAGE_RETURN) start--;
  return start;
}

function lineEndOf(bytes: Buffer, at: number): number {
  const feed = bytes.indexOf(LINE_FEED, at);
  const end = feed === -1 ? bytes.length : feed;
  const carriage = bytes.subarray(at, end).indexOf(CARRIAGE_RETURN);
  return carriage === -1 ? end : at + carriage;
}

/** Whether the line at `lineStart` (which starts with `[`) reads as a section header. */
function isHeaderLine(bytes: Buffer, lineStart: number): boolean {
  const raw = SECTION_LINE.exec(bytes.toString("utf8", lineStart, lineEndOf(bytes, lineStart)))?.[1];
  return raw !== undefined && raw !== "" && raw.trim() === raw && raw !== "__proto__";
}

/** The start of the first header line at or after `from`, or the end of the file. */
function nextHeaderStart(bytes: Buffer, from: number): number {
  for (let next = bytes.indexOf(OPEN_BRACKET, from); next !== -1; next = bytes.indexOf(OPEN_BRACKET, next + 1)) {
    const previous = bytes[next - 1];
    if ((previous === LINE_FEED || previous === CARRIAGE_RETURN) && isHeaderLine(bytes, next)) return next;
  }
  return bytes.length;
}

function sameSection(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string> | undefined): boolean {
  if (b === undefined || a.size !== b.size) return false;
  for (const [key, value] of a) if (b.get(key) !== value) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The record file

/** The entries of the record file, unchecked; none when it is missing, unreadable, damaged or foreign. */
function readRecords(directory: string): unknown[] {
  let text: string | undefined;
  try {
    text = readOptionalTextSync(join(directory, CHAIN_RECORD_FILE), { what: "the chain-sections record", maxBytes: RECORD_MAX_BYTES });
  } catch {
    return [];
  }
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [];
  }
  return isObject(parsed) && parsed.version === RECORD_FORMAT_VERSION && Array.isArray(parsed.entries) ? (parsed.entries as unknown[]) : [];
}

function pathOf(raw: unknown): unknown {
  return isObject(raw) ? raw.path : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function parseEntry(raw: unknown): ChainRecord | undefined {
  if (!isObject(raw) || typeof raw.profile !== "string" || typeof raw.takenAtMs !== "number" || !Number.isSafeInteger(raw.takenAtMs)) return undefined;
  const config = parseFileRecord(raw.config);
  const credentials = parseFileRecord(raw.credentials);
  if (config === undefined || credentials === undefined) return undefined;
  return { profile: raw.profile, takenAtMs: raw.takenAtMs, config, credentials };
}

const DECIMAL = /^\d{1,30}$/;

function parseIdentity(raw: unknown): FileIdentity | undefined | null {
  if (raw === null) return undefined;
  if (!Array.isArray(raw) || raw.length !== 5 || !raw.every((part) => typeof part === "string" && DECIMAL.test(part))) return null;
  const [dev, ino, size, mtimeNs, ctimeNs] = (raw as string[]).map((part) => BigInt(part));
  if (dev === undefined || ino === undefined || size === undefined || mtimeNs === undefined || ctimeNs === undefined) return null;
  return { dev, ino, size, mtimeNs, ctimeNs };
}

function parseFileRecord(raw: unknown): FileRecord | undefined {
  if (!isObject(raw) || typeof raw.path !== "string" || raw.path === "" || !isObject(raw.sections)) return undefined;
  const identity = parseIdentity(raw.identity);
  if (identity === null) return undefined;
  const size = identity === undefined ? 0 : Number(identity.size);
  const sections = new Map<string, Range[]>();
  for (const [name, rawRanges] of Object.entries(raw.sections)) {
    if (!Array.isArray(rawRanges)) return undefined;
    const ranges: Range[] = [];
    for (const range of rawRanges as unknown[]) {
      if (!Array.isArray(range) || range.length !== 2) return undefined;
      const [start, end] = range as unknown[];
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || (start as number) < 0 || (end as number) <= (start as number) || (end as number) > size)
        return undefined;
      ranges.push([start as number, end as number]);
    }
    // Absent names only, for a file that was missing.
    if (identity === undefined && ranges.length > 0) return undefined;
    sections.set(name, ranges);
  }
  return { path: raw.path, identity, sections };
}

function serializeEntry(entry: ChainRecord): Record<string, unknown> {
  const file = (record: FileRecord) => ({
    path: record.path,
    identity:
      record.identity === undefined
        ? null
        : [record.identity.dev, record.identity.ino, record.identity.size, record.identity.mtimeNs, record.identity.ctimeNs].map((part) => part.toString()),
    sections: Object.fromEntries(record.sections),
  });
  return { profile: entry.profile, takenAtMs: entry.takenAtMs, config: file(entry.config), credentials: file(entry.credentials) };
}

/**
 * Replaced atomically (a temporary file in the same folder, then rename), owner-only like the
 * cache. Two runs writing at once: the last rename wins, and a profile it lacks is recorded by
 * its next run. A folder that cannot be written costs only the record.
 */
function writeRecords(directory: string, entries: readonly unknown[]): void {
  replaceSmallFileSync(
    directory,
    join(directory, CHAIN_RECORD_FILE),
    `${JSON.stringify({ version: RECORD_FORMAT_VERSION, entries: entries.slice(0, MAX_ENTRIES) })}\n`,
  );
}
