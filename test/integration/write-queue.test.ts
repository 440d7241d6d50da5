/**
 * Group commit (issue 16: fifty writers at once): a `write` that finds the credentials file's lock
 * held leaves its write as a request in `credentials.rolecred.queue/`, and the holder applies
 * every request in one write and answers each requester with its own outcome. Each test holds the
 * lock itself (as another rolecred would), starts real CLI writers, and looks at what they leave
 * in the queue and what they say once the lock is free.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { appendFile, mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withFileLock } from "../../src/store/lock.js";
import { writeProfiles } from "../../src/store/credentials-file.js";
import { writeThroughQueue, type QueuedWrites } from "../../src/store/write-queue.js";
import { REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

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
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
});

interface Writer {
  readonly pid: number;
  readonly done: Promise<CliResult>;
  /** Until its stderr holds `text` (the test's timeout ends a wait that never comes true). */
  said(text: string): Promise<void>;
}

/** `rolecred write ci --to NAME` from the cache (the fast path), started and left running. */
function startWriter(to: string): Writer {
  const child = spawn(process.execPath, [ROLECRED_BIN, "write", "ci", "--to", to], { env, cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => {
    stderr.push(chunk);
    for (const listener of listeners) listener();
  });
  const said = (text: string) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!Buffer.concat(stderr).toString("utf8").includes(text)) return;
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
      check();
    });
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode, signal) =>
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
  return { pid: child.pid ?? 0, done, said };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The requests waiting in the queue (none when there is no queue). */
function requests(): string[] {
  return existsSync(queueFolder) ? readdirSync(queueFolder).filter((name) => name.endsWith(".request")) : [];
}

/** Until `count` requests wait in the queue (the test's timeout ends a wait that never comes true). */
async function untilQueued(count: number): Promise<string[]> {
  while (requests().length < count) await sleep(20);
  return requests();
}

/** Hold the credentials file's lock, as another rolecred would, until `release` is called. */
function holdLock(): { readonly taken: Promise<void>; readonly release: () => void; readonly released: Promise<void> } {
  let release = () => undefined as void;
  let markTaken = () => undefined as void;
  const taken = new Promise<void>((resolve) => (markTaken = resolve));
  const released = withFileLock(credentialsPath, async () => {
    markTaken();
    await new Promise<void>((resolve) => (release = resolve));
  });
  return { taken, release: () => release(), released };
}

/**
 * 2,000 sessions (≈ 1.5 MB) appended to the credentials file, which is then left to settle: its
 * change time a second old, so a write scans it and its precheck starts a copy of it (credentials-file.ts).
 */
async function growAndSettle(): Promise<void> {
  await appendFile(credentialsPath, `\n${largeCredentialsFiller(false)}`);
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(credentialsPath, anHourAgo, anHourAgo);
  await sleep(1100);
}

describe("writes queued while another rolecred holds the lock", () => {
  it("are left as private requests and written by one holder, each writer told its own outcome", async () => {
    const lock = holdLock();
    await lock.taken;
    const names = ["queued-a", "queued-b", "queued-c", "queued-late"];
    const writers = names.map((name) => ({ name, writer: startWriter(name) }));
    const queued = await untilQueued(names.length);
    // Each writer says, once, that it waits (a second in), and for what: said before the lock is
    // free, so that each one's stderr is known whatever the machine's load (a writer slower than a
    // second otherwise says it at a moment of its own, or not at all).
    const notice = `waiting for another rolecred (pid ${process.pid}) to release ${credentialsPath}.rolecred.lock (this write is queued: the next rolecred to hold the lock writes it)\n`;
    await Promise.all(writers.map(({ writer }) => writer.said(notice)));
    // Secrets wait in a folder of this user's that only it can enter, in files only it can read.
    expect(statSync(queueFolder).mode & 0o777).toBe(0o700);
    for (const name of queued) expect(statSync(join(queueFolder, name)).mode & 0o777).toBe(0o600);
    // While they wait, the user puts long-term keys under one of the names (after its precheck).
    await appendFile(credentialsPath, "\n[queued-late]\naws_access_key_id = AKIAHANDEDITED000001\naws_secret_access_key = mine\n");
    lock.release();
    await lock.released;

    const results = await Promise.all(writers.map(async ({ name, writer }) => ({ name, result: await writer.done })));
    const file = await readFile(credentialsPath, "utf8");
    for (const { name, result } of results) {
      if (name === "queued-late") {
        // The refusal reaches the writer it concerns, with the full path's line and exit code.
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toBe(
          `${notice}rolecred: profile [queued-late] in ${credentialsPath} holds long-term access keys; rolecred will not overwrite them — choose another --profile name, or pass --force to replace those keys\n`,
        );
      } else {
        expect(result.exitCode).toBe(0);
        expect(result.stderr.slice(0, notice.length)).toBe(notice);
        expect(result.stderr.slice(notice.length)).toMatch(new RegExp(`^${name}: assumed Ci in 111111111111 as jo, expires [^\\n]*\\n$`));
        expect(file).toMatch(new RegExp(`\\[${name}\\]\\naws_access_key_id = ASIA`));
      }
    }
    expect(file).toContain("[queued-late]\naws_access_key_id = AKIAHANDEDITED000001\naws_secret_access_key = mine\n");
    expect(existsSync(queueFolder)).toBe(false); // nothing left behind in ~/.aws
  });

  it("into a large settled file (scanned, copied, not held): every queued write lands, every old byte kept", async () => {
    await growAndSettle();
    const before = await readFile(credentialsPath, "utf8");
    const lock = holdLock();
    await lock.taken;
    const names = ["large-a", "large-b", "large-c"];
    const writers = names.map((name) => startWriter(name));
    await untilQueued(names.length);
    lock.release();
    await lock.released;
    for (const result of await Promise.all(writers.map((writer) => writer.done))) expect(result.exitCode).toBe(0);
    const file = await readFile(credentialsPath, "utf8");
    expect(file.startsWith(before)).toBe(true);
    for (const name of names)
      expect(file).toMatch(new RegExp(`\\n\\[${name}\\]\\naws_access_key_id = ASIA\\w+\\naws_secret_access_key = \\S+\\naws_session_token = \\S+\\n`));
    expect(existsSync(queueFolder)).toBe(false);
  });

  it("a writer that queued and then took the lock itself removes its request before letting go (else the next holder applies it again)", async () => {
    const lock = holdLock();
    await lock.taken;
    const seenWhileApplying: string[][] = [];
    const writes: QueuedWrites<string> = {
      parse: (value) => (typeof value === "string" ? value : undefined),
      apply: async (batch) => {
        seenWhileApplying.push(requests());
        return batch.map(() => undefined);
      },
    };
    const writing = writeThroughQueue(credentialsPath, "own write", writes);
    await untilQueued(1);
    lock.release();
    await lock.released;
    await writing;
    // Under the lock, applying its own write, nothing of it was left for a next holder to find.
    expect(seenWhileApplying).toEqual([[]]);
  });

  it("a write stopped by SIGTERM while it waits leaves no copy of the credentials file in ~/.aws", async () => {
    await growAndSettle();
    const lock = holdLock();
    await lock.taken;
    const writer = startWriter("stopped-writer");
    await untilQueued(1);
    // Its precheck's copy of the file has landed beside it (a wait for the copy, not for a time: a
    // loaded machine may take longer, and a SIGTERM before the copy would test nothing).
    const size = statSync(credentialsPath).size;
    const copyOf = (name: string) => name.startsWith(`.credentials.rolecred-${writer.pid}-`) && name.endsWith(".tmp");
    const aws = join(home, ".aws");
    while (!readdirSync(aws).some((name) => copyOf(name) && statSync(join(aws, name), { throwIfNoEntry: false })?.size === size)) await sleep(20);
    process.kill(writer.pid, "SIGTERM");
    expect((await writer.done).signal).toBe("SIGTERM");
    expect(readdirSync(aws).filter((name) => name.endsWith(".tmp"))).toEqual([]);
    lock.release();
    await lock.released;
  });

  it("a writer that finds its profile taken by the user's keys once it holds the lock remembers the file as it is (issue 16, eighth round)", async () => {
    // rolecred writes the large file: its scan and blocks are remembered.
    await growAndSettle();
    expect((await runCli(["write", "ci", "--to", "ci-creds"], { env })).exitCode).toBe(0);
    // A writer waits for the lock (its precheck passed); meanwhile another program puts the
    // user's own keys under its profile's name, and the file settles.
    const lock = holdLock();
    await lock.taken;
    const writer = startWriter("keyed");
    await untilQueued(1);
    await appendFile(credentialsPath, "\n[keyed]\naws_access_key_id = AKIAHANDEDITED000001\naws_secret_access_key = mine\n");
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(credentialsPath, anHourAgo, anHourAgo);
    await sleep(1100);
    const edited = await readFile(credentialsPath, "utf8");
    lock.release();
    await lock.released;
    // Under the lock, read through the remembered blocks (the file changed since rolecred wrote it): refused, nothing written.
    const refused = await writer.done;
    expect(refused.stderr).toContain("profile [keyed]");
    expect(refused.stderr).toContain("holds long-term access keys; rolecred will not overwrite them");
    expect(refused.exitCode).toBe(1);
    expect(await readFile(credentialsPath, "utf8")).toBe(edited);
    // The next write reads the file from the record of it as it is now, not through its blocks again.
    const next = await runCli(["write", "ci", "--to", "ci-next", "--verbose"], { env });
    expect(next.exitCode).toBe(0);
    expect(next.stderr).not.toMatch(/scanned only \d+ of its \d+ bytes/);
    expect(next.stderr).toMatch(/credentials is the file rolecred wrote last \(identity and CRC-32 checked\): its remembered scan is used/);
    expect((await readFile(credentialsPath, "utf8")).startsWith(`${edited}\n[ci-next]\naws_access_key_id = ASIA`)).toBe(true);
  });

  it("a killed writer's request is never applied, and is removed by the next holder", async () => {
    const lock = holdLock();
    await lock.taken;
    const victim = startWriter("killed-writer");
    await untilQueued(1);
    process.kill(victim.pid, "SIGKILL"); // no handler runs: the request stays behind
    expect((await victim.done).signal).toBe("SIGKILL");
    expect(requests()).toHaveLength(1);
    lock.release();
    await lock.released;

    // The next write (this process) holds the lock, finds the request, and sees its writer gone.
    const session = { credentials: { accessKeyId: "ASIANEXT", secretAccessKey: "s", sessionToken: "t", expiration: new Date("2099-01-01T00:00:00Z") } };
    await writeProfiles(credentialsPath, [{ profile: "next-writer", session }], { force: false });
    const file = await readFile(credentialsPath, "utf8");
    expect(file).toContain("[next-writer]\n");
    expect(file).not.toContain("[killed-writer]");
    expect(existsSync(queueFolder)).toBe(false);
  });

  it("a request a SIGKILL stopped half-written (before its rename) is removed once its writer is gone", async () => {
    const dead = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    await new Promise((resolve) => dead.on("close", resolve));
    await mkdir(queueFolder, { mode: 0o700 });
    const halfWritten = join(queueFolder, `${dead.pid ?? 0}-old-writer.request.tmp`);
    await writeFile(halfWritten, '{"token":"', { mode: 0o600 });
    const lock = holdLock();
    await lock.taken;
    const writer = startWriter("after-the-kill");
    await untilQueued(1);
    lock.release();
    await lock.released;
    expect((await writer.done).exitCode).toBe(0);
    expect(existsSync(halfWritten)).toBe(false);
    expect(existsSync(queueFolder)).toBe(false);
  });

  it("an interrupted writer takes its request (and its secrets) with it", async () => {
    const lock = holdLock();
    await lock.taken;
    const writer = startWriter("interrupted-writer");
    await untilQueued(1);
    process.kill(writer.pid, "SIGTERM");
    expect((await writer.done).signal).toBe("SIGTERM");
    expect(requests()).toEqual([]);
    lock.release();
    await lock.released;
    expect(await readFile(credentialsPath, "utf8")).not.toContain("[interrupted-writer]");
  });
});
