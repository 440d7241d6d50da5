/**
 * The credentials file as its bytes, for the one writer of a file that may hold 50,000 profiles
 * (about 49 MB of session tokens).
 *
 * The strict parse of ini-document.ts, done on the Buffer: each line's end is found with a
 * native `indexOf`, and the usual lines (`key = value`, `[name]`, comments, blank and indented
 * lines, all ASCII where their kind is decided) are classified from their first bytes, into the
 * same {@link LineClassifier} state; any other line (non-ASCII where it matters, or a line with a
 * problem) is decoded and handed to the classifier itself, so the refusals and their line numbers
 * are the strict parse's own. Neither the decoded text of the file nor a line model of it is
 * kept: only where each section starts.
 *
 * An edit decodes only the section it touches (a new section: the last one) into an
 * {@link IniDocument} of its own, and the new file is the untouched bytes before it, its new
 * bytes and the untouched bytes after it: slices of the Buffer that was read, written with one
 * writev, never joined into a copy.
 */
import { isAscii, isUtf8 } from "node:buffer";
import { readSync } from "node:fs";
import { IniDocument, IniSyntaxError, LineClassifier, type IniLine } from "./ini-document.js";
import { SectionNames } from "./section-names.js";
import { byteOrderMarkLength as markLength } from "./section-scan.js";

/** How the text of a file maps to its bytes: UTF-8 when the whole file is valid UTF-8, else byte for byte. */
export type FileEncoding = "utf8" | "latin1";

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const HASH = 0x23;
const COLON = 0x3a;
const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
/** Bytes from here on are not ASCII: the classifier decides lines where they matter. */
const NON_ASCII = 0x80;

/** ASCII white space as JavaScript's `\s` and `trim()` see it (\n and \r end lines before this is asked). */
function isSpace(byte: number): boolean {
  return byte === SPACE || (byte >= TAB && byte <= CARRIAGE_RETURN);
}

/** `\w`: a key line's usual first character. */
function isWordByte(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f;
}

/** The six bytes of "ï»¿" (a byte-order mark read as Latin-1 and saved as UTF-8). */
const LATIN1_READ_MARK_LENGTH = 6;

/**
 * How many bytes of a byte-order mark the string parse (ini-document.ts) drops from the start:
 * U+FEFF's three (in a Latin-1 file they read as "ï»¿", dropped as well), or "ï»¿" saved as UTF-8
 * (section-scan.ts knows both), the latter only in a file decoded as UTF-8: asked `isUtf8` only
 * when the file starts with it.
 */
function byteOrderMarkLength(bytes: Buffer, isUtf8: () => boolean): number {
  const length = markLength(bytes);
  return length === LATIN1_READ_MARK_LENGTH && !isUtf8() ? 0 : length;
}

const ASCII_TEXT = /^[\u0000-\u007f]*$/;

/**
 * Past this many sections read, the file is decoded once, whole, as Latin-1 (a listing: `status`,
 * `logout`): each section is then a slice of that text, not a copy of its bytes. A write reads
 * one or two sections and never decodes the file.
 */
const READS_BEFORE_DECODING = 64;

/** A section's position by its name: the scan's Map, or {@link namePositions} over a list. */
export interface NamePositions {
  get(name: string): number | undefined;
}

/** Past this many names searched for, {@link namePositions} makes its Map of every name. */
const NAMES_SEARCHED_BEFORE_MAP = 16;

/**
 * Positions looked up in `names` (each name once, as a scan lists them): the first few names by a
 * linear search, which costs less than a Map of 50,000 names that a write asks about two or three
 * names (one search ≈ 2 M instructions, the Map ≈ 90 M); the Map once more were asked. A name is
 * searched for once: a write asks about its profile four times (the precheck, the edit, the new
 * index) and about the source profile twice (bench/ `write-50000-again`: 7 searches, now 3).
 */
export function namePositions(names: readonly string[]): NamePositions {
  const found = new Map<string, number | undefined>();
  let map: Map<string, number> | undefined;
  return {
    get(name) {
      if (map !== undefined) return map.get(name);
      if (found.has(name)) return found.get(name);
      if (found.size >= NAMES_SEARCHED_BEFORE_MAP) {
        map = new Map(names.map((each, at) => [each, at]));
        return map.get(name);
      }
      const at = names.indexOf(name);
      const position = at === -1 ? undefined : at;
      found.set(name, position);
      return position;
    },
  };
}

/** Where each section of the file starts, in file order (what a remembered scan keeps: store/remembered-scan.ts). */
export interface ByteIndex {
  /** After the BOM, if any. */
  readonly bodyStart: number;
  readonly names: readonly string[];
  /** Byte offset of each section's header line. */
  readonly starts: readonly number[];
  readonly byName: NamePositions;
  /** The file's first line terminator ("\n" when it has none): what added lines end with. */
  readonly newline: string;
}

/**
 * A section's keys are compared as byte ranges, without a string per line. Past this many keys in
 * one section they go into the classifier's map instead (comparing each with every earlier one
 * would grow with the square of the section).
 */
const KEYS_COMPARED_IN_PLACE = 32;

/**
 * The strict parse's scan of the file's bytes: every line classified (the classifier's refusals,
 * with their line numbers, thrown as {@link IniSyntaxError}), and where each section starts.
 *
 * The classifier's maps are filled only when a decoded line needs them (rarely): per section, a
 * map of keys would be 50,000 maps, and a second map of 50,000 names, for nothing.
 */
class ByteScan {
  /** The window of the file being scanned, and the file offset of its first byte. */
  #bytes: Buffer = Buffer.alloc(0);
  #base = 0;
  readonly #decode: (part: Buffer) => string;
  readonly #classifier = new LineClassifier();
  readonly #line: IniLine = { text: "", eol: "", kind: "blank" };
  readonly #starts: number[] = [];
  /** The header line of each section, for the classifier's "repeats the one on line N". */
  readonly #headerLines: number[] = [];
  readonly #names = new SectionNames();
  /** How many of the names are in the classifier's map of sections. */
  #namesInClassifier = 0;
  /** The current section's keys as byte ranges of the window (start, end) and line numbers, while they are compared in place. */
  readonly #keyRanges = new Int32Array(KEYS_COMPARED_IN_PLACE * 2);
  readonly #keyLines = new Int32Array(KEYS_COMPARED_IN_PLACE);
  #keyCount = 0;
  /** The current section's keys are in the classifier's map (after a decoded line, many keys, or a new window). */
  #keysInMap = false;
  #lineNumber = 0;
  #newline: string | undefined;

  constructor(decode: (part: Buffer) => string) {
    this.#decode = decode;
  }

  /** The whole file in one window. */
  run(bytes: Buffer, bodyStart = byteOrderMarkLength(bytes, () => false)): ByteIndex {
    this.scanWindow(bytes, 0, bodyStart, true);
    return this.index(bodyStart);
  }

  index(bodyStart: number): ByteIndex {
    const names = this.#names.list();
    return { bodyStart, names, starts: this.#starts, byName: namePositions(names), newline: this.#newline ?? "\n" };
  }

  /**
   * Classify the lines of `bytes` (the file's bytes from offset `base`) from `from` on. Unless
   * this is the file's `last` window, a line whose end is not in the window (or a \r last, whose
   * \n may come next) is left: the offset where it starts is returned, and the caller hands it
   * over again at the start of the next window. The window may be overwritten after the call.
   */
  scanWindow(bytes: Buffer, base: number, from: number, last: boolean): number {
    this.#bytes = bytes;
    this.#base = base;
    // The next \n and \r at or after the line's start, each searched again only once passed: linear.
    let nextFeed = bytes.indexOf(LINE_FEED, from);
    let nextReturn = bytes.indexOf(CARRIAGE_RETURN, from);
    let start = from;
    while (start < bytes.length) {
      if (nextFeed !== -1 && nextFeed < start) nextFeed = bytes.indexOf(LINE_FEED, start);
      if (nextReturn !== -1 && nextReturn < start) nextReturn = bytes.indexOf(CARRIAGE_RETURN, start);
      // A line ends at \r\n, \n or a lone \r, as in ini-document.ts.
      const end = nextReturn === -1 || (nextFeed !== -1 && nextFeed < nextReturn) ? (nextFeed === -1 ? bytes.length : nextFeed) : nextReturn;
      // Which byte ends the line is told by the searches, not read again: a load first made at a
      // window's end would throw the optimised loop away, to be compiled again (every window).
      if (!last && (end === bytes.length || (end === bytes.length - 1 && end === nextReturn))) break;
      const terminator = end === bytes.length ? 0 : end === nextReturn && nextFeed === end + 1 ? 2 : 1;
      if (this.#newline === undefined && terminator > 0) this.#newline = terminator === 2 ? "\r\n" : end === nextReturn ? "\r" : "\n";
      this.#lineNumber += 1;
      if (!this.#classifyBytes(start, end, this.#lineNumber)) this.#classifyDecoded(start, end, this.#lineNumber);
      start = end + terminator;
    }
    // The window's bytes are about to be replaced: keys compared in place become strings first.
    if (!last && !this.#keysInMap && this.#keyCount > 0) this.#moveKeysToMap();
    return start;
  }

  /**
   * The classifier's decision for the usual lines, from their bytes. False when the line needs
   * the classifier itself: a byte past ASCII where it decides the kind (`\s` and `trim()` know
   * non-ASCII spaces), an unusual shape, or a problem (its message comes from the classifier).
   */
  #classifyBytes(start: number, end: number, lineNumber: number): boolean {
    const bytes = this.#bytes;
    if (start === end) return true; // blank
    const first = bytes[start] ?? 0;
    if (isWordByte(first)) return this.#entry(start, end, lineNumber);
    if (first === HASH || first === SEMICOLON) return true; // comment
    if (first === OPEN_BRACKET) return this.#header(start, end, lineNumber);
    if (!isSpace(first)) return false;
    let at = start + 1;
    while (at < end && isSpace(bytes[at] ?? 0)) at += 1;
    if (at === end) return true; // blank
    const next = bytes[at] ?? 0;
    if (next >= NON_ASCII) return false;
    if (next === HASH || next === SEMICOLON) return true; // an indented comment
    const classifier = this.#classifier;
    if (classifier.previousContent === "entry" || classifier.previousContent === "continuation") {
      classifier.previousContent = "continuation";
      return true;
    }
    return false; // an indented header or key: rare, the classifier reads it
  }

  /** `key = value` (or `key: value`): only the key's bytes are looked at. */
  #entry(start: number, end: number, lineNumber: number): boolean {
    const bytes = this.#bytes;
    const classifier = this.#classifier;
    // In a section once there is one (a header that is refused throws).
    if (this.#names.count === 0) return false;
    let delimiter = start + 1;
    for (; delimiter < end; delimiter += 1) {
      const byte = bytes[delimiter] ?? 0;
      if (byte === EQUALS || byte === COLON) break;
      if (byte >= NON_ASCII) return false;
    }
    if (delimiter === end) return false;
    let keyEnd = delimiter;
    while (isSpace(bytes[keyEnd - 1] ?? 0)) keyEnd -= 1; // stops at the first byte, a \w
    if (!this.#keysInMap && this.#keyCount === KEYS_COMPARED_IN_PLACE) this.#moveKeysToMap();
    if (this.#keysInMap) {
      const key = bytes.toString("latin1", start, keyEnd).toLowerCase();
      if (classifier.keysInSection.has(key)) return false;
      classifier.keysInSection.set(key, lineNumber);
    } else {
      const ranges = this.#keyRanges;
      for (let index = 0; index < this.#keyCount; index += 1) {
        if (this.#sameKey(start, keyEnd, ranges[2 * index] ?? 0, ranges[2 * index + 1] ?? 0)) return false;
      }
      ranges[2 * this.#keyCount] = start;
      ranges[2 * this.#keyCount + 1] = keyEnd;
      this.#keyLines[this.#keyCount] = lineNumber;
      this.#keyCount += 1;
    }
    classifier.previousContent = "entry";
    return true;
  }

  /** `[name]`, optionally followed by spaces and a comment; anything else is the classifier's. */
  #header(start: number, end: number, lineNumber: number): boolean {
    const bytes = this.#bytes;
    let close = start + 1;
    for (; close < end; close += 1) {
      const byte = bytes[close] ?? 0;
      if (byte === CLOSE_BRACKET) break;
      if (byte >= NON_ASCII) return false;
    }
    if (close === end) return false;
    let after = close + 1;
    while (after < end && isSpace(bytes[after] ?? 0)) after += 1;
    if (after < end) {
      const byte = bytes[after] ?? 0;
      if (byte !== HASH && byte !== SEMICOLON) return false;
      // The header pattern's `.*` stops at U+2028 and U+2029: a non-ASCII comment is the classifier's.
      for (let at = after + 1; at < end; at += 1) if ((bytes[at] ?? 0) >= NON_ASCII) return false;
    }
    // An empty name, or spaces inside the brackets: refused, in the classifier's words.
    if (close === start + 1 || isSpace(bytes[start + 1] ?? 0) || isSpace(bytes[close - 1] ?? 0)) return false;
    // A name seen before, and __proto__, are refused by the classifier.
    if (!this.#names.addBytes(bytes, start + 1, close)) return false;
    this.#classifier.previousContent = "section";
    this.#starts.push(this.#base + start);
    this.#headerLines.push(lineNumber);
    this.#keyCount = 0;
    this.#keysInMap = false;
    return true;
  }

  /** The classifier's own reading of a decoded line. */
  #classifyDecoded(start: number, end: number, lineNumber: number): void {
    const classifier = this.#classifier;
    // What the classifier compares with must be in its maps: the sections so far, this section's keys.
    for (; this.#namesInClassifier < this.#names.count; this.#namesInClassifier += 1) {
      classifier.sectionLines.set(this.#names.at(this.#namesInClassifier), this.#headerLines[this.#namesInClassifier] ?? 0);
    }
    // The section the lines are in, which the byte path does not hand it (its name is not made into a string).
    classifier.currentSection = this.#names.count === 0 ? undefined : this.#names.at(this.#names.count - 1);
    if (!this.#keysInMap) this.#moveKeysToMap();
    const line = this.#line;
    line.text = this.#decode(this.#bytes.subarray(start, end));
    line.section = undefined;
    classifier.classify(line, lineNumber);
    const problem = classifier.problems[0];
    if (problem !== undefined) throw new IniSyntaxError(problem.line, problem.reason);
    if (line.kind === "section" && line.section !== undefined) {
      this.#startSection(line.section, this.#base + start, lineNumber);
      this.#namesInClassifier = this.#names.count; // the classifier listed it itself
    }
  }

  /** `start`: the header's offset in the file. */
  #startSection(name: string, start: number, lineNumber: number): void {
    this.#names.addDecoded(name);
    this.#starts.push(start);
    this.#headerLines.push(lineNumber);
    this.#keyCount = 0;
    this.#keysInMap = false;
  }

  /** This section's keys into the classifier's map, a new one: the keys of the sections before are not its business. */
  #moveKeysToMap(): void {
    const keys = new Map<string, number>();
    for (let index = 0; index < this.#keyCount; index += 1) {
      const keyStart = this.#keyRanges[2 * index] ?? 0;
      keys.set(this.#bytes.toString("latin1", keyStart, this.#keyRanges[2 * index + 1] ?? keyStart).toLowerCase(), this.#keyLines[index] ?? 0);
    }
    this.#classifier.keysInSection = keys;
    this.#keyCount = 0;
    this.#keysInMap = true;
  }
  /** Two ASCII keys equal once lower-cased, as the classifier compares them. */
  #sameKey(start: number, end: number, otherStart: number, otherEnd: number): boolean {
    if (end - start !== otherEnd - otherStart) return false;
    const bytes = this.#bytes;
    for (let offset = 0; offset < end - start; offset += 1) {
      let a = bytes[start + offset] ?? 0;
      let b = bytes[otherStart + offset] ?? 0;
      if (a === b) continue;
      if (a >= 0x41 && a <= 0x5a) a += 0x20;
      if (b >= 0x41 && b <= 0x5a) b += 0x20;
      if (a !== b) return false;
    }
    return true;
  }
}

/**
 * The strict scan of `bytes` on their own, valid UTF-8: a stretch of a file that starts at its
 * start (`atFileStart`: a BOM is dropped) or at a section header in column 0, and ends at a line's
 * end (store/scan-blocks.ts). Throws {@link IniSyntaxError} as {@link IniByteDocument.parse} does,
 * its line numbers counted from the stretch's first line.
 */
export function scanStretch(bytes: Buffer, atFileStart: boolean): ByteIndex {
  const bodyStart = atFileStart ? byteOrderMarkLength(bytes, () => true) : 0;
  return new ByteScan((part) => part.toString(isAscii(part) ? "latin1" : "utf8")).run(bytes, bodyStart);
}

/** The first position in `sorted` (ascending) whose value is at least `value`; its length when none is. */
export function firstAtOrAfter(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** A run of the source file's bytes, [start, end): copied to the new file as they are. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** The new file, in order: runs of the old file's bytes, and new bytes between them. */
export type WritePiece = Buffer | ByteRange;

/** A read of the open file found fewer bytes than its scan: it was truncated or replaced in place since. */
export class ScannedFileChanged extends Error {
  constructor() {
    super("the file changed since it was scanned");
  }
}

/** Told each run of bytes a scan reads, in file order, each byte once; the Buffer is reused after the call. */
export type OnRead = (bytes: Buffer) => void;

/** Read size of a scan, and of a check of the whole file's encoding. */
export const SCAN_CHUNK_BYTES = 1024 * 1024;

/**
 * The first read of a scan: a short window (≈ 130 lines of a credentials file), scanned whole
 * before V8 optimises the scan, so that the paths a window's end takes (the loop's exit, a
 * section's keys handed over to the next window) have run once when the scan is compiled.
 * Compiled without them, the first window's end throws the compiled code away.
 */
const FIRST_WINDOW_BYTES = 16 * 1024;

/** Where a document's bytes are: the Buffer it was parsed from, or the open file, read a range at a time. */
interface ByteSource {
  readonly length: number;
  /** Bytes [start, end): a slice of the Buffer, or a fresh read of the file. */
  bytes(start: number, end: number): Buffer;
  /** Whether the whole file is valid UTF-8. */
  isUtf8(): boolean;
  /** The whole file at once: a listing of every section or a removal, never a write's path. */
  whole(): Buffer;
}

function bufferSource(buffer: Buffer): ByteSource {
  let utf8: boolean | undefined;
  return {
    length: buffer.length,
    bytes: (start, end) => buffer.subarray(start, end),
    isUtf8: () => (utf8 ??= isUtf8(buffer)),
    whole: () => buffer,
  };
}

const CONTINUATION_MASK = 0xc0;
const CONTINUATION = 0x80;

/**
 * Where a chunk of UTF-8 may be cut so that each part is valid exactly when the whole is: before
 * the last byte that is not a continuation byte (a lead or an ASCII byte). -1 when the chunk ends
 * in four continuation bytes, which no valid UTF-8 has.
 */
function utf8Cut(chunk: Buffer): number {
  let at = chunk.length - 1;
  for (let seen = 0; at >= 0 && ((chunk[at] ?? 0) & CONTINUATION_MASK) === CONTINUATION; at -= 1) {
    if (++seen === 4) return -1;
  }
  return Math.max(at, 0);
}

/** The file behind `fd`, `length` bytes long when scanned, read with pread (the descriptor's position is never used). */
function fileSource(fd: number, length: number, chunkBytes: number, knownUtf8?: boolean): ByteSource {
  let utf8: boolean | undefined = knownUtf8;
  let whole: Buffer | undefined;
  const read = (start: number, end: number): Buffer => {
    const buffer = Buffer.allocUnsafe(end - start);
    let filled = 0;
    while (filled < buffer.length) {
      const count = readSync(fd, buffer, filled, buffer.length - filled, start + filled);
      if (count === 0) throw new ScannedFileChanged();
      filled += count;
    }
    return buffer;
  };
  const checkUtf8 = (): boolean => {
    for (let start = 0; start < length;) {
      const end = Math.min(length, start + Math.max(chunkBytes, 4));
      const chunk = read(start, end);
      const cut = end === length ? chunk.length : utf8Cut(chunk);
      if (cut === -1 || !isUtf8(chunk.subarray(0, cut))) return false;
      start += cut === 0 ? chunk.length : cut;
    }
    return true;
  };
  return {
    length,
    bytes: (start, end) => (whole === undefined ? read(start, end) : whole.subarray(start, end)),
    isUtf8: () => (utf8 ??= whole === undefined ? checkUtf8() : isUtf8(whole)),
    whole: () => (whole ??= read(0, length)),
  };
}

/** A part of the file as text: ASCII read as it is, anything else in the file's encoding. */
function decodeWith(source: ByteSource): (part: Buffer) => string {
  return (part) => (isAscii(part) ? part.toString("latin1") : part.toString(source.isUtf8() ? "utf8" : "latin1"));
}

/**
 * A strictly parsed INI file held as the bytes it was read as, or as the open file those bytes
 * are in (see {@link scanFile}). Names and values are the file's text (see {@link encoding});
 * every edit leaves every byte outside the sections it touches as it was, and serialises as
 * ini-document.ts's whole line model would.
 */
export class IniByteDocument {
  readonly #source: ByteSource;
  readonly #index: ByteIndex;
  /** The parts an edit changed, by section position (-1: a file with no section), each a document of its own. */
  readonly #edited = new Map<number, IniDocument>();
  /** Sections an edit added, in order, with the part they were added to (the file's last). */
  readonly #added = new Map<string, number>();
  /** The whole file as one document, once an edit needed it (removing a section); then the only state. */
  #whole: IniDocument | undefined;
  /** Sections read so far, and the file as Latin-1 text (one character per byte) once there were many. */
  #reads = 0;
  #latin1: string | undefined;

  private constructor(source: ByteSource, index: ByteIndex) {
    this.#source = source;
    this.#index = index;
  }

  /** Parse `bytes` (kept, never changed); throws {@link IniSyntaxError} naming the first line rolecred cannot read. */
  static parse(bytes: Buffer): IniByteDocument {
    const source = bufferSource(bytes);
    return new IniByteDocument(
      source,
      new ByteScan(decodeWith(source)).run(
        bytes,
        byteOrderMarkLength(bytes, () => source.isUtf8()),
      ),
    );
  }

  /**
   * Parse the file open as `fd`, `length` bytes long, a chunk at a time: only where each section
   * starts is kept, never the file. A line is classified once it is whole (a line, a \r\n or a
   * UTF-8 character cut by the end of a chunk waits for the next). Sections are read again (pread)
   * when asked for, and a write copies the untouched bytes from the file ({@link pieces}): the
   * caller keeps `fd` open, and checks the file is unchanged, for as long as the document is used.
   * Throws {@link IniSyntaxError} as {@link parse} does, {@link ScannedFileChanged} if the file
   * ends before `length`.
   */
  static scanFile(fd: number, length: number, chunkBytes = SCAN_CHUNK_BYTES, onRead?: OnRead): IniByteDocument {
    const steps = IniByteDocument.#scanSteps(fd, length, chunkBytes, onRead);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
    }
  }

  /**
   * {@link scanFile}, awaiting `pause()` after each chunk: callbacks of I/O started before the
   * scan (the write's copy of this file, store/atomic-write.ts prepareCopy) run between chunks
   * instead of after the whole scan.
   */
  static async scanFileYielding(
    fd: number,
    length: number,
    pause: () => Promise<void>,
    chunkBytes = SCAN_CHUNK_BYTES,
    onRead?: OnRead,
  ): Promise<IniByteDocument> {
    const steps = IniByteDocument.#scanSteps(fd, length, chunkBytes, onRead);
    for (;;) {
      const step = steps.next();
      if (step.done === true) return step.value;
      await pause();
    }
  }

  /** The scan, one chunk per step. */
  static *#scanSteps(fd: number, length: number, chunkBytes: number, onRead: OnRead | undefined): Generator<void, IniByteDocument> {
    const source = fileSource(fd, length, chunkBytes);
    const scan = new ByteScan(decodeWith(source));
    let window = Buffer.allocUnsafe(Math.min(Math.max(chunkBytes, 4), Math.max(length, 4)));
    let bodyStart = 0;
    /** File offset of window[0], bytes of it still to classify (a line handed over), bytes read. */
    let base = 0;
    let carried = 0;
    let position = 0;
    for (;;) {
      // A line longer than the window: the window grows until it holds it.
      if (carried === window.length) window = Buffer.concat([window, Buffer.allocUnsafe(window.length)]);
      const room = Math.min(window.length - carried, length - position, position === 0 ? FIRST_WINDOW_BYTES : Infinity);
      const count = position === length ? 0 : readSync(fd, window, carried, room, position);
      if (count === 0 && position < length) throw new ScannedFileChanged();
      // The file's bytes in order, each once (the scan's content check: store/remembered-scan.ts).
      if (count > 0) onRead?.(window.subarray(carried, carried + count));
      position += count;
      const filled = carried + count;
      const last = position === length;
      // Looked at again while no line was consumed: "ï»¿" (six bytes, no line end among them) may need a second read.
      if (base === 0 && position >= Math.min(length, 3)) bodyStart = byteOrderMarkLength(window.subarray(0, filled), () => source.isUtf8());
      const from = base === 0 ? bodyStart : 0;
      const consumed = scan.scanWindow(window.subarray(0, filled), base, from, last);
      if (last) break;
      window.copyWithin(0, consumed, filled);
      base += consumed;
      carried = filled - consumed;
      yield;
    }
    return new IniByteDocument(source, scan.index(bodyStart));
  }

  /**
   * The file open as `fd`, `length` bytes long, whose strict scan is already known: `index`, from
   * a remembered scan of exactly these bytes (store/remembered-scan.ts checks them first). Used as
   * {@link scanFile}'s document is; `utf8`: whether the whole file is valid UTF-8.
   */
  static fromIndex(fd: number, length: number, index: ByteIndex, utf8: boolean): IniByteDocument {
    return new IniByteDocument(fileSource(fd, length, SCAN_CHUNK_BYTES, utf8), index);
  }

  /** {@link fromIndex} for a file read whole: `bytes`, kept and never changed. */
  static fromIndexOfBytes(bytes: Buffer, index: ByteIndex): IniByteDocument {
    return new IniByteDocument(bufferSource(bytes), index);
  }

  /**
   * The strict scan of the file that `pieces` (this document's {@link pieces}) make, without
   * reading it: the untouched runs keep their sections (moved by what came before them), the new
   * bytes of each edited part are scanned on their own (a part starts at a header, or is the
   * whole body: the scan's state there is a fresh one). Only for a file known to be valid UTF-8
   * whose new bytes are too (`utf8`: this file's); undefined otherwise, or once the document is
   * held whole (a removal), or when a part's new bytes do not scan (they always should).
   */
  writtenIndex(pieces: readonly WritePiece[], utf8: boolean): ByteIndex | undefined {
    if (this.#whole !== undefined || !utf8) return undefined;
    const { names: oldNames, starts: oldStarts } = this.#index;
    let names: string[] = [];
    let starts: number[] = [];
    let offset = 0;
    for (const piece of pieces) {
      if (Buffer.isBuffer(piece)) {
        if (!isUtf8(piece)) return undefined;
        let part: ByteIndex;
        try {
          part = new ByteScan((bytes) => bytes.toString("utf8")).run(piece);
        } catch {
          return undefined;
        }
        for (let at = 0; at < part.names.length; at += 1) {
          names.push(part.names[at] ?? "");
          starts.push(offset + (part.starts[at] ?? 0));
        }
        offset += piece.length;
        continue;
      }
      // The sections starting in the run, [low, end): found by binary search (starts are in file
      // order), not by a walk over the 50,000 sections of a leading run.
      const low = firstAtOrAfter(oldStarts, piece.start);
      const end = firstAtOrAfter(oldStarts, piece.end);
      // The leading run (most of the file) is copied whole: its sections do not move.
      if (names.length === 0 && offset === piece.start) {
        names = oldNames.slice(low, end);
        starts = oldStarts.slice(low, end);
      } else {
        for (let at = low; at < end; at += 1) {
          names.push(oldNames[at] ?? "");
          starts.push(offset + (oldStarts[at] ?? 0) - piece.start);
        }
      }
      offset += piece.end - piece.start;
    }
    // Each name once: an added section's name was absent from the whole file (upsertSection).
    return { bodyStart: this.#index.bodyStart, names, starts, byName: namePositions(names), newline: this.#index.newline };
  }

  /** The index of the file as read, edits or not (what {@link writtenIndex} moves around the edited parts). */
  get readIndex(): ByteIndex {
    return this.#index;
  }

  /** The length of the file as read. */
  get readLength(): number {
    return this.#source.length;
  }

  /** The scan's index, as {@link writtenIndex} gives it for the file unchanged. */
  get index(): ByteIndex | undefined {
    return this.#whole === undefined && this.#edited.size === 0 ? this.#index : undefined;
  }

  static empty(): IniByteDocument {
    return new IniByteDocument(bufferSource(Buffer.alloc(0)), { bodyStart: 0, names: [], starts: [], byName: new Map(), newline: "\n" });
  }

  /**
   * A file that is valid UTF-8 is read as UTF-8; any other (a Latin-1 comment, a stray byte) byte
   * for byte as Latin-1, so what rolecred does not edit is written back exactly as it was read.
   * Validated once, when first asked: an ASCII name or section never asks.
   */
  get encoding(): FileEncoding {
    return this.#source.isUtf8() ? "utf8" : "latin1";
  }

  /** Section names in file order. */
  sectionNames(): string[] {
    if (this.#whole !== undefined) return this.#whole.sectionNames();
    return [...this.#index.names, ...this.#added.keys()];
  }

  hasSection(name: string): boolean {
    if (this.#whole !== undefined) return this.#whole.hasSection(name);
    return this.#positionOf(name) !== undefined;
  }

  /** The keys and values of a section (keys lower-cased), or undefined if there is no such section. */
  section(name: string): Map<string, string> | undefined {
    if (this.#whole !== undefined) return this.#whole.section(name);
    const position = this.#positionOf(name);
    if (position === undefined) return undefined;
    return (this.#edited.get(position) ?? this.#readPart(position)).section(name);
  }

  /**
   * The bytes of section `name` as the file has them (header to the next header), or undefined
   * when the file has no such section or an edit changed it. The read side of the same run looks
   * up a few profiles this way instead of searching the file.
   */
  sectionBytes(name: string): Buffer | undefined {
    if (this.#whole !== undefined || this.#added.has(name)) return undefined;
    const position = this.#index.byName.get(name);
    if (position === undefined || this.#edited.has(position)) return undefined;
    const { start, end } = this.#range(position);
    return this.#source.bytes(start, end);
  }

  /** {@link IniDocument.upsertSection}, on the section's part of the file (a new section: the last part). */
  upsertSection(name: string, entries: ReadonlyArray<readonly [string, string]>, remove: ReadonlySet<string> = new Set()): void {
    if (this.#whole !== undefined) {
      this.#whole.upsertSection(name, entries, remove);
      return;
    }
    const existing = this.#positionOf(name);
    const position = existing ?? this.#index.names.length - 1;
    let part = this.#edited.get(position);
    if (part === undefined) {
      part = this.#part(position);
      this.#edited.set(position, part);
    }
    part.upsertSection(name, entries, remove);
    if (existing === undefined) this.#added.set(name, position);
  }

  /**
   * {@link IniDocument.removeSection}. Its blank lines belong to the sections around it, so it
   * works on the whole file as one document (logout; not on the path of a write).
   */
  removeSection(name: string): boolean {
    this.#whole ??= IniDocument.parse(Buffer.concat(this.chunks()).toString(this.encoding));
    return this.#whole.removeSection(name);
  }

  /**
   * The document's bytes in order: slices of the bytes that were read where nothing changed, new
   * bytes for each part an edit changed. Written as they are (writev), never joined.
   */
  chunks(pieces: readonly WritePiece[] = this.pieces()): Buffer[] {
    return pieces.map((piece) => (Buffer.isBuffer(piece) ? piece : this.#source.bytes(piece.start, piece.end)));
  }

  /**
   * {@link chunks}, the untouched bytes as ranges of the source: a file scanned with
   * {@link scanFile} is written by copying them from the file, not from memory.
   */
  pieces(): WritePiece[] {
    if (this.#whole !== undefined) return [Buffer.from(this.#whole.toString(), this.encoding)];
    const pieces: WritePiece[] = [];
    let cursor = 0;
    for (const position of [...this.#edited.keys()].sort((a, b) => a - b)) {
      const part = this.#edited.get(position);
      if (part === undefined) continue;
      const { start, end } = this.#range(position);
      if (start > cursor) pieces.push({ start: cursor, end: start });
      const text = part.toString();
      pieces.push(Buffer.from(text, ASCII_TEXT.test(text) ? "latin1" : this.encoding));
      cursor = end;
    }
    if (cursor < this.#source.length || pieces.length === 0) pieces.push({ start: cursor, end: this.#source.length });
    return pieces;
  }

  #positionOf(name: string): number | undefined {
    return this.#index.byName.get(name) ?? this.#added.get(name);
  }

  /** The bytes of section `position` (header to the next header), or of the whole body when there is no section. */
  #range(position: number): { start: number; end: number } {
    const { starts, bodyStart } = this.#index;
    return { start: position === -1 ? bodyStart : (starts[position] ?? bodyStart), end: starts[position + 1] ?? this.#source.length };
  }

  /** {@link #part} for a read, from the decoded text when many sections are read. */
  #readPart(position: number): IniDocument {
    this.#reads += 1;
    if (this.#latin1 === undefined && this.#reads > READS_BEFORE_DECODING) this.#latin1 = this.#source.whole().toString("latin1");
    if (this.#latin1 === undefined) return this.#part(position);
    const { start, end } = this.#range(position);
    const text = this.#latin1.slice(start, end);
    // Latin-1 text of UTF-8 bytes is the wrong text where it is not ASCII: that section is decoded as UTF-8.
    if (!ASCII_TEXT.test(text) && this.encoding === "utf8") return this.#part(position);
    return IniDocument.window(text, this.#index.newline);
  }

  #part(position: number): IniDocument {
    const { start, end } = this.#range(position);
    const bytes = this.#source.bytes(start, end);
    return IniDocument.window(bytes.toString(isAscii(bytes) ? "latin1" : this.encoding), this.#index.newline);
  }
}
