/**
 * Review (i-review): a credentials file kept in a dotfiles folder and linked into ~/.aws. The
 * write replaces the link's target and notes it under that path (store/listing-notes.ts); the
 * listing looked for notes under the link's own path, found none, and read the whole file again
 * after every write. Now it follows the link to find them, and prints what a fresh listing prints.
 */
import { mkdir, readFile, rename, symlink, utimes } from "node:fs/promises";
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
