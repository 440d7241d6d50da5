/**
 * A lock file beside a file rolecred rewrites, so that concurrent rolecred runs (a shell alias in
 * two terminals, twenty credential_process calls at IDE start-up) serialise their
 * read-modify-write instead of losing each other's profiles.
 *
 * Node has no flock(); an O_EXCL create is the portable primitive. The holder touches the lock
 * while it holds it (a cache refresh may wait minutes for a person to type an MFA code), so a lock
 * whose mtime stopped moving belongs to a run that died, and is broken.
 *
 * Staleness is judged by mtime only, never by "is the owner's pid alive": an owner that has just
 * released the lock and exited looks dead to a waiter that read its lock a moment earlier, and
 * breaking on that deletes the *next* owner's lock (two writers at once, a lost profile).
 */
import { open, stat, unlink, utimes } from "node:fs/promises";
import { errnoCode, RolecredError } from "../errors.js";

export interface LockOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** A lock not touched for this long is abandoned. The holder touches it every third of this. */
  staleMs: number;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { timeoutMs: 15_000, staleMs: 10_000 };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

async function isStale(lockPath: string, options: LockOptions): Promise<boolean> {
  try {
    // Lock age is file-system bookkeeping, not a credential decision, so it reads the clock directly.
    return Date.now() - (await stat(lockPath)).mtimeMs > options.staleMs;
  } catch {
    return false; // gone: free now, the next attempt takes it
  }
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, "wx", 0o600);
    try {
      // For a person wondering who holds it; staleness is judged by mtime alone.
      await handle.writeFile(`${JSON.stringify({ pid: process.pid })}\n`);
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "EEXIST") return false;
    if (code === "ENOENT") throw error; // the folder is missing: the caller creates it first
    throw new RolecredError(`cannot create lock file ${lockPath}: ${code ?? String(error)}`, { cause: error });
  }
}

/** Run `critical` while holding `<target>.rolecred.lock`. */
export async function withFileLock<T>(target: string, critical: () => Promise<T>, options: LockOptions = DEFAULT_LOCK_OPTIONS): Promise<T> {
  const lockPath = `${target}.rolecred.lock`;
  const started = Date.now();
  let delay = 5;
  while (!(await tryCreate(lockPath))) {
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
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, options.staleMs / 3);
  heartbeat.unref();
  try {
    return await critical();
  } finally {
    clearInterval(heartbeat);
    await unlink(lockPath).catch(() => undefined);
  }
}
