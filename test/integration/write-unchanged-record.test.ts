/**
 * A write that changes nothing, after another program's edit (issue 16, eighth round): the queued
 * writer takes the lock, finds the file edited since rolecred wrote it (read through its
 * remembered blocks), and refuses its own profile (long-term keys put there while it waited). The
 * file is left as it is, and remembered as it is now: the next run uses that record as it is,
 * instead of finding the blocks again (and so every later such run).
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { appendFile, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withFileLock } from "../../src/store/lock.js";
import { REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Hold the credentials file's lock, as another rolecred would, until `release` is called. */
function holdLock(path: string): { readonly taken: Promise<void>; readonly release: () => void; readonly released: Promise<void> } {
  let release = () => undefined as void;
  let markTaken = () => undefined as void;
  const taken = new Promise<void>((resolve) => (markTaken = resolve));
  const released = withFileLock(path, async () => {
    markTaken();
    await new Promise<void>((resolve) => (release = resolve));
  });
  return { taken, release: () => release(), released };
}

/** `rolecred write ci --to NAME`, started and left running. */
function startWriter(env: Record<string, string>, to: string): Promise<CliResult> {
  const child = spawn(process.execPath, [ROLECRED_BIN, "write", "ci", "--to", to], { env, cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  return new Promise<CliResult>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (exitCode, signal) =>
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") }),
    );
  });
}

/** Settled: its change time, which cannot be set back, a second old (file-identity.ts). */
async function settle(path: string): Promise<void> {
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, anHourAgo, anHourAgo);
  await sleep(1100);
}

describe("a write refused under the lock after another program's edit", () => {
  it("leaves the file as it is and remembers it so: the next run uses that record as it is", async () => {
    const { home, env } = await makeJoHome(world, { config: CI_CONFIG });
    expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
    const path = join(home, ".aws", "credentials");
    await writeFile(path, `${await readFile(path, "utf8")}\n${largeCredentialsFiller(true)}`, { mode: 0o600 });
    await settle(path);
    // rolecred writes the large file: its scan and blocks are remembered.
    expect((await runCli(["write", "ci", "--to", "ci-creds"], { env })).exitCode).toBe(0);

    // A writer waits for the lock (its precheck passed); meanwhile another program puts the
    // user's own keys under its profile's name, and the file settles.
    const lock = holdLock(path);
    await lock.taken;
    const writer = startWriter(env, "keyed");
    const queue = `${path}.rolecred.queue`;
    while (!existsSync(queue) || !readdirSync(queue).some((name) => name.endsWith(".request"))) await sleep(20);
    await appendFile(path, "\n[keyed]\naws_access_key_id = AKIAHANDEDITED000001\naws_secret_access_key = mine\n");
    await settle(path);
    const edited = await readFile(path, "utf8");
    lock.release();
    await lock.released;
    const refused = await writer;
    expect(refused.stderr).toContain("profile [keyed]");
    expect(refused.stderr).toContain("holds long-term access keys; rolecred will not overwrite them");
    expect(refused.exitCode).toBe(1);
    expect(await readFile(path, "utf8")).toBe(edited);

    // The next write reads the file from the record of it as it is now, not through its blocks.
    const next = await runCli(["write", "ci", "--to", "ci-next", "--verbose"], { env });
    expect(next.exitCode).toBe(0);
    expect(next.stderr).not.toMatch(/scanned only \d+ of its \d+ bytes/);
    expect(next.stderr).toMatch(/credentials is the file rolecred wrote last \(identity and CRC-32 checked\): its remembered scan is used/);
    expect((await readFile(path, "utf8")).startsWith(`${edited}\n[ci-next]\naws_access_key_id = ASIA`)).toBe(true);
  }, 30_000);
});
