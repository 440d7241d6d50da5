import { execFileSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoundedReadError, readOptionalTextSync, readRegularTextSync } from "../../src/store/bounded-read.js";

const options = { maxBytes: 16, what: "the test file" };

function reasonOf(path: string): string {
  try {
    readRegularTextSync(path, options);
    return "read";
  } catch (error) {
    if (error instanceof BoundedReadError) return `${error.reason}: ${error.message}`;
    throw error;
  }
}

describe(readRegularTextSync.name, () => {
  const dir = mkdtempSync(join(tmpdir(), "bounded-read-"));
  writeFileSync(join(dir, "small"), "hello");
  writeFileSync(join(dir, "large"), "x".repeat(17));
  symlinkSync("/dev/null", join(dir, "to-null"));
  symlinkSync(join(dir, "small"), join(dir, "to-small"));
  execFileSync("mkfifo", [join(dir, "fifo")]);

  it.each([
    ["a regular file", "small", "read"],
    ["a symlink to a regular file", "to-small", "read"],
    ["a file over the cap", "large", "too-large: the test file"],
    ["/dev/zero", "/dev/zero", "not-regular: the test file /dev/zero is a character device"],
    ["a symlink to /dev/null", "to-null", "not-regular"],
    ["a FIFO with no writer (must not hang)", "fifo", "not-regular: the test file"],
    ["a directory", ".", "not-regular"],
    ["a missing file", "absent", "missing"],
  ])("%s", (_label, name, expected) => {
    const path = name.startsWith("/") ? name : join(dir, name);
    expect(reasonOf(path)).toContain(expected);
  });

  it("returns the text of a readable file and undefined for a missing optional one", () => {
    expect(readRegularTextSync(join(dir, "small"), options)).toBe("hello");
    expect(readOptionalTextSync(join(dir, "absent"), options)).toBeUndefined();
  });
});
