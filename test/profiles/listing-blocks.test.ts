/**
 * src/profiles/listing-blocks.ts's `.blocks` record: written and read back to the same blocks and
 * segments (empty segments, names outside ASCII), its body the part body remembered-listing.ts
 * writes; anything that does not add up is no record.
 */
import { describe, expect, it } from "vitest";
import { blocksRecordText, bodyOf, parseBlocksRecord, type ReadBlocks } from "../../src/profiles/listing-blocks.js";

const HEADER = JSON.stringify(["rolecred profiles blocks", 1, "names", "/home/jo/.aws/credentials", []]);

describe("the .blocks record", () => {
  it("reads back what was written: empty segments, names outside ASCII, no blocks at all", () => {
    const cases: ReadBlocks[] = [
      {
        blocks: [
          { length: 70_000, crc: 1 },
          { length: 0, crc: 0 },
          { length: 66_000, crc: 4_294_967_295 },
        ],
        segments: ['["a"],\n["caf\u00e9 \u{1F600}"]', "", '["z"]'],
      },
      { blocks: [{ length: 0, crc: 0 }], segments: [""] },
      { blocks: [], segments: [] },
      {
        blocks: [
          { length: 5, crc: 9 },
          { length: 6, crc: 8 },
        ],
        segments: ["", '["only"]'],
      },
    ];
    for (const read of cases) {
      const text = blocksRecordText(HEADER, read);
      expect(parseBlocksRecord(text, HEADER)).toEqual(read);
      // The body after the two lines is the part body of the same entries.
      expect(text.slice(text.indexOf("\n", text.indexOf("\n") + 1) + 1)).toBe(bodyOf(read.segments));
      expect(JSON.parse(bodyOf(read.segments))).toEqual(
        read.segments.filter((segment) => segment !== "").flatMap((segment) => JSON.parse(`[${segment}]`) as unknown[]),
      );
    }
  });

  it("is no record with another header, lengths that do not add up, or damage", () => {
    const text = blocksRecordText(HEADER, {
      blocks: [
        { length: 70_000, crc: 1 },
        { length: 66_000, crc: 2 },
      ],
      segments: ['["a"]', '["b"],\n["c"]'],
    });
    expect(parseBlocksRecord(text, HEADER)).toBeDefined();
    expect(parseBlocksRecord(text, HEADER.replace("names", "shown"))).toBeUndefined();
    expect(parseBlocksRecord(text.replace("[70000,1,5,", "[70000,1,6,"), HEADER)).toBeUndefined();
    expect(parseBlocksRecord(text.replace('["c"]', '["cc"]'), HEADER)).toBeUndefined();
    expect(parseBlocksRecord(text.replace("[70000,1,5,", "[70000,-1,5,"), HEADER)).toBeUndefined();
    expect(parseBlocksRecord(text.slice(0, -1), HEADER)).toBeUndefined();
    expect(parseBlocksRecord(`${text}x`, HEADER)).toBeUndefined();
  });
});
