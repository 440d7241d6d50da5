/**
 * Review (i-review): the notes file of `profiles` (src/store/listing-notes.ts) lives in the cache
 * folder, and every write of the credentials file opens it for appending. A FIFO there (an unlucky
 * `mkfifo`, a tool that watches the folder) must cost only the note: opening a FIFO for writing
 * with no reader blocks, so without O_NONBLOCK the write, and `profiles`, hung forever.
 */
import { execFileSync } from "node:child_process";
import { mkdir, readFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

const CONFIG = `[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n`;

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
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
