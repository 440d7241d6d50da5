/**
 * What rolecred keeps in the cache folder besides sessions, through the built CLI:
 * - a run killed between creating a record's temporary and renaming it leaves the temporary; the
 *   next record written removes it (its writer is gone), and never a live writer's;
 * - `logout PROFILE` leaves the records (each is checked against what it describes before use),
 *   `logout --all` leaves nothing of rolecred's but a live writer's temporary (killed writes'
 *   temporaries, which may hold credentials, go too).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

/** Enough profiles for the two files to be over a megabyte together: a warm run then records chain-sections.json. */
const FILLER = Array.from(
  { length: 13_000 },
  (_, index) => `[profile org-${index}]\nrole_arn = arn:aws:iam::111111111111:role/ReadOnly\nsource_profile = jo\n`,
).join("\n");
const CONFIG = `
${FILLER}
[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
region = eu-central-1
`;

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

/** A temporary as a run with `pid` would have left it, last written a minute ago. */
function leftover(folder: string, name: string): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, name);
  writeFileSync(path, "half a record", { mode: 0o600 });
  const minuteAgo = new Date(Date.now() - 60_000);
  utimesSync(path, minuteAgo, minuteAgo);
  return path;
}

describe("the cache folder's records", () => {
  it("a killed run's temporary goes with the next record; logout PROFILE keeps the records, logout --all leaves none", async () => {
    const { home, env } = await makeJoHome(world, { config: CONFIG });
    const rolecred = (args: readonly string[]): Promise<CliResult> => runCli(args, { env });
    const cache = join(home, ".cache", "rolecred");
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0); // a session, through STS
    await sleep(1100); // the AWS files settle: only then is a record taken

    const exited = spawnSync(process.execPath, ["-e", ""]).pid ?? 0;
    const killed = leftover(join(cache, "temporary"), `chain-sections.json.${exited}-k1lled.tmp`);
    const writing = leftover(join(cache, "temporary"), `profiles-names.listing.${process.pid}-wr1ting.tmp`); // this test runs: alive
    expect((await rolecred(["env", "ci", "--shell", "bash"])).exitCode).toBe(0);
    expect(existsSync(join(cache, "chain-sections.json"))).toBe(true);
    expect([existsSync(killed), existsSync(writing)]).toEqual([false, true]);

    expect((await rolecred(["profiles", "--names"])).stdout).toContain("ci\n");
    expect((await rolecred(["status"])).stdout).toContain("ci");
    const records = ["chain-sections.json", "profiles-names.listing", "status-index"];
    expect(readdirSync(cache)).toEqual(expect.arrayContaining(records));

    expect((await rolecred(["logout", "ci"])).exitCode).toBe(0);
    expect(readdirSync(cache)).toEqual(expect.arrayContaining(records));
    const afterOne = await rolecred(["status"]);
    expect(afterOne.exitCode).toBe(0);
    expect(afterOne.stdout).not.toContain("ci");

    expect((await rolecred(["process", "ci"])).exitCode).toBe(0);
    // Killed session writes (a temporary holding credentials) and a record's temporary of rolecred before it had a folder for them.
    leftover(cache, `.0123456789abcdef.json.rolecred-${exited}-k1lled.tmp`);
    leftover(join(cache, "status-index"), `.sessions-index.json.rolecred-${exited}-k1lled.tmp`);
    leftover(cache, `chain-sections.json.${exited}.tmp`);
    // A large credentials file's remembered scan (src/store/remembered-scan.ts), as a write of one leaves it.
    writeFileSync(join(cache, "scan-0123abcd.record"), "names and offsets", { mode: 0o600 });
    const liveSession = `.fedcba9876543210.json.rolecred-${process.pid}-wr1ting.tmp`;
    leftover(cache, liveSession);
    const all = await rolecred(["logout", "--all"]);
    expect(all).toMatchObject({ exitCode: 0, stdout: "" });
    expect(readdirSync(cache).sort()).toEqual([liveSession, "temporary"]);
    expect(readdirSync(join(cache, "temporary"))).toEqual([`profiles-names.listing.${process.pid}-wr1ting.tmp`]);
    // Nothing lost: both answer as before, from the files.
    expect((await rolecred(["profiles", "--names"])).stdout).toContain("ci\n");
    expect(await rolecred(["status"])).toMatchObject({ exitCode: 0 });
  });
});
