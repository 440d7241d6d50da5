/**
 * A line-preserving model of an AWS INI file (~/.aws/credentials, ~/.aws/config), for the one
 * place rolecred writes: the credentials file.
 *
 * Why not the `ini` package: it rewrites the whole file from an object (comments and layout are
 * lost), splits section names on dots (`[profile prod.admin]` becomes nested objects) and turns
 * `true` into a boolean. A writer must do the opposite: keep every byte it does not mean to
 * change. So the file is kept as its lines; edits replace, insert or delete single lines; an
 * unedited document serialises back to the exact input.
 *
 * Parsing is strict where the AWS CLI (Python configparser, strict mode) is strict: a key before
 * any section, a line that is none of section / key = value / comment, a duplicated section or a
 * duplicated key all make the file unparseable, and rolecred refuses to write it.
 */
import type { ScannedSectionSource } from "./scanned-sections.js";
import { byteOrderMarkLength, headerNameHash, scanHeaderCandidates, type HeaderCandidates } from "./section-scan.js";

export type IniLineKind = "blank" | "comment" | "section" | "entry" | "continuation" | "invalid";

export interface IniLine {
  text: string;
  /** The line terminator that followed this line in the input ("" for a last line without one). */
  eol: string;
  kind: IniLineKind;
  /** For section lines: the section name, trimmed. */
  section?: string;
  /** For entry lines: the key, lower-cased (configparser folds case; so does the guard). */
  key?: string;
  /** For entry lines: the value, trimmed. */
  value?: string;
}

export class IniSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
    this.name = "IniSyntaxError";
  }
}

const SECTION_LINE = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/;
const COMMENT_LINE = /^\s*[#;]/;
const BLANK_LINE = /^\s*$/;
/** A letter, digit or underscore first: not blank, a comment, a continuation or a section. */
const PLAIN_FIRST_CHARACTER = /^\w/;

/** Splits `key = value` (or configparser's `key: value`) at whichever delimiter comes first. */
function splitEntry(text: string): { key: string; value: string } | undefined {
  const equals = text.indexOf("=");
  const colon = text.indexOf(":");
  const at = equals === -1 ? colon : colon === -1 ? equals : Math.min(equals, colon);
  if (at <= 0) return undefined;
  const key = text.slice(0, at).trim();
  if (key === "") return undefined;
  return { key: key.toLowerCase(), value: text.slice(at + 1).trim() };
}

interface LineProblem {
  readonly line: number;
  readonly reason: string;
}

/** Lines of a text whose only line end is \n. */
function splitPlainLines(text: string): IniLine[] {
  const lines: IniLine[] = [];
  let start = 0;
  while (start < text.length) {
    const feed = text.indexOf("\n", start);
    if (feed === -1) {
      lines.push({ text: text.slice(start), eol: "", kind: "blank" });
      break;
    }
    lines.push({ text: text.slice(start, feed), eol: "\n", kind: "blank" });
    start = feed + 1;
  }
  return lines;
}

function splitLines(text: string): { bom: string; lines: IniLine[]; newline: string } {
  // The UTF-8 byte-order mark, as text or (a file handled byte for byte as Latin-1) as its three bytes.
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : text.startsWith("\u00EF\u00BB\u00BF") ? "\u00EF\u00BB\u00BF" : "";
  return { bom, ...splitBody(text.slice(bom.length)) };
}

/** Lines of a text after its BOM, ended by \r\n, \n or \r, and the first terminator used. */
function splitBody(body: string): { lines: IniLine[]; newline: string } {
  // The usual file: one indexOf per line, no array of pieces and terminators (50,000-profile files).
  if (!body.includes("\r")) return { lines: splitPlainLines(body), newline: "\n" };
  const lines: IniLine[] = [];
  // split with a capture group alternates text and terminators: [t0, eol0, t1, eol1, ..., tN]
  const pieces = body.split(/(\r\n|\n|\r)/);
  for (let i = 0; i < pieces.length; i += 2) {
    const lineText = pieces[i] ?? "";
    const eol = pieces[i + 1] ?? "";
    if (lineText === "" && eol === "" && i === pieces.length - 1) break; // text ended with a newline
    lines.push({ text: lineText, eol, kind: "blank" });
  }
  return { lines, newline: lines.find((line) => line.eol !== "")?.eol ?? "\n" };
}

/**
 * Give every line its kind, and list what the AWS CLI's strict parser would reject. A line with a
 * problem is marked "invalid" unless it still has a clear meaning (a repeated section or key).
 */
function classifyLines(lines: IniLine[]): LineProblem[] {
  const classifier = new LineClassifier();
  lines.forEach((line, index) => classifier.classify(line, index + 1));
  return classifier.problems;
}

/**
 * The line-by-line state of {@link classifyLines}, so a scan can classify without keeping every
 * line. The byte scan of ini-bytes.ts keeps the same state for the lines it classifies itself.
 */
export class LineClassifier {
  readonly problems: LineProblem[] = [];
  currentSection: string | undefined;
  readonly sectionLines = new Map<string, number>();
  keysInSection = new Map<string, number>();
  previousContent: IniLineKind | undefined; // last non-blank, non-comment line kind in this section

  classify(line: IniLine, lineNumber: number): void {
    const { text } = line;
    // Most lines start with a key's first letter: only those that do not need the regexes below.
    const plain = PLAIN_FIRST_CHARACTER.test(text);
    if (!plain && BLANK_LINE.test(text)) {
      line.kind = "blank";
      return;
    }
    if (!plain && COMMENT_LINE.test(text)) {
      line.kind = "comment";
      return;
    }
    if (!plain && /^\s/.test(text) && (this.previousContent === "entry" || this.previousContent === "continuation")) {
      // configparser: a line indented under a key continues its value (the config file's
      // `s3 =` sub-sections are written this way).
      line.kind = "continuation";
      this.previousContent = "continuation";
      return;
    }
    const section = plain ? null : SECTION_LINE.exec(text);
    if (section) {
      const raw = section[1] ?? "";
      const name = raw.trim();
      if (name !== "" && name !== raw) {
        // configparser and the JS SDK keep the spaces: `[ dev ]` is the profile " dev ", which
        // `--profile dev` never finds. Reading it as "dev" would write keys nobody uses.
        line.kind = "invalid";
        this.problems.push({
          line: lineNumber,
          reason: `section header [${raw}] has spaces inside the brackets; the AWS CLI and SDKs do not read it as [${name}]`,
        });
        return;
      }
      if (name === "" || name === "__proto__") {
        line.kind = "invalid";
        this.problems.push({ line: lineNumber, reason: name === "" ? "empty section name []" : "section name __proto__ is not allowed" });
        return;
      }
      const earlier = this.sectionLines.get(name);
      if (earlier !== undefined) {
        this.problems.push({ line: lineNumber, reason: `section [${name}] repeats the one on line ${earlier} (the AWS CLI rejects this too)` });
      } else {
        this.sectionLines.set(name, lineNumber);
      }
      line.kind = "section";
      line.section = name;
      this.currentSection = name;
      this.keysInSection = new Map();
      this.previousContent = "section";
      return;
    }
    const entry = splitEntry(text);
    if (entry === undefined || this.currentSection === undefined) {
      line.kind = "invalid";
      this.problems.push({
        line: lineNumber,
        reason: entry === undefined ? "not a [section], a key = value line or a comment" : `key "${entry.key}" comes before any [section]`,
      });
      return;
    }
    const earlierKey = this.keysInSection.get(entry.key);
    if (earlierKey !== undefined) {
      this.problems.push({ line: lineNumber, reason: `key "${entry.key}" repeats the one on line ${earlierKey} in [${this.currentSection}]` });
    }
    this.keysInSection.set(entry.key, lineNumber);
    line.kind = "entry";
    line.key = entry.key;
    line.value = entry.value;
    this.previousContent = "entry";
  }
}

/**
 * A tolerant, read-only view of an INI file: section → key → value, skipping lines it cannot
 * read and merging repeated sections (later values win), as the AWS SDK's own loader does.
 * Only for paths that never write the file back.
 */
export function readIniSections(text: string): Map<string, Map<string, string>> {
  // Line by line through one reused line object: no array of every line (files of 50,000 profiles).
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : text.startsWith("\u00EF\u00BB\u00BF") ? "\u00EF\u00BB\u00BF" : "";
  let body = text.slice(bom.length);
  // \r\n and a lone \r end lines as \n does (splitLines); nothing else here depends on which.
  if (body.includes("\r")) body = body.replace(/\r\n|\r/g, "\n");
  const classifier = new LineClassifier();
  const line: IniLine = { text: "", eol: "\n", kind: "blank" };
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let parentKey: string | undefined; // a `key =` with no value opens a sub-section of indented lines
  let lineNumber = 0;
  for (let start = 0; start < body.length;) {
    const feed = body.indexOf("\n", start);
    const end = feed === -1 ? body.length : feed;
    line.text = body.slice(start, end);
    line.section = undefined;
    line.key = undefined;
    line.value = undefined;
    classifier.classify(line, ++lineNumber);
    start = end + 1;
    if (line.kind === "section" && line.section !== undefined) {
      current = sections.get(line.section) ?? new Map<string, string>();
      sections.set(line.section, current);
      parentKey = undefined;
    } else if (line.kind === "entry" && line.key !== undefined && current !== undefined) {
      current.set(line.key, line.value ?? "");
      parentKey = line.value === "" ? line.key : undefined;
    } else if (line.kind === "continuation" && parentKey !== undefined && current !== undefined) {
      // `s3 =\n  max_concurrent_requests = 20` reads as s3.max_concurrent_requests, as in the SDK.
      const nested = splitEntry(line.text.trim());
      if (nested !== undefined) current.set(`${parentKey}.${nested.key}`, nested.value);
    }
  }
  return sections;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Where the line holding `at` starts: after the last \n or \r before it, or after a leading BOM. */
function lineStartOf(bytes: Buffer, at: number): number {
  let start = at;
  while (start > 0 && bytes[start - 1] !== LINE_FEED && bytes[start - 1] !== CARRIAGE_RETURN) start--;
  // Either byte-order mark the parse drops (U+FEFF, or its bytes read as Latin-1 and saved as UTF-8).
  return start === 0 ? byteOrderMarkLength(bytes) : start;
}

function lineEndOf(bytes: Buffer, at: number): number {
  const feed = bytes.indexOf(LINE_FEED, at);
  const end = feed === -1 ? bytes.length : feed;
  // A \r is looked for on this line only: in a file without one, a search from `at` read the
  // whole rest of the file for every header checked.
  const carriage = bytes.subarray(at, end).indexOf(CARRIAGE_RETURN);
  return carriage === -1 ? end : at + carriage;
}

/** A line that begins in column 0 with `[` and reads as a valid section header, whatever precedes it. */
function isUnindentedHeader(bytes: Buffer, lineStart: number): boolean {
  if (bytes[lineStart] !== OPEN_BRACKET) return false;
  const line = bytes.toString("utf8", lineStart, lineEndOf(bytes, lineStart));
  const raw = SECTION_LINE.exec(line)?.[1];
  return raw !== undefined && raw !== "" && raw.trim() === raw && raw !== "__proto__";
}

/**
 * {@link readIniSections} of a whole file, answered one section at a time. The first two names
 * are found by a byte search for `[name]`; the third lookup finds every line that may be a
 * header in one pass over the bytes, bucketed by a hash of its name (section-scan.ts
 * scanHeaderCandidates), and from then on each `get(name)` reads only from each of that name's
 * headers to the next header: a name with no header costs a bucket lookup, not another pass over
 * a 49 MB file. Each piece runs from a header to the next unindented header. Where an indented
 * `[` makes that scan give up, each `get(name)` searches the bytes for `[name]` instead. A
 * section always restarts the reader's state, and an unindented `[x]` line is a header wherever
 * it stands, so each piece reads exactly as it does in the whole file. Used
 * where a handful of profiles is looked up in files of any size (the cached fast path); listing
 * every section (`keys()`, iteration) parses the whole file once. An indented header, which only
 * the whole file's context can classify, also falls back to the whole parse.
 */
/** Lookups answered by a byte search each before the headers are indexed (see #search). */
const SEARCHES_BEFORE_INDEX = 2;

export class IniSectionIndex implements ReadonlyMap<string, ReadonlyMap<string, string>> {
  #bytes: Buffer | (() => Buffer);
  /** This run's scan of the same file (a write's, store/scanned-sections.ts): sections read where it found them. */
  readonly #scanned: ScannedSectionSource | undefined;
  readonly #found = new Map<string, Map<string, string> | undefined>();
  #whole: Map<string, Map<string, string>> | undefined;
  /** The lines that may be headers, by a hash of their names; null once an indented `[` stopped the scan. */
  #candidates: HeaderCandidates | null | undefined;
  #searches = 0;

  /**
   * `bytes`: the file's, or how to read them when first needed (with `scanned`, only a listing or
   * a name the scan cannot answer reads the file).
   */
  constructor(bytes: Buffer | (() => Buffer), scanned?: ScannedSectionSource) {
    this.#bytes = bytes;
    this.#scanned = scanned;
  }

  get #fileBytes(): Buffer {
    if (typeof this.#bytes === "function") this.#bytes = this.#bytes();
    return this.#bytes;
  }

  get(name: string): ReadonlyMap<string, string> | undefined {
    if (this.#whole !== undefined) return this.#whole.get(name);
    if (this.#found.has(name)) return this.#found.get(name);
    const section = this.#search(name);
    if (section === "unsure") return this.#all().get(name);
    this.#found.set(name, section);
    return section;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.#all().size;
  }

  keys(): MapIterator<string> {
    return this.#all().keys();
  }

  values(): MapIterator<ReadonlyMap<string, string>> {
    return this.#all().values();
  }

  entries(): MapIterator<[string, ReadonlyMap<string, string>]> {
    return this.#all().entries();
  }

  [Symbol.iterator](): MapIterator<[string, ReadonlyMap<string, string>]> {
    return this.#all()[Symbol.iterator]();
  }

  forEach(callback: (value: ReadonlyMap<string, string>, key: string, map: ReadonlyMap<string, ReadonlyMap<string, string>>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.#all()) callback.call(thisArg, value, key, this);
  }

  #all(): Map<string, Map<string, string>> {
    this.#whole ??= readIniSections(this.#fileBytes.toString("utf8"));
    return this.#whole;
  }

  #scannedCandidates(): HeaderCandidates | null {
    if (this.#candidates === undefined) this.#candidates = scanHeaderCandidates(this.#fileBytes) ?? null;
    return this.#candidates;
  }

  /** The section read piece by piece, undefined when absent, "unsure" when only the whole file can tell. */
  #search(name: string): Map<string, string> | undefined | "unsure" {
    // Names the whole parse can never produce, or whose bytes a UTF-8 search cannot match exactly.
    if (name === "" || name.trim() !== name || name === "__proto__" || /[\]\r\n\uFFFD]/.test(name)) return this.#all().has(name) ? "unsure" : undefined;
    const scannedPiece = this.#scanned?.sectionBytes(name) ?? (this.#scanned === undefined ? "unknown" : undefined);
    if (scannedPiece === undefined) return undefined;
    if (scannedPiece !== "unknown") {
      const piece = readIniSections(scannedPiece.toString("utf8"));
      return piece.size === 1 ? (piece.get(name) ?? "unsure") : "unsure";
    }
    // The first few names are searched for: two searches of a 49 MB file cost less than indexing
    // its 50,000 headers in a short-lived process (a write looks up two names per file).
    if (this.#candidates === undefined && ++this.#searches <= SEARCHES_BEFORE_INDEX) return this.#searchBytes(name);
    const candidates = this.#scannedCandidates();
    if (candidates === null) return this.#searchBytes(name);
    const bytes = this.#fileBytes;
    const needle = Buffer.from(name, "utf8");
    const nameEnd = (at: number) => at + 1 + needle.length;
    let merged: Map<string, string> | undefined;
    for (const index of candidates.withHash(headerNameHash(needle, 0, needle.length))) {
      const at = candidates.starts[index] ?? 0;
      if (bytes[nameEnd(at)] !== CLOSE_BRACKET || bytes.compare(needle, 0, needle.length, at + 1, nameEnd(at)) !== 0 || !isUnindentedHeader(bytes, at))
        continue;
      // The piece ends at the next line that is a header of any name.
      let end = bytes.length;
      for (let next = index + 1; next < candidates.starts.length; next++) {
        const start = candidates.starts[next] ?? bytes.length;
        if (isUnindentedHeader(bytes, start)) {
          end = start;
          break;
        }
      }
      const piece = readIniSections(bytes.toString("utf8", at, end));
      if (piece.size !== 1 || !piece.has(name)) return "unsure";
      merged ??= new Map();
      for (const [key, value] of piece.get(name) ?? []) merged.set(key, value);
    }
    return merged;
  }

  /** {@link #search} by a byte search for `[name]`: for a file where an indented `[` stopped the header scan. */
  #searchBytes(name: string): Map<string, string> | undefined | "unsure" {
    const bytes = this.#fileBytes;
    const needle = Buffer.from(`[${name}]`, "utf8");
    let merged: Map<string, string> | undefined;
    for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) {
      const lineStart = lineStartOf(bytes, at);
      if (lineStart !== at) {
        // `x = [name]` or `# [name]` is no header; an indented `  [name]` may be one.
        if (/^\s+$/.test(bytes.toString("utf8", lineStart, at))) return "unsure";
        continue;
      }
      if (!isUnindentedHeader(bytes, at)) continue;
      let end = lineEndOf(bytes, at);
      for (;;) {
        const next = bytes.indexOf(OPEN_BRACKET, end);
        if (next === -1) {
          end = bytes.length;
          break;
        }
        end = next + 1;
        const previous = bytes[next - 1];
        if ((previous === LINE_FEED || previous === CARRIAGE_RETURN) && isUnindentedHeader(bytes, next)) {
          end = next;
          break;
        }
      }
      const piece = readIniSections(bytes.toString("utf8", at, end));
      if (piece.size !== 1 || !piece.has(name)) return "unsure"; // an indented header inside the piece
      merged ??= new Map();
      for (const [key, value] of piece.get(name) ?? []) merged.set(key, value);
    }
    return merged;
  }
}

/** Where each section's header line starts in a document's text, in file order. */
interface SectionIndex {
  readonly names: string[];
  readonly starts: number[];
  readonly byName: Map<string, number>;
}

/**
 * Classify every line of `text` (no \r in it) without keeping them: the strict parse's problems
 * and where each section starts. One reused line object, no array of lines: a 50,000-profile file
 * costs a scan, not a model of 350,000 objects.
 */
function scanText(text: string): { problems: LineProblem[]; index: SectionIndex } {
  const classifier = new LineClassifier();
  const index: SectionIndex = { names: [], starts: [], byName: new Map() };
  const line: IniLine = { text: "", eol: "\n", kind: "blank" };
  let start = 0;
  let lineNumber = 0;
  while (start < text.length && classifier.problems.length === 0) {
    const feed = text.indexOf("\n", start);
    const end = feed === -1 ? text.length : feed;
    line.text = text.slice(start, end);
    line.section = undefined;
    classifier.classify(line, ++lineNumber);
    if (line.kind === "section" && line.section !== undefined && !index.byName.has(line.section)) {
      index.byName.set(line.section, index.names.length);
      index.names.push(line.section);
      index.starts.push(start);
    }
    start = end + 1;
  }
  return { problems: classifier.problems, index };
}

export class IniDocument {
  /**
   * The document as its lines, once an edit needed the whole model; until then (and for files
   * with \r line ends never) the text and an index of its sections stand for it, and an edit of
   * one section re-reads only that section's part of the text.
   */
  #model: IniLine[] | undefined;
  /** The text after the BOM, while #lines is undefined. */
  #text = "";
  /** Sections of #text; undefined after an edit of the text until next needed. */
  #index: SectionIndex | undefined;
  readonly #bom: string;
  /** Terminator used for lines rolecred adds: the file's own first one, else "\n". */
  readonly #newline: string;

  private constructor(lines: IniLine[] | undefined, bom: string, newline: string, text = "", index?: SectionIndex) {
    this.#model = lines;
    this.#bom = bom;
    this.#newline = newline;
    this.#text = text;
    this.#index = index;
  }

  /** The whole line model, built from the text the first time an edit needs it. */
  get #lines(): IniLine[] {
    if (this.#model === undefined) {
      const lines = splitPlainLines(this.#text);
      classifyLines(lines);
      this.#model = lines;
      this.#text = "";
      this.#index = undefined;
    }
    return this.#model;
  }

  /** A section's text (to the next header) as a document of its own, and where it lies in #text. */
  #windowOf(name: string): { document: IniDocument; start: number; end: number } | undefined {
    const index = this.#sectionIndex();
    const position = index.byName.get(name);
    if (position === undefined) return undefined;
    return this.#window(index.starts[position] ?? 0, index.starts[position + 1] ?? this.#text.length);
  }

  /** The last section's text (or the whole text when there is none): where a new section goes. */
  #lastWindow(): { document: IniDocument; start: number; end: number } {
    return this.#window(this.#sectionIndex().starts.at(-1) ?? 0, this.#text.length);
  }

  #window(start: number, end: number): { document: IniDocument; start: number; end: number } {
    const lines = splitPlainLines(this.#text.slice(start, end));
    classifyLines(lines);
    return { document: new IniDocument(lines, "", this.#newline), start, end };
  }

  #sectionIndex(): SectionIndex {
    this.#index ??= scanText(this.#text).index;
    return this.#index;
  }

  /** The lines as text, without the BOM. */
  #body(): string {
    if (this.#model === undefined) return this.#text;
    return this.#model.map((line) => line.text + line.eol).join("");
  }

  static empty(): IniDocument {
    return new IniDocument([], "", "\n");
  }

  /**
   * One part of a larger file that starts at a section header (or is the whole file after its
   * BOM) as a document of its own, adding lines with the file's `newline`: what an edit of one
   * section of a large file (ini-bytes.ts) works on. The file was parsed already; a part of it
   * has no problem of its own.
   */
  static window(text: string, newline: string): IniDocument {
    const { lines } = splitBody(text);
    const problem = classifyLines(lines)[0];
    if (problem !== undefined) throw new IniSyntaxError(problem.line, problem.reason);
    return new IniDocument(lines, "", newline);
  }

  /** Parse `text`; throws {@link IniSyntaxError} naming the first line rolecred cannot read. */
  static parse(text: string): IniDocument {
    if (!text.includes("\r")) {
      const bom = text.startsWith("\uFEFF") ? "\uFEFF" : text.startsWith("\u00EF\u00BB\u00BF") ? "\u00EF\u00BB\u00BF" : "";
      const body = text.slice(bom.length);
      const { problems, index } = scanText(body);
      const problem = problems[0];
      if (problem !== undefined) throw new IniSyntaxError(problem.line, problem.reason);
      return new IniDocument(undefined, bom, "\n", body, index);
    }
    const { bom, lines, newline } = splitLines(text);
    const problem = classifyLines(lines)[0];
    if (problem !== undefined) throw new IniSyntaxError(problem.line, problem.reason);
    return new IniDocument(lines, bom, newline);
  }

  /** Section names in file order. */
  sectionNames(): string[] {
    if (this.#model === undefined) return [...this.#sectionIndex().names];
    return this.#lines.filter((line) => line.kind === "section").map((line) => line.section ?? "");
  }

  hasSection(name: string): boolean {
    if (this.#model === undefined) return this.#sectionIndex().byName.has(name);
    return this.#sectionRange(name) !== undefined;
  }

  /** The keys and values of a section (keys lower-cased), or undefined if there is no such section. */
  section(name: string): Map<string, string> | undefined {
    if (this.#model === undefined) {
      const window = this.#windowOf(name);
      return window === undefined ? undefined : window.document.section(name);
    }
    const range = this.#sectionRange(name);
    if (range === undefined) return undefined;
    const entries = new Map<string, string>();
    for (let i = range.header + 1; i < range.end; i++) {
      const line = this.#lines[i];
      if (line?.kind === "entry" && line.key !== undefined) entries.set(line.key, line.value ?? "");
    }
    return entries;
  }

  /**
   * Set `entries` in section `name`, creating it at the end of the file if needed. Existing keys
   * are replaced where they stand, keys in `remove` are deleted, new keys follow the section's
   * last key; every other line is left as it was.
   */
  upsertSection(name: string, entries: ReadonlyArray<readonly [string, string]>, remove: ReadonlySet<string> = new Set()): void {
    if (this.#model === undefined) {
      // Only the section's own text (or, for a new one, the last section's) is read into lines.
      const window = this.#windowOf(name) ?? this.#lastWindow();
      window.document.upsertSection(name, entries, remove);
      this.#text = this.#text.slice(0, window.start) + window.document.#body() + this.#text.slice(window.end);
      this.#index = undefined;
      return;
    }
    const wanted = new Map(entries.map(([key, value]) => [key.toLowerCase(), value] as const));
    const range = this.#sectionRange(name);
    if (range === undefined) {
      this.#appendSection(name, wanted);
      return;
    }
    const kept: IniLine[] = [];
    let lastContent = 0; // index in `kept` after which new keys go
    let dropping = false; // dropping the continuation lines of a replaced or removed key
    for (let i = range.header + 1; i < range.end; i++) {
      const line = this.#lines[i];
      if (line === undefined) continue;
      if (line.kind === "continuation" && dropping) continue;
      dropping = false;
      if (line.kind === "entry" && line.key !== undefined) {
        if (remove.has(line.key) && !wanted.has(line.key)) {
          dropping = true;
          continue;
        }
        const value = wanted.get(line.key);
        if (value !== undefined) {
          kept.push(this.#entryLine(line.key, value, line.eol || this.#newline));
          wanted.delete(line.key);
          dropping = true;
          lastContent = kept.length;
          continue;
        }
      }
      kept.push(line);
      if (line.kind === "entry" || line.kind === "continuation") lastContent = kept.length;
    }
    const added = [...wanted].map(([key, value]) => this.#entryLine(key, value, this.#newline));
    kept.splice(lastContent, 0, ...added);
    this.#lines.splice(range.header + 1, range.end - range.header - 1, ...kept);
    this.#terminateInnerLines();
  }

  /** Remove section `name` (header and keys). Comments above the next section stay with it. */
  removeSection(name: string): boolean {
    const range = this.#sectionRange(name);
    if (range === undefined) return false;
    let end = range.header + 1;
    for (let i = range.header + 1; i < range.end; i++) {
      const kind = this.#lines[i]?.kind;
      if (kind === "entry" || kind === "continuation") end = i + 1;
    }
    // Take the blank lines after the section too, unless that would glue the neighbours together.
    const before = this.#lines[range.header - 1];
    if (range.header === 0 || before?.kind === "blank") {
      while (end < range.end && this.#lines[end]?.kind === "blank") end++;
    }
    this.#lines.splice(range.header, end - range.header);
    if (range.header >= this.#lines.length) {
      // It was the last section: the blank lines that separated it from the one before go too.
      while (this.#lines.at(-1)?.kind === "blank") this.#lines.pop();
    }
    this.#terminateInnerLines();
    return true;
  }

  toString(): string {
    return this.#bom + this.#body();
  }

  #entryLine(key: string, value: string, eol: string): IniLine {
    return { text: `${key} = ${value}`, eol, kind: "entry", key, value };
  }

  #appendSection(name: string, entries: Map<string, string>): void {
    const last = this.#lines[this.#lines.length - 1];
    if (last !== undefined && last.kind !== "blank") this.#lines.push({ text: "", eol: this.#newline, kind: "blank" });
    this.#lines.push({ text: `[${name}]`, eol: this.#newline, kind: "section", section: name });
    for (const [key, value] of entries) this.#lines.push(this.#entryLine(key, value, this.#newline));
    this.#terminateInnerLines();
  }

  /**
   * A line that ended the file without a newline needs one once lines follow it; only the very
   * last line may stay unterminated.
   */
  #terminateInnerLines(): void {
    for (let i = 0; i < this.#lines.length - 1; i++) {
      const line = this.#lines[i];
      if (line !== undefined && line.eol === "") line.eol = this.#newline;
    }
  }

  /** Index of the section's header line and of the line after its last body line. */
  #sectionRange(name: string): { header: number; end: number } | undefined {
    const header = this.#lines.findIndex((line) => line.kind === "section" && line.section === name);
    if (header === -1) return undefined;
    let end = header + 1;
    while (end < this.#lines.length && this.#lines[end]?.kind !== "section") end++;
    return { header, end };
  }
}
