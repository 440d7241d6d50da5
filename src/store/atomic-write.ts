/**
 * Replace a file so that a reader (the AWS SDK, the AWS CLI, another rolecred) sees either the
 * old contents or the new, never a half-written file, and a crash leaves the old file in place.
 */
import { closeSync, constants, existsSync, fchmodSync, fstatSync, openSync, readSync, type Stats } from "node:fs";
import { access, copyFile, open, readdir, readlink, realpath, rename, stat, unlink, lstat, type FileHandle } from "../lazy-builtins.js"; // not node:fs/promises: see there
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { errnoCode, ExitCode, RolecredError } from "../errors.js";
import { makeDirectorySync, ownerForCreationIn } from "./ownership.js";
import { keepAtExit, processIsGone, removeAtExit } from "./lock.js";
import { identityOfStats, type FileIdentity } from "./file-identity.js";

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
  /**
   * zlib.crc32, when the caller wants the new file's CRC-32 ({@link WrittenFile}): computed from
   * the bytes as they are written (a copied leading run: {@link CopiedContents.prefixCrc}).
   */
  crc32?: ((data: Uint8Array, value?: number) => number) | undefined;
}

/** The file renamed into place: its identity from its own descriptor after the rename, and its CRC-32 when asked for and known. */
export interface WrittenFile {
  /** Undefined when something wrote into the file between its sync and the look after the rename. */
  readonly identity: FileIdentity | undefined;
  readonly crc32: number | undefined;
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

/** A run of the copied file's bytes, [start, end). */
export interface CopiedRange {
  readonly start: number;
  readonly end: number;
}

/**
 * The file a write copies its unchanged bytes from (the one it replaces, scanned and still
 * open): its path, for a kernel copy of the leading run (copyFile: no byte passes through the
 * process), and its descriptor, for the runs after an edit (pread).
 */
export interface CopySource {
  readonly path: string;
  readonly fd: number;
  /** Whether the file at `path`, and the one open as `fd`, are still the version the ranges were taken from. */
  unchanged(): boolean;
}

/** New contents as runs of a {@link CopySource} and new bytes, in order. */
export interface CopiedContents {
  readonly source: CopySource;
  readonly pieces: ReadonlyArray<Uint8Array | CopiedRange>;
  /** A copy of the source started earlier ({@link prepareCopy}), used in place of copying it now. */
  readonly prepared?: PreparedCopy | undefined;
  /** The CRC-32 of the source's first `end` bytes, when known: the new file's CRC starts from it where they are copied. */
  readonly prefixCrc?: ((end: number) => number | undefined) | undefined;
}

/** The CRC-32 of what was written so far, when it is being computed. */
interface RunningCrc {
  readonly crc32: (data: Uint8Array, value?: number) => number;
  value: number | undefined;
}

function addToCrc(running: RunningCrc | undefined, bytes: Uint8Array): void {
  if (running !== undefined && running.value !== undefined) running.value = running.crc32(bytes, running.value);
}

/**
 * A copy of a file made and flushed to disk in the background (while the caller parses the
 * file), for a write that will replace that file: the kernel copy and the fsync of a 49 MB file
 * overlap the parse instead of following it. Removed at exit if no write took it.
 */
export interface PreparedCopy {
  readonly source: string;
  readonly temporary: string;
  /** True once the copy is complete and on disk; false if it failed (nothing left behind). */
  readonly ready: Promise<boolean>;
  taken: boolean;
}

function temporaryName(target: string): string {
  // Same folder as the target: rename() is only atomic within one filesystem.
  // Unpredictability is not needed (O_EXCL refuses an existing file: createTemporarySync); uniqueness per process is.
  return join(dirname(target), `.${basename(target)}.rolecred-${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`);
}

/**
 * Create `temporary` now, empty, at `mode`: never over an existing file or through a planted
 * symlink. Synchronous on purpose: once this returns the name exists, so a signal's handler
 * (lock.ts) that runs at any later moment finds it to remove.
 */
function createTemporarySync(temporary: string, mode: number): number {
  const descriptor = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  // It is opened again to be written (by name, or by the kernel copy through /proc), and unlike
  // this create that open asks the file's mode: a `mode` without the owner's read and write (a
  // config file kept 0444) or a umask that takes them (0222, 0277) would refuse it (EACCES), where
  // the old create-and-write open did not. The owner's bits only: no one else gains any access,
  // and `mode` is set before the rename.
  try {
    const created = fstatSync(descriptor).mode & 0o7777;
    if ((created & 0o600) !== 0o600) fchmodSync(descriptor, created | 0o600);
  } catch {
    // Not changed (a filesystem without modes): the open that follows says why, if it fails.
  }
  return descriptor;
}

/** On Linux, a path that opens what a descriptor of this process has open, even once its name is removed. */
const OWN_DESCRIPTORS = "/proc/self/fd";

/**
 * Where a kernel copy (copyFile) writes into the temp file created as `descriptor`: through the
 * descriptor where /proc gives a path to it, so that a copy still queued when a signal's handler
 * removed the name writes into a file no name leads to (freed with the process) instead of
 * creating the name again beside the credentials file; elsewhere by its name (that window stays).
 */
function copyDestination(temporary: string, descriptor: number): string {
  return existsSync(OWN_DESCRIPTORS) ? `${OWN_DESCRIPTORS}/${descriptor}` : temporary;
}

/**
 * Start copying `target` (resolved, a regular file) to a temp file beside it, at `mode`, and
 * flushing it. The temp file is created (0600) and registered for removal before this returns
 * ({@link createTemporarySync}), the copy made into it ({@link copyDestination}).
 */
export function prepareCopy(target: string, mode: number): PreparedCopy {
  const temporary = temporaryName(target);
  const prepared: PreparedCopy = { source: target, temporary, ready: Promise.resolve(false), taken: false };
  let descriptor: number;
  try {
    descriptor = createTemporarySync(temporary, 0o600);
  } catch {
    return prepared; // not created (or not ours): nothing to remove, no copy
  }
  const copy = async (): Promise<boolean> => {
    try {
      await copyFile(target, copyDestination(temporary, descriptor));
    } catch {
      await unlink(temporary).catch(() => undefined);
      return false;
    } finally {
      closeSync(descriptor);
    }
    try {
      // By its name: gone if a signal's handler removed it meanwhile (then no copy is ready).
      const handle = await open(temporary, "r+");
      try {
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return true;
    } catch {
      await unlink(temporary).catch(() => undefined);
      return false;
    }
  };
  // A run that ends without writing (a refusal, an error, Ctrl-C at the MFA prompt, a SIGTERM
  // while it waits for the lock) leaves no copy of the file behind: removed at exit and on those
  // signals (lock.ts) until it is renamed into place or discarded.
  removeAtExit(temporary);
  const ready = copy();
  return Object.assign(prepared, { ready });
}

/** The copy source changed while it was copied: nothing was written; read it again and retry. */
export class CopySourceChanged extends Error {
  constructor(path: string) {
    super(`${path} changed while it was copied`);
  }
}

const COPY_CHUNK_BYTES = 1024 * 1024;

function isCopiedContents(contents: string | Uint8Array | readonly Uint8Array[] | CopiedContents): contents is CopiedContents {
  return typeof contents === "object" && "source" in contents;
}

/**
 * Write `pieces` at `offset` on: new bytes as they are, copied runs read from the source in
 * chunks (one buffer, reused). Returns where the written bytes end.
 */
async function writePieces(
  handle: FileHandle,
  source: CopySource,
  pieces: ReadonlyArray<Uint8Array | CopiedRange>,
  offset: number,
  running?: RunningCrc,
): Promise<number> {
  let cursor = offset;
  let buffer: Buffer | undefined;
  for (const piece of pieces) {
    if (piece instanceof Uint8Array) {
      addToCrc(running, piece);
      for (let done = 0; done < piece.byteLength;) {
        const { bytesWritten } = await handle.write(piece, done, piece.byteLength - done, cursor);
        done += bytesWritten;
        cursor += bytesWritten;
      }
      continue;
    }
    buffer ??= Buffer.allocUnsafe(COPY_CHUNK_BYTES);
    for (let at = piece.start; at < piece.end;) {
      const count = readSync(source.fd, buffer, 0, Math.min(buffer.length, piece.end - at), at);
      if (count === 0) throw new CopySourceChanged(source.path);
      addToCrc(running, buffer.subarray(0, count));
      for (let done = 0; done < count;) {
        const { bytesWritten } = await handle.write(buffer, done, count - done, cursor);
        done += bytesWritten;
        cursor += bytesWritten;
      }
      at += count;
    }
  }
  return cursor;
}

/**
 * Fill `temporary` (created empty as `descriptor`, which this closes) with the contents: a
 * leading run of the source is copied by the kernel (copyFile: the whole file, then everything
 * from the run's end is written over and the file cut to length), the rest written from here.
 * The copy gives the temp file the source's mode (the file being replaced: nothing new is in it
 * until the chmod here). Removed here if this fails.
 */
async function createCopied(temporary: string, descriptor: number, contents: CopiedContents, mode: number, running?: RunningCrc): Promise<FileHandle> {
  const [first, ...rest] = contents.pieces;
  const leading = first !== undefined && !(first instanceof Uint8Array) && first.start === 0 ? first : undefined;
  let handle: FileHandle | undefined;
  try {
    if (leading === undefined) {
      handle = await openCreated(temporary, descriptor);
      await writePieces(handle, contents.source, contents.pieces, 0, running);
      return handle;
    }
    try {
      await copyFile(contents.source.path, copyDestination(temporary, descriptor));
    } finally {
      closeSync(descriptor);
    }
    handle = await open(temporary, "r+");
    await handle.chmod(mode); // before a new byte lands
    startFromPrefix(running, contents, leading.end);
    await handle.truncate(await writePieces(handle, contents.source, rest, leading.end, running));
    return handle;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The temp file created as `descriptor` (which this closes), opened for the write; removed if that fails. */
async function openCreated(temporary: string, descriptor: number): Promise<FileHandle> {
  closeSync(descriptor);
  try {
    return await open(temporary, "r+");
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The running CRC starts as the copied leading run's, or is given up (undefined) when the caller does not know it. */
function startFromPrefix(running: RunningCrc | undefined, contents: CopiedContents, end: number): void {
  if (running !== undefined) running.value = contents.prefixCrc?.(end);
}

/** Remove a prepared copy no write will take (its source changed since). */
export async function discardPreparedCopy(prepared: PreparedCopy): Promise<void> {
  if (prepared.taken) return;
  prepared.taken = true;
  if (await prepared.ready) await unlink(prepared.temporary).catch(() => undefined);
  keepAtExit(prepared.temporary);
}

/**
 * {@link createCopied} from a copy prepared earlier, when it is of this source and complete: the
 * new bytes and later runs are written over it from the leading run's end. Undefined when there
 * is no usable prepared copy (the caller copies now).
 */
async function takePrepared(contents: CopiedContents, running?: RunningCrc): Promise<{ handle: FileHandle; temporary: string } | undefined> {
  const prepared = contents.prepared;
  if (prepared === undefined || prepared.taken) return undefined;
  prepared.taken = true;
  const [first, ...rest] = contents.pieces;
  const usable = prepared.source === contents.source.path && first !== undefined && !(first instanceof Uint8Array) && first.start === 0;
  if (!(await prepared.ready) || !usable) {
    await unlink(prepared.temporary).catch(() => undefined);
    keepAtExit(prepared.temporary);
    return undefined;
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(prepared.temporary, "r+");
    startFromPrefix(running, contents, first.end);
    await handle.truncate(await writePieces(handle, contents.source, rest, first.end, running));
    return { handle, temporary: prepared.temporary };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await unlink(prepared.temporary).catch(() => undefined);
    throw error;
  }
}

/**
 * Write `contents` to `target` (already resolved by {@link resolveWriteTarget}) atomically. The
 * file that is replaced keeps its owner and group (`sudo rolecred` with the user's HOME must not
 * leave a root-owned ~/.aws/credentials behind); when that is not possible the write is refused.
 * `contents` may be a list of pieces, written in order (see {@link writeChunks}).
 */
export async function writeFileAtomic(
  target: string,
  contents: string | Uint8Array | readonly Uint8Array[] | CopiedContents,
  options: AtomicWriteOptions,
): Promise<WrittenFile> {
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
  const copied = isCopiedContents(contents) ? contents : undefined;
  const running: RunningCrc | undefined = options.crc32 === undefined ? undefined : { crc32: options.crc32, value: 0 };
  const prepared = copied === undefined ? undefined : await takePrepared(copied, running);
  const temporary = prepared?.temporary ?? temporaryName(target);
  let handle: FileHandle;
  if (prepared !== undefined) handle = prepared.handle;
  else {
    // Created now, at `mode` before any byte lands, and removed at exit or on a signal from now on
    // (a prepared copy is already): a write stopped while it writes leaves no copy of the file.
    const descriptor = createTemporarySync(temporary, options.mode);
    removeAtExit(temporary);
    try {
      handle = copied !== undefined ? await createCopied(temporary, descriptor, copied, options.mode, running) : await openCreated(temporary, descriptor);
    } catch (error) {
      keepAtExit(temporary); // removed already
      throw error;
    }
  }
  let renamed = false;
  try {
    if (typeof contents === "string" || contents instanceof Uint8Array) {
      addToCrc(running, typeof contents === "string" ? Buffer.from(contents) : contents);
      await handle.writeFile(contents);
    } else if (!isCopiedContents(contents)) {
      for (const chunk of contents) addToCrc(running, chunk);
      await writeChunks(handle, contents);
    }
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
    const written = await handle.stat({ bigint: true });
    // What was copied is the version that was read and checked, or nothing is replaced.
    if (copied !== undefined && !copied.source.unchanged()) throw new CopySourceChanged(copied.source.path);
    await rename(temporary, target);
    renamed = true;
    // From the descriptor, after the rename (which moves the change time): this file, whatever is at the path by now;
    // unknown if anything wrote into it since it was synced (its size or modification time moved).
    const after = await handle.stat({ bigint: true });
    await handle.close();
    await syncDirectory(directory); // the rename itself survives a crash
    const unchanged = after.size === written.size && after.mtimeNs === written.mtimeNs;
    return { identity: unchanged ? identityOfStats(after) : undefined, crc32: unchanged ? running?.value : undefined };
  } finally {
    if (!renamed) await unlink(temporary).catch(() => undefined);
    await handle.close().catch(() => undefined);
    // The temp file is the credentials file now, or removed: nothing left to remove at exit.
    keepAtExit(temporary);
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
