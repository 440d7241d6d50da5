/**
 * An AWS file's part of the `profiles` listing (each section's entry line, as
 * remembered-listing.ts keeps it), read block by block (store/section-blocks.ts) so that after
 * another program's edit only the blocks whose bytes changed are scanned (docs/bench-history.md, issue 16).
 *
 * The `.blocks` record keeps, for the last read of the file, each block's length, CRC-32 and the
 * entry lines of its sections (joined, one segment a block), the segments together making the
 * part's body as remembered-listing.ts writes it. A block's lines are a function of its bytes
 * (a block starts with a header that resets every reader, and the first holds the file's start),
 * so a block found again by its length and CRC gives its remembered lines whatever was written in
 * between, by rolecred or anyone: the record never needs the file's identity (it is written, as
 * every record here, only after a read of a file that had settled). A section whose name is in two blocks makes the body list it twice:
 * the caller then reads the whole file.
 *
 * The trust this puts in a CRC-32: a changed block whose CRC and length match the remembered
 * ones (1 in 2^32 per block looked at) would list what the old bytes held.
 */
import { closeSync } from "node:fs";
import { errnoCode, RolecredError } from "../errors.js";
import { BoundedReadError, openRegularFileSync, READ_LIMITS } from "../store/bounded-read.js";
import { planReuse, RangeReader, SectionBlockReader, type PlannedStretch, type RememberedBlock } from "../store/section-blocks.js";

/**
 * A file's blocks as last read: each block's length and CRC-32, and its sections' entry lines
 * joined by ",\n", as UTF-8 bytes (a remembered block's are its record's own, never decoded).
 */
export interface ReadBlocks {
  readonly blocks: readonly RememberedBlock[];
  readonly segments: readonly Buffer[];
}

const LINE_FEED = 0x0a;
const OPEN = Buffer.from("[\n");
const BETWEEN = Buffer.from(",\n");
const CLOSE = Buffer.from("\n]\n");

/**
 * `head` followed by the part body of `segments`: one entry a line in one JSON array
 * (remembered-listing.ts's part format), joined in one copy.
 */
export function bodyOf(segments: readonly Buffer[], head: Buffer = Buffer.alloc(0)): Buffer {
  const pieces: Buffer[] = [head, OPEN];
  for (const segment of segments) {
    if (segment.length === 0) continue;
    if (pieces.length > 2) pieces.push(BETWEEN);
    pieces.push(segment);
  }
  pieces.push(CLOSE);
  return Buffer.concat(pieces);
}

/** The `.blocks` record: its header line, a line of three numbers a block (length, CRC-32, bytes of its segment), then the body. */
export function blocksRecord(header: string, read: ReadBlocks): Buffer {
  const numbers: number[] = [];
  read.blocks.forEach((block, index) => numbers.push(block.length, block.crc, read.segments[index]?.length ?? 0));
  return bodyOf(read.segments, Buffer.from(`${header}\n${JSON.stringify(numbers)}\n`));
}

/** A `.blocks` record's blocks and segments (its own bytes), when its first line is `header` and the rest adds up; else undefined. */
export function parseBlocksRecord(record: Buffer, header: string): ReadBlocks | undefined {
  const headerEnd = record.indexOf(LINE_FEED);
  if (headerEnd === -1 || record.toString("utf8", 0, headerEnd) !== header) return undefined;
  const numbersEnd = record.indexOf(LINE_FEED, headerEnd + 1);
  if (numbersEnd === -1) return undefined;
  let numbers: unknown;
  try {
    numbers = JSON.parse(record.toString("latin1", headerEnd + 1, numbersEnd));
  } catch {
    return undefined;
  }
  if (!Array.isArray(numbers) || numbers.length % 3 !== 0 || !numbers.every((item) => Number.isSafeInteger(item) && (item as number) >= 0)) return undefined;
  const body = numbersEnd + 1;
  if (!startsWith(record, OPEN, body)) return undefined;
  const blocks: RememberedBlock[] = [];
  const segments: Buffer[] = [];
  let at = body + 2;
  let any = false;
  for (let index = 0; index < numbers.length; index += 3) {
    const [length, crc, bytes] = (numbers as number[]).slice(index, index + 3) as [number, number, number];
    if (at + bytes > record.length) return undefined;
    blocks.push({ length, crc });
    segments.push(record.subarray(at, at + bytes));
    if (bytes === 0) continue;
    at += bytes;
    // Each segment is followed by ",\n" before the next, or "\n" and the array's end.
    if (!startsWith(record, BETWEEN, at) && !startsWith(record, CLOSE, at)) return undefined;
    at += 2;
    any = true;
  }
  // The body ends where the segments do: past the last one's "\n]", its "\n"; with none, "\n]\n".
  return record.length === at + (any ? 1 : 3) && record.length >= CLOSE.length && startsWith(record, CLOSE, record.length - CLOSE.length)
    ? { blocks, segments }
    : undefined;
}

/** Whether `bytes` holds `part` at `at`. */
function startsWith(bytes: Buffer, part: Buffer, at: number): boolean {
  return at >= 0 && at + part.length <= bytes.length && bytes.compare(part, 0, part.length, at, at + part.length) === 0;
}

/** What a read by blocks found. */
export interface BlocksRead extends ReadBlocks {
  /** The bytes scanned (the rest came from remembered blocks). */
  readonly scannedBytes: number;
  /** The file's size when opened. */
  readonly size: number;
  /** How many blocks came from the remembered ones. */
  readonly reused: number;
}

/**
 * The file's blocks and their entry lines: the remembered blocks found again (section-blocks.ts
 * planReuse) give their segments, every other stretch is read and cut into blocks, each handed to
 * `linesOf` (its bytes, whole lines, valid only during the call; whether it holds the file's
 * start). Undefined for a missing file. Errors are the bounded read's (exit 3 for a FIFO, a
 * device, an oversized or unreadable file).
 */
export function readByBlocks(
  path: string,
  what: string,
  remembered: ReadBlocks | undefined,
  linesOf: (block: Buffer, atFileStart: boolean) => string,
): BlocksRead | undefined {
  let opened;
  try {
    // Bounded and regular-only (exit 3 otherwise), as every read of the AWS files.
    opened = openRegularFileSync(path, { what, maxBytes: READ_LIMITS.awsFile });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return undefined;
    throw error;
  }
  const blocks: RememberedBlock[] = [];
  const segments: Buffer[] = [];
  let scannedBytes = 0;
  let reused = 0;
  try {
    const reader = new RangeReader(opened.fd, opened.size);
    const plan: readonly PlannedStretch[] = remembered === undefined ? [{ scanFrom: 0, scanTo: opened.size }] : planReuse(reader, remembered.blocks);
    for (const stretch of plan) {
      if ("block" in stretch) {
        const block = remembered?.blocks[stretch.block];
        if (block === undefined) continue;
        blocks.push(block);
        segments.push(remembered?.segments[stretch.block] ?? Buffer.alloc(0));
        reused++;
        continue;
      }
      let atFileStart = stretch.scanFrom === 0;
      const cutter = new SectionBlockReader((bytes, crc) => {
        blocks.push({ length: bytes.length, crc });
        segments.push(Buffer.from(linesOf(bytes, atFileStart)));
        atFileStart = false;
      }, atFileStart);
      reader.pieces(stretch.scanFrom, stretch.scanTo, (piece) => cutter.piece(piece));
      cutter.end();
      scannedBytes += stretch.scanTo - stretch.scanFrom;
    }
  } catch (error) {
    // What linesOf throws is its own; only the file system's errors are the read's.
    if (error instanceof RolecredError || errnoCode(error) === undefined) throw error;
    throw new BoundedReadError("unreadable", path, `cannot read ${what} ${path}: ${errnoCode(error) ?? "error"}`, error);
  } finally {
    closeSync(opened.fd);
  }
  return { blocks, segments, scannedBytes, size: opened.size, reused };
}
