/**
 * After rolecred's own write of the credentials file (the everyday change: a session refreshed),
 * `profiles` does not read the file again: the write left a note of what it changed
 * (src/store/listing-notes.ts) and the listing applies it to what it remembered
 * (src/profiles/remembered-listing.ts). Both writers leave one, the fast path's and the full
 * path's; what is printed is what a listing with nothing remembered prints.
 *
 * Also here, from the review (i-review):
 * - a credentials file kept in a dotfiles folder and linked into ~/.aws: the write notes the
 *   link's target, and the listing follows the link to find the note;
 * - a FIFO where the notes file goes costs only the note: opening a FIFO for writing with no
 *   reader blocks, so without O_NONBLOCK the write (holding the credentials lock) and `profiles` hung.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, rename, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, REPO_ROOT, runCli } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

const PRELOAD = join(REPO_ROOT, "test", "support", "count-file-reads.cjs");
const CONFIG = `[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n`;

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

describe("profiles after rolecred's own write", () => {
  it("applies the write's note instead of reading the credentials file, and prints what a fresh listing prints", async () => {
    const { home, env } = await makeJoHome(world, { config: CONFIG });
    const credentials = join(home, ".aws", "credentials");
    const cache = join(home, "cache");
    const cached = { ...env, ROLECRED_CACHE_DIR: cache };
    expect((await runCli(["process", "ci"], { env: cached })).exitCode).toBe(0);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of ["config", "credentials"]) await utimes(join(home, ".aws", file), anHourAgo, anHourAgo);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the change times settle: the listing is remembered
    const listed = async (args: readonly string[]) => {
      const report = join(home, `reads-${Math.random()}.json`);
      const result = await runCli(["profiles", ...args], {
        env: { ...cached, NODE_OPTIONS: `--require ${PRELOAD}`, ROLECRED_COUNT_READS_OF: credentials, ROLECRED_COUNT_READS_TO: report },
      });
      expect(result.stderr).toBe("");
      const fresh = await runCli(["profiles", ...args], { env: cliEnv(home, { ROLECRED_CACHE_DIR: join(credentials, "no-cache") }) });
      expect(result.stdout).toBe(fresh.stdout);
      const counts = JSON.parse(await readFile(report, "utf8")) as { reads: Record<string, number> };
      return { stdout: result.stdout, credentialsReads: counts.reads[credentials] };
    };
    expect((await listed([])).credentialsReads).toBe(1); // nothing remembered yet
    expect((await listed(["--names"])).credentialsReads).toBe(1);

    // The fast path's write (a cached session), into a new profile: a new row, from the note.
    expect((await runCli(["write", "ci", "--to", "ci-out"], { env: cached })).exitCode).toBe(0);
    const afterNew = await listed([]);
    expect(afterNew.stdout).toMatch(/^ci-out +temporary keys \(rolecred\)/m);
    expect(afterNew.credentialsReads).toBe(0);
    expect((await listed(["--names"])).credentialsReads).toBe(0);

    // The full path's write, refreshing that profile: nothing shown changes.
    expect((await runCli(["write", "ci", "--to", "ci-out", "--mfa-mode", "direct"], { env: cached })).exitCode).toBe(0);
    const refreshed = await listed([]);
    expect(refreshed.stdout).toBe(afterNew.stdout);
    expect(refreshed.credentialsReads).toBe(0);

    // An edit by another program leaves no note: the file is read again.
    await writeFile(credentials, `${await readFile(credentials, "utf8")}\n[edited]\nregion = x\n`);
    const edited = await listed([]);
    expect(edited.stdout).toMatch(/^edited +other/m);
    expect(edited.credentialsReads).toBe(1);
  }, 30_000);
});

describe("profiles after a write into a linked credentials file", () => {
  it("applies the write's note (the file is not read again) and prints what a fresh listing prints", async () => {
    const { home, env } = await makeJoHome(world, { config: CONFIG });
    const credentials = join(home, ".aws", "credentials");
    const target = join(home, "dotfiles", "aws-credentials");
    await mkdir(join(home, "dotfiles"));
    await rename(credentials, target);
    await symlink(target, credentials);
    const cached = { ...env, ROLECRED_CACHE_DIR: join(home, "cache") };
    expect((await runCli(["write", "ci", "--to", "ci-out"], { env: cached })).exitCode).toBe(0);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of [join(home, ".aws", "config"), target]) await utimes(file, anHourAgo, anHourAgo);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // settled: the listing is remembered
    const listed = async () => {
      const report = join(home, `reads-${Math.random()}.json`);
      const result = await runCli(["profiles"], {
        env: { ...cached, NODE_OPTIONS: `--require ${PRELOAD}`, ROLECRED_COUNT_READS_OF: credentials, ROLECRED_COUNT_READS_TO: report },
      });
      expect(result.stderr).toBe("");
      const fresh = await runCli(["profiles"], { env: cliEnv(home, { ROLECRED_CACHE_DIR: join(home, "no-cache") }) });
      expect(result.stdout).toBe(fresh.stdout);
      const counts = JSON.parse(await readFile(report, "utf8")) as { reads: Record<string, number> };
      return { stdout: result.stdout, credentialsReads: counts.reads[credentials] };
    };
    expect((await listed()).credentialsReads).toBe(1); // nothing remembered yet

    expect((await runCli(["write", "ci", "--to", "ci-again"], { env: cached })).exitCode).toBe(0);
    const after = await listed();
    expect(after.stdout).toMatch(/^ci-again +temporary keys \(rolecred\)/m);
    expect(after.credentialsReads).toBe(0);
  }, 30_000);
});

describe("a FIFO where the listing's notes file goes", () => {
  it("neither a write nor `profiles` waits on it: the write is done, the listing printed", async () => {
    const { home, env } = await makeJoHome(world, { config: CONFIG });
    const cache = join(home, "cache");
    await mkdir(cache, { mode: 0o700 });
    execFileSync("mkfifo", ["-m", "600", join(cache, "profiles-credentials.notes")]);
    const cached = { ...env, ROLECRED_CACHE_DIR: cache };

    const written = await runCli(["write", "ci", "--to", "ci-out"], { env: cached, timeoutMs: 8_000 });
    expect(written.signal).toBeNull();
    expect(written.exitCode).toBe(0);
    expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toMatch(/^\[ci-out\]$/m);

    // Settled files (changed over a second ago): the listing remembers them and makes the notes file, where the FIFO is.
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of ["config", "credentials"]) await utimes(join(home, ".aws", file), anHourAgo, anHourAgo);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const listed = await runCli(["profiles"], { env: cached, timeoutMs: 8_000 });
    expect(listed.signal).toBeNull();
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(/^ci-out +temporary keys/m);
  }, 30_000);
});
