/**
 * Reading a file the user named, without trusting what it is. `--idp-cert /dev/zero` must not
 * read half a gigabyte, `--policy fifo` must not hang, and a credentials file that is a symlink to
 * /dev/null must not be mistaken for an empty file. Every file rolecred reads (certificates,
 * policies, config and credentials, lint inputs, cache files) goes through here.
 *
 * The file is opened with O_NONBLOCK, so opening a FIFO with no writer returns at once instead of
 * blocking; fstat on the opened descriptor (not stat on the path, which could be swapped between
 * the check and the read) decides whether it is a regular file, and the read stops one byte past
 * the cap so an oversized file is refused without reading it all.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { errnoCode, ExitCode, RolecredError } from "../errors.js";
import { identityOfStats, sameIdentity, settledLongEnough, type FileIdentity } from "./file-identity.js";

/** Caps, per kind of file: each is far above any real file and far below what hurts. */
export const READ_LIMITS = {
  /** ~/.aws/config and ~/.aws/credentials: 50,000 profiles is about 10 MB. */
  awsFile: 64 * 1024 * 1024,
  /** A PEM certificate or bundle, a private key. */
  certificate: 1024 * 1024,
  /** A session policy: IAM's own limit is a few KB. */
  policy: 1024 * 1024,
  /** A lint input: a CloudFormation template or Terraform plan can be large. */
  lintInput: 64 * 1024 * 1024,
  /** A SAML response file (the same cap as stdin). */
  assertion: 1024 * 1024,
  /** One session cache file. */
  cacheFile: 1024 * 1024,
} as const;

export interface BoundedReadOptions {
  /** Refuse a file larger than this many bytes. */
  readonly maxBytes: number;
  /** What the file is, for the message: "the --idp-cert file", "the credentials file". */
  readonly what: string;
  /**
   * Keep the bytes for the rest of the run: a later read of the same, unchanged file returns the
   * same Buffer instead of a second copy (see {@link kept}). Whoever reads a file must not change
   * the Buffer it is given. A reader asking to keep is told the kept bytes after a `stat` of the
   * path alone, without opening the file again (see {@link keptBytesOf}).
   */
  readonly keep?: boolean;
}

/**
 * The last file read with `keep`, and its identity when it was read. `write` reads the
 * credentials file for its checks and again to resolve the profile (profiles/aws-files.ts): with
 * a 49 MB file, two copies would be most of its memory. A read of the same file (same device,
 * inode, size, modification and change times: not replaced, not edited) gets these bytes.
 */
let kept: { readonly identity: FileIdentity; readonly bytes: Buffer } | undefined;

/** Why a path cannot be read as a regular file, or undefined when it can. */
export type NotReadable = "missing" | "not-regular" | "too-large" | "unreadable";

export class BoundedReadError extends RolecredError {
  readonly reason: NotReadable;
  readonly path: string;
  constructor(reason: NotReadable, path: string, message: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.badInput, ...(cause === undefined ? {} : { cause }) });
    this.reason = reason;
    this.path = path;
  }
}

function kindOf(mode: number): string {
  const type = mode & constants.S_IFMT;
  if (type === constants.S_IFIFO) return "a FIFO";
  if (type === constants.S_IFCHR) return "a character device";
  if (type === constants.S_IFBLK) return "a block device";
  if (type === constants.S_IFSOCK) return "a socket";
  if (type === constants.S_IFDIR) return "a directory";
  return "not a regular file";
}

/**
 * The bytes of a regular file of at most `maxBytes`, read synchronously (the files are small and
 * the cached fast path must not pay for promises). Throws {@link BoundedReadError} (exit 3) naming
 * the path and the reason; `reason === "missing"` lets callers treat an absent file as empty.
 */
export function readRegularFileSync(path: string, options: BoundedReadOptions): Buffer {
  const unchanged = options.keep === true ? keptBytesOf(path) : undefined;
  if (unchanged !== undefined) return unchanged;
  const opened = openRegularFileSync(path, options);
  try {
    if (kept !== undefined && sameIdentity(opened.identity, kept.identity)) return kept.bytes;
    // The identity is the open's fstat, taken before the read: a change during it shows as a
    // different identity next time. File-system bookkeeping, not a credential decision: the clock
    // is read directly, as the lock does.
    const keepable = options.keep === true && settledLongEnough(opened.identity, Date.now());
    const bytes = readToEnd(opened.fd, opened.size, path, options);
    if (keepable) kept = { identity: opened.identity, bytes };
    return bytes;
  } catch (error) {
    if (error instanceof RolecredError) throw error;
    throw new BoundedReadError("unreadable", path, `cannot read ${options.what} ${path}: ${errnoCode(error) ?? "error"}`, error);
  } finally {
    closeSync(opened.fd);
  }
}

/** Why `path` could not be opened, as the reader's error. */
function notOpened(path: string, options: BoundedReadOptions, error: unknown): BoundedReadError {
  const code = errnoCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") return new BoundedReadError("missing", path, `${options.what} ${path} does not exist`, error);
  if (code === "EISDIR") return new BoundedReadError("not-regular", path, `${options.what} ${path} is a directory, not a file`, error);
  return new BoundedReadError("unreadable", path, `cannot read ${options.what} ${path}: ${code ?? "error"}`, error);
}

/** The rest of the open file, `size` bytes by its fstat, refused past the cap. */
function readToEnd(fd: number, size: number, path: string, options: BoundedReadOptions): Buffer {
  // Read up to one byte past the cap: a file that grew after fstat is still refused.
  const buffer = Buffer.allocUnsafe(Math.min(options.maxBytes + 1, Math.max(size, 0) + 1));
  let filled = 0;
  for (;;) {
    if (filled === buffer.length) break;
    const read = readSync(fd, buffer, filled, buffer.length - filled, null);
    if (read === 0) break;
    filled += read;
  }
  if (filled > options.maxBytes) {
    throw new BoundedReadError("too-large", path, `${options.what} ${path} is over the ${options.maxBytes}-byte limit`);
  }
  return buffer.subarray(0, filled);
}

/**
 * The whole of a file opened by {@link openRegularFileSync} (from its start), under the same cap:
 * a caller that opened a file to scan it and finds it must read it whole reads the same file, not
 * the path again.
 */
export function readOpenedFileSync(path: string, opened: OpenedRegularFile, options: BoundedReadOptions): Buffer {
  try {
    return readToEnd(opened.fd, opened.size, path, options);
  } catch (error) {
    if (error instanceof RolecredError) throw error;
    throw new BoundedReadError("unreadable", path, `cannot read ${options.what} ${path}: ${errnoCode(error) ?? "error"}`, error);
  }
}

/** A regular file opened for reading by {@link openRegularFileSync}: the caller reads it (pread) and closes `fd`. */
export interface OpenedRegularFile {
  readonly fd: number;
  /** Its identity when opened (fstat of the descriptor). */
  readonly identity: FileIdentity;
  readonly size: number;
}

/**
 * {@link readRegularFileSync}'s checks without the read: a regular file of at most `maxBytes`,
 * opened without blocking (a FIFO or a device is refused, exit 3, and never read). For a caller
 * that reads a large file a chunk at a time instead of holding it (the credentials file's scan,
 * store/ini-bytes.ts). `keep` is not used.
 */
export function openRegularFileSync(path: string, options: BoundedReadOptions): OpenedRegularFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw notOpened(path, options, error);
  }
  try {
    const stats = fstatSync(fd, { bigint: true });
    if (!stats.isFile()) {
      throw new BoundedReadError("not-regular", path, `${options.what} ${path} is ${kindOf(Number(stats.mode))}, not a regular file`);
    }
    if (stats.size > BigInt(options.maxBytes)) {
      throw new BoundedReadError("too-large", path, `${options.what} ${path} is ${stats.size} bytes, over the ${options.maxBytes}-byte limit`);
    }
    return { fd, identity: identityOfStats(stats), size: Number(stats.size) };
  } catch (error) {
    closeSync(fd);
    if (error instanceof RolecredError) throw error;
    throw new BoundedReadError("unreadable", path, `cannot read ${options.what} ${path}: ${errnoCode(error) ?? "error"}`, error);
  }
}

/**
 * The kept bytes when `path` is still the file they were read from (a regular file, same device,
 * inode, size and times), found by a `stat` of the path: nothing is opened or read. A cold `user`
 * run resolves the profile, prechecks the write and reads under the lock: one read of the
 * credentials file serves them all. Opening is what guards against a FIFO or a device, and a
 * path that names the kept regular file is neither.
 */
export function keptBytesOf(path: string): Buffer | undefined {
  if (kept === undefined) return undefined;
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) return undefined;
  return sameIdentity(identityOfStats(stats), kept.identity) ? kept.bytes : undefined;
}

/** {@link readRegularFileSync} as UTF-8 text. */
export function readRegularTextSync(path: string, options: BoundedReadOptions): string {
  return readRegularFileSync(path, options).toString("utf8");
}

/** {@link readRegularTextSync}, or undefined when the file does not exist. */
export function readOptionalTextSync(path: string, options: BoundedReadOptions): string | undefined {
  try {
    return readRegularTextSync(path, options);
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return undefined;
    throw error;
  }
}

/** The first piece {@link readRegularLinesSync} reads: past it a piece is read in pieces this size. */
const LINES_PIECE_BYTES = 256 * 1024;

/**
 * {@link readRegularFileSync}'s checks (regular files only, the cap), the file handed to `onPiece`
 * in pieces of whole lines (each ends after a \n or \r, the last at the end of the file) read into
 * one reused buffer: a listing of every section of a 10 MB credentials file reads it without a
 * 10 MB allocation (whose page faults cost more than the read). A piece is only valid during the
 * call. A line longer than the buffer grows it. Throws {@link BoundedReadError} as that does.
 */
export function readRegularLinesSync(path: string, options: BoundedReadOptions, onPiece: (piece: Buffer) => void): void {
  const { fd, size } = openRegularFileSync(path, options);
  try {
    let buffer = Buffer.allocUnsafe(Math.min(LINES_PIECE_BYTES, size + 1));
    let filled = 0; // bytes in the buffer not yet handed over: the start of a line
    let total = 0;
    for (;;) {
      if (filled === buffer.length) {
        const larger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(larger, 0, 0, filled);
        buffer = larger;
      }
      const read = readSync(fd, buffer, filled, buffer.length - filled, null);
      total += read;
      if (total > options.maxBytes) throw new BoundedReadError("too-large", path, `${options.what} ${path} is over the ${options.maxBytes}-byte limit`);
      if (read === 0) break;
      const readFrom = filled;
      filled += read;
      // The last line break read, searched for in the bytes just read: the rest is a line yet to end.
      const lastBreak = Math.max(buffer.lastIndexOf(0x0a, filled - 1), buffer.lastIndexOf(0x0d, filled - 1));
      if (lastBreak < readFrom) continue;
      onPiece(buffer.subarray(0, lastBreak + 1));
      filled = buffer.copy(buffer, 0, lastBreak + 1, filled);
    }
    if (filled > 0) onPiece(buffer.subarray(0, filled));
  } catch (error) {
    // What onPiece throws is its own; only the file system's errors are the read's.
    if (error instanceof RolecredError || errnoCode(error) === undefined) throw error;
    throw new BoundedReadError("unreadable", path, `cannot read ${options.what} ${path}: ${errnoCode(error) ?? "error"}`, error);
  } finally {
    closeSync(fd);
  }
}
