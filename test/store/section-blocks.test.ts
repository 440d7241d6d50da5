/**
 * src/store/section-blocks.ts: a file cut into blocks of whole sections, and the remembered
 * blocks found again after another program's edit. What a reader builds on it is checked here in
 * general: the sections read from the remembered blocks found plus the stretches scanned are the
 * sections the whole tolerant parse reads from the file now.
 */
import { closeSync, openSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { readIniSections } from "../../src/store/ini-document.js";
import {
  BLOCK_BYTES,
  isResetHeader,
  planReuse,
  RangeReader,
  SectionBlockReader,
  sectionBlocks,
  type PlannedStretch,
  type RememberedBlock,
} from "../../src/store/section-blocks.js";
import { manySessions } from "../support/large-credentials.js";

let folder = "";
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "rolecred-blocks-"));
});

function insertAt(bytes: Buffer, at: number, text: string): Buffer {
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(text, "latin1"), bytes.subarray(at)]);
}

function replaceText(bytes: Buffer, from: string, to: string): Buffer {
  const text = bytes.toString("latin1");
  expect(text, `the file holds ${JSON.stringify(from)}`).toContain(from);
  return Buffer.from(text.replace(from, to), "latin1");
}

let fileCount = 0;
/** The plan for `now`, given the blocks remembered of `before`. */
function planFor(before: Buffer, now: Buffer): PlannedStretch[] {
  const path = join(folder, `file-${fileCount++}`);
  writeFileSync(path, now);
  const descriptor = openSync(path, "r");
  try {
    const remembered: RememberedBlock[] = sectionBlocks(before).map(({ start, end, crc }) => ({ length: end - start, crc }));
    return planReuse(new RangeReader(descriptor, now.length), remembered);
  } finally {
    closeSync(descriptor);
  }
}

type Sections = Map<string, Map<string, string>>;

/** Sections read from several texts in order, merged as the parse merges a repeated section. */
function mergeSections(parts: readonly Sections[]): Sections {
  const merged: Sections = new Map();
  for (const part of parts)
    for (const [name, settings] of part) {
      const into = merged.get(name) ?? new Map<string, string>();
      for (const [key, value] of settings) into.set(key, value);
      merged.set(name, into);
    }
  return merged;
}

/**
 * Checks what every reader relies on: the plan covers the file in order; each block found holds
 * the bytes it held before (its sections read from the old bytes); each stretch scanned starts at
 * the file's start or a resetting header (after empty lines, if any; or empty lines to the end). Then the sections from the old blocks plus the scanned
 * stretches are the whole parse's. Answers how many bytes are scanned.
 */
function checkPlan(before: Buffer, now: Buffer, step: string): number {
  const plan = planFor(before, now);
  const oldBlocks = sectionBlocks(before);
  const parts: Sections[] = [];
  let position = 0;
  let scanned = 0;
  for (const stretch of plan) {
    if ("block" in stretch) {
      const old = oldBlocks[stretch.block];
      expect(old, `${step}: block ${stretch.block} was remembered`).toBeDefined();
      if (old === undefined) continue;
      expect(stretch.start, `${step}: in order`).toBe(position);
      expect(
        now.subarray(stretch.start, stretch.start + old.end - old.start).equals(before.subarray(old.start, old.end)),
        `${step}: block ${stretch.block} unchanged`,
      ).toBe(true);
      parts.push(readIniSections(before.toString("utf8", old.start, old.end)));
      position += old.end - old.start;
    } else {
      expect(stretch.scanFrom, `${step}: in order`).toBe(position);
      expect(stretch.scanTo, `${step}: not empty`).toBeGreaterThan(stretch.scanFrom);
      if (stretch.scanFrom > 0) {
        expect(now[stretch.scanFrom - 1] === 0x0a || now[stretch.scanFrom - 1] === 0x0d, `${step}: a scan starts at a line's start`).toBe(true);
        // Past empty lines (which give no reader anything): a resetting header, or the file's end.
        let header = stretch.scanFrom;
        while (now[header] === 0x0a || now[header] === 0x0d) header++;
        expect(header === now.length || isResetHeader(now, header), `${step}: a scan starts at a resetting header`).toBe(true);
      }
      parts.push(readIniSections(now.toString("utf8", stretch.scanFrom, stretch.scanTo)));
      scanned += stretch.scanTo - stretch.scanFrom;
      position = stretch.scanTo;
    }
  }
  expect(position, `${step}: the plan covers the file`).toBe(now.length);
  expect(mergeSections(parts), `${step}: the sections are the whole parse's`).toEqual(readIniSections(now.toString("utf8")));
  return scanned;
}

describe(isResetHeader.name, () => {
  it("is a plain [name] line ended by a line break (or the end, when that ends a line)", () => {
    const yes = ["[a]\n", "[profile dev]\r\n", "[a]\r", "[~!x]\n", "[a b]\n"];
    for (const line of yes) expect(isResetHeader(Buffer.from(line), 0), line).toBe(true);
    expect(isResetHeader(Buffer.from("[a]"), 0)).toBe(true);
    expect(isResetHeader(Buffer.from("[a]"), 0, false), "a piece's end that may not be the line's").toBe(false);
    const no = ["  [a]\n", "[ a]\n", "[a ]\n", "[]\n", "[__proto__]\n", "[a] # note\n", "[a]x\n", "[caf\u00e9]\n", "[a\tb]\n", "[a", "x = [a]\n", "[a]]\n"];
    for (const line of no) expect(isResetHeader(Buffer.from(line), 0), line).toBe(false);
    expect(isResetHeader(Buffer.from("x = 1\n[b]\n"), 6)).toBe(true);
  });
});

describe(sectionBlocks.name, () => {
  it("cuts a file into blocks of whole sections of at least BLOCK_BYTES each, at resetting headers, each with its CRC-32", () => {
    const bytes = Buffer.from(manySessions(1000));
    const blocks = sectionBlocks(bytes);
    expect(blocks.length).toBeGreaterThan(4);
    let position = 0;
    for (const [index, block] of blocks.entries()) {
      expect(block.start).toBe(position);
      expect(block.crc).toBe(crc32(bytes.subarray(block.start, block.end)));
      if (index > 0) expect(isResetHeader(bytes, block.start)).toBe(true);
      if (index < blocks.length - 1) expect(block.end - block.start).toBeGreaterThanOrEqual(BLOCK_BYTES);
      position = block.end;
    }
    expect(position).toBe(bytes.length);
  });

  it("gives an empty file one empty block, and a file without a resetting header one block", () => {
    expect(sectionBlocks(Buffer.alloc(0))).toEqual([{ start: 0, end: 0, crc: 0 }]);
    const indented = Buffer.from(manySessions(300).replace(/^\[/gm, " ["));
    expect(sectionBlocks(indented)).toHaveLength(1);
  });

  it("cuts the same blocks whatever pieces of whole lines the bytes come in", () => {
    const bytes = Buffer.from(manySessions(800).replace(/\n/g, "\r\n"));
    const whole = sectionBlocks(bytes);
    const path = join(folder, "pieces");
    writeFileSync(path, bytes);
    const descriptor = openSync(path, "r");
    try {
      const cut: Array<{ start: number; end: number; crc: number }> = [];
      let start = 0;
      const reader = new SectionBlockReader((block, crc) => {
        cut.push({ start, end: start + block.length, crc });
        start += block.length;
      }, true);
      new RangeReader(descriptor, bytes.length).pieces(0, bytes.length, (piece) => reader.piece(piece));
      reader.end();
      expect(cut).toEqual(whole);
      // Pieces of a few lines each, and the start of the file handed over from a later line on.
      const small: number[] = [];
      const later = new SectionBlockReader((block) => small.push(block.length), false);
      const from = whole[1]?.start ?? 0;
      for (let at = from; at < bytes.length;) {
        const next = bytes.indexOf(0x0a, Math.min(bytes.length - 1, at + 1000));
        const end = next === -1 ? bytes.length : next + 1;
        later.piece(bytes.subarray(at, end));
        at = end;
      }
      later.end();
      expect(small).toEqual(whole.slice(1).map((block) => block.end - block.start));
    } finally {
      closeSync(descriptor);
    }
  });

  it("reads the same sections block by block as from the whole file: a block starts with nothing carried over", () => {
    let text = manySessions(600);
    // Lines whose meaning depends on the lines above them, near where blocks are cut.
    for (const at of [170, 171, 340, 341, 510])
      text = text.replace(`[org-${at}]\n`, `[k${at}]\nkey =\n  [indented-${at}]\n  region = cont\n# [org-${at}]\n [org-${at}]\nregion = i\n[org-${at}]\n`);
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text), Buffer.from("[caf\xe9]\nregion = r\xe9gion\n", "latin1")]);
    const blocks = sectionBlocks(bytes);
    expect(blocks.length).toBeGreaterThan(2);
    const parts = blocks.map((block) => readIniSections(bytes.toString("utf8", block.start, block.end)));
    expect(mergeSections(parts)).toEqual(readIniSections(bytes.toString("utf8")));
  });
});

describe(planReuse.name, () => {
  const original = Buffer.from(manySessions(1000));
  const blocks = sectionBlocks(original);
  const blockStart = (index: number) => blocks[index]?.start ?? 0;

  it("finds every block of an unchanged file where it stands, and scans nothing", () => {
    const plan = planFor(original, original);
    expect(plan.every((stretch) => "block" in stretch)).toBe(true);
    expect(plan).toHaveLength(blocks.length);
    expect(checkPlan(original, original, "unchanged")).toBe(0);
  });

  it("scans only the block an edit is in: a value changed, a section inserted, a section removed, text appended", () => {
    const oneBlock = BLOCK_BYTES * 2;
    expect(checkPlan(original, replaceText(original, "region = r450\n", "region = changed\n"), "a value changed")).toBeLessThan(oneBlock);
    expect(checkPlan(original, insertAt(original, original.indexOf("[org-500]"), "[inserted]\nregion = mid\n\n"), "inserted")).toBeLessThan(oneBlock);
    const removedFrom = original.indexOf("[org-650]");
    const removed = Buffer.concat([original.subarray(0, removedFrom), original.subarray(original.indexOf("[org-651]"))]);
    expect(checkPlan(original, removed, "removed")).toBeLessThan(oneBlock);
    expect(checkPlan(original, Buffer.concat([original, Buffer.from("\n")]), "a blank line appended")).toBeLessThan(oneBlock);
    expect(checkPlan(original, Buffer.concat([Buffer.from("[first]\nregion = start\n\n"), original]), "inserted at the start")).toBeLessThan(oneBlock);
  });

  it("scans the block before an edit at a block's start when the edit leaves no resetting header there", () => {
    // A key appended to the last section of block 2: block 3 is found shifted, block 2 rescanned.
    checkPlan(original, insertAt(original, blockStart(3), "region = appended\n"), "appended to a block's last section");
    // Block 3's header indented: it no longer resets, so the scan starts at block 2.
    checkPlan(original, insertAt(original, blockStart(3), "  "), "a block's header indented");
    // The line break before block 3's header removed: the header is glued to the line before.
    const glued = Buffer.concat([original.subarray(0, blockStart(3) - 1), original.subarray(blockStart(3))]);
    checkPlan(original, glued, "a header glued to the line before");
    checkPlan(original, insertAt(original, blockStart(3), "[at-boundary]\nrole_arn = arn:aws:iam::1:role/B\n"), "a section at a block's start");
  });

  it("reads every kind of outside edit as the whole parse does: CRLF, a byte-order mark, Latin-1, duplicates across blocks, shrinking", () => {
    const edits: ReadonlyArray<readonly [string, (bytes: Buffer) => Buffer]> = [
      ["two distant edits", (bytes) => replaceText(replaceText(bytes, "region = r10\n", "region = ten\n"), "region = r900\n", "region = nine\n")],
      ["CRLF", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\n/g, "\r\n"), "latin1")],
      ["a value changed in a CRLF file", (bytes) => replaceText(bytes, "region = r100\r\n", "region = crlf\r\n")],
      ["lone CR", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\r\n/g, "\r"), "latin1")],
      ["back to LF", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\r/g, "\n"), "latin1")],
      ["a byte-order mark", (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])],
      ["a value after the byte-order mark", (bytes) => replaceText(bytes, "region = r5\n", "region = bom\n")],
      ["the byte-order mark removed", (bytes) => bytes.subarray(3)],
      ["Latin-1 bytes", (bytes) => Buffer.concat([bytes, Buffer.from("[caf\xe9]\nregion = r\xe9gion\n[plain]\nregion = \xff\n", "latin1")])],
      ["a late duplicate of an early section", (bytes) => Buffer.concat([bytes, Buffer.from("[org-1]\nregion = late\n")])],
      ["an early duplicate of a late section", (bytes) => insertAt(bytes, bytes.indexOf("[org-2]"), "[org-990]\nsource_profile = early\n\n")],
      ["the second half removed", (bytes) => bytes.subarray(0, bytes.indexOf("[org-500]"))],
      ["no line break at the end", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\n+$/, ""), "latin1")],
      ["a header appended to the last line", (bytes) => Buffer.concat([bytes, Buffer.from("[tail]\nregion = t\n")])],
      ["emptied", () => Buffer.alloc(0)],
      ["refilled", () => Buffer.from(manySessions(700, 50))],
    ];
    let before: Buffer = original;
    for (const [label, edit] of edits) {
      const now = edit(before);
      checkPlan(before, now, label);
      before = now;
    }
  });

  it("holds for random edits anywhere, of any bytes", () => {
    let seed = 16;
    const random = (below: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % below;
    };
    const pieces = ["\n", "\r\n", "[x]\n", "[org-3]\n", " [y]\n", "k = v\n", "key =\n  cont\n", "# c\n", "\xe9", "[", "]", "\uFEFF"];
    let before: Buffer = Buffer.from(manySessions(400));
    for (let step = 0; step < 60; step++) {
      const at = random(before.length + 1);
      const kind = random(3);
      let now: Buffer;
      if (kind === 0) now = insertAt(before, at, pieces[random(pieces.length)] ?? "");
      else if (kind === 1) now = Buffer.concat([before.subarray(0, at), before.subarray(Math.min(before.length, at + 1 + random(600)))]);
      else now = insertAt(before, at, manySessions(1 + random(3), 5000 + step));
      checkPlan(before, now, `step ${step}`);
      before = now;
    }
  });
});
