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
import { IniDocument, IniSyntaxError, LineClassifier, type IniLine } from "./ini-document.js";

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

function hasByteOrderMark(bytes: Buffer): boolean {
  return bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
}

const ASCII_TEXT = /^[\u0000-\u007f]*$/;

/**
 * Past this many sections read, the file is decoded once, whole, as Latin-1 (a listing: `status`,
 * `logout`): each section is then a slice of that text, not a copy of its bytes. A write reads
 * one or two sections and never decodes the file.
 */
const READS_BEFORE_DECODING = 64;

/** Where each section of the file starts, in file order. */
interface ByteIndex {
  /** After the BOM, if any. */
  readonly bodyStart: number;
  readonly names: string[];
  /** Byte offset of each section's header line. */
  readonly starts: number[];
  readonly byName: Map<string, number>;
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
  readonly #bytes: Buffer;
  readonly #decode: (start: number, end: number) => string;
  readonly #classifier = new LineClassifier();
  readonly #line: IniLine = { text: "", eol: "", kind: "blank" };
  readonly #names: string[] = [];
  readonly #starts: number[] = [];
  /** The header line of each section, for the classifier's "repeats the one on line N". */
  readonly #headerLines: number[] = [];
  readonly #byName = new Map<string, number>();
  /** How many of #names are in the classifier's map of sections. */
  #namesInClassifier = 0;
  /** The current section's keys as byte ranges (start, end) and line numbers, while they are compared in place. */
  readonly #keyRanges = new Int32Array(KEYS_COMPARED_IN_PLACE * 2);
  readonly #keyLines = new Int32Array(KEYS_COMPARED_IN_PLACE);
  #keyCount = 0;
  /** The current section's keys are in the classifier's map (after a decoded line, or many keys). */
  #keysInMap = false;

  constructor(bytes: Buffer, decode: (start: number, end: number) => string) {
    this.#bytes = bytes;
    this.#decode = decode;
  }

  run(): ByteIndex {
    const bytes = this.#bytes;
    const bodyStart = hasByteOrderMark(bytes) ? 3 : 0;
    let newline: string | undefined;
    // The next \n and \r at or after the line's start, each searched again only once passed: linear.
    let nextFeed = bytes.indexOf(LINE_FEED, bodyStart);
    let nextReturn = bytes.indexOf(CARRIAGE_RETURN, bodyStart);
    let lineNumber = 0;
    for (let start = bodyStart; start < bytes.length;) {
      if (nextFeed !== -1 && nextFeed < start) nextFeed = bytes.indexOf(LINE_FEED, start);
      if (nextReturn !== -1 && nextReturn < start) nextReturn = bytes.indexOf(CARRIAGE_RETURN, start);
      // A line ends at \r\n, \n or a lone \r, as in ini-document.ts.
      const end = nextReturn === -1 || (nextFeed !== -1 && nextFeed < nextReturn) ? (nextFeed === -1 ? bytes.length : nextFeed) : nextReturn;
      const terminator = end === bytes.length ? 0 : bytes[end] === CARRIAGE_RETURN && bytes[end + 1] === LINE_FEED ? 2 : 1;
      if (newline === undefined && terminator > 0) newline = terminator === 2 ? "\r\n" : bytes[end] === CARRIAGE_RETURN ? "\r" : "\n";
      lineNumber += 1;
      if (!this.#classifyBytes(start, end, lineNumber)) this.#classifyDecoded(start, end, lineNumber);
      start = end + terminator;
    }
    return { bodyStart, names: this.#names, starts: this.#starts, byName: this.#byName, newline: newline ?? "\n" };
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
    if (classifier.currentSection === undefined) return false;
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
    const name = bytes.toString("latin1", start + 1, close);
    if (name === "__proto__" || this.#byName.has(name)) return false;
    this.#classifier.currentSection = name;
    this.#classifier.previousContent = "section";
    this.#startSection(name, start, lineNumber);
    return true;
  }

  /** The classifier's own reading of a decoded line. */
  #classifyDecoded(start: number, end: number, lineNumber: number): void {
    const classifier = this.#classifier;
    // What the classifier compares with must be in its maps: the sections so far, this section's keys.
    for (; this.#namesInClassifier < this.#names.length; this.#namesInClassifier += 1) {
      classifier.sectionLines.set(this.#names[this.#namesInClassifier] ?? "", this.#headerLines[this.#namesInClassifier] ?? 0);
    }
    if (!this.#keysInMap) this.#moveKeysToMap();
    const line = this.#line;
    line.text = this.#decode(start, end);
    line.section = undefined;
    classifier.classify(line, lineNumber);
    const problem = classifier.problems[0];
    if (problem !== undefined) throw new IniSyntaxError(problem.line, problem.reason);
    if (line.kind === "section" && line.section !== undefined) {
      this.#startSection(line.section, start, lineNumber);
      this.#namesInClassifier = this.#names.length; // the classifier listed it itself
    }
  }

  #startSection(name: string, start: number, lineNumber: number): void {
    this.#byName.set(name, this.#names.length);
    this.#names.push(name);
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
 * A strictly parsed INI file held as the bytes it was read as. Names and values are the file's
 * text (see {@link encoding}); every edit leaves every byte outside the sections it touches as it
 * was, and serialises as ini-document.ts's whole line model would.
 */
export class IniByteDocument {
  readonly #bytes: Buffer;
  readonly #index: ByteIndex;
  #encoding: FileEncoding | undefined;
  /** The parts an edit changed, by section position (-1: a file with no section), each a document of its own. */
  readonly #edited = new Map<number, IniDocument>();
  /** Sections an edit added, in order, with the part they were added to (the file's last). */
  readonly #added = new Map<string, number>();
  /** The whole file as one document, once an edit needed it (removing a section); then the only state. */
  #whole: IniDocument | undefined;
  /** Sections read so far, and the file as Latin-1 text (one character per byte) once there were many. */
  #reads = 0;
  #latin1: string | undefined;

  private constructor(bytes: Buffer, index: ByteIndex, encoding?: FileEncoding) {
    this.#bytes = bytes;
    this.#index = index;
    this.#encoding = encoding;
  }

  /** Parse `bytes` (kept, never changed); throws {@link IniSyntaxError} naming the first line rolecred cannot read. */
  static parse(bytes: Buffer): IniByteDocument {
    let encoding: FileEncoding | undefined;
    const decode = (start: number, end: number): string => {
      const part = bytes.subarray(start, end);
      if (isAscii(part)) return part.toString("latin1");
      encoding ??= isUtf8(bytes) ? "utf8" : "latin1";
      return part.toString(encoding);
    };
    const index = new ByteScan(bytes, decode).run();
    return new IniByteDocument(bytes, index, encoding);
  }

  static empty(): IniByteDocument {
    return new IniByteDocument(Buffer.alloc(0), { bodyStart: 0, names: [], starts: [], byName: new Map(), newline: "\n" }, "utf8");
  }

  /**
   * A file that is valid UTF-8 is read as UTF-8; any other (a Latin-1 comment, a stray byte) byte
   * for byte as Latin-1, so what rolecred does not edit is written back exactly as it was read.
   * Validated once, when first asked: an ASCII name or section never asks.
   */
  get encoding(): FileEncoding {
    this.#encoding ??= isUtf8(this.#bytes) ? "utf8" : "latin1";
    return this.#encoding;
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
   * The document's bytes in order: slices of the Buffer that was read where nothing changed, new
   * bytes for each part an edit changed. Written as they are (writev), never joined.
   */
  chunks(): Buffer[] {
    if (this.#whole !== undefined) return [Buffer.from(this.#whole.toString(), this.encoding)];
    const chunks: Buffer[] = [];
    let cursor = 0;
    for (const position of [...this.#edited.keys()].sort((a, b) => a - b)) {
      const part = this.#edited.get(position);
      if (part === undefined) continue;
      const { start, end } = this.#range(position);
      if (start > cursor) chunks.push(this.#bytes.subarray(cursor, start));
      const text = part.toString();
      chunks.push(Buffer.from(text, ASCII_TEXT.test(text) ? "latin1" : this.encoding));
      cursor = end;
    }
    if (cursor < this.#bytes.length || chunks.length === 0) chunks.push(this.#bytes.subarray(cursor));
    return chunks;
  }

  #positionOf(name: string): number | undefined {
    return this.#index.byName.get(name) ?? this.#added.get(name);
  }

  /** The bytes of section `position` (header to the next header), or of the whole body when there is no section. */
  #range(position: number): { start: number; end: number } {
    const { starts, bodyStart } = this.#index;
    return { start: position === -1 ? bodyStart : (starts[position] ?? bodyStart), end: starts[position + 1] ?? this.#bytes.length };
  }

  /** {@link #part} for a read, from the decoded text when many sections are read. */
  #readPart(position: number): IniDocument {
    this.#reads += 1;
    if (this.#latin1 === undefined && this.#reads > READS_BEFORE_DECODING) this.#latin1 = this.#bytes.toString("latin1");
    if (this.#latin1 === undefined) return this.#part(position);
    const { start, end } = this.#range(position);
    const text = this.#latin1.slice(start, end);
    // Latin-1 text of UTF-8 bytes is the wrong text where it is not ASCII: that section is decoded as UTF-8.
    if (!ASCII_TEXT.test(text) && this.encoding === "utf8") return this.#part(position);
    return IniDocument.window(text, this.#index.newline);
  }

  #part(position: number): IniDocument {
    const { start, end } = this.#range(position);
    const bytes = this.#bytes.subarray(start, end);
    return IniDocument.window(bytes.toString(isAscii(bytes) ? "latin1" : this.encoding), this.#index.newline);
  }
}
