import { execFileSync } from "node:child_process";
import { mkdtempSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BoundedReadError, readOptionalTextSync, readRegularFileSync, readRegularTextSync } from "../../src/store/bounded-read.js";

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

describe("readRegularFileSync with keep (one copy of a large credentials file per run)", () => {
  const dir = mkdtempSync(join(tmpdir(), "bounded-keep-"));
  const anHourAgo = new Date(Date.now() - 3_600_000);
  const keep = { maxBytes: 1024, what: "the credentials file", keep: true };

  it("hands a later read of the same, unchanged file the same Buffer", async () => {
    const path = join(dir, "same");
    writeFileSync(path, "[a]\nx = 1\n");
    utimesSync(path, anHourAgo, anHourAgo);
    // Its change time cannot be set back: the file must really be left alone for a second.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const first = readRegularFileSync(path, keep);
    // A reader that does not ask to keep gets the kept bytes too.
    expect(readRegularFileSync(path, { maxBytes: 1024, what: "the credentials file" })).toBe(first);
  });

  it("reads again a file replaced by a rename, or edited in place, with the same size and times", () => {
    const path = join(dir, "changed");
    writeFileSync(path, "[a]\nx = 1\n");
    utimesSync(path, anHourAgo, anHourAgo);
    readRegularFileSync(path, keep);
    writeFileSync(join(dir, "next"), "[b]\nx = 2\n");
    utimesSync(join(dir, "next"), anHourAgo, anHourAgo);
    renameSync(join(dir, "next"), path);
    expect(readRegularFileSync(path, keep).toString()).toBe("[b]\nx = 2\n");
    writeFileSync(path, "[c]\nx = 3\n");
    utimesSync(path, anHourAgo, anHourAgo);
    expect(readRegularFileSync(path, keep).toString()).toBe("[c]\nx = 3\n");
  });

  it("refuses a FIFO put in the kept file's place (the unopened shortcut is only for the same regular file)", async () => {
    const path = join(dir, "swapped");
    writeFileSync(path, "[a]\nx = 1\n");
    utimesSync(path, anHourAgo, anHourAgo);
    // Kept only once its change time is a second old too.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    readRegularFileSync(path, keep);
    renameSync(path, join(dir, "swapped-away"));
    execFileSync("mkfifo", [path]);
    expect(() => readRegularFileSync(path, keep)).toThrow(/is a FIFO, not a regular file/);
  });

  it("never keeps a file changed within the last second even when its modification time was set back (cp -p, touch -r)", () => {
    const path = join(dir, "restored-times");
    writeFileSync(path, "[a]\nx = 1\n");
    // An in-place write that restores the old times: only the change time says it just changed.
    utimesSync(path, anHourAgo, anHourAgo);
    const first = readRegularFileSync(path, keep);
    expect(readRegularFileSync(path, keep)).not.toBe(first);
  });

  it("never keeps a file changed within the last second (a change in the same tick would go unseen)", () => {
    const path = join(dir, "fresh");
    writeFileSync(path, "[a]\nx = 1\n");
    const first = readRegularFileSync(path, keep);
    expect(readRegularFileSync(path, keep)).not.toBe(first);
  });
});
