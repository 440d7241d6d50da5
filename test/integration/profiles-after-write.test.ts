/**
 * After rolecred's own write of the credentials file (the everyday change: a session refreshed),
 * `profiles` does not read the file again: the write left a note of what it changed
 * (src/store/listing-notes.ts) and the listing applies it to what it remembered
 * (src/profiles/remembered-listing.ts). Both writers leave one, the fast path's and the full
 * path's; what is printed is what a listing with nothing remembered prints.
 */
import { readFile, utimes, writeFile } from "node:fs/promises";
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
