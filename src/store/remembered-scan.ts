/**
 * The credentials file's strict scan, remembered between runs (issue 16): the everyday write is
 * into the file rolecred itself wrote last, and a 50,000-profile file's strict parse of 350,000
 * lines (≈ 130 ms) is most of such a write.
 *
 * After rolecred writes the credentials file (store/credentials-file.ts), the cache folder keeps,
 * in `scan-<crc of the path>.record`, what the next write needs instead of that parse: the path,
 * the identity of the file rolecred renamed into place (fstat of its still-open descriptor after
 * the rename: file-identity.ts), the CRC-32 of its content, and the scan's index (each section's
 * name and where its header starts, the first line terminator). Names and offsets only: never a
 * value, so never a secret.
 *
 * A write never trusts the identity alone: timestamps tick coarsely (≈ 4 ms), and a tool that
 * rewrites the file in place, same size, within one tick and puts the times back (utimes) leaves
 * stat unchanged. So, once the identity matches, the whole file is read and its CRC-32 compared
 * with the record's ({@link ContentDigest}: ≈ 12 ms for 49 MB, in 1 MiB reads that let the early
 * copy of the file go on between them). Only when both match is the index used; anything else (no
 * record, another identity or size, another CRC, a damaged or foreign record, a cache folder or
 * record that is not this user's alone) is the full strict scan, as without a record.
 *
 * The new file's CRC is not read back after the write: the old file's CRC is known at every
 * 1 MiB checkpoint of the check, so the untouched leading run (copied by the kernel) costs at
 * most one 1 MiB read, and the rest of the new file passes through the process as it is written
 * (store/atomic-write.ts). Only UTF-8 files of at least {@link REMEMBER_SCAN_FROM_BYTES}.
 */
import { closeSync, lstatSync, readSync } from "node:fs";
import { join } from "node:path";
import { isAscii, isUtf8 } from "node:buffer";
import { openRegularFileSync, readOpenedFileSync, type OpenedRegularFile } from "./bounded-read.js";
import { sameIdentity, type FileIdentity } from "./file-identity.js";
import { namePositions, type ByteIndex } from "./ini-bytes.js";
import { replaceSmallFileSync } from "./ownership.js";
import type { Crc32 } from "./crc32.js";

/** Below this size the strict scan costs less than the record: nothing is remembered. */
export const REMEMBER_SCAN_FROM_BYTES = 1024 * 1024;

// Loaded when a file is large enough to be remembered (crc32.ts); re-exported for the writer.
export { loadCrc32, type Crc32 } from "./crc32.js";

/**
 * 2: the offsets as bytes, not base64; 3: the file's blocks (scan-blocks.ts). Records of another
 * version are not read: the next write writes a new one.
 */
const RECORD_FORMAT_VERSION = 3;
/** 50,000 profiles make a record of ≈ 0.7 MB (0.2 MB of offsets, 0.5 MB of names). */
const RECORD_MAX_BYTES = 16 * 1024 * 1024;
const CHECK_CHUNK_BYTES = 1024 * 1024;
/** The offsets are kept in this machine's byte order (the cache folder is this machine's): a record of another order is not read. */
const ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? "LE" : "BE";

/**
 * The CRC-32 of a file's bytes, fed in order, with the CRC at the start of each piece fed (a
 * checkpoint), and whether the bytes are valid UTF-8 (tracked only when asked: a character cut by
 * a piece's end waits for the next piece).
 */
export class ContentDigest {
  readonly #crc32: Crc32;
  #crc = 0;
  #length = 0;
  readonly #offsets: number[] = [];
  readonly #crcs: number[] = [];
  #utf8: boolean | undefined;
  /** The bytes of a UTF-8 character cut by the last piece's end. */
  #pending: Buffer | undefined;

  constructor(crc32: Crc32, trackUtf8: boolean) {
    this.#crc32 = crc32;
    this.#utf8 = trackUtf8 ? true : undefined;
  }

  get crc(): number {
    return this.#crc;
  }

  get length(): number {
    return this.#length;
  }

  push(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.#offsets.push(this.#length);
    this.#crcs.push(this.#crc);
    this.#crc = this.#crc32(bytes, this.#crc);
    this.#length += bytes.byteLength;
    if (this.#utf8 === true) this.#checkUtf8(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  }

  /** Whether every byte fed was valid UTF-8; undefined when not tracked. */
  get utf8(): boolean | undefined {
    if (this.#utf8 === true && this.#pending !== undefined) return isUtf8(this.#pending);
    return this.#utf8;
  }

  #checkUtf8(bytes: Buffer): void {
    const chunk = this.#pending === undefined ? bytes : Buffer.concat([this.#pending, bytes]);
    this.#pending = undefined;
    if (isAscii(chunk)) return;
    // Cut before the last byte that starts a character: each part is valid exactly when the whole is.
    let cut = chunk.length;
    for (let back = 1; back <= 4 && back <= chunk.length; back += 1) {
      if (((chunk[chunk.length - back] ?? 0) & 0xc0) !== 0x80) {
        cut = chunk.length - back;
        break;
      }
    }
    if (!isUtf8(chunk.subarray(0, cut))) this.#utf8 = false;
    else if (cut < chunk.length) this.#pending = Buffer.from(chunk.subarray(cut));
  }

  /** The CRC-32 of the first `end` bytes fed when a piece started there (or all were fed): nothing read. */
  checkpoint(end: number): number | undefined {
    if (end === this.#length) return this.#crc;
    const low = this.#lastPieceFrom(end);
    return this.#offsets[low] === end ? this.#crcs[low] : undefined;
  }

  /** The last piece fed that started at or before `end`. */
  #lastPieceFrom(end: number): number {
    let low = 0;
    let high = this.#offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if ((this.#offsets[middle] ?? 0) <= end) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /** Where each piece fed started. */
  get checkpoints(): readonly number[] {
    return this.#offsets;
  }

  /**
   * The CRC-32 of the first `end` bytes fed, reading from `fd` (the same file) only what lies
   * between the last checkpoint and `end` (under 1 MiB); undefined past what was fed.
   */
  prefixCrc(fd: number, end: number): number | undefined {
    if (end > this.#length || end < 0) return undefined;
    if (end === this.#length) return this.#crc;
    const low = this.#lastPieceFrom(end);
    const from = this.#offsets[low] ?? 0;
    let crc = this.#crcs[low] ?? 0;
    const buffer = Buffer.allocUnsafe(Math.min(end - from, CHECK_CHUNK_BYTES));
    for (let at = from; at < end;) {
      const count = readSync(fd, buffer, 0, Math.min(buffer.length, end - at), at);
      if (count === 0) return undefined;
      crc = this.#crc32(buffer.subarray(0, count), crc);
      at += count;
    }
    return crc;
  }
}

/** The file's blocks (scan-blocks.ts): block 0 starts at offset 0, block i ≥ 1 at the index's section `firstSections[i - 1]`. */
export interface ScanBlocks {
  readonly firstSections: readonly number[];
  /** The CRC-32 of each block's bytes on their own: one more than firstSections. */
  readonly crcs: readonly number[];
}

/** What a record says about one version of the credentials file. */
export interface RememberedScan {
  readonly path: string;
  readonly identity: FileIdentity;
  readonly crc: number;
  readonly index: ByteIndex;
  /** The file cut into blocks of whole sections, each with its CRC-32: what a write after another program's change reuses. */
  readonly blocks?: ScanBlocks | undefined;
}

/** The names {@link recordPath} gives (`logout --all` removes them by name). */
export const SCAN_RECORD_NAME = /^scan-[0-9a-f]{8}\.record$/;

/** The record's name in the cache folder: one per credentials file path. */
export function recordPath(cacheDirectory: string, path: string, crc32: Crc32): string {
  return join(cacheDirectory, `scan-${crc32(Buffer.from(path, "utf8")).toString(16).padStart(8, "0")}.record`);
}

/** This user's alone: a real folder or file (not a link), owned by the process's user, no access for group or others. */
function privateToUser(path: string, kind: "folder" | "file"): boolean {
  try {
    const stats = lstatSync(path);
    const right = kind === "folder" ? stats.isDirectory() : stats.isFile();
    return right && stats.uid === process.geteuid?.() && (stats.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/**
 * The record for `path` in `cacheDirectory` when it is rolecred's, well formed and for a file
 * with `identity` (the caller then checks the content); undefined otherwise. Never throws.
 */
export function readRememberedScan(cacheDirectory: string, path: string, identity: FileIdentity, crc32: Crc32): RememberedScan | undefined {
  return readRecord(cacheDirectory, path, identity, crc32);
}

/**
 * The record for `path` whatever the file's identity now (another program may have changed it
 * since rolecred wrote it): its blocks tell what is unchanged (scan-blocks.ts). Never throws.
 */
export function readRememberedScanOfPath(cacheDirectory: string, path: string, crc32: Crc32): RememberedScan | undefined {
  return readRecord(cacheDirectory, path, undefined, crc32);
}

/** The record, when for `identity` (any, when undefined). */
function readRecord(cacheDirectory: string, path: string, identity: FileIdentity | undefined, crc32: Crc32): RememberedScan | undefined {
  const file = recordPath(cacheDirectory, path, crc32);
  // Anyone who can write the folder could plant an index that makes the write edit the wrong bytes.
  if (!privateToUser(cacheDirectory, "folder") || !privateToUser(file, "file")) return undefined;
  const options = { what: "the remembered scan", maxBytes: RECORD_MAX_BYTES };
  let opened: OpenedRegularFile;
  try {
    opened = openRegularFileSync(file, options);
  } catch {
    return undefined;
  }
  try {
    // The header line first: a record of another version of the file (a write after another
    // tool's change) is told by it, without reading and decoding 50,000 names.
    const head = Buffer.allocUnsafe(Math.min(opened.size, HEADER_MAX_BYTES));
    const headerEnd = head.subarray(0, readSync(opened.fd, head, 0, head.length, 0)).indexOf(LINE_FEED);
    if (headerEnd === -1) return undefined;
    const header: unknown = JSON.parse(head.toString("utf8", 0, headerEnd));
    if (!isObject(header) || header.version !== RECORD_FORMAT_VERSION || header.path !== path) return undefined;
    const recorded = identityOf(header.identity);
    if (identity !== undefined && !sameIdentity(recorded, identity)) return undefined;
    const record = readOpenedFileSync(file, opened, options);
    return parseRecord(header, record.subarray(headerEnd + 1), path, recorded);
  } catch {
    return undefined;
  } finally {
    closeSync(opened.fd);
  }
}

/** A path is at most 4,096 bytes: the header line fits. */
const HEADER_MAX_BYTES = 16 * 1024;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The recorded identity, or one no file has. */
function identityOf(parts: unknown): FileIdentity {
  const none = { dev: -1n, ino: -1n, size: -1n, mtimeNs: -1n, ctimeNs: -1n };
  if (!Array.isArray(parts) || parts.length !== 5 || !parts.every((part) => typeof part === "string" && DECIMAL.test(part))) return none;
  const [dev, ino, size, mtimeNs, ctimeNs] = (parts as string[]).map((part) => BigInt(part));
  return { dev: dev ?? -1n, ino: ino ?? -1n, size: size ?? -1n, mtimeNs: mtimeNs ?? -1n, ctimeNs: ctimeNs ?? -1n };
}

const DECIMAL = /^\d{1,30}$/;

/**
 * The header (a small JSON line: compared first), then the section starts (`count` 32-bit
 * offsets, their bytes as they are), then the blocks when the header counts them (`blocks`: the
 * first section of each block but the first, then each block's CRC-32, 32 bits each), then the
 * names, one a line. Binary offsets and names as
 * they are: no base64 or escaping to undo, on either side.
 */
function parseRecord(header: Record<string, unknown>, body: Buffer, path: string, identity: FileIdentity): RememberedScan | undefined {
  // The header's version and path were checked by readRecord, and `identity` is the header's own.
  const { crc, bodyStart, newline, count, blocks } = header;
  if (typeof crc !== "number" || !Number.isInteger(crc) || crc < 0 || crc > 0xffffffff) return undefined;
  // No mark, U+FEFF's three bytes, or the six of "ï»¿" (a mark read as Latin-1 and saved as UTF-8: ini-bytes.ts).
  if (bodyStart !== 0 && bodyStart !== 3 && bodyStart !== 6) return undefined;
  if (newline !== "\n" && newline !== "\r\n" && newline !== "\r") return undefined;
  if (typeof count !== "number" || !Number.isSafeInteger(count) || count < 0) return undefined;
  if (body.length < count * 4 || header.endian !== ENDIAN) return undefined;
  // The blocks (scan-blocks.ts), after the offsets: each block's first section but the first block's, then each block's CRC-32.
  const blockCount = typeof blocks === "number" && Number.isSafeInteger(blocks) && blocks >= 1 ? blocks : 0;
  if (blocks !== undefined && blockCount === 0) return undefined;
  const namesStart = count * 4 + (blockCount === 0 ? 0 : (2 * blockCount - 1) * 4);
  if (body.length < namesStart) return undefined;
  // A name with a line break would add a line: the count no longer matches and the record is not used.
  const names = count === 0 ? [] : body.toString("utf8", namesStart).split("\n");
  if (names.length !== count || (count === 0 && body.length !== namesStart)) return undefined;
  // Copied out of the record's bytes, which need not be aligned for a Uint32Array.
  const offsets = new Uint32Array(new Uint8Array(body.subarray(0, count * 4)).buffer);
  // A loop, not Array.from: that walks 50,000 entries through the iterator protocol (≈ 10 M instructions).
  const startList: number[] = [];
  for (let at = 0; at < count; at += 1) startList.push(offsets[at] ?? 0);
  const length = Number(identity.size);
  let previous = bodyStart - 1;
  for (const start of startList) {
    // In file order, inside the file: anything else is not a scan's index.
    if (start <= previous || start >= length) return undefined;
    previous = start;
  }
  const index: ByteIndex = { bodyStart, names, starts: startList, byName: namePositions(names), newline };
  if (blockCount === 0) return { path, identity, crc, index };
  const numbers = Array.from(new Uint32Array(new Uint8Array(body.subarray(count * 4, namesStart)).buffer));
  return { path, identity, crc, index, blocks: blocksOf(numbers.slice(0, blockCount - 1), numbers.slice(blockCount - 1), index, length) };
}

/**
 * The record's blocks when they describe this index: edges at sections, in order, one CRC-32 per
 * block; undefined otherwise (then a write after another program's change scans the whole file).
 */
function blocksOf(sections: number[], crcs: number[], index: ByteIndex, length: number): ScanBlocks | undefined {
  if (crcs.length !== sections.length + 1) return undefined;
  let previous = -1;
  for (const section of sections) {
    if (!Number.isInteger(section) || section <= previous || section >= index.starts.length) return undefined;
    // Block 0 holds the file's start: another block starts past it.
    if ((index.starts[section] ?? 0) <= 0 || (index.starts[section] ?? length) >= length) return undefined;
    previous = section;
  }
  return { firstSections: sections, crcs };
}

/**
 * Whether the file open as `fd` (`length` bytes) has the CRC-32 `crc`, read in 1 MiB pieces,
 * `pause()` awaited between them; the digest, with its checkpoints, for the write that follows.
 */
export async function checkContent(
  fd: number,
  length: number,
  crc: number,
  crc32: Crc32,
  pause?: () => Promise<void>,
  index?: ByteIndex,
): Promise<ContentDigest | undefined> {
  const digest = new ContentDigest(crc32, false);
  const headers = index === undefined ? undefined : new HeaderCheck(index, (offset, count) => readAt(fd, offset, count));
  const buffer = Buffer.allocUnsafe(Math.min(CHECK_CHUNK_BYTES, Math.max(length, 1)));
  for (let at = 0; at < length;) {
    const count = readSync(fd, buffer, 0, Math.min(buffer.length, length - at), at);
    if (count === 0) return undefined;
    digest.push(buffer.subarray(0, count));
    headers?.push(buffer.subarray(0, count), at);
    at += count;
    if (pause !== undefined && at < length) await pause();
  }
  return digest.crc === crc && headers?.matches !== false ? digest : undefined;
}

/** `count` bytes of the file open as `fd` from `offset` (fewer at its end). */
export function readAt(fd: number, offset: number, count: number): Buffer {
  const buffer = Buffer.allocUnsafe(count);
  let filled = 0;
  while (filled < count) {
    const read = readSync(fd, buffer, filled, count - filled, offset + filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}

/**
 * Whether a record's index reads right on these bytes, checked as they are read (in file order,
 * any pieces): each start is at a line's start, where the line reads `[name]` with the index's
 * name for it. The CRC-32 says the file is the one scanned; this says the index read back is that
 * scan's, so a damaged record (an offset or a name changed) never makes a write splice at a
 * wrong offset. One look per section (≈ 3 ms of CPU for 50,000), not a search of the file
 * for every header (one native search per header: ≈ 20 ms, more than the CRC-32's 12 ms): a record forged whole, a section left out of its
 * count, names and offsets alike, is not seen; whoever can write the private cache folder can
 * write the credentials file itself.
 */
export class HeaderCheck {
  readonly #index: ByteIndex;
  readonly #readAt: (offset: number, count: number) => Buffer;
  #next = 0;
  #previousByte = -1;
  #wrong = false;

  constructor(index: ByteIndex, readAt: (offset: number, count: number) => Buffer) {
    this.#index = index;
    this.#readAt = readAt;
  }

  /** The file's bytes from `base`, following the last piece pushed. */
  push(piece: Buffer, base: number): void {
    if (this.#wrong || piece.length === 0) return;
    const { starts, names, bodyStart } = this.#index;
    const end = base + piece.length;
    for (let start = starts[this.#next]; start !== undefined && start < end; start = starts[this.#next]) {
      const at = start - base;
      const before = at > 0 ? (piece[at - 1] ?? -1) : at === 0 ? this.#previousByte : -1;
      const atLineStart = start === bodyStart || before === LINE_FEED || before === CARRIAGE_RETURN;
      const name = names[this.#next] ?? "";
      if (at < 0 || !atLineStart || !(asciiHeaderAt(piece, at, name) ?? this.#headerAt(piece, at, start, name))) {
        this.#wrong = true;
        return;
      }
      this.#next += 1;
    }
    this.#previousByte = piece[piece.length - 1] ?? -1;
  }

  /** Whether `[name]` is at `start` (`at` in `piece`), read from the file when the piece ends before it does. */
  #headerAt(piece: Buffer, at: number, start: number, name: string): boolean {
    const length = Buffer.byteLength(name, "utf8") + 2;
    return at + length <= piece.length ? headerAt(piece, at, name) : headerAt(this.#readAt(start, length), 0, name);
  }

  /** After the whole file was pushed: whether the index reads right on it. */
  get matches(): boolean {
    return !this.#wrong && this.#next === this.#index.starts.length;
  }
}

/** Whether `[name]` (its UTF-8 bytes) is at `at` in `bytes`, all of it. */
export function headerAt(bytes: Buffer, at: number, name: string): boolean {
  const length = Buffer.byteLength(name, "utf8") + 2;
  return (
    at >= 0 &&
    at + length <= bytes.length &&
    bytes[at] === OPEN_BRACKET &&
    bytes[at + length - 1] === CLOSE_BRACKET &&
    bytes.toString("utf8", at + 1, at + length - 1) === name
  );
}

/**
 * Whether `[name]` is at `at` in `piece`, compared byte by byte (no string made: 50,000 names);
 * undefined when that cannot tell (a name past ASCII, a header cut by the piece's end).
 */
export function asciiHeaderAt(piece: Buffer, at: number, name: string): boolean | undefined {
  if (at + name.length + 2 > piece.length) return undefined;
  let same = piece[at] === OPEN_BRACKET && piece[at + name.length + 1] === CLOSE_BRACKET;
  for (let index = 0; index < name.length; index += 1) {
    const code = name.charCodeAt(index);
    // A name past ASCII has more bytes than characters: the bracket above was looked for in the wrong place.
    if (code >= 0x80) return undefined;
    same &&= piece[at + 1 + index] === code;
  }
  return same;
}

/** {@link HeaderCheck} over a file held whole. */
export function indexMatchesBytes(index: ByteIndex, bytes: Buffer): boolean {
  const check = new HeaderCheck(index, (offset, count) => bytes.subarray(offset, offset + count));
  check.push(bytes, 0);
  return check.matches;
}

/**
 * Keep `scan` for the next write: replaced whole (a temporary name, then a rename), 0600 in the
 * private cache folder. Best effort: a folder that is not private or cannot be written costs only
 * the record (an old record left there describes a file that no longer has its identity).
 */
export function rememberScan(cacheDirectory: string, scan: RememberedScan, crc32: Crc32): boolean {
  const { index } = scan;
  // A name never holds a line break (lines end there); if one did, the reader's count check refuses the record.
  if (Number(scan.identity.size) > 0xffffffff) return false;
  const header = {
    endian: ENDIAN,
    version: RECORD_FORMAT_VERSION,
    path: scan.path,
    identity: [scan.identity.dev, scan.identity.ino, scan.identity.size, scan.identity.mtimeNs, scan.identity.ctimeNs].map((part) => part.toString()),
    crc: scan.crc,
    bodyStart: index.bodyStart,
    newline: index.newline,
    count: index.names.length,
    ...(scan.blocks === undefined ? {} : { blocks: scan.blocks.crcs.length }),
  };
  const record = Buffer.concat([
    Buffer.from(`${JSON.stringify(header)}\n`, "utf8"),
    new Uint8Array(Uint32Array.from(index.starts).buffer),
    ...(scan.blocks === undefined ? [] : [new Uint8Array(Uint32Array.from([...scan.blocks.firstSections, ...scan.blocks.crcs]).buffer)]),
    Buffer.from(index.names.join("\n"), "utf8"),
  ]);
  if (record.length > RECORD_MAX_BYTES) return false;
  // A folder that exists and is not this user's alone is not written to: it is not read from either.
  if (lstatSafe(cacheDirectory) && !privateToUser(cacheDirectory, "folder")) return false;
  return replaceSmallFileSync(cacheDirectory, recordPath(cacheDirectory, scan.path, crc32), record);
}

function lstatSafe(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
