/**
 * Replace a file so that a reader (the AWS SDK, the AWS CLI, another rolecred) sees either the
 * old contents or the new, never a half-written file, and a crash leaves the old file in place.
 */
import { mkdir, open, readlink, realpath, rename, unlink, lstat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { errnoCode } from "../errors.js";

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
}

/** Write `contents` to `target` (already resolved by {@link resolveWriteTarget}) atomically. */
export async function writeFileAtomic(target: string, contents: string, options: AtomicWriteOptions): Promise<void> {
  const directory = dirname(target);
  await mkdir(directory, { recursive: true, mode: options.directoryMode });
  // Same folder as the target: rename() is only atomic within one filesystem.
  // Unpredictability is not needed ('wx' below refuses an existing file); uniqueness per process is.
  const temporary = join(directory, `.${basename(target)}.rolecred-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
  // 'wx' refuses to follow a planted symlink or reuse an existing file; mode applies before any byte lands.
  const handle = await open(temporary, "wx", options.mode);
  let renamed = false;
  try {
    await handle.writeFile(contents, "utf8");
    await handle.chmod(options.mode); // the umask may have narrowed or widened the create mode
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
