/**
 * Group commit for the credentials file: fifty tools writing their profiles at once would
 * otherwise take the lock one after the other, each reading, parsing, writing and syncing the
 * whole file while the others poll. Here a writer that finds the lock held leaves its write as a
 * request in a private folder beside the lock, and whoever holds the lock applies every request
 * present in its own read-modify-write (one parse, one write, one fsync) and answers each
 * requester with its own outcome: done, or its refusal (message, hint, exit code), which does not
 * stop the others. A requester learns its answer by looking for one small file, not by re-reading
 * the credentials file.
 *
 * A request holds a session's secrets, so:
 * - it lives in `<target>.rolecred.queue/`, a folder of this user's at mode 0700 (checked before
 *   every use: a folder that is anyone else's, or wider, or a link is not used and the writer
 *   waits for the lock as before), as `<token>.request` at mode 0600, written whole to a
 *   temporary name first and renamed into place, so a holder never reads half a request;
 * - its writer removes it on every path (answered, timed out, an error, SIGINT/SIGTERM/SIGHUP and
 *   exit; lock.ts removeAtExit);
 * - every file in the queue is named after its writer's token (lock.ts newLockOwner: pid, start
 *   time, host and boot tags first), so that a writer that is gone (killed: SIGKILL leaves its
 *   files) is told from its file's name alone, and its request deleted unread, never applied by
 *   someone else: by every write as it starts (not only by a holder) and by `logout`. A request
 *   of another host (a home on NFS) or of a writer whose start time cannot be read is left to its
 *   writer, which takes the lock itself once it is free.
 *
 * A holder claims a request before it reads it, by renaming it to `<token>.claimed-<holder
 * token>`; it answers, then removes the claim. So the outcome a writer reports is the true one:
 * - a writer whose lock wait times out removes its `.request` and reports the timeout; when the
 *   `.request` is gone, a holder has claimed it and may be writing it: the writer waits for that
 *   answer instead (up to {@link CLAIMED_WAIT_MS} while the holder runs; past that it says the
 *   outcome is unknown);
 * - a holder that dies (SIGKILL) between its claim and its answer may or may not have replaced
 *   the file: its writer, still running, writes its request itself (it takes the abandoned lock;
 *   or, after a timeout, tries once more). Writing the same section twice gives the same file;
 * - a claimed request that cannot be read back (cut short, not its writer's) is not written: its
 *   writer is told so (exit 1).
 *
 * A writer killed after the holder has claimed its request may still have its profile written (as
 * if it had been killed during its own write); its claim is removed by the holder, or, if the
 * holder dies too, by the next write.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { errnoCode, ExitCode, messageOf, RolecredError, type ExitCodeValue } from "../errors.js";
import { readOptionalTextSync } from "./bounded-read.js";
import {
  keepAtExit,
  LockTimeoutError,
  newLockOwner,
  parseOwner,
  removeAtExit,
  tokenState,
  withFileLockUnlessAnswered,
  type LockOptions,
  type LockWaitNotice,
  type LockOwner,
} from "./lock.js";

/** What a requester is told: its write was done, or why it was refused. */
type Answer = { readonly ok: true } | { readonly ok: false; readonly message: string; readonly hint: string | undefined; readonly exitCode: ExitCodeValue };

/** The one kind of write that is queued, seen from the queue: how to read one back and how to apply a batch. */
export interface QueuedWrites<R> {
  /** One request as read from the queue (JSON), checked again; undefined when it is not a valid one. */
  parse(value: unknown): R | undefined;
  /**
   * Under the lock: apply every request (the holder's own first) in one read-modify-write. Per
   * request, undefined when it was applied, or its refusal. Throwing refuses them all.
   */
  apply(requests: readonly R[]): Promise<ReadonlyArray<RolecredError | undefined>>;
}

/** A request larger than this is no request of rolecred's (a few profiles are a few KiB). */
const REQUEST_MAX_BYTES = 256 * 1024;
const REQUEST_SUFFIX = ".request";
const ANSWER_SUFFIX = ".answer";
/** `<writer token>.claimed-<holder token>`: a request a holder has taken (renamed) before reading it. */
const CLAIM_INFIX = ".claimed-";
/** The longest pause of a queued writer between two looks for its answer (jittered up to twice that). */
const QUEUED_MAX_POLL_MS = 40;

/** The queue folder when it is fit to hold secrets: this user's, a real folder, mode 0700. */
function privateFolder(folder: string): boolean {
  try {
    const stats = lstatSync(folder);
    return stats.isDirectory() && stats.uid === process.geteuid?.() && (stats.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

/** Write `text` to `path` whole: a temporary name (0600, never an existing file), then a rename. */
function writeWhole(path: string, text: string): void {
  const temporary = `${path}.tmp`;
  const fd = openSync(temporary, "wx", 0o600);
  try {
    const bytes = Buffer.from(text);
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    closeSync(fd);
    unlinkSync(temporary);
    throw error;
  }
  closeSync(fd);
  renameSync(temporary, path);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already
  }
}

/**
 * Leave `request` in the queue; false when there is no private queue to leave it in (the writer
 * then waits for the lock as before). The folder may be removed by a holder between our mkdir and
 * our write: then again.
 */
function enqueue(folder: string, owner: LockOwner, request: unknown, requestPath: string): boolean {
  const text = `${JSON.stringify(owner)}\n${JSON.stringify(request)}\n`;
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      if (errnoCode(error) !== "EEXIST") return false;
    }
    if (!privateFolder(folder)) return false;
    removeAtExit(`${requestPath}.tmp`);
    removeAtExit(requestPath);
    try {
      writeWhole(requestPath, text);
      keepAtExit(`${requestPath}.tmp`);
      return true;
    } catch (error) {
      keepAtExit(`${requestPath}.tmp`);
      keepAtExit(requestPath);
      if (errnoCode(error) !== "ENOENT") return false;
    }
  }
  return false;
}

function readAnswer(answerPath: string): Answer | undefined {
  if (!existsSync(answerPath)) return undefined;
  let text: string | undefined;
  try {
    text = readOptionalTextSync(answerPath, { what: "a queued write's answer", maxBytes: 64 * 1024 });
  } catch {
    text = undefined;
  }
  if (text === undefined) return undefined;
  try {
    const parsed = JSON.parse(text) as { ok?: unknown; message?: unknown; hint?: unknown; exitCode?: unknown };
    if (parsed.ok === true) return { ok: true };
    if (typeof parsed.message === "string" && typeof parsed.exitCode === "number" && (Object.values(ExitCode) as number[]).includes(parsed.exitCode)) {
      return {
        ok: false,
        message: parsed.message,
        hint: typeof parsed.hint === "string" ? parsed.hint : undefined,
        exitCode: parsed.exitCode as ExitCodeValue,
      };
    }
  } catch {
    // not an answer of ours
  }
  return { ok: false, message: "another rolecred answered this write with something unreadable", hint: undefined, exitCode: ExitCode.failure };
}

function answerOf(refusal: RolecredError | undefined): Answer {
  return refusal === undefined ? { ok: true } : { ok: false, message: refusal.message, hint: refusal.hint, exitCode: refusal.exitCode };
}

function settle(answer: Answer): void {
  if (!answer.ok) throw new RolecredError(answer.message, { exitCode: answer.exitCode, ...(answer.hint === undefined ? {} : { hint: answer.hint }) });
}

/** The token of the writer a queue file belongs to: its name up to the first dot (tokens hold none). */
function writerTokenOf(name: string): string {
  const dot = name.indexOf(".");
  return dot < 0 ? name : name.slice(0, dot);
}

/**
 * Remove every file in the queue whose writer is gone (its request, claimed request, answer, or
 * a temporary a SIGKILL left before its rename), judged by the writer's token in the file's name
 * alone (lock.ts tokenState: pid, start time, host, boot): a dead writer's request, which holds
 * its session's secrets, is never read. Returns the names left.
 */
function sweepDead(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (tokenState(writerTokenOf(name)) !== "gone") return true;
    removeQuietly(join(folder, name));
    return false;
  });
}

/**
 * The requests of dead writers (killed before they could remove them) swept from the queue
 * beside `target`, and the folder removed when nothing is left in it: at the start of every write
 * and at `logout`, not only when a holder comes.
 */
export function sweepAbandonedRequests(target: string): void {
  const folder = `${target}.rolecred.queue`;
  if (!privateFolder(folder)) return;
  if (sweepDead(folder).length === 0) removeFolderIfEmpty(folder);
}

function removeFolderIfEmpty(folder: string): void {
  try {
    rmdirSync(folder);
  } catch {
    // in use
  }
}

interface Queued<R> {
  readonly token: string;
  /** The request as claimed: renamed to `<writer token>.claimed-<holder token>`. */
  readonly path: string;
  /** undefined when the claimed file is not a valid request: its writer is told so. */
  readonly request: R | undefined;
}

/** Read a claimed request back; undefined when it is not a valid one of `token`'s writer. */
function readClaimed<R>(path: string, token: string, writes: QueuedWrites<R>): R | undefined {
  let text: string | undefined;
  try {
    text = readOptionalTextSync(path, { what: "a queued write", maxBytes: REQUEST_MAX_BYTES });
  } catch {
    return undefined;
  }
  if (text === undefined) return undefined;
  const newline = text.indexOf("\n");
  if (newline < 0 || parseOwner(text.slice(0, newline))?.token !== token) return undefined;
  try {
    return writes.parse(JSON.parse(text.slice(newline + 1)));
  } catch {
    return undefined;
  }
}

/**
 * Claim the requests waiting in the queue (not `self`'s), each from a writer still running on
 * this host: renamed to `<token>.claimed-<holder token>` before it is read, so that a writer
 * whose wait times out can tell, by failing to remove its `.request`, that a holder has taken it
 * (and waits for its answer). Dead writers' files are removed unread; those of writers this host
 * cannot judge (another host, no /proc) are left to them; `self`'s own leftover claims (by a
 * holder that died) are removed: it applies its own write now.
 */
function claim<R>(folder: string, self: LockOwner, writes: QueuedWrites<R>): Array<Queued<R>> {
  const queued: Array<Queued<R>> = [];
  for (const name of sweepDead(folder)) {
    const token = writerTokenOf(name);
    if (token === self.token) {
      if (name.includes(CLAIM_INFIX)) removeQuietly(join(folder, name));
      continue;
    }
    if (name !== `${token}${REQUEST_SUFFIX}` || tokenState(token) !== "alive") continue;
    const path = join(folder, `${token}${CLAIM_INFIX}${self.token}`);
    try {
      renameSync(join(folder, name), path);
    } catch {
      continue; // withdrawn by its writer (its wait timed out) just now
    }
    queued.push({ token, path, request: readClaimed(path, token, writes) });
  }
  return queued;
}

/** Told to a writer whose claimed request could not be read back (cut short, not JSON, not its own): nothing was written for it. */
const UNREADABLE = new RolecredError("another rolecred could not read this queued write back; nothing was written for it");

/**
 * Every request's outcome; a failure of the whole batch is every request's. An error that is no
 * RolecredError (a bug, an unexpected errno) is told to the others in words and comes back as it
 * is for the holder, whose caller reports it as it always did.
 */
async function applyAll<R>(
  writes: QueuedWrites<R>,
  requests: readonly R[],
): Promise<{ outcomes: ReadonlyArray<RolecredError | undefined>; unexpected?: Error }> {
  try {
    return { outcomes: await writes.apply(requests) };
  } catch (error) {
    if (error instanceof RolecredError) return { outcomes: requests.map(() => error) };
    const told = new RolecredError(`another rolecred failed to write this profile: ${messageOf(error)}`);
    return { outcomes: requests.map(() => told), unexpected: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** How long a writer whose lock wait timed out waits for the answer of the live holder that claimed its request. */
const CLAIMED_WAIT_MS = 30_000;

/** The lock's options, and how long a writer waits for a claimed request's answer after its lock wait timed out. */
export type QueueOptions = Partial<LockOptions> & { readonly claimedWaitMs?: number | undefined };

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** `token`'s request as a holder claimed it: its path and the holder's token, or undefined. */
function claimOf(folder: string, token: string): { readonly path: string; readonly holder: string } | undefined {
  const prefix = `${token}${CLAIM_INFIX}`;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return undefined;
  }
  const name = names.find((candidate) => candidate.startsWith(prefix));
  return name === undefined ? undefined : { path: join(folder, name), holder: name.slice(prefix.length) };
}

/** `pid N` of a token, for messages. */
function describeToken(token: string): string {
  const pid = /^(\d+)-/.exec(token)?.[1];
  return pid === undefined ? "another rolecred" : `another rolecred (pid ${pid})`;
}

/**
 * A queued writer's lock wait timed out. Its request is withdrawn (removed), and the timeout is
 * its outcome, unless a holder has already claimed it (the removal finds no `.request`): then the
 * holder may be writing it, and its answer is the outcome, waited for (up to
 * {@link CLAIMED_WAIT_MS}) while the holder runs. A holder gone without answering (killed
 * between its claim and its answer) leaves the write undone or done, unknown: "retry" (the writer
 * writes it itself; writing the same section twice gives the same file).
 */
async function afterTimeout(
  folder: string,
  token: string,
  requestPath: string,
  answerPath: string,
  claimedWaitMs: number,
  onWait: LockWaitNotice | undefined,
): Promise<Answer | "withdrawn" | "retry"> {
  try {
    unlinkSync(requestPath);
    return "withdrawn";
  } catch (error) {
    if (errnoCode(error) !== "ENOENT") return "withdrawn";
  }
  // Claimed. Wait bookkeeping, not a credential decision: the wall clock directly.
  const started = Date.now();
  let told = false;
  for (;;) {
    const answer = readAnswer(answerPath);
    if (answer !== undefined) return answer;
    const claimed = claimOf(folder, token);
    // The holder answers before it removes the claim: no claim (or a dead holder's) and still no answer is no answer to come.
    if (claimed === undefined || tokenState(claimed.holder) === "gone") return readAnswer(answerPath) ?? "retry";
    // Said once: the lock wait is over, but the write is not, and may take up to claimedWaitMs more.
    if (!told) {
      told = true;
      onWait?.(`${describeToken(claimed.holder)} has taken this write; waiting up to ${claimedWaitMs / 1000}s for it to say whether it wrote it`);
    }
    if (Date.now() - started > claimedWaitMs) {
      return {
        ok: false,
        message: `${describeToken(claimed.holder)} took this write over ${claimedWaitMs / 1000}s ago and has not said whether it wrote it`,
        hint: "run the write again once it is done: writing the same profile twice is harmless",
        exitCode: ExitCode.failure,
      };
    }
    await sleep(QUEUED_MAX_POLL_MS);
  }
}

/**
 * Apply `own` under `<target>.rolecred.lock`, with every request queued beside it; or, while
 * another holds the lock, leave `own` as a request and wait for its answer (or for the lock).
 * Resolves when `own` is written; throws its refusal.
 */
export async function writeThroughQueue<R>(target: string, own: R, writes: QueuedWrites<R>, options: QueueOptions = {}): Promise<void> {
  // Dead writers' requests (secrets) are removed by every write, not only by a holder.
  sweepAbandonedRequests(target);
  const outcome = await attemptWrite(target, own, writes, options);
  // A holder claimed this write and died before answering: this run writes it itself, once.
  const retried = outcome === "retry" ? await attemptWrite(target, own, writes, options) : outcome;
  settle(
    retried === "retry"
      ? {
          ok: false,
          message: "another rolecred took this write twice and stopped before saying whether it wrote it",
          hint: "run the write again: writing the same profile twice is harmless",
          exitCode: ExitCode.failure,
        }
      : retried,
  );
}

/** One attempt of {@link writeThroughQueue}: its answer, or "retry" when a holder claimed it and died unanswered. */
async function attemptWrite<R>(target: string, own: R, writes: QueuedWrites<R>, options: QueueOptions): Promise<Answer | "retry"> {
  const folder = `${target}.rolecred.queue`;
  const self = newLockOwner();
  const requestPath = join(folder, `${self.token}${REQUEST_SUFFIX}`);
  const answerPath = join(folder, `${self.token}${ANSWER_SUFFIX}`);
  let queued: boolean | undefined; // undefined: not tried yet (the lock was free at the first attempt)
  let emptied = false; // this holder looked in the queue (and answered what it found)
  const answered = (): Answer | undefined => {
    if (queued === undefined) {
      queued = enqueue(folder, self, own, requestPath);
      if (queued) removeAtExit(answerPath);
      return undefined;
    }
    return queued ? readAnswer(answerPath) : undefined;
  };
  try {
    const outcome = await withFileLockUnlessAnswered(
      target,
      async () => {
        // Answered by the previous holder just before this process took the lock: only the others to do.
        const early = queued === true ? readAnswer(answerPath) : undefined;
        // Our own request is applied (or was answered) by this holding: gone before the lock is
        // released, or the next holder would apply it again over newer writes (or a logout).
        if (queued === true) removeQuietly(requestPath);
        // A queue folder is looked at only when it is private; the holder removes it once emptied.
        emptied = privateFolder(folder);
        const others = emptied ? claim(folder, self, writes) : [];
        const readable = others.filter((item) => item.request !== undefined);
        const requests = [...(early === undefined ? [own] : []), ...readable.map((item) => item.request as R)];
        const { outcomes, unexpected } = requests.length === 0 ? { outcomes: [] } : await applyAll(writes, requests);
        const offset = early === undefined ? 1 : 0;
        for (const item of others) {
          const index = readable.indexOf(item);
          const refusal = index < 0 ? UNREADABLE : outcomes[index + offset];
          try {
            writeWhole(join(folder, `${item.token}${ANSWER_SUFFIX}`), `${JSON.stringify(answerOf(refusal))}\n`);
          } catch {
            // Its writer removed the folder's files and left: nobody to tell.
          }
          // Answered first, then the claim removed: a writer that finds neither knows no answer is coming.
          removeQuietly(item.path);
        }
        if (early === undefined && unexpected !== undefined) throw unexpected;
        return early ?? answerOf(outcomes[0]);
      },
      answered,
      // A queued writer's look is one stat of its answer and one read of the lock: it may look
      // often, and is told soon after the holder's write. Its wait notice says it is queued, and
      // no more: the holder may be a logout or key rotation (they serve no queue), or a writer
      // that took the queue's requests before this one was made (a second in); the next run to
      // hold the lock writes it, which may be this one.
      {
        maxPollMs: QUEUED_MAX_POLL_MS,
        ...options,
        onWait:
          options.onWait &&
          ((notice: string) => options.onWait?.(queued === true ? `${notice} (this write is queued: the next rolecred to hold the lock writes it)` : notice)),
      },
      self,
    );
    return outcome.held ? outcome.value : outcome.answer;
  } catch (error) {
    if (queued !== true || !(error instanceof LockTimeoutError)) throw error;
    const after = await afterTimeout(folder, self.token, requestPath, answerPath, options.claimedWaitMs ?? CLAIMED_WAIT_MS, options.onWait);
    if (after === "withdrawn") throw error;
    return after;
  } finally {
    if (queued === true) {
      removeQuietly(requestPath);
      removeQuietly(answerPath);
      removeQuietly(`${answerPath}.tmp`); // an answer its holder was killed while writing
      // A claim left by a holder that died (or one still writing, past the bounded wait): its secrets go with this run.
      const leftover = claimOf(folder, self.token);
      if (leftover !== undefined) removeQuietly(leftover.path);
      keepAtExit(requestPath);
      keepAtExit(answerPath);
    }
    // An empty queue folder is not left in ~/.aws; one still in use is not empty and stays.
    if (queued === true || emptied) removeFolderIfEmpty(folder);
  }
}
