/**
 * The section headers of an AWS INI file, found in its bytes without reading its lines: for the
 * paths that need every name but few values (`profiles --names`, shell completion on every TAB)
 * in files of tens of thousands of profiles (docs/bench-history.md).
 *
 * It answers exactly what the whole tolerant parse (`readIniSections`) answers, or nothing. A
 * line that begins in column 0 with `[` is classified the same way wherever it stands (nothing
 * before it can make it a continuation or an entry), so it is a header exactly when it matches
 * the section pattern with a name the parse accepts. An indented `[`, which only the lines above
 * it can classify (a continuation after a key, a header after a blank line), makes the scan give
 * up: the caller parses the whole file instead.
 */

const OPEN_BRACKET = 0x5b;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** The classifier's section line (src/store/ini-document.ts), for a line that starts with `[`. */
const SECTION_LINE = /^\s*\[([^\]]*)\]\s*(?:[#;].*)?$/;
/** What `\s` may be in UTF-8: ASCII spaces, or the first or later bytes of a multi-byte character. */
function mayBeSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0b || byte === 0x0c || byte >= 0x80;
}

/** The UTF-8 bytes of U+FEFF, and of its three bytes read as Latin-1 and saved as UTF-8 ("ï»¿"): the parse drops either from the start (ini-document.ts). */
const BYTE_ORDER_MARKS = [Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("\u00EF\u00BB\u00BF", "utf8")];

/** How many bytes of a byte-order mark begin the file. */
export function byteOrderMarkLength(bytes: Buffer): number {
  for (const mark of BYTE_ORDER_MARKS) if (bytes.length >= mark.length && bytes.compare(mark, 0, mark.length, 0, mark.length) === 0) return mark.length;
  return 0;
}

/** Headers in file order (a repeated section appears each time), with the byte offset of each line. */
export interface SectionHeaders {
  readonly names: readonly string[];
  readonly starts: readonly number[];
}

/** The section name a header line gives, or undefined when the parse would not read it as one. */
function headerName(line: string): string | undefined {
  const raw = SECTION_LINE.exec(line)?.[1];
  // The classifier's refusals: empty, spaces inside the brackets, __proto__.
  if (raw === undefined || raw === "" || raw.trim() !== raw || raw === "__proto__") return undefined;
  return raw;
}

/**
 * The name of a line that is exactly `[name]`, the name printable ASCII without `]` and without a
 * space at either end (what headerName answers for it, read from the bytes without decoding the
 * line or matching the pattern); undefined for any other line, which headerName decides.
 */
export function plainHeaderName(bytes: Buffer, start: number, end: number): string | undefined {
  const close = end - 1;
  if (close - start < 2 || bytes[close] !== CLOSE_BRACKET_BYTE || bytes[start + 1] === SPACE_BYTE || bytes[close - 1] === SPACE_BYTE) return undefined;
  for (let offset = start + 1; offset < close; offset++) {
    const byte = bytes[offset] ?? 0;
    if (byte < SPACE_BYTE || byte > 0x7e || byte === CLOSE_BRACKET_BYTE) return undefined;
  }
  const name = bytes.toString("latin1", start + 1, close);
  return name === "__proto__" ? undefined : name;
}

const SPACE_BYTE = 0x20;
const CLOSE_BRACKET_BYTE = 0x5d;

/**
 * Every section header of `bytes` (UTF-8, as the readers decode it), or undefined when an indented
 * `[` leaves the answer to the whole parse. `fileStart` false: `bytes` are whole lines from later
 * in the file (bounded-read.ts readRegularLinesSync), where no byte-order mark is looked for.
 */
export function scanSectionHeaders(bytes: Buffer, fileStart = true): SectionHeaders | undefined {
  const names: string[] = [];
  const starts: number[] = [];
  const bodyStart = fileStart ? byteOrderMarkLength(bytes) : 0;
  // Where the next \r is, looked up again only once passed: most files have none, and searching
  // the rest of a 50 MB file for one at every header would be quadratic.
  let nextReturn = bytes.indexOf(CARRIAGE_RETURN, bodyStart);
  const lineEnd = (from: number): number => {
    if (nextReturn !== -1 && nextReturn < from) nextReturn = bytes.indexOf(CARRIAGE_RETURN, from);
    const feed = bytes.indexOf(LINE_FEED, from);
    const end = feed === -1 ? bytes.length : feed;
    return nextReturn !== -1 && nextReturn < end ? nextReturn : end;
  };
  for (let at = bytes.indexOf(OPEN_BRACKET, bodyStart); at !== -1;) {
    const end = lineEnd(at);
    const previous = at === bodyStart ? LINE_FEED : bytes[at - 1];
    if (previous === LINE_FEED || previous === CARRIAGE_RETURN) {
      const name = plainHeaderName(bytes, at, end) ?? headerName(bytes.toString("utf8", at, end));
      if (name !== undefined) {
        names.push(name);
        starts.push(at);
      }
    } else if (indentedOnly(bytes, at, bodyStart)) {
      return undefined;
    }
    // Only a line's first `[` can begin a header: the rest of the line is skipped.
    at = bytes.indexOf(OPEN_BRACKET, end);
  }
  return { names, starts };
}

/** Whether only white space (JavaScript's `\s`, as the classifier tests it) precedes `at` on its line. */
function indentedOnly(bytes: Buffer, at: number, bodyStart: number): boolean {
  let start = at;
  while (start > bodyStart && mayBeSpace(bytes[start - 1] ?? 0)) start--;
  if (start > bodyStart && bytes[start - 1] !== LINE_FEED && bytes[start - 1] !== CARRIAGE_RETURN) return false;
  return /^\s+$/.test(bytes.toString("utf8", start, at));
}

/** The distinct section names, in the order of their first header (the whole parse's key order). */
export function sectionNames(headers: SectionHeaders): string[] {
  return [...new Set(headers.names)];
}

const CLOSE_BRACKET = 0x5d;

/**
 * The lines that may be headers, found without decoding any: every line that begins with `[` and
 * has a `]`, bucketed by a hash of the bytes between them. A lookup by name (ini-document.ts
 * IniSectionIndex) then checks only the lines in its bucket, and decodes only those (and the next
 * header after each). Building it costs a `[` search and a few bytes per header, far less than
 * decoding every header line (`scanSectionHeaders`) in a 50,000-profile file; the buckets are
 * two typed arrays (a chain per bucket), not a Map of 50,000 arrays.
 */
export class HeaderCandidates {
  /** Where each candidate line starts, in file order. */
  readonly starts: readonly number[];
  readonly #heads: Int32Array;
  readonly #next: Int32Array;

  constructor(starts: readonly number[], hashes: readonly number[]) {
    this.starts = starts;
    let size = 16;
    while (size < starts.length * 2) size *= 2;
    this.#heads = new Int32Array(size).fill(-1);
    this.#next = new Int32Array(starts.length);
    // Linked from the last to the first, so each chain is walked in file order.
    for (let index = starts.length - 1; index >= 0; index--) {
      const bucket = (hashes[index] ?? 0) & (size - 1);
      this.#next[index] = this.#heads[bucket] ?? -1;
      this.#heads[bucket] = index;
    }
  }

  /** Indexes into `starts` of the lines whose name may hash to `hash` (every one must be compared), in file order. */
  withHash(hash: number): number[] {
    const found: number[] = [];
    for (let index = this.#heads[hash & (this.#heads.length - 1)] ?? -1; index !== -1; index = this.#next[index] ?? -1) found.push(index);
    return found;
  }
}

/**
 * A name's bucket from its length and its first and last four bytes: constant work per header
 * (a loop over every byte of 50,000 names ran slower than the searches it replaces, in a process
 * too short-lived for the loop to be optimised). Generated names (`org-123`) differ at the end.
 */
export function headerNameHash(bytes: Uint8Array, from: number, to: number): number {
  const length = to - from;
  const at = (offset: number) => (offset >= from && offset < to ? (bytes[offset] ?? 0) : 0);
  let hash = Math.imul(length, 0x01000193) ^ at(from);
  for (let offset = to - 4; offset < to; offset++) hash = Math.imul(hash ^ at(offset), 0x01000193);
  return hash >>> 0;
}

/** The candidates of `bytes`, or undefined when an indented `[` leaves the answer to the whole parse (as {@link scanSectionHeaders}). */
export function scanHeaderCandidates(bytes: Buffer): HeaderCandidates | undefined {
  const starts: number[] = [];
  const hashes: number[] = [];
  const bodyStart = byteOrderMarkLength(bytes);
  // The next \r, searched again only once passed: most files have none.
  let nextReturn = bytes.indexOf(CARRIAGE_RETURN, bodyStart);
  for (let at = bytes.indexOf(OPEN_BRACKET, bodyStart); at !== -1;) {
    const previous = at === bodyStart ? LINE_FEED : bytes[at - 1];
    if (previous !== LINE_FEED && previous !== CARRIAGE_RETURN) {
      if (indentedOnly(bytes, at, bodyStart)) return undefined;
      at = bytes.indexOf(OPEN_BRACKET, at + 1);
      continue;
    }
    if (nextReturn !== -1 && nextReturn < at) nextReturn = bytes.indexOf(CARRIAGE_RETURN, at);
    const feed = bytes.indexOf(LINE_FEED, at);
    const lineEnd = Math.min(feed === -1 ? bytes.length : feed, nextReturn === -1 ? bytes.length : nextReturn);
    const close = bytes.indexOf(CLOSE_BRACKET, at);
    if (close !== -1 && close < lineEnd) {
      starts.push(at);
      hashes.push(headerNameHash(bytes, at + 1, close));
    }
    // Only a line's first `[` can begin a header.
    at = bytes.indexOf(OPEN_BRACKET, lineEnd);
  }
  return new HeaderCandidates(starts, hashes);
}
