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
 * - a holder applies only requests whose writer still runs on this host (pid, start time and boot
 *   id, as the lock's owner is checked): the request of a writer that was killed (SIGKILL leaves
 *   the file) is deleted unread, never applied later by someone else. A request of another host
 *   (a home on NFS) is left to its writer, which takes the lock itself once it is free.
 *
 * A writer killed after the holder has read its request may still have its profile written (as if
 * it had been killed during its own write). Applying a request twice (a holder died between the
 * write and the answers, and the requester then took the lock itself) writes the same section
 * twice: the same file.
 */
import { closeSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, renameSync, rmdirSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { errnoCode, ExitCode, messageOf, RolecredError, type ExitCodeValue } from "../errors.js";
import { readOptionalTextSync } from "./bounded-read.js";
import {
  keepAtExit,
  newLockOwner,
  ownerState,
  parseOwner,
  processIsGone,
  removeAtExit,
  withFileLockUnlessAnswered,
  type LockOptions,
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

/** The token's pid (`PID-…`), for an answer left behind by a writer that is gone. */
function pidOfToken(token: string): number | undefined {
  const pid = Number(/^(\d+)-/.exec(token)?.[1]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

interface Queued<R> {
  readonly token: string;
  readonly path: string;
  readonly request: R;
}

/**
 * The requests waiting in the queue (not `ownToken`'s), each from a writer still running on this
 * host. A dead writer's request is deleted unread; an unreadable or invalid one is left alone.
 */
function collect<R>(folder: string, ownToken: string, writes: QueuedWrites<R>): Array<Queued<R>> {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const queued: Array<Queued<R>> = [];
  for (const name of names) {
    if (name.endsWith(ANSWER_SUFFIX) || name.endsWith(".tmp")) {
      // An answer nobody collected (its writer died after asking), or a request or answer a
      // SIGKILL stopped before its rename (a request holds secrets): removed once its writer is gone.
      const pid = pidOfToken(name);
      if (pid !== undefined && processIsGone(pid)) removeQuietly(join(folder, name));
      continue;
    }
    if (!name.endsWith(REQUEST_SUFFIX)) continue;
    const token = name.slice(0, -REQUEST_SUFFIX.length);
    if (token === ownToken) continue;
    const path = join(folder, name);
    let text: string | undefined;
    try {
      text = readOptionalTextSync(path, { what: "a queued write", maxBytes: REQUEST_MAX_BYTES });
    } catch {
      continue;
    }
    if (text === undefined) continue;
    const newline = text.indexOf("\n");
    const owner = parseOwner(text.slice(0, newline));
    if (owner === undefined || owner.token !== token) continue;
    const state = ownerState(owner);
    if (state === "gone") {
      removeQuietly(path);
      continue;
    }
    if (state !== "alive") continue;
    let request: R | undefined;
    try {
      request = writes.parse(JSON.parse(text.slice(newline + 1)));
    } catch {
      request = undefined;
    }
    if (request !== undefined) queued.push({ token, path, request });
  }
  return queued;
}

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

/**
 * Apply `own` under `<target>.rolecred.lock`, with every request queued beside it; or, while
 * another holds the lock, leave `own` as a request and wait for its answer (or for the lock).
 * Resolves when `own` is written; throws its refusal.
 */
export async function writeThroughQueue<R>(target: string, own: R, writes: QueuedWrites<R>, options: Partial<LockOptions> = {}): Promise<void> {
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
        const others = emptied ? collect(folder, self.token, writes) : [];
        const requests = early === undefined ? [own, ...others.map((item) => item.request)] : others.map((item) => item.request);
        const { outcomes, unexpected } = requests.length === 0 ? { outcomes: [] } : await applyAll(writes, requests);
        const offset = early === undefined ? 1 : 0;
        others.forEach((item, index) => {
          try {
            writeWhole(join(folder, `${item.token}${ANSWER_SUFFIX}`), `${JSON.stringify(answerOf(outcomes[index + offset]))}\n`);
          } catch {
            // Its writer removed the folder's files and left: nobody to tell.
          }
          removeQuietly(item.path);
        });
        if (early === undefined && unexpected !== undefined) throw unexpected;
        return early ?? answerOf(outcomes[0]);
      },
      answered,
      // A queued writer's look is one stat of its answer and one read of the lock: it may look
      // often, and is told soon after the holder's write.
      { maxPollMs: QUEUED_MAX_POLL_MS, ...options },
      self,
    );
    settle(outcome.held ? outcome.value : outcome.answer);
  } finally {
    if (queued === true) {
      removeQuietly(requestPath);
      removeQuietly(answerPath);
      keepAtExit(requestPath);
      keepAtExit(answerPath);
    }
    // An empty queue folder is not left in ~/.aws; one still in use is not empty and stays.
    if (queued === true || emptied) {
      try {
        rmdirSync(folder);
      } catch {
        // in use
      }
    }
  }
}
