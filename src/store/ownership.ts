/**
 * `sudo rolecred …` keeping the user's HOME (macOS's sudo does by default): what rolecred creates
 * there must belong to the user, or the user's own AWS tools can no longer read it. Run as root, a
 * new folder or file takes the owner of the folder it is created in; run as anyone else, nothing
 * changes (only root can give a file away, and a user's files are already theirs). Synchronous:
 * the bundled fast path (recent-profiles.ts, the fast `write`) uses it too.
 */
import { chownSync, mkdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** Whom a file or folder created in `folder` should belong to, when that is not the process (as root). */
export function ownerForCreationIn(folder: string): Owner | undefined {
  if (process.geteuid?.() !== 0) return undefined;
  const { uid, gid } = statSync(folder);
  return uid === 0 ? undefined : { uid, gid };
}

/** mkdir -p with `mode`; as root, the folders it creates take the owner of the folder above them. */
export function makeDirectorySync(directory: string, mode: number | undefined): void {
  const first = mkdirSync(directory, { recursive: true, mode });
  const owner = first === undefined ? undefined : ownerForCreationIn(dirname(first));
  if (first === undefined || owner === undefined) return;
  for (let path = directory; ; path = dirname(path)) {
    chownSync(path, owner.uid, owner.gid);
    if (path === first || path === dirname(path)) break;
  }
}

/**
 * A small private file of rolecred's own (a record or listing in the cache folder) replaced
 * whole: written to a temporary name beside it ("wx": never through a file or link already
 * there), 0600, given the folder's owner when run as root, then renamed over `path`, so a reader
 * at the same time sees the old file or the new one. Best effort: false, and nothing left
 * behind, when the folder cannot be written.
 */
export function replaceSmallFileSync(directory: string, path: string, contents: string): boolean {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    makeDirectorySync(directory, 0o700);
    writeFileSync(temporary, contents, { mode: 0o600, flag: "wx" });
  } catch {
    return false;
  }
  try {
    const owner = ownerForCreationIn(directory);
    if (owner !== undefined) chownSync(temporary, owner.uid, owner.gid);
    renameSync(temporary, path);
    return true;
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // already gone
    }
    return false;
  }
}
