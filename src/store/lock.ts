/**
 * A lock file beside a file rolecred rewrites, so that concurrent rolecred runs (a shell alias in
 * two terminals, twenty credential_process calls at IDE start-up) serialise their
 * read-modify-write instead of losing each other's profiles.
 *
 * Node has no flock(); an O_EXCL create is the portable primitive. The lock file names its owner:
 * a random token (this holding, and no other), the pid, the process's start time and the boot id
 * (so a reused pid or a reboot is not mistaken for the owner), and the host. The holder touches
 * the lock while it holds it (a cache refresh may wait minutes for a person to type an MFA code).
 *
 * A lock is abandoned when its owner is gone: on the same host, the pid no longer runs, or runs a
 * process that started at another time, or the machine has rebooted since; elsewhere (a home on
 * NFS), when its mtime has not moved for `staleMs`.
 *
 * Breaking an abandoned lock must never delete the lock of the owner after it (a pid check alone
 * once did: the owner a waiter judged released and exited, the next owner took the lock, and the
 * waiter deleted that one). So a break is done by one breaker at a time, under a second O_EXCL
 * file (`….lock.break`), and only after re-reading the lock under it and finding the very token
 * judged abandoned. While that token is in the file, only a breaker can remove it (its owner is
 * gone), and breakers are serialised: the re-read and the removal cannot be split by anyone.
 *
 * Held locks are released on SIGINT, SIGTERM and SIGHUP and at process exit.
 */
import { closeSync, openSync, readFileSync, readSync, unlinkSync, constants } from "node:fs";
import { hostname, link, open, stat, unlink, utimes } from "../lazy-builtins.js"; // not node:fs/promises, node:os: see there
import { errnoCode, RolecredError } from "../errors.js";
import { BoundedReadError, readRegularTextSync } from "./bounded-read.js";

/** A lock file's content: small, and never a FIFO waited on (a planted one is refused, exit 3). */
function readLockText(lockPath: string): string | undefined {
  try {
    return readRegularTextSync(lockPath, { what: "the lock file", maxBytes: 64 * 1024 });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return undefined;
    throw error;
  }
}

/** Told once, with a message to show, when a run has waited over a second for a lock. */
export type LockWaitNotice = (message: string) => void;

export interface LockOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** A lock of another host not touched for this long is abandoned. The holder touches it every third of this. */
  staleMs: number;
  /** Told once when the wait passes {@link WAIT_NOTICE_MS}. */
  onWait?: LockWaitNotice | undefined;
  /** The longest pause between two looks at the lock (the pause doubles from 5 ms up to it, jittered). */
  maxPollMs?: number | undefined;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { timeoutMs: 15_000, staleMs: 10_000 };

/** Say so after waiting this long: a silent pause of seconds looks like a hang. */
export const WAIT_NOTICE_MS = 1000;
/** A break file is held for microseconds; one this old belongs to a breaker that died. */
const BREAK_STALE_MS = 2000;

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Who holds a lock, as written in the lock file. */
export interface LockOwner {
  readonly token: string;
  readonly pid: number;
  readonly host: string;
  /** The process's start time in clock ticks since boot (Linux /proc), when known. */
  readonly start?: string | undefined;
  /** /proc/sys/kernel/random/boot_id, when known. */
  readonly boot?: string | undefined;
}

function readProcText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/PID/stat (after the parenthesised command name, which may hold spaces). */
export function processStartTime(pid: number): string | undefined {
  const text = readProcText(`/proc/${pid}/stat`);
  if (text === undefined) return undefined;
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return fields[19];
}

let bootId: string | undefined | null = null;
function currentBootId(): string | undefined {
  if (bootId === null) bootId = readProcText("/proc/sys/kernel/random/boot_id")?.trim();
  return bootId;
}

let hostName: string | undefined;
function currentHost(): string {
  hostName ??= hostname();
  return hostName;
}

/** A short tag of a host name or boot id (FNV-1a, 8 hex digits): enough to tell them apart in a file name. */
function tagOf(text: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) hash = Math.imul(hash ^ text.charCodeAt(index), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, "0");
}

/**
 * A new holding's owner: this process, with a token of its own. The token starts with what tells
 * whether its process still runs (pid, start time or `x`, host tag, boot tag): a file named after
 * it (a queued write, which holds secrets) is judged by its name alone, never read ({@link tokenState}).
 */
export function newLockOwner(): LockOwner {
  const start = processStartTime(process.pid);
  const boot = currentBootId();
  const tags = `${tagOf(currentHost())}-${tagOf(boot ?? "")}`;
  return {
    token: `${process.pid}-${start ?? "x"}-${tags}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`,
    pid: process.pid,
    host: hostname(),
    ...(start === undefined ? {} : { start }),
    ...(boot === undefined ? {} : { boot }),
  };
}

export function parseOwner(text: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.token !== "string" || typeof parsed.pid !== "number" || typeof parsed.host !== "string") return undefined;
    return {
      token: parsed.token,
      pid: parsed.pid,
      host: parsed.host,
      start: typeof parsed.start === "string" ? parsed.start : undefined,
      boot: typeof parsed.boot === "string" ? parsed.boot : undefined,
    };
  } catch {
    return undefined;
  }
}

/** No process runs under `pid` on this host (kill(pid, 0) says ESRCH); a pid reused by another process is not told apart here. */
export function processIsGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return errnoCode(error) === "ESRCH";
  }
}

/**
 * Whether the owner still runs: "gone" when certain, "alive" when its pid runs the very process
 * that took the lock, "unknown" when this host cannot tell (another host, no /proc): then the
 * mtime decides.
 */
export function ownerState(owner: LockOwner): "gone" | "alive" | "unknown" {
  if (owner.host !== currentHost()) return "unknown";
  const boot = currentBootId();
  if (owner.boot !== undefined && boot !== undefined && owner.boot !== boot) return "gone";
  if (owner.pid === process.pid) return "alive"; // another holding of this very process
  // Not gone on EPERM: a process of another user runs under that pid; the start time below decides.
  if (processIsGone(owner.pid)) return "gone";
  if (owner.start === undefined) return "unknown";
  const start = processStartTime(owner.pid);
  if (start === undefined) return "unknown"; // kill() found it but /proc did not: not Linux after all
  return start === owner.start ? "alive" : "gone";
}

const TOKEN = /^(\d+)-(\d+|x)-([0-9a-f]{8})-([0-9a-f]{8})-[0-9a-z]+-[0-9a-z]+$/;

/**
 * Whether the process that made `token` ({@link newLockOwner}) still runs, from the token alone:
 * "gone" when certain (this host, and the pid is gone, runs a process started at another time, or
 * the machine has rebooted since), "alive" when its pid runs the very process, "unknown" when
 * this host cannot tell (another host, no start time known, an older token whose pid runs).
 */
export function tokenState(token: string): "gone" | "alive" | "unknown" {
  const match = TOKEN.exec(token);
  if (match === null) {
    // An older rolecred's token (`PID-…`): gone when its pid no longer runs, else unknown.
    const pid = Number(/^(\d+)-/.exec(token)?.[1]);
    return Number.isInteger(pid) && pid > 0 && processIsGone(pid) ? "gone" : "unknown";
  }
  const [, pid = "", start = "", hostTag, bootTag] = match;
  if (hostTag !== tagOf(currentHost())) return "unknown";
  const boot = currentBootId();
  const noBoot = tagOf("");
  if (boot !== undefined && bootTag !== noBoot && bootTag !== tagOf(boot)) return "gone";
  return ownerState({ token, pid: Number(pid), host: currentHost(), start: start === "x" ? undefined : start });
}

/** What the lock holds now: its owner (undefined when unreadable) and mtime, or "free". */
async function inspect(lockPath: string): Promise<{ owner: LockOwner | undefined; text: string; mtimeMs: number } | "free"> {
  try {
    const text = readLockText(lockPath);
    if (text === undefined) return "free";
    const stats = await stat(lockPath);
    return { owner: parseOwner(text), text, mtimeMs: stats.mtimeMs };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return "free";
    throw error;
  }
}

/**
 * Create the lock with its content in one step: the content goes to a private temporary file
 * first, then link() puts it at the lock's path, failing if a lock is there. A lock file is
 * therefore never seen empty or half-written (a signal between create and write would otherwise
 * leave a lock nobody can tell is its own).
 */
async function tryCreate(lockPath: string, content: string, temporary: string): Promise<boolean> {
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, lockPath);
      return true;
    } finally {
      await unlink(temporary).catch(() => undefined);
    }
  } catch (error) {
    const code = errnoCode(error);
    if (code === "EEXIST") return false;
    if (code === "ENOENT") throw error; // the folder is missing: the caller creates it first
    throw new RolecredError(`cannot create lock file ${lockPath}: ${code ?? String(error)}`, { cause: error });
  }
}

/**
 * Remove the lock if it still holds exactly `judged` (the content judged abandoned), serialised
 * with every other breaker by the break file. Returns whether this call removed it.
 */
async function breakAbandoned(lockPath: string, judged: string): Promise<boolean> {
  const breakPath = `${lockPath}.break`;
  let handle;
  try {
    handle = await open(breakPath, "wx", 0o600);
  } catch (error) {
    if (errnoCode(error) !== "EEXIST") return false;
    // A breaker that died inside its few microseconds leaves the break file; clear it when old.
    try {
      // File-system bookkeeping, not a credential decision: reads the clock directly.
      if (Date.now() - (await stat(breakPath)).mtimeMs > BREAK_STALE_MS) await unlink(breakPath);
    } catch {
      // gone meanwhile
    }
    return false;
  }
  try {
    await handle.close();
    const current = readLockText(lockPath);
    // Released meanwhile (free: the next attempt takes it), or someone else's now (wait for it like any lock).
    if (current !== judged) return false;
    await unlink(lockPath);
    return true;
  } finally {
    await unlink(breakPath).catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------------------------
// Release on signals and exit: a lock left behind by Ctrl-C would make the next run wait.

// Per holding (its token), not per path: two holdings in one process may wait on the same lock.
const held = new Map<string, { readonly lockPath: string; readonly content: string }>();
// Lock contents on their way to the lock path, and a waiter's queued request (write-queue.ts).
const temporaries = new Set<string>();
const RELEASE_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let handlersInstalled = false;

/** Remove a held lock synchronously, only while it is still ours. */
function releaseSync(lockPath: string, content: string): void {
  try {
    const fd = openSync(lockPath, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const buffer = Buffer.alloc(4096);
      const read = readSync(fd, buffer, 0, buffer.length, 0);
      if (buffer.subarray(0, read).toString("utf8") !== content) return;
    } finally {
      closeSync(fd);
    }
    unlinkSync(lockPath);
  } catch {
    // gone already
  }
}

function releaseAllSync(): void {
  for (const { lockPath, content } of held.values()) releaseSync(lockPath, content);
  held.clear();
  for (const temporary of temporaries) {
    try {
      unlinkSync(temporary);
    } catch {
      // not created yet, or already linked and removed
    }
  }
  temporaries.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  releaseAllSync();
  uninstallHandlers();
  // With no other handler, the default action follows (exit with the signal), as without rolecred's.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of RELEASE_SIGNALS) process.on(signal, onSignal);
  process.on("exit", releaseAllSync);
}

function uninstallHandlers(): void {
  if (!handlersInstalled || held.size > 0 || temporaries.size > 0) return;
  handlersInstalled = false;
  for (const signal of RELEASE_SIGNALS) process.off(signal, onSignal);
  process.off("exit", releaseAllSync);
}

/**
 * Remove `path` if this process exits or is stopped by SIGINT/SIGTERM/SIGHUP before
 * {@link keepAtExit} is called for it: a request holding a session's secrets (write-queue.ts)
 * must not outlive the run that wrote it.
 */
export function removeAtExit(path: string): void {
  temporaries.add(path);
  installHandlers();
}

/** `path` was removed (or handed on) by its owner: no longer removed at exit. */
export function keepAtExit(path: string): void {
  temporaries.delete(path);
  uninstallHandlers();
}

/** A lock wait that ended because the lock stayed held too long (exit 1): the write queue withdraws its request on it. */
export class LockTimeoutError extends RolecredError {}

function describeOwner(owner: LockOwner | undefined): string {
  if (owner === undefined) return "another rolecred";
  return owner.host === hostname() ? `another rolecred (pid ${owner.pid})` : `another rolecred (pid ${owner.pid} on ${owner.host})`;
}

/** Run `critical` while holding `<target>.rolecred.lock`. */
export async function withFileLock<T>(target: string, critical: () => Promise<T>, options: Partial<LockOptions> = {}): Promise<T> {
  const outcome = await withFileLockUnlessAnswered(target, critical, () => undefined, options);
  if (!outcome.held) throw new Error("a lock wait ended without the lock and without an answer"); // cannot happen: nothing answers
  return outcome.value;
}

/** How a wait that may be answered ended: the caller held the lock and ran `critical`, or was answered. */
export type LockOrAnswer<T, A> = { readonly held: true; readonly value: T } | { readonly held: false; readonly answer: A };

/**
 * As {@link withFileLock}, but while another holds the lock, `answered` is asked at every poll;
 * the first value it returns ends the wait without the lock (a queued write done by the holder,
 * write-queue.ts). `self` is the holding's owner, the token of which the caller may already use.
 */
export async function withFileLockUnlessAnswered<T, A>(
  target: string,
  critical: () => Promise<T>,
  answered: () => A | undefined,
  options: Partial<LockOptions> = {},
  self: LockOwner = newLockOwner(),
): Promise<LockOrAnswer<T, A>> {
  const { timeoutMs, staleMs, onWait, maxPollMs = 100 } = { ...DEFAULT_LOCK_OPTIONS, ...options };
  const lockPath = `${target}.rolecred.lock`;
  const content = `${JSON.stringify(self)}\n`;
  const temporary = `${lockPath}.${self.token}.tmp`;
  // Registered before the first attempt: a signal at any point after it finds the lock (only if
  // it holds exactly this content) and the temporary file, and removes them.
  held.set(self.token, { lockPath, content });
  temporaries.add(temporary);
  installHandlers();
  const forget = () => {
    held.delete(self.token);
    temporaries.delete(temporary);
    uninstallHandlers();
  };
  // Lock age and wait time are file-system bookkeeping, not credential decisions: the wall clock directly.
  const started = Date.now();
  let delay = 5;
  let noticed = false;
  try {
    let attempt = true;
    for (;;) {
      // Only a lock seen free is attempted: an attempt is four file operations, a look is one read.
      if (attempt && (await tryCreate(lockPath, content, temporary))) break;
      const answer = answered();
      if (answer !== undefined) {
        forget();
        return { held: false, answer };
      }
      const current = await inspect(lockPath);
      attempt = current === "free";
      if (current !== "free") {
        const state = current.owner === undefined ? "unknown" : ownerState(current.owner);
        // A live owner is waited for however old its mtime (a suspended holder keeps its lock).
        const abandoned = state === "gone" || (state === "unknown" && Date.now() - current.mtimeMs > staleMs);
        if (abandoned) {
          await breakAbandoned(lockPath, current.text);
          attempt = true;
          continue;
        }
        const waited = Date.now() - started;
        if (!noticed && waited > WAIT_NOTICE_MS && onWait !== undefined) {
          noticed = true;
          onWait(`waiting for ${describeOwner(current.owner)} to release ${lockPath}`);
        }
        if (waited > timeoutMs) {
          throw new LockTimeoutError(`${describeOwner(current.owner)} has held ${lockPath} for over ${Math.round(timeoutMs / 1000)}s`, {
            hint: `if no rolecred is running, delete ${lockPath}`,
          });
        }
        await sleep(delay + Math.random() * delay);
        delay = Math.min(delay * 2, maxPollMs);
      }
    }
  } catch (error) {
    forget();
    throw error;
  }
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, staleMs / 3);
  heartbeat.unref();
  try {
    return { held: true, value: await critical() };
  } finally {
    clearInterval(heartbeat);
    // Only while it is still ours: a lock broken as stale (a process suspended past staleMs) may be another's now.
    let now: string | undefined;
    try {
      now = readLockText(lockPath);
    } catch {
      now = undefined;
    }
    if (now === content) await unlink(lockPath).catch(() => undefined);
    forget();
  }
}
