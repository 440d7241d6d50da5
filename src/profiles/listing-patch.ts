/**
 * A remembered `profiles` listing brought up to date row by row, after another program's edit
 * changed a few sections of the credentials file (remembered-listing.ts): the rows of the
 * sections whose entries changed are made again, put in their sorted place, and the table's
 * columns widened where a new cell is wider. Everything else is the remembered text, as it was:
 * no part parsed whole, no row of the 10,000 others made (docs/bench-history.md, issue 16).
 *
 * It answers exactly what a listing from scratch prints, or nothing (the caller then lists from
 * the parts): nothing for a listing that escaped a character anywhere (its sorted order and cells
 * are then not the raw names'), for one that is not ASCII (it is patched as bytes, and a column's
 * width in bytes must be its width in characters), for a column that may narrow (a row at the
 * column's width removed or shortened), or for anything it does not recognise.
 */
import { isAscii } from "node:buffer";
import { escapeControl } from "../log.js";
import { TABLE_TITLES, tableLine } from "../output/profiles.js";

const LINE_FEED = 0x0a;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;

/** The entries (parsed lines) in which two part bodies differ: the lines of `before` replaced by those of `after`. */
export interface ChangedEntries {
  readonly before: ReadonlyArray<readonly unknown[]>;
  readonly after: ReadonlyArray<readonly unknown[]>;
  /** Where the lines of `after` that differ are in it: [from, to), in bytes. */
  readonly afterFrom: number;
  readonly afterTo: number;
}

/** How many bytes two buffers share at their start, compared a chunk at a time (one comparison of 64 KiB, then smaller). */
function commonPrefix(a: Buffer, b: Buffer): number {
  const limit = Math.min(a.length, b.length);
  let at = 0;
  for (let step = 65_536; step >= 1; step >>= 4) while (at + step <= limit && a.compare(b, at, at + step, at, at + step) === 0) at += step;
  return at;
}

/** How many bytes (at most `limit`) two buffers share at their end. */
function commonSuffix(a: Buffer, b: Buffer, limit: number): number {
  let at = 0;
  for (let step = 65_536; step >= 1; step >>= 4)
    while (at + step <= limit && a.compare(b, b.length - at - step, b.length - at, a.length - at - step, a.length - at) === 0) at += step;
  return at;
}

/** The entries of whole lines of a part body (`[`, `]` and the commas between entries left out); undefined for a line that is not one. */
function entriesOf(lines: string): Array<readonly unknown[]> | undefined {
  const entries: Array<readonly unknown[]> = [];
  for (const raw of lines.split("\n")) {
    const line = raw.endsWith(",") ? raw.slice(0, -1) : raw;
    if (line === "" || line === "[" || line === "]") continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      return undefined;
    }
    if (!Array.isArray(entry) || typeof entry[0] !== "string") return undefined;
    entries.push(entry);
  }
  return entries;
}

const BODY_START = Buffer.from("[\n");
const BODY_END = Buffer.from("\n]\n");

/** Whether `bytes` starts (or ends) with `part`. */
function startsWith(bytes: Buffer, part: Buffer, at = 0): boolean {
  return at >= 0 && at + part.length <= bytes.length && bytes.compare(part, 0, part.length, at, at + part.length) === 0;
}

function isBody(bytes: Buffer): boolean {
  return startsWith(bytes, BODY_START) && startsWith(bytes, BODY_END, bytes.length - BODY_END.length);
}

/**
 * The lines two part bodies (remembered-listing.ts's format: one entry a line; their bytes) differ
 * in, as entries: only those lines are decoded.
 */
export function changedEntries(before: Buffer, after: Buffer): ChangedEntries | undefined {
  if (!isBody(before) || !isBody(after)) return undefined;
  const prefix = commonPrefix(before, after);
  if (prefix === before.length && prefix === after.length) return { before: [], after: [], afterFrom: after.length, afterTo: after.length };
  // From the start of the line the first difference is on, to the end of the line the last one is on.
  const lineStart = before.lastIndexOf(LINE_FEED, prefix - 1) + 1;
  const suffix = commonSuffix(before, after, Math.min(before.length, after.length) - lineStart);
  const beforeEnd = before.indexOf(LINE_FEED, before.length - suffix);
  const afterEnd = beforeEnd - before.length + after.length;
  if (beforeEnd < lineStart || afterEnd < lineStart) return undefined;
  const beforeEntries = entriesOf(before.toString("utf8", lineStart, beforeEnd));
  const afterEntries = entriesOf(after.toString("utf8", lineStart, afterEnd));
  return beforeEntries === undefined || afterEntries === undefined
    ? undefined
    : { before: beforeEntries, after: afterEntries, afterFrom: lineStart, afterTo: afterEnd };
}

/**
 * Whether `body` (a part body's bytes) has an entry line for `name` outside [from, to): a section
 * whose name is in two blocks of the file, which a body made by blocks lists twice (the whole parse
 * merges them; the listing is then made from the file).
 */
export function listedOutside(body: Buffer, name: string, from: number, to: number): boolean {
  for (const line of entryLines(body, name)) if (line < from || line >= to) return true;
  return false;
}

/**
 * Where the entry lines of `name` start in a part body's bytes (`["NAME"` at a line's start, the
 * whole name: `,` or `]` after it), from `from` on: found by a search, no line decoded.
 */
export function* entryLines(body: Buffer, name: string, from = 0): Generator<number> {
  const needle = Buffer.from(`\n[${JSON.stringify(name)}`);
  for (let at = body.indexOf(needle, Math.max(0, from - 1)); at !== -1; at = body.indexOf(needle, at + 1)) {
    const after = body[at + needle.length];
    if (after === COMMA || after === CLOSE_BRACKET) yield at + 1;
  }
}

/** A profile whose row changes: its table cells now (undefined: no row now). */
export interface RowChange {
  readonly name: string;
  /** The row's cells now (table), or that it is listed (`[]` for `--names`); undefined when it is not listed now. */
  readonly cells: readonly string[] | undefined;
}

/**
 * Whether a listing's bytes can be patched in place: ASCII (a column's width in characters is its
 * width in bytes), nothing escaped (the sorted order and cells are the raw names'), and whole lines.
 */
function patchable(text: Buffer): boolean {
  return (text.length === 0 || text[text.length - 1] === LINE_FEED) && !text.includes(BACKSLASH) && isAscii(text);
}

/** A row as the listing's bytes, when it is ASCII and escapes nothing (else the listing is made from the parts). */
function rowBytes(line: string): Buffer | undefined {
  // UTF-8: any character outside ASCII gives bytes that are not ASCII (Latin-1 would keep only a low byte).
  const bytes = Buffer.from(`${line}\n`);
  return isAscii(bytes) && !bytes.includes(BACKSLASH) && escapeControl(line, false) === line ? bytes : undefined;
}

/** The end of the line starting at `start` (the offset of its line break). */
function lineEnd(text: Buffer, start: number): number {
  const end = text.indexOf(LINE_FEED, start);
  return end === -1 ? text.length : end;
}

/**
 * Where `name` is, or would go, among the sorted rows of `text` from the line starting at `from`
 * (by the sort's UTF-16 order, which is the bytes' for ASCII): the start of its line, found by a
 * binary search over the bytes, no line split out.
 */
function place(text: Buffer, from: number, name: string, nameOf: (start: number, end: number) => string): { at: number; found: boolean } {
  let low = from;
  let high = text.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    // The line holding `middle` (`low` is a line's start, so this is never before it).
    const start = middle === low ? low : text.lastIndexOf(LINE_FEED, middle - 1) + 1;
    const end = lineEnd(text, start);
    if (nameOf(start, end) < name) low = end + 1;
    else high = start;
  }
  return { at: low, found: low < text.length && nameOf(low, lineEnd(text, low)) === name };
}

/** A name or cell listed as it is, unescaped: else the listing's order and cells are not the raw ones and nothing is patched. */
function plain(text: string): boolean {
  return escapeControl(text, false) === text && !text.includes("\\");
}

/** A table's column starts, from its title line (no title holds a space), and the first row's start; undefined for a table not laid out as now. */
function tableColumns(text: Buffer): { starts: number[]; widths: number[]; rowsFrom: number } | undefined {
  const headerEnd = text.indexOf(LINE_FEED);
  if (headerEnd === -1) return undefined;
  const header = text.toString("latin1", 0, headerEnd);
  const starts: number[] = [0];
  for (let column = 1; column < TABLE_TITLES.length; column++) {
    const start = header.indexOf(TABLE_TITLES[column] ?? "", (starts[column - 1] ?? 0) + (TABLE_TITLES[column - 1] ?? "").length);
    if (start === -1) return undefined;
    starts.push(start);
  }
  const widths = starts.map((start, column) => (column + 1 < starts.length ? (starts[column + 1] ?? 0) - start - 2 : 0));
  return tableLine(TABLE_TITLES, widths) === header ? { starts, widths, rowsFrom: headerEnd + 1 } : undefined;
}

/**
 * Whether a name has a row in a remembered listing (the table, or `--names`), by a binary search of
 * its sorted rows; undefined for a listing that cannot be patched.
 */
export function listedNames(text: Buffer, table: boolean): ((name: string) => boolean) | undefined {
  if (!patchable(text)) return undefined;
  if (!table) return (name) => place(text, 0, name, (start, end) => text.toString("latin1", start, end)).found;
  const columns = tableColumns(text);
  if (columns === undefined) return undefined;
  const width = columns.widths[0] ?? 0;
  return (name) => place(text, columns.rowsFrom, name, (start, end) => text.toString("latin1", start, Math.min(end, start + width)).trimEnd()).found;
}

/** A row taken out (`[at, end)`) and/or one put in its place (`row`), at a line's start of the remembered text. */
interface Splice {
  readonly at: number;
  readonly end: number;
  readonly name: string;
  readonly row: Buffer | undefined;
}

/**
 * The remembered text with `splices` made, as pieces in order (the text's own bytes between them,
 * not copied), each stretch of the text handed to `stretch` (which may cut it further).
 */
function splicedPieces(text: Buffer, splices: Splice[], stretch: (start: number, end: number, pieces: Buffer[]) => void): Buffer[] {
  // In the text's order; two at one place (a row put in before a row that changes): by name, as the rows sort.
  splices.sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const pieces: Buffer[] = [];
  let from = 0;
  for (const splice of splices) {
    stretch(from, splice.at, pieces);
    if (splice.row !== undefined) pieces.push(splice.row);
    from = splice.end;
  }
  stretch(from, text.length, pieces);
  return pieces;
}

/**
 * `profiles --names` with `changes` applied (each name listed or not now), as pieces of bytes to
 * be joined; undefined when it cannot be patched.
 */
export function patchNames(text: Buffer, changes: readonly RowChange[]): Buffer[] | undefined {
  if (!patchable(text)) return undefined;
  const splices: Splice[] = [];
  for (const change of changes) {
    if (!plain(change.name)) return undefined;
    const { at, found } = place(text, 0, change.name, (start, end) => text.toString("latin1", start, end));
    if (change.cells !== undefined && !found) {
      const row = rowBytes(change.name);
      if (row === undefined) return undefined;
      splices.push({ at, end: at, name: change.name, row });
    } else if (change.cells === undefined && found) {
      splices.push({ at, end: lineEnd(text, at) + 1, name: change.name, row: undefined });
    }
  }
  return splicedPieces(text, splices, (start, end, pieces) => {
    if (end > start) pieces.push(text.subarray(start, end));
  });
}

/**
 * The table with `changes` applied (each row made again, put in place or removed, columns
 * widened), as pieces of bytes to be joined; undefined when it cannot be patched.
 */
export function patchTable(text: Buffer, changes: readonly RowChange[]): Buffer[] | undefined {
  if (!patchable(text)) return undefined;
  const columns = tableColumns(text);
  if (columns === undefined) return undefined;
  const { starts, widths, rowsFrom } = columns;
  const padded = widths.length - 1;
  const cellOf = (start: number, end: number, column: number) =>
    text
      .toString(
        "latin1",
        Math.min(end, start + (starts[column] ?? 0)),
        column < padded ? Math.min(end, start + (starts[column] ?? 0) + (widths[column] ?? 0)) : end,
      )
      .trimEnd();
  const nameOf = (start: number, end: number) => cellOf(start, end, 0);
  const newWidths = [...widths];
  const placed: Array<{ readonly change: RowChange; readonly at: number; readonly end: number }> = [];
  for (const change of changes) {
    if (!plain(change.name)) return undefined;
    const { at, found } = place(text, rowsFrom, change.name, nameOf);
    const end = found ? lineEnd(text, at) : at;
    for (let column = 0; column < padded; column++) {
      const width = widths[column] ?? 0;
      const cell = change.cells?.[column];
      if (cell !== undefined && !plain(cell)) return undefined;
      // A row at the column's width removed or shortened: the column may narrow, which only the whole table tells.
      if (found && cellOf(at, end, column).length === width && (cell === undefined || cell.length < width)) return undefined;
      if (cell !== undefined && cell.length > (newWidths[column] ?? 0)) newWidths[column] = cell.length;
    }
    placed.push({ change, at, end: found ? end + 1 : at });
  }
  const splices: Splice[] = [];
  for (const { change, at, end } of placed) {
    const row = change.cells === undefined ? undefined : rowBytes(tableLine(change.cells, newWidths));
    if (change.cells !== undefined && row === undefined) return undefined;
    if (row !== undefined || end > at) splices.push({ at, end, name: change.name, row });
  }
  // Wider columns: spaces put in at each such column's end (in the old layout) on every line that goes on past it.
  const widened: Array<{ readonly end: number; readonly spaces: Buffer }> = [];
  for (let column = 0; column < padded; column++) {
    const extra = (newWidths[column] ?? 0) - (widths[column] ?? 0);
    if (extra > 0) widened.push({ end: (starts[column] ?? 0) + (widths[column] ?? 0), spaces: Buffer.alloc(extra, " ") });
  }
  return splicedPieces(text, splices, (start, end, pieces) => {
    if (widened.length === 0) {
      if (end > start) pieces.push(text.subarray(start, end));
      return;
    }
    for (let line = start; line < end;) {
      const next = lineEnd(text, line);
      let from = line;
      for (const { end: columnEnd, spaces } of widened) {
        if (next - line <= columnEnd) break;
        pieces.push(text.subarray(from, line + columnEnd), spaces);
        from = line + columnEnd;
      }
      pieces.push(text.subarray(from, Math.min(next + 1, end)));
      line = next + 1;
    }
  });
}
