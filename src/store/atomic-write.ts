/**
 * Replace a file so that a reader (the AWS SDK, the AWS CLI, another rolecred) sees either the
 * old contents or the new, never a half-written file, and a crash leaves the old file in place.
 */
import { constants, type Stats } from "node:fs";
import { access, open, readdir, readlink, realpath, rename, stat, unlink, lstat, type FileHandle } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { errnoCode, ExitCode, RolecredError } from "../errors.js";
import { makeDirectorySync, ownerForCreationIn } from "./ownership.js";

/**
 * The file a write to `path` must replace: the target of a symlink (so a credentials file kept in
 * a dotfiles repo and linked into ~/.aws stays a link), else `path` itself.
 */
export async function resolveWriteTarget(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
  // Missing file, or a dangling link: follow links by hand to where the file will be created.
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let stats;
    try {
      stats = await lstat(current);
    } catch (error) {
      if (errnoCode(error) === "ENOENT") return current;
      throw error;
    }
    if (!stats.isSymbolicLink()) return current;
    const target = await readlink(current);
    current = isAbsolute(target) ? target : resolve(dirname(current), target);
  }
  return current;
}

export interface AtomicWriteOptions {
  /** Mode of the written file. The credentials file is always 0600. */
  mode: number;
  /** Mode of a parent folder rolecred has to create (0700 for ~/.aws). */
  directoryMode: number;
  /** What the file is, for messages: "the credentials file". */
  what?: string;
}

function cannotReplace(message: string, hint?: string): RolecredError {
  return new RolecredError(message, { exitCode: ExitCode.badInput, ...(hint === undefined ? {} : { hint }) });
}

/** What a non-regular file is, in words. */
function kindOf(stats: Stats): string {
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isCharacterDevice()) return "a character device";
  if (stats.isBlockDevice()) return "a block device";
  if (stats.isSocket()) return "a socket";
  if (stats.isDirectory()) return "a directory";
  return "not a regular file";
}

/**
 * Refuse (exit 3) before anything is asked of STS or locked: a target (symlinks already followed)
 * that exists and is not a regular file (/dev/null, a FIFO, a device, a folder), a file made
 * read-only (its owner's write bit cleared: the user's way of saying "do not change this", which
 * root would otherwise override), and a folder rolecred cannot write or that was made read-only.
 */
export async function assertReplaceable(target: string, what: string): Promise<void> {
  let stats: Stats | undefined;
  try {
    stats = await stat(target);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw cannotReplace(`cannot use ${what} ${target}: ${errnoCode(error) ?? String(error)}`);
  }
  if (stats !== undefined && !stats.isFile()) {
    throw cannotReplace(
      `${what} ${target} is ${kindOf(stats)}, not a regular file; rolecred will not replace it`,
      "point AWS_SHARED_CREDENTIALS_FILE at a regular file",
    );
  }
  if (stats !== undefined && (stats.mode & 0o200) === 0) {
    throw cannotReplace(
      `${what} ${target} is read-only (mode ${(stats.mode & 0o777).toString(8).padStart(4, "0")}); rolecred will not replace it`,
      `make it writable (chmod 600 ${target}) or write elsewhere (AWS_SHARED_CREDENTIALS_FILE)`,
    );
  }
  // The nearest folder that exists is where the file (or ~/.aws) will be created.
  let folder = dirname(target);
  for (;;) {
    try {
      const folderStats = await stat(folder);
      if (!folderStats.isDirectory()) throw cannotReplace(`cannot write ${what} ${target}: ${folder} is not a folder`);
      if ((folderStats.mode & 0o200) === 0) throw cannotReplace(`cannot write ${what} ${target}: the folder ${folder} is read-only`, `chmod u+w ${folder}`);
      await access(folder, constants.W_OK | constants.X_OK).catch((error: unknown) => {
        throw cannotReplace(`cannot write ${what} ${target}: no write permission on ${folder} (${errnoCode(error) ?? "error"})`);
      });
      return;
    } catch (error) {
      if (errnoCode(error) !== "ENOENT") throw error;
      const parent = dirname(folder);
      if (parent === folder) return;
      folder = parent;
    }
  }
}

/** rolecred's own temporary files beside `target`: `.NAME.rolecred-PID-RANDOM.tmp`. */
function temporaryPattern(target: string): RegExp {
  const escaped = basename(target).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`^\\.${escaped}\\.rolecred-(\\d+)-[a-z0-9]+\\.tmp$`);
}

/** A temp file is left over when its writer is gone, or (another host, a reused pid) it is old. */
const TEMPORARY_STALE_MS = 10 * 60 * 1000;
/** Younger than this, a temp file may be a concurrent writer's, whatever its pid says. */
const TEMPORARY_GRACE_MS = 5_000;

function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === "ESRCH";
  }
}

/**
 * Remove what killed runs left: full copies of the file (long-term keys included) that a crash
 * between create and rename never renamed. Only rolecred's own name pattern for this target, and
 * only files whose writer is gone or that are too old to be a write in progress.
 */
async function removeStaleTemporaries(target: string): Promise<void> {
  const directory = dirname(target);
  const pattern = temporaryPattern(target);
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return;
  }
  // File-system bookkeeping, not a credential decision: reads the clock directly, as the lock does.
  const now = Date.now();
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const path = join(directory, name);
    try {
      const stats = await lstat(path);
      if (!stats.isFile()) continue;
      const age = now - stats.mtimeMs;
      if (age < TEMPORARY_GRACE_MS) continue;
      if (age > TEMPORARY_STALE_MS || processIsGone(pid)) await unlink(path);
    } catch {
      // gone already, or not ours to remove: leave it
    }
  }
}

/**
 * Write `chunks` in order with writev: the pieces of a large file (slices of the bytes read and
 * the edited parts) go to the disk as they are, without being joined into one copy first. A
 * short write goes on from where it stopped.
 */
async function writeChunks(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.byteLength > 0);
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    if (bytesWritten === 0) throw new Error("writev wrote nothing");
    const rest: Uint8Array[] = [];
    let written = bytesWritten;
    for (const chunk of pending) {
      if (written >= chunk.byteLength) written -= chunk.byteLength;
      else {
        rest.push(written > 0 ? chunk.subarray(written) : chunk);
        written = 0;
      }
    }
    pending = rest;
  }
}

/**
 * Write `contents` to `target` (already resolved by {@link resolveWriteTarget}) atomically. The
 * file that is replaced keeps its owner and group (`sudo rolecred` with the user's HOME must not
 * leave a root-owned ~/.aws/credentials behind); when that is not possible the write is refused.
 * `contents` may be a list of pieces, written in order (see {@link writeChunks}).
 */
export async function writeFileAtomic(target: string, contents: string | Uint8Array | readonly Uint8Array[], options: AtomicWriteOptions): Promise<void> {
  const directory = dirname(target);
  const what = options.what ?? "the file";
  makeDirectorySync(directory, options.directoryMode);
  let existing: Stats | undefined;
  try {
    existing = await stat(target);
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") throw error;
  }
  // Under the caller's lock the target cannot change kind, but a swap since the precheck is refused here too.
  if (existing !== undefined && !existing.isFile())
    throw cannotReplace(`${what} ${target} is ${kindOf(existing)}, not a regular file; rolecred will not replace it`);
  await removeStaleTemporaries(target);
  // Same folder as the target: rename() is only atomic within one filesystem.
  // Unpredictability is not needed ('wx' below refuses an existing file); uniqueness per process is.
  const temporary = join(directory, `.${basename(target)}.rolecred-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  // 'wx' refuses to follow a planted symlink or reuse an existing file; mode applies before any byte lands.
  const handle = await open(temporary, "wx", options.mode);
  let renamed = false;
  try {
    if (typeof contents === "string" || contents instanceof Uint8Array) await handle.writeFile(contents);
    else await writeChunks(handle, contents);
    await handle.chmod(options.mode); // the umask may have narrowed or widened the create mode
    const created = existing === undefined ? undefined : await handle.stat();
    if (existing !== undefined && created !== undefined && (created.uid !== existing.uid || created.gid !== existing.gid)) {
      await handle.chown(existing.uid, existing.gid).catch((error: unknown) => {
        throw cannotReplace(
          `cannot keep the owner (uid ${existing.uid}, gid ${existing.gid}) of ${what} ${target}: ${errnoCode(error) ?? String(error)}; rolecred will not replace it`,
          "run rolecred as the file's owner",
        );
      });
    }
    // A new file, created as root in someone's folder, is theirs (ownership.ts).
    const owner = existing === undefined ? ownerForCreationIn(directory) : undefined;
    if (owner !== undefined) await handle.chown(owner.uid, owner.gid);
    await handle.sync(); // data on disk before the rename makes it visible
    await handle.close();
    await rename(temporary, target);
    renamed = true;
    await syncDirectory(directory); // the rename itself survives a crash
  } finally {
    if (!renamed) {
      await handle.close().catch(() => undefined);
      await unlink(temporary).catch(() => undefined);
    }
  }
}

async function syncDirectory(directory: string): Promise<void> {
  let handle;
  try {
    handle = await open(directory, "r");
    await handle.sync();
  } catch {
    // Some filesystems (and Windows) cannot fsync a directory; the rename has still happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
