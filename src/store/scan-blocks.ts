/**
 * The credentials file's remembered scan, cut into blocks of whole sections (issue 16, seventh
 * round): the first write after another program changed a 49 MB file scans strictly only what
 * changed, and takes the rest of the index from the record (store/remembered-scan.ts).
 *
 * A block is a run of whole sections: block 0 starts at the file's start (its BOM, the lines
 * before the first section), every other block at a section header that starts with `[`. The
 * record keeps, for each block, the position of its first section in the index and the CRC-32 of
 * its bytes on their own. After a change, {@link reuseBlocks} finds the remembered blocks again in
 * the new file, unchanged, where they stood (a leading run) or shifted by the change in size (a
 * trailing run), and scans strictly only the stretch between them, from the start of the last
 * leading block. Why that is the full scan's answer:
 *
 * - The strict parse reads forward: a line's reading depends on the lines before it only through
 *   the names of the sections so far, the current section's keys, and whether the line before was
 *   a key (an indented line continues it). A header in column 0 (`[`) is read as a header whatever
 *   came before, and starts a section with no keys. So a stretch scanned on its own from such a
 *   header, and a trailing block starting with one, read as they do within the file, but for
 *   the names: a name of the stretch that a reused block also has is a duplicate the scan of the
 *   stretch alone does not see; it is looked for, and then the full scan runs (it says which
 *   line repeats which, in its own words).
 * - A refusal in the stretch, a stretch that is not UTF-8, a trailing block not at a line's start,
 *   a header of a reused block not where the index says: the full scan, as without a record.
 * - The bytes of the reused blocks are the remembered ones (their CRC-32), and every header of
 *   them is checked where the new index puts it (as remembered-scan.ts's HeaderCheck does), so a
 *   CRC collision cannot make the edit splice at a wrong offset. What it can hide: a line changed
 *   inside a block whose CRC-32 collides (1 in 2^32 for a changed block) is not read.
 *
 * The CRC of each candidate block comes from one read of the file in 1 MiB pieces (which the
 * whole-file CRC, kept for the write, needs anyway): the pieces are cut at every remembered
 * block's edge, where it stood and where it would stand shifted, so the running CRC is known
 * there, and a block's own CRC is the difference of two running ones ({@link crcOfRange}).
 */
import { isUtf8 } from "node:buffer";
import { readSync } from "node:fs";
import { IniSyntaxError } from "./ini-document.js";
import { firstAtOrAfter, namePositions, scanStretch, type ByteIndex, type ByteRange, type WritePiece } from "./ini-bytes.js";
import { asciiHeaderAt, ContentDigest, headerAt, readAt, type ScanBlocks } from "./remembered-scan.js";
import type { Crc32 } from "./crc32.js";

export type { ScanBlocks } from "./remembered-scan.js";

/**
 * A block ends at the first header starting with `[` this many bytes or more after its start.
 * Fewer, larger blocks mean fewer CRC-32 combinations to check and more lines scanned again: for
 * the bench's `write-50000`, 64, 128 and 256 KiB gave 676, 675 and 659 M instructions.
 */
export const BLOCK_BYTES = 256 * 1024;
const READ_BYTES = 1024 * 1024;

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const OPEN_BRACKET = 0x5b;

/** Where each block starts, then the file's length. */
export function blockEdges(blocks: ScanBlocks, index: ByteIndex, length: number): number[] {
  return [0, ...blocks.firstSections.map((section) => index.starts[section] ?? length), length];
}

// --- CRC-32 arithmetic --------------------------------------------------------------------------
// zlib's CRC-32 is reflected: bit 31 is the coefficient of x^0. crc(A‖B) = crc(A)·x^(8|B|) ⊕ crc(B)
// (mod the CRC polynomial; the pre- and post-inversion cancel), so the CRC of B alone follows from
// the running CRCs before and after it.
const POLYNOMIAL = 0xedb88320;
const X0 = 0x80000000;

/** a·b modulo the CRC polynomial. */
function multiply(a: number, b: number): number {
  let product = 0;
  let factor = b >>> 0;
  for (let bit = X0; bit !== 0; bit >>>= 1) {
    if ((a & bit) !== 0) product ^= factor;
    factor = (factor & 1) !== 0 ? (factor >>> 1) ^ POLYNOMIAL : factor >>> 1;
  }
  return product >>> 0;
}

/** x^(8·2^k) modulo the CRC polynomial, for k = 0, 1, …: made once, when first needed. */
const POWERS: number[] = [];

/** x^(8·bytes) modulo the CRC polynomial. */
function shiftOf(bytes: number): number {
  if (POWERS.length === 0) for (let power = X0 >>> 8, k = 0; k < 53; k += 1, power = multiply(power, power)) POWERS.push(power);
  let result = X0;
  for (let rest = bytes, k = 0; rest > 0; rest = Math.floor(rest / 2), k += 1) if (rest % 2 === 1) result = multiply(result, POWERS[k] ?? X0);
  return result;
}

/** The CRC-32 of the `length` bytes between two running CRCs of one file: `before` their start, `after` their end. */
export function crcOfRange(before: number, after: number, length: number): number {
  return (after ^ multiply(shiftOf(length), before)) >>> 0;
}

// --- The cutting rule -----------------------------------------------------------------------------

/**
 * Where blocks are cut, in one place: from section `first` on, while its start is before `end`,
 * at each section whose header starts with `[` (`bracketAt`) a block's length or more after the
 * last cut (`edge`, in the coordinates of `starts`). `cut` is told each section and its start, and
 * stops the walk by returning false (then so does this).
 */
function cutBlocks(
  starts: readonly number[],
  first: number,
  end: number,
  edge: number,
  blockBytes: number,
  bracketAt: (offset: number) => boolean,
  cut: (section: number, start: number) => boolean,
): boolean {
  let last = edge;
  for (let section = first; section < starts.length; section += 1) {
    const start = starts[section] ?? end;
    if (start >= end) break;
    if (start < last + blockBytes || !bracketAt(start)) continue;
    if (!cut(section, start)) return false;
    last = start;
  }
  return true;
}

// --- Blocks of a file scanned whole -------------------------------------------------------------

/**
 * The blocks of a file just scanned whole, from its digest (the running CRC at each piece the
 * scan read: `runningAt` reads from the last of those to the offset asked). Edges are put at the
 * first `[` header at or after a piece's start, so each costs a read of about one section.
 */
export function blocksOfScan(
  index: ByteIndex,
  length: number,
  checkpoints: readonly number[],
  runningAt: (offset: number) => number | undefined,
  startsWithBracket: (offset: number) => boolean,
  blockBytes = BLOCK_BYTES,
): ScanBlocks | undefined {
  const { starts } = index;
  const firstSections: number[] = [];
  const crcs: number[] = [];
  let edge = 0;
  let edgeCrc = 0;
  let section = 0;
  for (const checkpoint of [...checkpoints, length]) {
    // Checkpoints are a block's length apart, less where a read ended: the first one three quarters of a block on.
    if (checkpoint < edge + (blockBytes * 3) / 4) continue;
    // The first section at or after the checkpoint: a binary search would do, the walk is as cheap over the whole file.
    while (section < starts.length && (starts[section] ?? 0) < checkpoint) section += 1;
    const start = section < starts.length ? (starts[section] ?? length) : length;
    if (start >= length) break;
    if (!startsWithBracket(start)) continue;
    const running = runningAt(start);
    if (running === undefined) return undefined;
    crcs.push(crcOfRange(edgeCrc, running, start - edge));
    firstSections.push(section);
    edge = start;
    edgeCrc = running;
  }
  const final = runningAt(length);
  if (final === undefined) return undefined;
  crcs.push(crcOfRange(edgeCrc, final, length - edge));
  return { firstSections, crcs };
}

/** The blocks of a file held whole (`bytes`, its index), cut as {@link blocksOfScan} cuts them. */
export function blocksOfBytes(index: ByteIndex, bytes: Buffer, crc32: Crc32, blockBytes = BLOCK_BYTES): ScanBlocks {
  const firstSections: number[] = [];
  const crcs: number[] = [];
  let edge = 0;
  cutBlocks(
    index.starts,
    0,
    bytes.length,
    0,
    blockBytes,
    (offset) => bytes[offset] === OPEN_BRACKET,
    (section, start) => {
      crcs.push(crc32(bytes.subarray(edge, start)));
      firstSections.push(section);
      edge = start;
      return true;
    },
  );
  crcs.push(crc32(bytes.subarray(edge)));
  return { firstSections, crcs };
}

// --- Blocks of a file written --------------------------------------------------------------------

/**
 * The blocks of the file `pieces` make (its index: `written`), from the blocks of the file they
 * were cut from: a block copied whole keeps its CRC (moved with its piece), the rest (an edited
 * part and the blocks around it) is cut again at the new index's sections and its CRC computed
 * from its bytes (`bytesOf` a range of the old file). Undefined when that cannot be told.
 */
export function writtenBlocks(
  old: { readonly blocks: ScanBlocks; readonly index: ByteIndex; readonly length: number },
  pieces: readonly WritePiece[],
  written: ByteIndex,
  bytesOf: (range: ByteRange) => Buffer,
  crc32: Crc32,
  blockBytes = BLOCK_BYTES,
): ScanBlocks | undefined {
  const oldEdges = blockEdges(old.blocks, old.index, old.length);
  // Each piece's place in the new file.
  const placed: Array<{ piece: WritePiece; at: number; length: number }> = [];
  let length = 0;
  for (const piece of pieces) {
    const size = Buffer.isBuffer(piece) ? piece.length : piece.end - piece.start;
    placed.push({ piece, at: length, length: size });
    length += size;
  }
  // The old blocks copied whole, at their new offsets, in order.
  const kept: Array<{ start: number; end: number; crc: number }> = [];
  let next = 0;
  for (const { piece, at } of placed) {
    if (Buffer.isBuffer(piece)) continue;
    for (; next + 1 < oldEdges.length && (oldEdges[next] ?? 0) < piece.start; next += 1);
    for (let block = next; block + 1 < oldEdges.length && (oldEdges[block + 1] ?? 0) <= piece.end; block += 1) {
      const start = oldEdges[block] ?? 0;
      if (start < piece.start) continue;
      kept.push({ start: at + start - piece.start, end: at + (oldEdges[block + 1] ?? 0) - piece.start, crc: old.blocks.crcs[block] ?? 0 });
      next = block + 1;
    }
  }
  const sectionAt = (offset: number): number | undefined => {
    const position = firstAtOrAfter(written.starts, offset);
    return written.starts[position] === offset ? position : undefined;
  };
  const firstSections: number[] = [];
  const crcs: number[] = [];
  let cursor = 0;
  const addBlock = (start: number, crc: number): boolean => {
    if (start > 0) {
      const section = sectionAt(start);
      if (section === undefined) return false;
      firstSections.push(section);
    }
    crcs.push(crc);
    return true;
  };
  for (const block of [...kept, { start: length, end: length, crc: -1 }]) {
    if (block.start < cursor) return undefined;
    if (block.start > cursor) {
      // A stretch between kept blocks: its bytes, cut again at the new sections.
      const bytes = newBytes(placed, cursor, block.start, bytesOf);
      let edge = cursor;
      const first = firstAtOrAfter(written.starts, cursor + blockBytes);
      const bracketAt = (offset: number) => bytes[offset - cursor] === OPEN_BRACKET;
      const cutHere = (_section: number, start: number) => {
        const added = addBlock(edge, crc32(bytes.subarray(edge - cursor, start - cursor)));
        edge = start;
        return added;
      };
      if (!cutBlocks(written.starts, first, block.start, edge, blockBytes, bracketAt, cutHere)) return undefined;
      if (!addBlock(edge, crc32(bytes.subarray(edge - cursor)))) return undefined;
    }
    if (block.crc === -1) break;
    if (!addBlock(block.start, block.crc)) return undefined;
    cursor = block.end;
  }
  return { firstSections, crcs };
}

/** Bytes [from, to) of the new file. */
function newBytes(
  placed: ReadonlyArray<{ piece: WritePiece; at: number; length: number }>,
  from: number,
  to: number,
  bytesOf: (range: ByteRange) => Buffer,
): Buffer {
  const parts: Buffer[] = [];
  for (const { piece, at, length } of placed) {
    const start = Math.max(from, at);
    const end = Math.min(to, at + length);
    if (start >= end) continue;
    parts.push(Buffer.isBuffer(piece) ? piece.subarray(start - at, end - at) : bytesOf({ start: piece.start + start - at, end: piece.start + end - at }));
  }
  return parts.length === 1 ? (parts[0] ?? Buffer.alloc(0)) : Buffer.concat(parts);
}

// --- Reuse after an outside change ---------------------------------------------------------------

/** A remembered scan with its blocks: of the file as rolecred wrote it (`length` bytes). */
export interface BlockRecord {
  readonly index: ByteIndex;
  readonly blocks: ScanBlocks;
  readonly length: number;
}

/** What {@link reuseBlocks} gives: the new file's index and blocks, its digest, and how much was scanned. */
export interface BlockReuse {
  readonly index: ByteIndex;
  readonly blocks: ScanBlocks;
  readonly digest: ContentDigest;
  readonly scannedBytes: number;
}

/** Why the blocks were not used (then the full scan runs): for `--verbose`. */
export interface NoReuse {
  readonly fallback: string;
}

/**
 * The index of the file open as `fd` (`size` bytes), another version of the one `record`
 * describes, from the blocks found again and a strict scan of the stretch between them; or why
 * not (the caller then scans the whole file). Never throws on the file's content.
 */
export async function reuseBlocks(
  fd: number,
  size: number,
  record: BlockRecord,
  crc32: Crc32,
  pause?: () => Promise<void>,
  blockBytes = BLOCK_BYTES,
): Promise<BlockReuse | NoReuse> {
  const { index: old, blocks } = record;
  const edges = blockEdges(blocks, old, record.length);
  const count = blocks.crcs.length;
  const shift = size - record.length;
  // Every edge where a block may stand: where it stood, and shifted.
  const cuts = new Set<number>();
  for (const edge of edges) {
    if (edge > 0 && edge < size) cuts.add(edge);
    if (edge + shift > 0 && edge + shift < size) cuts.add(edge + shift);
  }
  const cutList = [...cuts].sort((a, b) => a - b);
  const digest = new ContentDigest(crc32, false);
  const runningAt = (offset: number): number | undefined => digest.checkpoint(offset);
  const blockAt = (block: number, start: number, marks: HeaderMarks): boolean => {
    const length = (edges[block + 1] ?? 0) - (edges[block] ?? 0);
    if (start < 0 || start + length > size) return false;
    const before = runningAt(start);
    const after = runningAt(start + length);
    if (before === undefined || after === undefined || crcOfRange(before, after, length) !== blocks.crcs[block]) return false;
    const lastSection = block + 1 < count ? (blocks.firstSections[block] ?? 0) : old.starts.length;
    return marks.allFrom(block === 0 ? 0 : (blocks.firstSections[block - 1] ?? 0), lastSection);
  };
  // The headers are checked where they stood only while the leading run lasts (each block is
  // decided once read), and where they would stand shifted only from there on: one look at
  // each header, not two. With no change in size the two places are one.
  const unshifted = new HeaderMarks(old, 0, size);
  let shifted: HeaderMarks | undefined = shift === 0 ? unshifted : undefined;
  let leading = 0;
  let leadingLasts = true;
  const buffer = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(size, 1)));
  let cut = 0;
  for (let at = 0; at < size;) {
    const read = readSync(fd, buffer, 0, Math.min(buffer.length, size - at), at);
    if (read === 0) return { fallback: "the file ended early" };
    const piece = buffer.subarray(0, read);
    if (leadingLasts || shift === 0) unshifted.push(piece, at);
    let from = 0;
    for (; cut < cutList.length && (cutList[cut] ?? 0) < at + read; cut += 1) {
      const inPiece = (cutList[cut] ?? 0) - at;
      if (inPiece > from) digest.push(piece.subarray(from, inPiece));
      from = inPiece;
    }
    digest.push(piece.subarray(from));
    for (; leadingLasts && leading < count && (edges[leading + 1] ?? 0) <= at + read; leading += 1) {
      if (!blockAt(leading, edges[leading] ?? 0, unshifted)) leadingLasts = false;
      else continue;
      // From this piece on, the headers where they would stand shifted.
      shifted ??= new HeaderMarks(old, shift, size, at);
      break;
    }
    if (shifted !== undefined && shifted !== unshifted) shifted.push(piece, at);
    at += read;
    if (pause !== undefined && at < size) await pause();
  }
  if (digest.length !== size) return { fallback: "the file ended early" };
  // The leading run never ended before the file's end: the blocks past it are looked at shifted too.
  for (; leadingLasts && leading < count; leading += 1) if (!blockAt(leading, edges[leading] ?? 0, unshifted)) break;
  shifted ??= unshifted;
  // Trailing blocks: never block 0 (the file's start), never over the leading run.
  let trailing = 0;
  for (let block = count - 1; block >= Math.max(leading, 1); block -= 1) {
    if ((edges[block] ?? 0) + shift < (edges[leading] ?? 0) || (shifted === unshifted && shift !== 0) || !blockAt(block, (edges[block] ?? 0) + shift, shifted))
      break;
    trailing += 1;
  }
  // The stretch must end at a line's end where the trailing run starts.
  for (; trailing > 0; trailing -= 1) {
    const start = (edges[count - trailing] ?? 0) + shift;
    const before = byteAt(fd, start - 1);
    if (before === LINE_FEED || before === CARRIAGE_RETURN) break;
  }
  // The stretch starts at the last leading section's header: lines added after it (in the bytes
  // that were the next block) may be its keys, which it must be scanned with.
  const sectionsInLeading = leading === 0 ? 0 : leading < count ? (blocks.firstSections[leading - 1] ?? 0) : old.starts.length;
  /** The remembered sections kept before the stretch. */
  const leadingEnd = sectionsInLeading === 0 ? 0 : sectionsInLeading - 1;
  const stretchStart = sectionsInLeading === 0 ? 0 : (old.starts[leadingEnd] ?? 0);
  const stretchEnd = trailing === 0 ? size : (edges[count - trailing] ?? 0) + shift;
  if (stretchStart === 0 && stretchEnd === size) return { fallback: "no remembered block was found unchanged" };
  // Scanning nearly all of it from one Buffer would cost the full scan's time and more memory.
  if (stretchEnd - stretchStart > size * 0.9) return { fallback: "most of it changed" };
  const stretch = readAt(fd, stretchStart, stretchEnd - stretchStart);
  if (stretch.length !== stretchEnd - stretchStart) return { fallback: "the file ended early" };
  if (!isUtf8(stretch)) return { fallback: "the changed part is not UTF-8" };
  let part: ByteIndex;
  try {
    part = scanStretch(stretch, stretchStart === 0);
  } catch (error) {
    if (error instanceof IniSyntaxError) return { fallback: "the changed part is refused" };
    throw error;
  }
  if (stretchStart > 0 && part.starts[0] !== 0) return { fallback: "the changed part does not start at its header" };
  // The sections kept after the stretch (shifted).
  const trailingStart = trailing === 0 ? old.starts.length : (blocks.firstSections[count - trailing - 1] ?? old.starts.length);
  if (repeatsReused(part.names, old.names, leadingEnd, trailingStart)) return { fallback: "a section of the changed part repeats one remembered" };
  const names = old.names.slice(0, leadingEnd).concat(part.names, old.names.slice(trailingStart));
  const starts = old.starts.slice(0, leadingEnd);
  for (const start of part.starts) starts.push(start + stretchStart);
  for (let section = trailingStart; section < old.starts.length; section += 1) starts.push((old.starts[section] ?? 0) + shift);
  const index: ByteIndex = {
    bodyStart: stretchStart === 0 ? part.bodyStart : old.bodyStart,
    names,
    starts,
    byName: namePositions(names),
    // The first line terminator is before the stretch when a line ends there (a header past the body's start).
    newline: stretchStart > old.bodyStart ? old.newline : part.newline,
  };
  // The new blocks: the leading ones kept, the last of them extended by what follows it up to a
  // header (its CRC-32 carried on over those bytes), the rest of the stretch cut again at its
  // headers, the trailing ones moved.
  const extended = stretchStart === 0 ? 0 : leading; // blocks kept, the last one extended
  const firstSections = blocks.firstSections.slice(0, Math.max(extended - 1, 0));
  const crcs = blocks.crcs.slice(0, Math.max(extended - 1, 0));
  /** The open block: where it starts in the file, its CRC-32 so far, where its bytes not yet in it start in the stretch. */
  const blockStart = extended === 0 ? 0 : (edges[extended - 1] ?? 0);
  let crcSoFar = extended === 0 ? 0 : (blocks.crcs[extended - 1] ?? 0);
  let from = extended === 0 ? 0 : (edges[extended] ?? 0) - stretchStart;
  // In the stretch's offsets: cut from its second section on, none before the open block's bytes not yet in it.
  const first = Math.max(1, firstAtOrAfter(part.starts, from));
  cutBlocks(
    part.starts,
    first,
    stretch.length,
    blockStart - stretchStart,
    blockBytes,
    (offset) => stretch[offset] === OPEN_BRACKET,
    (section, start) => {
      crcs.push(crc32(stretch.subarray(from, start), crcSoFar));
      firstSections.push(leadingEnd + section);
      crcSoFar = 0;
      from = start;
      return true;
    },
  );
  crcs.push(crc32(stretch.subarray(from), crcSoFar));
  const moved = leadingEnd + part.names.length - trailingStart;
  for (let block = count - trailing; block < count; block += 1) {
    firstSections.push((blocks.firstSections[block - 1] ?? 0) + moved);
    crcs.push(blocks.crcs[block] ?? 0);
  }
  return { index, blocks: { firstSections, crcs }, digest, scannedBytes: stretch.length };
}

/**
 * Whether a name of the stretch is also a name of a reused section (before `leadingEnd` or from
 * `trailingStart` on). The remembered names are each once (a strict scan's), so a stretch name
 * found among the sections the stretch replaced ([leadingEnd, trailingStart): the usual case, the
 * same sections scanned again) is nowhere else; only the others are looked for among the 50,000
 * reused ones, without a string hash of each.
 */
function repeatsReused(stretchNames: readonly string[], oldNames: readonly string[], leadingEnd: number, trailingStart: number): boolean {
  const replaced = new Set(oldNames.slice(leadingEnd, trailingStart));
  const others = stretchNames.filter((name) => !replaced.has(name));
  if (others.length === 0) return false;
  if (others.length > 8) {
    const set = new Set(others);
    for (let section = 0; section < leadingEnd; section += 1) if (set.has(oldNames[section] ?? "")) return true;
    for (let section = trailingStart; section < oldNames.length; section += 1) if (set.has(oldNames[section] ?? "")) return true;
    return false;
  }
  for (const name of others) {
    const at = oldNames.indexOf(name);
    // Found only in the replaced range: not reused (each name is there once).
    if (at !== -1 && (at < leadingEnd || at >= trailingStart)) return true;
  }
  return false;
}

function byteAt(fd: number, offset: number): number | undefined {
  if (offset < 0) return undefined;
  const one = Buffer.alloc(1);
  return readSync(fd, one, 0, 1, offset) === 1 ? one[0] : undefined;
}

/**
 * Which of a remembered index's headers read right where they would stand moved by `shift`, in a
 * file of `size` bytes pushed in order: at a line's start, `[name]` with the index's name (as
 * remembered-scan.ts's HeaderCheck, but marking each section instead of stopping at the first
 * miss: the blocks found again are known only once the file is read).
 */
class HeaderMarks {
  readonly #index: ByteIndex;
  readonly #shift: number;
  readonly #size: number;
  readonly #right: Uint8Array;
  #next = 0;
  #previousByte = -1;
  #tail: Buffer = Buffer.alloc(0);
  #pendingFrom = -1;

  /** `from`: the file offset of the first piece pushed (headers before it are not looked at). */
  constructor(index: ByteIndex, shift: number, size: number, from = 0) {
    this.#index = index;
    this.#shift = shift;
    this.#size = size;
    this.#right = new Uint8Array(index.starts.length);
    while (this.#next < index.starts.length && (index.starts[this.#next] ?? 0) + shift < from) this.#next += 1;
  }

  push(piece: Buffer, base: number): void {
    const { starts, names, bodyStart } = this.#index;
    // A header cut by the last piece's end: finished with this piece's bytes.
    if (this.#pendingFrom !== -1) {
      const joined = Buffer.concat([this.#tail, piece.subarray(0, 4096)]);
      this.#settle(joined, this.#pendingFrom - (base - this.#tail.length));
      this.#pendingFrom = -1;
    }
    const end = base + piece.length;
    for (let start = (starts[this.#next] ?? 0) + this.#shift; this.#next < starts.length && start < end; start = (starts[this.#next] ?? 0) + this.#shift) {
      const at = start - base;
      const before = at > 0 ? (piece[at - 1] ?? -1) : this.#previousByte;
      const atLineStart = start - this.#shift === bodyStart ? start === bodyStart : before === LINE_FEED || before === CARRIAGE_RETURN;
      const name = names[this.#next] ?? "";
      if (atLineStart && start < this.#size) {
        const fits = asciiHeaderAt(piece, at, name);
        if (fits !== undefined) this.#right[this.#next] = fits ? 1 : 0;
        else if (at + Buffer.byteLength(name, "utf8") + 2 <= piece.length) this.#right[this.#next] = headerAt(piece, at, name) ? 1 : 0;
        else {
          // Finished by the next piece.
          this.#tail = Buffer.from(piece.subarray(at));
          this.#pendingFrom = start;
          this.#next += 1;
          break;
        }
      }
      this.#next += 1;
    }
    this.#previousByte = piece[piece.length - 1] ?? -1;
  }

  #settle(bytes: Buffer, at: number): void {
    const position = this.#next - 1;
    this.#right[position] = headerAt(bytes, at, this.#index.names[position] ?? "") ? 1 : 0;
  }

  /** Whether the sections [from, to) all read right. */
  allFrom(from: number, to: number): boolean {
    for (let section = from; section < to; section += 1) if (this.#right[section] !== 1) return false;
    return true;
  }
}
