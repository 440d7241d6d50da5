/**
 * Which profiles were assumed most recently, for the `assume` picker's order. One line per use
 * appended to a small file in the private cache folder: an append costs the cached `assume` path
 * almost nothing (no read, no rename), and the file is compacted to the last use of each profile
 * when it grows past a few kilobytes. It holds profile names only, never secrets.
 */
import { closeSync, constants, fchownSync, fstatSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { BoundedReadError, readRegularTextSync } from "./bounded-read.js";
import { makeDirectorySync, ownerForCreationIn, replaceSmallFileSync } from "./ownership.js";

const FILE_NAME = "recent-profiles";
const COMPACT_AT_BYTES = 16 * 1024;
const KEEP = 200;
/** Names that could break the one-name-per-line format are not recorded (nor assumable anyway). */
const RECORDABLE = /^[^\r\n\u0000-\u001f\u007f]{1,256}$/;

function readLines(directory: string): string[] {
  try {
    return readRegularTextSync(join(directory, FILE_NAME), { maxBytes: 1024 * 1024, what: "the recent-profiles file" })
      .split("\n")
      .filter((line) => line !== "");
  } catch (error) {
    if (error instanceof BoundedReadError) return [];
    throw error;
  }
}

/** Profile names, most recently used first, each once. */
export function recentProfiles(directory: string): string[] {
  const seen = new Set<string>();
  const lines = readLines(directory);
  for (let index = lines.length - 1; index >= 0; index--) {
    const name = lines[index];
    if (name !== undefined && RECORDABLE.test(name)) seen.add(name);
  }
  return [...seen];
}

/** Note a use of `profile`. Never fails the command that called it: the order is a convenience. */
export function recordProfileUse(directory: string, profile: string): void {
  if (!RECORDABLE.test(profile)) return;
  try {
    makeDirectorySync(directory, 0o700);
    const path = join(directory, FILE_NAME);
    // Not a plain append: opening a FIFO for writing blocks until a reader comes (assume would
    // hang), and a symlink planted here would have the names written into its target.
    const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0), 0o600);
    let size: number;
    try {
      const opened = fstatSync(fd);
      if (!opened.isFile()) return;
      const owner = opened.uid === 0 ? ownerForCreationIn(directory) : undefined;
      if (owner !== undefined) fchownSync(fd, owner.uid, owner.gid);
      writeSync(fd, `${profile}\n`);
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
    if (size > COMPACT_AT_BYTES) {
      const compacted = recentProfiles(directory).slice(0, KEEP).reverse();
      replaceSmallFileSync(directory, path, `${compacted.join("\n")}\n`);
    }
  } catch {
    // A read-only cache folder must not stop `assume`.
  }
}
