/**
 * An AWS INI file cut into blocks of whole sections, each remembered with its length and CRC-32,
 * so that a reader that remembers what it read from a 10 MB file (`rolecred profiles`,
 * src/profiles/remembered-listing.ts; the writer's strict scan) reads again, after another
 * program's edit, only the bytes that changed (docs/bench-history.md, issue 16). Nothing here knows what
 * the reader keeps per block: it cuts, finds again, and says what must be scanned.
 *
 * A block (but the first) begins with a line that is a section header whatever precedes it: `[`
 * in column 0, a name of printable ASCII without `]` and without a space at either end, `]`, the
 * line's end. Every reader (the tolerant parse's classifier, section-settings.ts, section-scan.ts)
 * enters that section on such a line with nothing carried from the lines above, so a block of
 * whole lines reads the same alone as within the file: its sections' settings are a function of
 * its bytes (the strict parse still carries the names seen, to refuse a repeated section). The
 * first block holds the file's start (a byte-order mark is dropped only there). A block scanned
 * after a change may instead begin with empty lines before such a header (a profile appended after
 * a blank line), or be empty lines to the file's end: an empty line gives no reader anything, so
 * that holds for it too.
 *
 * After a change, {@link planReuse} finds the remembered blocks again where they stood (before the
 * change) or shifted by the file's change in size (after it), by their CRC over the bytes there,
 * without a look at the bytes' lines; what lies between is scanned. A found block must still be
 * whole lines (a line break before it and at its end) and a scanned stretch must start at the file's
 * start or at such a header (after empty lines, which no reader takes anything from: a block may
 * then start with them; or empty lines to the file's end), or the block before it is scanned too. A CRC-32 that matches bytes
 * that changed (1 in 2^32 per block looked at) would reuse what was read from the old bytes: the
 * same trust the writer puts in its whole-file CRC-32.
 */
import { readSync } from "node:fs";
import { loadCrc32, type Crc32 } from "./crc32.js";
import { plainHeaderName } from "./section-scan.js";

let loadedCrc32: Crc32 | undefined;

/** zlib.crc32, loaded on first use (crc32.ts). */
function crc32(data: Uint8Array): number {
  loadedCrc32 ??= loadCrc32();
  return loadedCrc32(data);
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TILDE = 0x7e;

/** A block ends at the first such header this many bytes or more after its start (~64 sessions). */
export const BLOCK_BYTES = 64 * 1024;
/** A header line longer than this does not start a block (the check reads no more). */
const HEADER_BYTES = 4096;

function isLineBreak(byte: number | undefined): boolean {
  return byte === LINE_FEED || byte === CARRIAGE_RETURN;
}

/**
 * Whether the line at `at` in `bytes` (a line's start) is a header every reader takes as one
 * whatever precedes it. `endsLine`: the end of `bytes` is a line's end (the file's, or a piece's).
 */
export function isResetHeader(bytes: Buffer, at: number, endsLine = true): boolean {
  if (bytes[at] !== OPEN_BRACKET) return false;
  // The first `]`, looked for only over printable ASCII (a header's name is no more).
  let close = at + 1;
  for (; close < bytes.length; close++) {
    const byte = bytes[close] ?? 0;
    if (byte === CLOSE_BRACKET) break;
    if (byte < SPACE || byte > TILDE) return false;
  }
  if (close >= bytes.length) return false;
  const after = bytes[close + 1];
  if (after === undefined ? !endsLine : !isLineBreak(after)) return false;
  // The line is `[name]`: a header exactly when section-scan.ts reads it as one (no space at either end, not `__proto__`).
  return plainHeaderName(bytes, at, close + 1) !== undefined;
}

/**
 * Cuts whole lines handed over in pieces into blocks, handing each to `onBlock` with its CRC-32
 * once it is complete: its bytes are valid only during the call. A block within one piece is
 * handed as part of it; only one that spans pieces is copied, into one reused buffer.
 */
export class SectionBlockReader {
  /** The current block's bytes from earlier pieces. */
  #carried = Buffer.alloc(0);
  #carriedLength = 0;
  #atFileStart: boolean;

  constructor(
    private readonly onBlock: (bytes: Buffer, crc: number) => void,
    atFileStart: boolean,
  ) {
    this.#atFileStart = atFileStart;
  }

  /** The next piece: whole lines, after the pieces before it. */
  piece(piece: Buffer): void {
    if (piece.length === 0) return;
    let blockStart = 0;
    // The current block's start may not be its end: the file's first byte, or a piece's first with nothing carried.
    let from = this.#carriedLength > 0 ? Math.max(0, BLOCK_BYTES - this.#carriedLength) : BLOCK_BYTES;
    for (let at = piece.indexOf(OPEN_BRACKET, from); at !== -1; at = piece.indexOf(OPEN_BRACKET, at + 1)) {
      // A piece starts at a line's start (the one before it ended after a line break).
      if (at > 0 && !isLineBreak(piece[at - 1])) continue;
      if (!isResetHeader(piece, at)) continue;
      this.#finish(piece.subarray(blockStart, at));
      blockStart = at;
      from = at + BLOCK_BYTES;
      at = from - 1; // the loop's next search starts at `from`
    }
    this.#atFileStart = false;
    this.#carry(piece.subarray(blockStart));
  }

  /** After the last piece: the last block (none for no bytes, but an empty first block for an empty file). */
  end(): void {
    if (this.#carriedLength > 0 || this.#atFileStart) this.#finish(Buffer.alloc(0));
    this.#atFileStart = false;
  }

  #finish(tail: Buffer): void {
    let bytes = tail;
    if (this.#carriedLength > 0) {
      this.#carry(tail);
      bytes = this.#carried.subarray(0, this.#carriedLength);
    }
    this.onBlock(bytes, crc32(bytes));
    this.#carriedLength = 0;
  }

  #carry(bytes: Buffer): void {
    if (bytes.length === 0) return;
    const needed = this.#carriedLength + bytes.length;
    if (needed > this.#carried.length) {
      const larger = Buffer.allocUnsafe(Math.max(needed, this.#carried.length * 2));
      this.#carried.copy(larger, 0, 0, this.#carriedLength);
      this.#carried = larger;
    }
    this.#carriedLength += bytes.copy(this.#carried, this.#carriedLength);
  }
}

/** A remembered block: its length and CRC-32. */
export interface RememberedBlock {
  readonly length: number;
  readonly crc: number;
}

/** A stretch of the file now: remembered block `block` found at `start`, or bytes to scan. */
export type PlannedStretch = { readonly block: number; readonly start: number } | { readonly scanFrom: number; readonly scanTo: number };

/** Reads byte ranges of an open file into one reused buffer. */
export class RangeReader {
  #buffer = Buffer.alloc(0);

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  /** The bytes at [start, end) (end within the size), valid until the next read. */
  read(start: number, end: number): Buffer {
    const length = end - start;
    if (length > this.#buffer.length) this.#buffer = Buffer.allocUnsafe(Math.max(length, BLOCK_BYTES * 2));
    let filled = 0;
    while (filled < length) {
      const read = readSync(this.fd, this.#buffer, filled, length - filled, start + filled);
      if (read === 0) break;
      filled += read;
    }
    return this.#buffer.subarray(0, filled);
  }

  /** Hands [start, end) to `onPiece` in pieces of whole lines (end is a line's start or the file's end). */
  pieces(start: number, end: number, onPiece: (piece: Buffer) => void): void {
    let at = start;
    while (at < end) {
      const chunk = this.read(at, Math.min(end, at + 4 * BLOCK_BYTES));
      if (chunk.length === 0) return;
      let cut = chunk.length;
      if (at + chunk.length < end) {
        const lastBreak = Math.max(chunk.lastIndexOf(LINE_FEED), chunk.lastIndexOf(CARRIAGE_RETURN));
        if (lastBreak === -1) {
          // A line longer than a chunk: the rest read whole.
          onPiece(this.read(at, end));
          return;
        }
        cut = lastBreak + 1;
      }
      onPiece(chunk.subarray(0, cut));
      at += cut;
    }
  }
}

/**
 * Where the remembered `blocks` are in the file now, the rest to be scanned, in file order: each
 * block is looked for where it would stand had nothing before it changed, and, past a change,
 * shifted by the change in the file's size (one insertion, removal or edit leaves every other
 * block found). The stretches to scan start at the file's start or at a header that resets every
 * reader's state; a block found is whole lines.
 */
export function planReuse(reader: RangeReader, blocks: readonly RememberedBlock[]): PlannedStretch[] {
  const { size } = reader;
  const starts: number[] = [];
  let total = 0;
  for (const block of blocks) {
    starts.push(total);
    total += block.length;
  }
  const shift = size - total;
  const foundAt = (index: number, at: number): boolean => {
    const block = blocks[index];
    if (block === undefined || at < 0 || at + block.length > size || (index === 0) !== (at === 0)) return false;
    const end = at + block.length;
    const bytes = reader.read(at === 0 ? 0 : at - 1, end);
    if (at > 0 && !isLineBreak(bytes[0])) return false;
    if (end < size && !isLineBreak(bytes[bytes.length - 1])) return false;
    return crc32(at === 0 ? bytes : bytes.subarray(1)) === block.crc;
  };
  const stretches: PlannedStretch[] = [];
  let position = 0;
  let next = 0;
  while (position < size || next < blocks.length) {
    if (next < blocks.length && foundAt(next, position)) {
      stretches.push({ block: next, start: position });
      position += blocks[next]?.length ?? 0;
      next++;
      continue;
    }
    // From this block on: a section inserted just before it shifts it whole.
    let found = next;
    while (found < blocks.length && !((starts[found] ?? 0) + shift >= position && foundAt(found, (starts[found] ?? 0) + shift))) found++;
    const end = found < blocks.length ? (starts[found] ?? 0) + shift : size;
    if (end > position) stretches.push({ scanFrom: position, scanTo: end });
    position = end;
    next = found;
    if (found >= blocks.length) break;
  }
  return resetAtScans(reader, stretches);
}

/** A stretch to scan that does not start at a header resetting every reader's state takes in the block before it, until one does. */
function resetAtScans(reader: RangeReader, stretches: PlannedStretch[]): PlannedStretch[] {
  const planned: PlannedStretch[] = [];
  for (const stretch of stretches) {
    if ("block" in stretch) {
      planned.push(stretch);
      continue;
    }
    let { scanFrom } = stretch;
    for (;;) {
      const before = planned.at(-1);
      if (scanFrom === 0 || before === undefined || startsAtReset(reader, scanFrom)) break;
      planned.pop();
      scanFrom = "block" in before ? before.start : before.scanFrom;
    }
    const before = planned.at(-1);
    // Two stretches to scan side by side: one.
    if (before !== undefined && !("block" in before)) {
      planned.pop();
      scanFrom = before.scanFrom;
    }
    planned.push({ scanFrom, scanTo: stretch.scanTo });
  }
  return planned;
}

/**
 * Whether the bytes at `at` (a line's start) are empty lines, if any, then a header that resets
 * every reader or the file's end. An empty line (a line break alone) gives no reader anything,
 * wherever it is: a profile another tool appended after a blank line, or blank lines appended, are
 * scanned alone, not with the block before them.
 */
function startsAtReset(reader: RangeReader, at: number): boolean {
  const toEnd = at + HEADER_BYTES >= reader.size;
  const bytes = reader.read(at, Math.min(reader.size, at + HEADER_BYTES));
  let header = 0;
  while (header < bytes.length && isLineBreak(bytes[header])) header++;
  return (toEnd && header === bytes.length) || isResetHeader(bytes, header, toEnd);
}

/** The blocks of `bytes` (a whole file), in order, covering it: for the tests. */
export function sectionBlocks(bytes: Buffer): Array<{ readonly start: number; readonly end: number; readonly crc: number }> {
  const blocks: Array<{ start: number; end: number; crc: number }> = [];
  let start = 0;
  const reader = new SectionBlockReader((block, crc) => {
    blocks.push({ start, end: start + block.length, crc });
    start += block.length;
  }, true);
  reader.piece(bytes);
  reader.end();
  return blocks;
}
