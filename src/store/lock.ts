/**
 * A lock file beside a file rolecred rewrites, so that concurrent rolecred runs (a shell alias in
 * two terminals, twenty credential_process calls at IDE start-up) serialise their
 * read-modify-write instead of losing each other's profiles.
 *
 * Node has no flock(); an O_EXCL create is the portable primitive. A lock left by a crashed run
 * is broken when its owner's pid is gone (same host) or when it is older than any write could take.
 */
import { hostname } from "node:os";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { errnoCode, RolecredError } from "../errors.js";

export interface LockOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** A lock older than this is assumed abandoned whatever its owner. */
  staleMs: number;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { timeoutMs: 15_000, staleMs: 30_000 };

interface LockOwner {
  pid: number;
  host: string;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM"; // exists, owned by someone else
  }
}

async function isStale(lockPath: string, options: LockOptions): Promise<boolean> {
  try {
    const [text, info] = await Promise.all([readFile(lockPath, "utf8"), stat(lockPath)]);
    // Lock age is wall-clock bookkeeping, not a credential decision, so it reads the clock directly.
    if (Date.now() - info.mtimeMs > options.staleMs) return true;
    const owner = JSON.parse(text) as Partial<LockOwner>;
    return owner.host === hostname() && typeof owner.pid === "number" && !processIsAlive(owner.pid);
  } catch {
    // Vanished (free now: retry) or still being written by its owner (empty JSON: not stale yet).
    return false;
  }
}

/** Run `critical` while holding `<target>.rolecred.lock`. */
export async function withFileLock<T>(target: string, critical: () => Promise<T>, options: LockOptions = DEFAULT_LOCK_OPTIONS): Promise<T> {
  const lockPath = `${target}.rolecred.lock`;
  const started = Date.now();
  let delay = 5;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx", 0o600);
      try {
        await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() } satisfies LockOwner));
      } finally {
        await handle.close();
      }
      break;
    } catch (error) {
      const code = errnoCode(error);
      if (code === "ENOENT") throw error; // the folder is missing: the caller creates it first
      if (code !== "EEXIST") {
        throw new RolecredError(`cannot create lock file ${lockPath}: ${code ?? String(error)}`, { cause: error });
      }
      if (await isStale(lockPath, options)) {
        await unlink(lockPath).catch(() => undefined);
        continue;
      }
      if (Date.now() - started > options.timeoutMs) {
        throw new RolecredError(`another rolecred has held ${lockPath} for over ${Math.round(options.timeoutMs / 1000)}s`, {
          hint: `if no rolecred is running, delete ${lockPath}`,
        });
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 100);
    }
  }
  try {
    return await critical();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}
