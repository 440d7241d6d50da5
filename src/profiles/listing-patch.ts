/**
 * A remembered `profiles` listing brought up to date row by row, after another program's edit
 * changed a few sections of the credentials file (remembered-listing.ts): the rows of the
 * sections whose entries changed are made again, put in their sorted place, and the table's
 * columns widened where a new cell is wider. Everything else is the remembered text, as it was:
 * no part parsed whole, no row of the 10,000 others made (docs/bench-history.md, issue 16).
 *
 * It answers exactly what a listing from scratch prints, or nothing (the caller then lists from
 * the parts): nothing for a listing that escaped a character anywhere (its sorted order and cells
 * are then not the raw names'), for a column that may narrow (a row at the column's width removed
 * or shortened), or for anything it does not recognise.
 */
import { escapeControl } from "../log.js";
import { TABLE_TITLES, tableLine } from "../output/profiles.js";

/** The entries (parsed lines) in which two part bodies differ: the lines of `before` replaced by those of `after`. */
export interface ChangedEntries {
  readonly before: ReadonlyArray<readonly unknown[]>;
  readonly after: ReadonlyArray<readonly unknown[]>;
  /** Where the lines of `after` that differ are in it: [from, to). */
  readonly afterFrom: number;
  readonly afterTo: number;
}

/** How many characters two strings share at their start, compared a chunk at a time (one comparison of 64 K characters, then smaller). */
function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let at = 0;
  for (let step = 65_536; step >= 1; step >>= 4) while (at + step <= limit && a.slice(at, at + step) === b.slice(at, at + step)) at += step;
  return at;
}

/** How many characters (at most `limit`) two strings share at their end. */
function commonSuffix(a: string, b: string, limit: number): number {
  let at = 0;
  for (let step = 65_536; step >= 1; step >>= 4)
    while (at + step <= limit && a.slice(a.length - at - step, a.length - at) === b.slice(b.length - at - step, b.length - at)) at += step;
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

/** The lines two part bodies (remembered-listing.ts's format: one entry a line) differ in, as entries. */
export function changedEntries(before: string, after: string): ChangedEntries | undefined {
  if (!before.startsWith("[\n") || !after.startsWith("[\n") || !before.endsWith("\n]\n") || !after.endsWith("\n]\n")) return undefined;
  const prefix = commonPrefix(before, after);
  if (prefix === before.length && prefix === after.length) return { before: [], after: [], afterFrom: after.length, afterTo: after.length };
  // From the start of the line the first difference is on, to the end of the line the last one is on.
  const lineStart = before.lastIndexOf("\n", prefix - 1) + 1;
  const suffix = commonSuffix(before, after, Math.min(before.length, after.length) - lineStart);
  const beforeEnd = before.indexOf("\n", before.length - suffix);
  const afterEnd = beforeEnd - before.length + after.length;
  if (beforeEnd < lineStart || afterEnd < lineStart) return undefined;
  const beforeEntries = entriesOf(before.slice(lineStart, beforeEnd));
  const afterEntries = entriesOf(after.slice(lineStart, afterEnd));
  return beforeEntries === undefined || afterEntries === undefined
    ? undefined
    : { before: beforeEntries, after: afterEntries, afterFrom: lineStart, afterTo: afterEnd };
}

/**
 * Whether `body` (a part body) has an entry line for `name` outside [from, to): a section whose
 * name is in two blocks of the file, which a body made by blocks lists twice (the whole parse
 * merges them; the listing is then made from the file).
 */
export function listedOutside(body: string, name: string, from: number, to: number): boolean {
  const needle = `\n[${JSON.stringify(name)}`;
  for (let at = body.indexOf(needle); at !== -1; at = body.indexOf(needle, at + 1)) {
    const after = body[at + needle.length];
    // `,` or `]`: the whole name, not the start of a longer one.
    if ((after === "," || after === "]") && (at + 1 < from || at + 1 >= to)) return true;
  }
  return false;
}

/** A profile whose row changes: its table cells now (undefined: no row now). */
export interface RowChange {
  readonly name: string;
  /** The row's cells now (table), or that it is listed (`[]` for `--names`); undefined when it is not listed now. */
  readonly cells: readonly string[] | undefined;
}

/** The text's lines (its last line break dropped), or undefined when it escaped anything. */
function linesOf(text: string): string[] | undefined {
  if (text.includes("\\") || (text !== "" && !text.endsWith("\n"))) return undefined;
  const lines = text.split("\n");
  lines.pop();
  return lines;
}

/** Where `name` is, or would go, among sorted `names` from `from` on (by the sort's UTF-16 order). */
function place(lines: readonly string[], from: number, name: string, nameOf: (line: string) => string): { at: number; found: boolean } {
  let low = from;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (nameOf(lines[middle] ?? "") < name) low = middle + 1;
    else high = middle;
  }
  return { at: low, found: low < lines.length && nameOf(lines[low] ?? "") === name };
}

/** A name listed as it is, unescaped: else the listing's order and cells are not the raw names' and nothing is patched. */
function plain(name: string): boolean {
  return escapeControl(name, false) === name && !name.includes("\\");
}

/** The PROFILE cell of each row of a table, read by the column's width from its title line. */
function tableNames(lines: readonly string[]): ((line: string) => string) | undefined {
  const header = lines[0];
  const next = header?.indexOf(TABLE_TITLES[1] ?? "", (TABLE_TITLES[0] ?? "").length);
  if (header === undefined || next === undefined || next < 2) return undefined;
  return (line) => line.slice(0, next - 2).trimEnd();
}

/**
 * Whether a name has a row in a remembered listing (the table, or `--names`), by a binary search of
 * its sorted rows; undefined for a listing that cannot be patched (it escaped something).
 */
export function listedNames(text: string, table: boolean): ((name: string) => boolean) | undefined {
  const lines = linesOf(text);
  if (lines === undefined) return undefined;
  const nameOf = table ? tableNames(lines) : (line: string) => line;
  if (nameOf === undefined) return undefined;
  return (name) => place(lines, table ? 1 : 0, name, nameOf).found;
}

/** `profiles --names` with `changes` applied: each name listed or not now; undefined when it cannot be patched. */
export function patchNames(text: string, changes: readonly RowChange[]): string | undefined {
  const lines = linesOf(text);
  if (lines === undefined) return undefined;
  for (const change of changes) {
    if (!plain(change.name)) return undefined;
    const { at, found } = place(lines, 0, change.name, (line) => line);
    if (change.cells !== undefined && !found) lines.splice(at, 0, change.name);
    else if (change.cells === undefined && found) lines.splice(at, 1);
  }
  return lines.map((line) => `${line}\n`).join("");
}

/** The table with `changes` applied (each row made again, put in place or removed, columns widened); undefined when it cannot be patched. */
export function patchTable(text: string, changes: readonly RowChange[]): string | undefined {
  const lines = linesOf(text);
  const header = lines?.[0];
  if (lines === undefined || header === undefined) return undefined;
  // The columns' starts from the titles (no title holds a space), their widths from the starts.
  const starts: number[] = [0];
  for (let column = 1; column < TABLE_TITLES.length; column++) {
    const start = header.indexOf(TABLE_TITLES[column] ?? "", (starts[column - 1] ?? 0) + (TABLE_TITLES[column - 1] ?? "").length);
    if (start === -1) return undefined;
    starts.push(start);
  }
  const widths = starts.map((start, column) => (column + 1 < starts.length ? (starts[column + 1] ?? 0) - start - 2 : 0));
  if (tableLine(TABLE_TITLES, widths) !== header) return undefined;
  const padded = widths.length - 1;
  const cellOf = (line: string, column: number) =>
    line.slice(starts[column], column < padded ? (starts[column] ?? 0) + (widths[column] ?? 0) : undefined).trimEnd();
  const nameOf = (line: string) => cellOf(line, 0);
  const newWidths = [...widths];
  for (const change of changes) {
    if (!plain(change.name)) return undefined;
    const { at, found } = place(lines, 1, change.name, nameOf);
    const old = found ? lines[at] : undefined;
    for (let column = 0; column < padded; column++) {
      const width = widths[column] ?? 0;
      const cell = change.cells?.[column];
      if (cell !== undefined && (cell.includes("\\") || escapeControl(cell, false) !== cell)) return undefined;
      // A row at the column's width removed or shortened: the column may narrow, which only the whole table tells.
      if (old !== undefined && cellOf(old, column).length === width && (cell === undefined || cell.length < width)) return undefined;
      if (cell !== undefined && cell.length > (newWidths[column] ?? 0)) newWidths[column] = cell.length;
    }
  }
  // Wider columns: spaces put in at each such column's end on every line that goes on past it (from the right, so starts stay true).
  for (let column = padded - 1; column >= 0; column--) {
    const extra = (newWidths[column] ?? 0) - (widths[column] ?? 0);
    if (extra === 0) continue;
    const end = (starts[column] ?? 0) + (widths[column] ?? 0);
    const spaces = " ".repeat(extra);
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index] ?? "";
      if (line.length > end) lines[index] = line.slice(0, end) + spaces + line.slice(end);
    }
  }
  const newNameOf = (line: string) => line.slice(0, newWidths[0]).trimEnd();
  for (const change of changes) {
    const { at, found } = place(lines, 1, change.name, newNameOf);
    if (change.cells === undefined) {
      if (found) lines.splice(at, 1);
    } else {
      lines.splice(at, found ? 1 : 0, tableLine(change.cells, newWidths));
    }
  }
  return `${lines.join("\n")}\n`;
}
