/**
 * src/profiles/listing-blocks.ts's `.blocks` record: written and read back to the same blocks and
 * segments (empty segments, names outside ASCII), its body the part body remembered-listing.ts
 * writes; anything that does not add up is no record.
 */
import { describe, expect, it } from "vitest";
import { blocksRecord, bodyOf, parseBlocksRecord, type ReadBlocks } from "../../src/profiles/listing-blocks.js";

const HEADER = JSON.stringify(["rolecred profiles blocks", 1, "bytes", "names", "/home/jo/.aws/credentials", []]);
const bytes = (...segments: string[]) => segments.map((segment) => Buffer.from(segment));

describe("the .blocks record", () => {
  it("reads back what was written: empty segments, names outside ASCII, no blocks at all", () => {
    const cases: ReadBlocks[] = [
      {
        blocks: [
          { length: 70_000, crc: 1 },
          { length: 0, crc: 0 },
          { length: 66_000, crc: 4_294_967_295 },
        ],
        segments: bytes('["a"],\n["caf\u00e9 \u{1F600}"]', "", '["z"]'),
      },
      { blocks: [{ length: 0, crc: 0 }], segments: bytes("") },
      { blocks: [], segments: [] },
      {
        blocks: [
          { length: 5, crc: 9 },
          { length: 6, crc: 8 },
        ],
        segments: bytes("", '["only"]'),
      },
    ];
    for (const read of cases) {
      const record = blocksRecord(HEADER, read);
      expect(parseBlocksRecord(record, HEADER)).toEqual(read);
      // The body after the two lines is the part body of the same entries.
      expect(record.subarray(record.indexOf("\n", record.indexOf("\n") + 1) + 1)).toEqual(bodyOf(read.segments));
      expect(JSON.parse(bodyOf(read.segments).toString())).toEqual(
        read.segments.filter((segment) => segment.length > 0).flatMap((segment) => JSON.parse(`[${segment.toString()}]`) as unknown[]),
      );
      // After a head of any bytes.
      expect(bodyOf(read.segments, Buffer.from("head\n")).toString()).toBe(`head\n${bodyOf(read.segments).toString()}`);
    }
  });

  it("is no record with another header, lengths that do not add up, or damage", () => {
    const text = blocksRecord(HEADER, {
      blocks: [
        { length: 70_000, crc: 1 },
        { length: 66_000, crc: 2 },
      ],
      segments: bytes('["a"]', '["b"],\n["c"]'),
    }).toString();
    const parse = (record: string, header: string) => parseBlocksRecord(Buffer.from(record), header);
    expect(parse(text, HEADER)).toBeDefined();
    expect(parse(text, HEADER.replace("names", "shown"))).toBeUndefined();
    expect(parse(text.replace("[70000,1,5,", "[70000,1,6,"), HEADER)).toBeUndefined();
    expect(parse(text.replace('["c"]', '["cc"]'), HEADER)).toBeUndefined();
    expect(parse(text.replace("[70000,1,5,", "[70000,-1,5,"), HEADER)).toBeUndefined();
    expect(parse(text.slice(0, -1), HEADER)).toBeUndefined();
    expect(parse(`${text}x`, HEADER)).toBeUndefined();
  });
});
