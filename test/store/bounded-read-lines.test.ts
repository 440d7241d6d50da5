import { execFileSync } from "node:child_process";
import { symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoundedReadError, readRegularLinesSync } from "../../src/store/bounded-read.js";
import { makeTempHome } from "../support/run-cli.js";

/** The pieces a file is handed over in, as text. */
function piecesOf(path: string, maxBytes = 64 * 1024 * 1024): string[] {
  const pieces: string[] = [];
  readRegularLinesSync(path, { what: "the test file", maxBytes }, (piece) => pieces.push(piece.toString("latin1")));
  return pieces;
}

function reasonOf(path: string, maxBytes?: number): string {
  try {
    piecesOf(path, maxBytes);
    return "read";
  } catch (error) {
    if (error instanceof BoundedReadError) return `${error.reason}: ${error.message}`;
    throw error;
  }
}

describe(readRegularLinesSync.name, () => {
  it("hands over the whole file in pieces that each end after a line break, the last at the end", async () => {
    const dir = await makeTempHome();
    const path = join(dir, "credentials");
    // 300,000 lines of mixed ends and a last line without one: several pieces of the reused buffer.
    const text = `${Array.from({ length: 300_000 }, (_, index) => `k${index} = ${"v".repeat(index % 40)}`).join("\n")}\r\nx = 1\rlast`;
    writeFileSync(path, text);
    const pieces = piecesOf(path);
    expect(pieces.length).toBeGreaterThan(2);
    expect(pieces.join("")).toBe(text);
    for (const piece of pieces.slice(0, -1)) expect(piece).toMatch(/[\r\n]$/);
    expect(pieces.at(-1)).toMatch(/last$/);
  });

  it("grows its buffer for a line longer than it", async () => {
    const dir = await makeTempHome();
    const path = join(dir, "long");
    const text = `[a]\nlong = ${"t".repeat(1_000_000)}\n[b]\n`;
    writeFileSync(path, text);
    expect(piecesOf(path).join("")).toBe(text);
  });

  it("hands over nothing for an empty file", async () => {
    const dir = await makeTempHome();
    writeFileSync(join(dir, "empty"), "");
    expect(piecesOf(join(dir, "empty"))).toEqual([]);
  });

  it("refuses what readRegularFileSync refuses, without hanging", async () => {
    const dir = await makeTempHome();
    writeFileSync(join(dir, "large"), "x\n".repeat(20));
    symlinkSync("/dev/null", join(dir, "to-null"));
    execFileSync("mkfifo", [join(dir, "fifo")]);
    expect(reasonOf(join(dir, "large"), 16)).toContain("too-large: the test file");
    expect(reasonOf("/dev/zero")).toContain("not-regular: the test file /dev/zero is a character device");
    expect(reasonOf(join(dir, "to-null"))).toContain("not-regular");
    expect(reasonOf(join(dir, "fifo"))).toContain("not-regular");
    expect(reasonOf(dir)).toContain("not-regular");
    expect(reasonOf(join(dir, "absent"))).toContain("missing");
  });

  it("lets what the reader of a piece throws through as it is", async () => {
    const dir = await makeTempHome();
    writeFileSync(join(dir, "small"), "a\n");
    expect(() =>
      readRegularLinesSync(join(dir, "small"), { what: "the test file", maxBytes: 100 }, () => {
        throw new RangeError("the reader's own");
      }),
    ).toThrow(RangeError);
  });
});
