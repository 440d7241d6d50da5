/**
 * `sudo rolecred …` keeping the user's HOME (macOS's sudo does by default): what rolecred creates
 * there must belong to the user, or the user's own AWS tools can no longer read it. Run as root, a
 * new folder or file takes the owner of the folder it is created in; run as anyone else, nothing
 * changes (only root can give a file away, and a user's files are already theirs). Synchronous:
 * the bundled fast path (recent-profiles.ts, the fast `write`) uses it too.
 */
import { chownSync, lstatSync, mkdirSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { processIsGone } from "./lock.js";

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

/** The folder beside the records where their temporaries are written: listing it stays cheap with 10,000 sessions beside it. */
export const TEMPORARY_FOLDER = "temporary";
/** `NAME.PID-RANDOM.tmp`: the writer's pid, and a random part so a reused pid never meets its predecessor's file. */
const TEMPORARY_NAME = /^.+\.(\d+)-[a-z0-9]*\.tmp$/;
const writerOfTemporary = (name: string): number | undefined => {
  const pid = TEMPORARY_NAME.exec(name)?.[1];
  return pid === undefined ? undefined : Number(pid);
};
/** Younger than this, a temporary may be a writer's on another host sharing the folder (NFS), whatever its pid says here. */
const TEMPORARY_GRACE_MS = 5_000;
/**
 * Older than this, a temporary is removed even when a process runs under its pid: a record is
 * written and renamed within microseconds, so that pid is a reused one (or a writer stopped for
 * minutes, whose rename then fails and costs only that record).
 */
const TEMPORARY_STALE_MS = 10 * 60 * 1000;

/**
 * Remove what killed runs left in `folder` (the temporary folder of {@link replaceSmallFileSync}):
 * temporaries whose writer is gone, or too old to be a write in progress. A live writer's file,
 * and anything not named as rolecred names its temporaries, is left alone. `nowMs`: file-system
 * bookkeeping, not a credential decision, so the caller may read the clock directly (as lock.ts does).
 * `writerOf`: the writer's pid when a name is a temporary's, else undefined (logout gives the
 * names other writers use: atomic-write.ts's, and this module's before it had a folder).
 */
export function removeStaleTemporariesSync(folder: string, nowMs: number, writerOf: (name: string) => number | undefined = writerOfTemporary): void {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of entries) {
    const pid = writerOf(name);
    if (pid === undefined || !Number.isSafeInteger(pid) || pid <= 0) continue;
    const path = join(folder, name);
    try {
      const stats = lstatSync(path);
      if (!stats.isFile()) continue;
      const age = nowMs - stats.mtimeMs;
      if (age < TEMPORARY_GRACE_MS) continue;
      if (age > TEMPORARY_STALE_MS || processIsGone(pid)) unlinkSync(path);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
}

/**
 * A small private file of rolecred's own (a record or listing in the cache folder) replaced
 * whole: written under a temporary name in `directory`'s {@link TEMPORARY_FOLDER} ("wx": never
 * through a file or link already there), 0600, given the folder's owner when run as root, then
 * renamed over `path`, so a reader at the same time sees the old file or the new one. The
 * temporary's name carries the writer's pid and a random part; a run killed between the create
 * and the rename leaves it behind, and the next record written removes it (writer gone, or over
 * ten minutes old). Best effort: false, and nothing left behind, when the folder cannot be written.
 */
export function replaceSmallFileSync(directory: string, path: string, contents: string | Uint8Array): boolean {
  const folder = join(directory, TEMPORARY_FOLDER);
  const temporary = join(folder, `${basename(path)}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  try {
    makeDirectorySync(folder, 0o700);
    removeStaleTemporariesSync(folder, Date.now());
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
