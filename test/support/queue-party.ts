/**
 * One party to the write queue (src/store/write-queue.ts), in a process of its own so that a test
 * can stop (SIGSTOP), resume or kill (SIGKILL) it: `node dist/test/support/queue-party.js TARGET
 * NAME TIMEOUT_MS MODE [CLAIMED_WAIT_MS]` writes NAME through the queue beside TARGET, with a lock wait of
 * TIMEOUT_MS (and, as a 5th argument, how long it then waits for a claimed request's answer). Its "apply" writes nothing: it prints each batch it is handed as a line
 * `{"batch":[...]}` (what a holder would write) and then, by MODE, returns at once ("apply"),
 * waits for a line on stdin ("gate") or never returns ("hang", until killed). Last it prints
 * `{"done":"ok"}` or `{"done":"error","message":…}` and exits 0 or 1. Each wait notice (a lock wait
 * over a second, a claimed request's answer awaited) is a line `{"notice":…}`.
 */
import { createInterface } from "node:readline";
import { writeThroughQueue, type QueuedWrites } from "../../src/store/write-queue.js";

const [target = "", name = "", timeoutText = "15000", mode = "apply", claimedWaitText = "30000"] = process.argv.slice(2);
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

const writes: QueuedWrites<string> = {
  parse: (value) => (typeof value === "string" ? value : undefined),
  apply: async (batch) => {
    process.stdout.write(`${JSON.stringify({ batch })}\n`);
    if (mode === "gate") await lines.next();
    if (mode === "hang") await new Promise<never>(() => setInterval(() => undefined, 60_000));
    return batch.map(() => undefined);
  },
};

try {
  await writeThroughQueue(target, name, writes, {
    timeoutMs: Number(timeoutText),
    claimedWaitMs: Number(claimedWaitText),
    // The wait notices a user would see on stderr, as lines of their own: `{"notice":…}`.
    onWait: (notice) => process.stdout.write(`${JSON.stringify({ notice })}\n`),
  });
  process.stdout.write(`${JSON.stringify({ done: "ok" })}\n`);
  process.exit(0);
} catch (error) {
  process.stdout.write(`${JSON.stringify({ done: "error", message: error instanceof Error ? error.message : String(error) })}\n`);
  process.exit(1);
}
