/**
 * The remembered scan's blocks (store/scan-blocks.ts, issue 16, seventh round): after another
 * program changed the credentials file, the first write scans only what changed. The acceptance
 * test is differential: on many seeds, a file written by rolecred's writer (its blocks kept as the
 * writer keeps them), then an outside edit of every kind that matters, and the reading from the
 * blocks must be the full strict scan's: the same index, or no reading at all where the full scan
 * refuses (the full scan then runs and says why, in its own words), and the next write's bytes the
 * same as a write with no record.
 */
import { closeSync, mkdtempSync, openSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { IniByteDocument, type ByteIndex } from "../../src/store/ini-bytes.js";
import { ContentDigest } from "../../src/store/remembered-scan.js";
import { blockEdges, blocksOfScan, crcOfRange, reuseBlocks, writtenBlocks, type BlockRecord, type ScanBlocks } from "../../src/store/scan-blocks.js";

const folder = mkdtempSync(join(tmpdir(), "rolecred-scan-blocks-"));
let fileCount = 0;
const opened: number[] = [];
afterAll(() => {
  for (const fd of opened) closeSync(fd);
});

/** The bytes as a file, open for reading. */
function openBytes(bytes: Buffer): number {
  const path = join(folder, `file-${fileCount++}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, "r");
  opened.push(fd);
  return fd;
}

function randomOf(seed: number): () => number {
  let state = (seed * 2654435761) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Small blocks, so that small files have many of them. */
const BLOCK = 2048;

function generated(random: () => number): Buffer {
  const newline = random() < 0.25 ? "\r\n" : "\n";
  const lines: string[] = [];
  const start = random();
  if (start < 0.15) lines.push("\ufeff# marked");
  // A first section of a block of its own, right after a BOM (no line end before it).
  else if (start < 0.3) lines.push(`${start < 0.22 ? "\ufeff" : ""}[first]`, `aws_session_token = ${"f".repeat(3000)}`);
  if (random() < 0.5) lines.push("# top comment", "");
  const sections = 20 + Math.floor(random() * 80);
  for (let index = 0; index < sections; index += 1) {
    const name = random() < 0.08 ? `prod-é-${index}` : `org-${index}`;
    lines.push(random() < 0.1 ? `[${name}] ; a comment` : `[${name}]`);
    lines.push(`aws_access_key_id = ASIA${String(index).padStart(16, "0")}`);
    lines.push(`aws_session_token = ${"t".repeat(100 + Math.floor(random() * 300))}`);
    if (random() < 0.3) lines.push("x_rolecred_managed = true");
    if (random() < 0.1) lines.push("; inside", "# another");
    if (random() < 0.1) lines.push("region = eu-west-1", "  continued = line");
    if (random() < 0.05) lines.push("note = café");
    if (random() < 0.7) lines.push("");
  }
  return Buffer.from(lines.join(newline) + (random() < 0.9 ? newline : ""), "utf8");
}

/** The file's lines, each with its terminator. */
function linesOf(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  for (let at = 0; at < bytes.length; at += 1) {
    const byte = bytes[at];
    if (byte === 0x0a || (byte === 0x0d && bytes[at + 1] !== 0x0a)) {
      lines.push(bytes.subarray(start, at + 1));
      start = at + 1;
    }
  }
  if (start < bytes.length) lines.push(bytes.subarray(start));
  return lines;
}

/** Where each line starts. */
function lineStarts(lines: readonly Buffer[]): number[] {
  const starts: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    offset += line.length;
  }
  return starts;
}

const sectionNamesOf = (bytes: Buffer): string[] => [...bytes.toString("utf8").matchAll(/^\[([^\]\r\n]+)\]/gm)].map((match) => match[1] ?? "");

/** An outside edit of `bytes` (a file with `edges` as its block edges): its label and the new bytes. */
function outsideEdit(bytes: Buffer, edges: readonly number[], random: () => number): [string, Buffer] {
  const lines = linesOf(bytes);
  const starts = lineStarts(lines);
  const newline = bytes.includes("\r\n") ? "\r\n" : "\n";
  const pickLine = (): number => Math.floor(random() * lines.length);
  /** A line at or just around a block edge. */
  const edgeLine = (): number => {
    const edge = edges[1 + Math.floor(random() * Math.max(edges.length - 2, 1))] ?? 0;
    const line = starts.findIndex((start) => start >= edge);
    return Math.max(0, Math.min(lines.length - 1, (line === -1 ? lines.length - 1 : line) + Math.floor(random() * 3) - 1));
  };
  const at = (): number => (random() < 0.4 ? edgeLine() : random() < 0.15 ? 0 : random() < 0.15 ? lines.length - 1 : pickLine());
  const names = sectionNamesOf(bytes);
  const someName = (): string => names[Math.floor(random() * names.length)] ?? "org-0";
  const line = (text: string): Buffer => Buffer.from(`${text}${newline}`, "utf8");
  const insert = (position: number, ...added: Buffer[]): Buffer => Buffer.concat([...lines.slice(0, position), ...added, ...lines.slice(position)]);
  const kinds: Array<() => [string, Buffer]> = [
    () => ["insert a key", insert(at(), line(`extra_${Math.floor(random() * 5)} = v`))],
    () => ["insert a section", insert(at(), line(`[outside-${Math.floor(random() * 1000)}]`), line("aws_access_key_id = AKIAOUTSIDE"))],
    () => ["insert a comment and a blank", insert(at(), line("# outside"), line(""))],
    () => ["insert an indented line", insert(at(), line("  indented = yes"))],
    () => {
      const position = at();
      return ["delete lines", Buffer.concat([...lines.slice(0, position), ...lines.slice(position + 1 + Math.floor(random() * 4))])];
    },
    () => {
      const position = at();
      return [
        "replace a line",
        Buffer.concat([...lines.slice(0, position), line(`aws_secret_access_key = r${Math.floor(random() * 100)}`), ...lines.slice(position + 1)]),
      ];
    },
    () => ["a duplicate section name", insert(at(), line(`[${someName()}]`))],
    () => ["an invalid line", insert(at(), line("this is not ini"))],
    () => ["a duplicate key", insert(at(), line("aws_access_key_id = AKIADUP"))],
    () => {
      // A header glued to the line before it.
      const headers = lines.map((text, index) => (text[0] === 0x5b && index > 0 ? index : -1)).filter((index) => index > 0);
      // Often the header that starts a block.
      const atEdge = headers.filter((index) => edges.includes(starts[index] ?? -1));
      const header = (random() < 0.5 && atEdge.length > 0 ? atEdge[Math.floor(random() * atEdge.length)] : headers[Math.floor(random() * headers.length)]) ?? 1;
      const before = lines[header - 1] ?? Buffer.alloc(0);
      const trimmed = before.subarray(0, before.length - (before.at(-2) === 0x0d ? 2 : before.at(-1) === 0x0a || before.at(-1) === 0x0d ? 1 : 0));
      return ["a removed newline", Buffer.concat([...lines.slice(0, header - 1), trimmed, ...lines.slice(header)])];
    },
    () => {
      const position = at();
      const text = (lines[position] ?? Buffer.alloc(0)).toString("latin1").replace(/\r?\n$/, "\r\n");
      return ["a CRLF line", Buffer.concat([...lines.slice(0, position), Buffer.from(text, "latin1"), ...lines.slice(position + 1)])];
    },
    () => ["a lone CR", insert(at(), Buffer.from("# cr\r", "latin1"))],
    () => {
      // The first line's end changed: the file's newline, which added lines end with.
      const first = (lines[0] ?? Buffer.alloc(0)).toString("latin1");
      const changed = first.endsWith("\r\n") ? `${first.slice(0, -2)}\n` : `${first.replace(/\r?\n$/, "")}\r\n`;
      return ["the first line's end", Buffer.concat([Buffer.from(changed, "latin1"), ...lines.slice(1)])];
    },
    () => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      return bytes.subarray(0, 3).equals(bom) ? ["a BOM removed", bytes.subarray(3)] : ["a BOM added", Buffer.concat([bom, bytes])];
    },
    () => ["not UTF-8", insert(at(), Buffer.from(`# caf\xe9${newline}`, "latin1"))],
    () => {
      // Whole blocks removed (the file shrinks).
      const from = edges[1 + Math.floor(random() * Math.max(edges.length - 3, 1))] ?? 0;
      const to = edges[edges.indexOf(from) + 1 + Math.floor(random() * 2)] ?? bytes.length;
      return ["whole blocks removed", Buffer.concat([bytes.subarray(0, from), bytes.subarray(to)])];
    },
    () => {
      // Whole blocks added: a copy of some, renamed (or not: duplicates).
      const from = edges[1 + Math.floor(random() * Math.max(edges.length - 3, 1))] ?? 0;
      const to = edges[edges.indexOf(from) + 1] ?? bytes.length;
      const rename = random() < 0.7;
      const copy = Buffer.from(
        rename ? bytes.toString("utf8", from, to).replace(/^\[([^\]\r\n]+)\]/gm, "[copy-$1]") : bytes.toString("utf8", from, to),
        "utf8",
      );
      return [rename ? "whole blocks added" : "whole blocks repeated", Buffer.concat([bytes.subarray(0, to), copy, bytes.subarray(to)])];
    },
    () => {
      // The same size: one value's letter changed.
      const position = bytes.indexOf("= t", Math.floor(random() * bytes.length));
      const changed = Buffer.from(bytes);
      if (position !== -1) changed[position + 2] = 0x75;
      return ["a same-size edit", changed];
    },
    () => ["appended", Buffer.concat([bytes, line("[appended-1]"), line("k = v")])],
    () => ["truncated", bytes.subarray(0, Math.floor(bytes.length * (0.5 + random() / 2)))],
    () => ["unchanged", Buffer.from(bytes)],
    () => ["a key before any section", Buffer.concat([line("stray = 1"), bytes])],
  ];
  const kind = kinds[Math.floor(random() * kinds.length)];
  if (kind === undefined) throw new Error("no edit");
  const [label, edited] = kind();
  // Sometimes two edits, far apart.
  if (random() < 0.15) {
    const [second, twice] = outsideEditOnce(edited, random);
    return [`${label} + ${second}`, twice];
  }
  return [label, edited];
}

function outsideEditOnce(bytes: Buffer, random: () => number): [string, Buffer] {
  const lines = linesOf(bytes);
  const position = Math.floor(random() * lines.length);
  return ["a comment", Buffer.concat([...lines.slice(0, position), Buffer.from("# second edit\n"), ...lines.slice(position)])];
}

/** The blocks of a file scanned whole, as the writer computes them. */
function blocksOfBytes(bytes: Buffer, index: ByteIndex): ScanBlocks {
  const fd = openBytes(bytes);
  const digest = new ContentDigest(crc32, false);
  for (let at = 0; at < bytes.length; at += 700) digest.push(bytes.subarray(at, at + 700));
  const blocks = blocksOfScan(
    index,
    bytes.length,
    digest.checkpoints,
    (offset) => digest.prefixCrc(fd, offset),
    (offset) => bytes[offset] === 0x5b,
    BLOCK,
  );
  if (blocks === undefined) throw new Error("no blocks");
  return blocks;
}

/** Each block's CRC is its bytes', and each (but the first) starts at a section's `[`. */
function expectBlocksRight(blocks: ScanBlocks, index: ByteIndex, bytes: Buffer, label: string): void {
  const edges = blockEdges(blocks, index, bytes.length);
  expect(blocks.crcs.length, label).toBe(edges.length - 1);
  for (let block = 0; block + 1 < edges.length; block += 1) {
    const start = edges[block] ?? 0;
    const end = edges[block + 1] ?? 0;
    expect(end > start || bytes.length === 0, `${label}: block ${block} not empty`).toBe(true);
    expect(blocks.crcs[block], `${label}: block ${block}'s CRC`).toBe(crc32(bytes.subarray(start, end)));
    if (block > 0) expect(bytes[start], `${label}: block ${block} starts at a header`).toBe(0x5b);
  }
}

const plain = (index: ByteIndex) => ({ bodyStart: index.bodyStart, names: index.names, starts: index.starts, newline: index.newline });

/** A write of `profile` (new or not) into `document`: the new file's bytes. */
function written(document: IniByteDocument, profile: string): Buffer {
  document.upsertSection(profile, [
    ["aws_access_key_id", "ASIAWRITTEN"],
    ["aws_session_token", "token"],
  ]);
  return Buffer.concat(document.chunks());
}

describe("the remembered scan's blocks (issue 16, seventh round)", () => {
  it("finds a range's CRC-32 from the running CRCs around it", () => {
    const random = randomOf(7);
    for (let round = 0; round < 200; round += 1) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 5000) }, () => Math.floor(random() * 256)));
      const cut = Math.floor(random() * (bytes.length + 1));
      const before = crc32(bytes.subarray(0, cut));
      expect(crcOfRange(before, crc32(bytes), bytes.length - cut)).toBe(crc32(bytes.subarray(cut)));
    }
  });

  it("reads a file changed by another program as the full strict scan does, or not at all (differential, many seeds)", async () => {
    const tally = new Map<string, { reused: number; fallback: number; refused: number }>();
    let reusedBytesScanned = 0;
    let reusedFileBytes = 0;
    for (let seed = 1; seed <= 500; seed += 1) {
      const random = randomOf(seed);
      const original = generated(random);
      const originalIndex = IniByteDocument.parse(original).index;
      if (originalIndex === undefined) throw new Error("no index");
      // rolecred's write: its blocks as the writer keeps them (blocks of the file it read, moved around the edit).
      const document = IniByteDocument.parse(original);
      const profile = random() < 0.5 ? `written-${seed}` : (originalIndex.names[Math.floor(random() * originalIndex.names.length)] ?? "org-0");
      document.upsertSection(profile, [["aws_access_key_id", "ASIAFIRST"]]);
      const pieces = document.pieces();
      const ours = Buffer.concat(document.chunks(pieces));
      const ourIndex = document.writtenIndex(pieces, true);
      if (ourIndex === undefined) throw new Error("no written index");
      const ourBlocks = writtenBlocks(
        { blocks: blocksOfBytes(original, originalIndex), index: originalIndex, length: original.length },
        pieces,
        ourIndex,
        (range) => original.subarray(range.start, range.end),
        crc32,
        BLOCK,
      );
      if (ourBlocks === undefined) throw new Error(`seed ${seed}: no written blocks`);
      expectBlocksRight(ourBlocks, ourIndex, ours, `seed ${seed} written`);
      expect(plain(ourIndex)).toEqual(plain(IniByteDocument.parse(ours).index as ByteIndex));
      const record: BlockRecord = { index: ourIndex, blocks: ourBlocks, length: ours.length };
      if (seed % 10 === 0) {
        // A damaged record (CRCs right, the index not): never read from.
        const names = [...ourIndex.names];
        const starts = [...ourIndex.starts];
        const victim = 1 + Math.floor(random() * (names.length - 2));
        if (random() < 0.5) [names[victim], names[victim + 1]] = [names[victim + 1] ?? "", names[victim] ?? ""];
        else starts[victim] = (starts[victim] ?? 0) + 1;
        const damaged: BlockRecord = { ...record, index: { ...ourIndex, names, starts } };
        const [kind, changed] = outsideEdit(ours, blockEdges(ourBlocks, ourIndex, ours.length), random);
        const result = await reuseBlocks(openBytes(changed), changed.length, damaged, crc32, undefined, BLOCK);
        const full = (() => {
          try {
            return plain(IniByteDocument.parse(changed).index as ByteIndex);
          } catch {
            return undefined;
          }
        })();
        if (!("fallback" in result)) expect(plain(result.index), `seed ${seed} damaged (${kind})`).toEqual(full);
        continue;
      }

      const [kind, changed] = outsideEdit(ours, blockEdges(ourBlocks, ourIndex, ours.length), random);
      const label = `seed ${seed} (${kind})`;
      const count = tally.get(kind) ?? { reused: 0, fallback: 0, refused: 0 };
      tally.set(kind, count);
      let full: { value?: IniByteDocument; error?: Error };
      try {
        full = { value: IniByteDocument.parse(changed) };
      } catch (error) {
        full = { error: error as Error };
      }
      const result = await reuseBlocks(openBytes(changed), changed.length, record, crc32, undefined, BLOCK);
      if (full.error !== undefined) {
        // Refused by the full scan: never read from the blocks (the full scan runs and refuses, with its line).
        count.refused += 1;
        expect("fallback" in result, `${label}: ${full.error.message}`).toBe(true);
        continue;
      }
      if ("fallback" in result) {
        count.fallback += 1;
        continue;
      }
      count.reused += 1;
      reusedBytesScanned += result.scannedBytes;
      reusedFileBytes += changed.length;
      const fullIndex = full.value?.index as ByteIndex;
      expect(plain(result.index), label).toEqual(plain(fullIndex));
      expect(result.digest.crc, label).toBe(crc32(changed));
      expect(result.digest.length, label).toBe(changed.length);
      expectBlocksRight(result.blocks, result.index, changed, label);
      // The next write: the same bytes as one from the full scan.
      const next = random() < 0.5 ? `next-${seed}` : (fullIndex.names[Math.floor(random() * fullIndex.names.length)] ?? "org-0");
      expect(written(IniByteDocument.fromIndexOfBytes(changed, result.index), next).equals(written(IniByteDocument.parse(changed), next)), label).toBe(true);
    }
    const totals = [...tally.values()].reduce(
      (sum, each) => ({ reused: sum.reused + each.reused, fallback: sum.fallback + each.fallback, refused: sum.refused + each.refused }),
      {
        reused: 0,
        fallback: 0,
        refused: 0,
      },
    );
    if (process.env.SHOW_TALLY) console.log(JSON.stringify(Object.fromEntries(tally)), reusedBytesScanned, reusedFileBytes);
    // The blocks are used for most edits the full scan accepts, and scan a small part of the file.
    expect(totals.reused, JSON.stringify(Object.fromEntries(tally))).toBeGreaterThan((totals.reused + totals.fallback) * 0.6);
    expect(totals.refused).toBeGreaterThan(50);
    expect(reusedBytesScanned).toBeLessThan(reusedFileBytes * 0.5);
  });
});
