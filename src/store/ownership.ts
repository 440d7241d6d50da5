/**
 * `sudo rolecred …` keeping the user's HOME (macOS's sudo does by default): what rolecred creates
 * there must belong to the user, or the user's own AWS tools can no longer read it. Run as root, a
 * new folder or file takes the owner of the folder it is created in; run as anyone else, nothing
 * changes (only root can give a file away, and a user's files are already theirs). Synchronous:
 * the bundled fast path (recent-profiles.ts, the fast `write`) uses it too.
 */
import { chownSync, mkdirSync, statSync } from "node:fs";
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
