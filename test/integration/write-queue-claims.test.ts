/**
 * The write queue's loose ends (src/store/write-queue.ts): a holder claims a request (renames it)
 * before reading it, so a writer whose lock wait times out can tell whether its write is being
 * done; a claim whose holder died; dead writers' requests (secrets) swept by every write and by
 * `logout`, judged by their names, never read; a request that cannot be read back. The parties
 * are real processes (test/support/queue-party.ts, or the built CLI) that the tests stop, resume
 * and kill, so each interleaving is the one named, not a race the test hopes to win.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, truncateSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withFileLock } from "../../src/store/lock.js";
import { REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";

const PARTY = join(REPO_ROOT, "dist", "test", "support", "queue-party.js");

let world: World;
let home: string;
let env: Record<string, string>;
let credentialsPath: string;
let queueFolder: string;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CI_CONFIG }));
  credentialsPath = join(home, ".aws", "credentials");
  queueFolder = `${credentialsPath}.rolecred.queue`;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a queue party prints: the batches it was handed to write, then how its own write ended. */
interface PartyLine {
  readonly batch?: string[];
  readonly done?: "ok" | "error";
  readonly message?: string;
  readonly notice?: string;
}

interface Party {
  readonly pid: number;
  /** The next line it prints. */
  next(): Promise<PartyLine>;
  /** Resolves once it has printed `count` wait notices matching `pattern` (kept apart from its other lines). */
  noticed(pattern: RegExp, count: number): Promise<void>;
  /** Every line it printed but its wait notices, once it has exited, and its exit code. */
  readonly done: Promise<{ lines: PartyLine[]; exitCode: number | null }>;
  tell(line: string): void;
  signal(signal: NodeJS.Signals): void;
}

/** A process writing `name` through the queue beside the credentials file (test/support/queue-party.ts). */
/** What a writer says once its lock wait is over and a live holder has its request: it waits for that answer. */
const CLAIMED_WAIT = /^another rolecred \(pid \d+\) has taken this write; waiting up to \d+s for it to say whether it wrote it$/;

function startParty(name: string, timeoutMs: number, mode: "apply" | "gate" | "hang", claimedWaitMs = 30_000): Party {
  const child = spawn(process.execPath, [PARTY, credentialsPath, name, String(timeoutMs), mode, String(claimedWaitMs)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines: PartyLine[] = [];
  const notices: string[] = [];
  let noticeWaits: Array<() => boolean> = [];
  const waiting: Array<(line: PartyLine) => void> = [];
  let read = 0;
  createInterface({ input: child.stdout }).on("line", (text) => {
    const line = JSON.parse(text) as PartyLine;
    if (line.notice !== undefined) {
      notices.push(line.notice);
      noticeWaits = noticeWaits.filter((wait) => !wait());
      return;
    }
    lines.push(line);
    while (waiting.length > 0 && read < lines.length) waiting.shift()?.(lines[read++] as PartyLine);
  });
  const done = new Promise<{ lines: PartyLine[]; exitCode: number | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode) => resolve({ lines, exitCode }));
  });
  return {
    pid: child.pid ?? 0,
    next: () => (read < lines.length ? Promise.resolve(lines[read++] as PartyLine) : new Promise((resolve) => waiting.push(resolve))),
    noticed: (pattern, count) =>
      new Promise<void>((resolve) => {
        const seen = () => notices.filter((notice) => pattern.test(notice)).length >= count && (resolve(), true);
        if (!seen()) noticeWaits.push(seen);
      }),
    done,
    tell: (line) => child.stdin.write(`${line}\n`),
    signal: (signal) => child.kill(signal),
  };
}

function queueFiles(): string[] {
  return existsSync(queueFolder) ? readdirSync(queueFolder) : [];
}

function requests(): string[] {
  return queueFiles().filter((name) => name.endsWith(".request"));
}

/** Until `holds` is true of the queue's files (the test's timeout ends a wait that never comes true). */
async function until(holds: (files: string[]) => boolean): Promise<string[]> {
  while (!holds(queueFiles())) await sleep(20);
  return queueFiles();
}

/** Hold the credentials file's lock, as another rolecred would, until `release` is called. */
async function holdLock(): Promise<{ readonly release: () => Promise<void> }> {
  let release = () => undefined as void;
  let markTaken = () => undefined as void;
  const taken = new Promise<void>((resolve) => (markTaken = resolve));
  const released = withFileLock(credentialsPath, async () => {
    markTaken();
    await new Promise<void>((resolve) => (release = resolve));
  });
  await taken;
  return {
    release: async () => {
      release();
      await released;
    },
  };
}

/**
 * A queued writer (lock wait `timeoutMs`) stopped while it waits, and a holder (`mode`) that took
 * the lock meanwhile and was handed the writer's request with its own: the writer cannot take
 * the lock first, the holder claims its request.
 */
async function claimedWhileStopped(writerTimeoutMs: number, mode: "gate" | "hang", claimedWaitMs?: number): Promise<{ writer: Party; holder: Party }> {
  await mkdir(join(home, ".aws"), { recursive: true });
  const lock = await holdLock();
  const writer = startParty("queued-writer", writerTimeoutMs, "apply", claimedWaitMs);
  await until((files) => files.some((name) => name.endsWith(".request")));
  writer.signal("SIGSTOP");
  await lock.release();
  const holder = startParty("holder", 15_000, mode);
  expect(await holder.next()).toEqual({ batch: ["holder", "queued-writer"] });
  // Taken by renaming before it was read: no `.request` left for its writer to withdraw.
  expect(requests()).toEqual([]);
  expect(queueFiles().filter((name) => name.includes(".claimed-"))).toHaveLength(1);
  return { writer, holder };
}

describe("a queued writer whose lock wait times out", () => {
  it("while the holder writes its request waits for the holder's answer: written, and told so (not a timeout)", async () => {
    const { writer, holder } = await claimedWhileStopped(300, "gate");
    writer.signal("SIGCONT"); // its wait is long past 300 ms: it times out at its next look
    // It says it waits for the holder's answer, and waits: not ended by then.
    const early = await Promise.race([writer.done.then(() => "ended"), writer.noticed(CLAIMED_WAIT, 1).then(() => "still waiting")]);
    expect(early).toBe("still waiting");
    holder.tell("go"); // the holder's write is done: it answers
    const written = await writer.done;
    expect(written.lines).toEqual([{ done: "ok" }]); // it wrote nothing itself: the holder did
    expect(written.exitCode).toBe(0);
    expect((await holder.done).lines.at(-1)).toEqual({ done: "ok" });
    expect(existsSync(queueFolder)).toBe(false);
  });

  it("while a holder that stays silent past the bounded wait has claimed it says the outcome is unknown (exit 1), not a timeout", async () => {
    const { writer, holder } = await claimedWhileStopped(300, "gate", 500);
    writer.signal("SIGCONT");
    const told = await writer.done;
    expect(told.lines).toEqual([
      {
        done: "error",
        message: expect.stringMatching(/^another rolecred \(pid \d+\) took this write over 0\.5s ago and has not said whether it wrote it$/) as unknown,
      },
    ]);
    expect(told.exitCode).toBe(1);
    holder.tell("go");
    expect((await holder.done).lines.at(-1)).toEqual({ done: "ok" });
    expect(existsSync(queueFolder)).toBe(false); // the writer took its claim and the empty folder with it: the late answer had nowhere to go
  });

  it("before any holder took its request withdraws it: told the timeout, and never written later", async () => {
    await mkdir(join(home, ".aws"), { recursive: true });
    const lock = await holdLock();
    const writer = startParty("gave-up", 300, "apply");
    const ended = await writer.done;
    expect(ended.exitCode).toBe(1);
    expect(ended.lines).toEqual([{ done: "error", message: expect.stringMatching(/^another rolecred \(pid \d+\) has held .* for over 0s$/) as unknown }]);
    expect(requests()).toEqual([]);
    await lock.release();
    const next = startParty("next", 15_000, "apply");
    expect((await next.done).lines).toEqual([{ batch: ["next"] }, { done: "ok" }]);
  });

  it("while a holder that then dies (SIGKILL) has claimed it writes its request itself, and no claim stays behind", async () => {
    const { writer, holder } = await claimedWhileStopped(300, "hang");
    writer.signal("SIGCONT");
    await writer.noticed(CLAIMED_WAIT, 1); // the writer timed out and found its request claimed by a live holder
    holder.signal("SIGKILL");
    const written = await writer.done;
    expect(written.lines).toEqual([{ batch: ["queued-writer"] }, { done: "ok" }]);
    expect(written.exitCode).toBe(0);
    expect(existsSync(queueFolder)).toBe(false);
  });
  it("claimed and abandoned twice (two holders killed in turn) stops and says the outcome is unknown (exit 1)", async () => {
    // A lock wait long enough that the writer can be stopped in it, and past while it is stopped.
    const waitMs = 1500;
    const started = Date.now();
    const { writer, holder: first } = await claimedWhileStopped(waitMs, "hang");
    await sleep(waitMs + 200 - (Date.now() - started));
    writer.signal("SIGCONT"); // timed out; its request is claimed by a live holder: it waits for the answer
    await writer.noticed(CLAIMED_WAIT, 1);
    writer.signal("SIGSTOP");
    first.signal("SIGKILL");
    await first.done;
    // The second attempt finds the lock held (its abandoned lock taken over), and queues again.
    const lock = await holdLock();
    const second = startParty("second-holder", 15_000, "hang");
    await until((files) => files.filter((name) => name.endsWith(".request")).length === 1);
    writer.signal("SIGCONT");
    await until((files) => files.filter((name) => name.endsWith(".request")).length === 2);
    const retriedAt = Date.now();
    writer.signal("SIGSTOP");
    await lock.release();
    expect(await second.next()).toEqual({ batch: ["second-holder", "queued-writer"] });
    await sleep(waitMs + 200 - (Date.now() - retriedAt));
    writer.signal("SIGCONT"); // timed out again, claimed again: waits for the second holder's answer
    await writer.noticed(CLAIMED_WAIT, 2);
    second.signal("SIGKILL");
    await second.done;
    const told = await writer.done;
    expect(told.lines).toEqual([{ done: "error", message: "another rolecred took this write twice and stopped before saying whether it wrote it" }]);
    expect(told.exitCode).toBe(1);
    expect(requests()).toEqual([]);
  });
});

describe("a holder killed (SIGKILL) after claiming a request", () => {
  it("leaves it to its writer, which takes the abandoned lock and writes it; the claim (its secrets) and a half-written answer do not stay", async () => {
    const { writer, holder } = await claimedWhileStopped(15_000, "hang");
    holder.signal("SIGKILL");
    await holder.done;
    // Killed while it wrote the answer (before its rename): the writer finds no answer, only this.
    const [claimed = ""] = queueFiles();
    await writeFile(join(queueFolder, `${claimed.slice(0, claimed.indexOf("."))}.answer.tmp`), '{"ok":tr');
    writer.signal("SIGCONT");
    const written = await writer.done;
    expect(written.lines).toEqual([{ batch: ["queued-writer"] }, { done: "ok" }]);
    expect(existsSync(queueFolder)).toBe(false);
  });
});

describe("requests of writers that are gone", () => {
  /** A pid that ran and exited. */
  async function deadPid(): Promise<number> {
    const dead = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    await new Promise((resolve) => dead.on("close", resolve));
    return dead.pid ?? 0;
  }

  it("are removed by the next write even while another holds the lock, judged by their names: never read", async () => {
    expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
    const lock = await holdLock();
    const victim = spawn(process.execPath, [ROLECRED_BIN, "write", "ci", "--to", "killed-writer"], { env, cwd: REPO_ROOT, stdio: "ignore" });
    const [victimRequest = ""] = await until((files) => files.some((name) => name.endsWith(".request")));
    victim.kill("SIGKILL");
    await new Promise((resolve) => victim.on("close", resolve));
    // Unreadable as a request (not even its writer's name in it): only its file name can tell it is dead.
    await writeFile(join(queueFolder, victimRequest), "");
    const next = startWriter("next-writer");
    const left = await until((files) => files.some((name) => name.endsWith(".request") && name !== victimRequest));
    expect(left).not.toContain(victimRequest); // gone while the lock is still held: no holder came
    await lock.release();
    expect((await next).exitCode).toBe(0);
    expect(await readFile(credentialsPath, "utf8")).not.toContain("[killed-writer]");
    expect(existsSync(queueFolder)).toBe(false);
  });

  it("are removed by logout, with answers and claims nobody will collect, and the empty folder", async () => {
    const pid = await deadPid();
    await mkdir(queueFolder, { recursive: true, mode: 0o700 });
    const left = [`${pid}-old.request`, `${pid}-old.answer`, `${pid}-old.claimed-1-old`];
    for (const name of left) await writeFile(join(queueFolder, name), "secret", { mode: 0o600 });
    const result = await runCli(["logout", "--all"], { env });
    expect(result.exitCode).toBe(0);
    expect(existsSync(queueFolder)).toBe(false);
  });

  /** `rolecred write ci --to NAME`, started and left running. */
  it("a queued writer's wait notice says it is queued, and does not promise that the holder (here not a writer) writes it", async () => {
    expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
    const lock = await holdLock();
    const writer = startWriter("queued-profile");
    await until((files) => files.some((name) => name.endsWith(".request")));
    await sleep(1300); // past the one-second notice
    await lock.release();
    const { exitCode, stderr } = await writer;
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(
      /^waiting for another rolecred \(pid \d+\) to release .*\.rolecred\.lock \(this write is queued: the next rolecred to hold the lock writes it\)$/m,
    );
    expect(await readFile(credentialsPath, "utf8")).toContain("[queued-profile]");
  });

  function startWriter(to: string): Promise<CliResult> {
    return runCli(["write", "ci", "--to", to], { env });
  }
});

describe("a request that cannot be read back", () => {
  it("(cut to 0 bytes) is not written: its writer is told so, exit 1, and the holder's own write goes on", async () => {
    await mkdir(join(home, ".aws"), { recursive: true });
    const lock = await holdLock();
    const writer = startParty("cut-short", 15_000, "apply");
    const [request = ""] = await until((files) => files.some((name) => name.endsWith(".request")));
    writer.signal("SIGSTOP");
    truncateSync(join(queueFolder, request), 0);
    await lock.release();
    const holder = startParty("holder", 15_000, "apply");
    expect((await holder.done).lines).toEqual([{ batch: ["holder"] }, { done: "ok" }]);
    writer.signal("SIGCONT");
    const told = await writer.done;
    expect(told.lines).toEqual([{ done: "error", message: "another rolecred could not read this queued write back; nothing was written for it" }]);
    expect(told.exitCode).toBe(1);
    expect(existsSync(queueFolder)).toBe(false);
  });
});
