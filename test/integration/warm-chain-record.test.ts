/**
 * The warm `process`/`env`/`assume` through the built CLI (issue 16):
 * - it answers from the remembered chain sections (chain-sections.json in the cache folder) while
 *   both AWS files are the ones recorded, and from the files as soon as either changed;
 * - it answers what the full path answers where the full path refuses before it looks in the
 *   cache: no region at all, a malformed ROLECRED_MFA_TOKEN. Both paths run on the same HOME
 *   (a flag the fast path does not take, `--mfa-mode direct`, the default here, sends a run to the
 *   full path) and their stdout, stderr and exit codes are compared.
 */
import { readFile, stat, utimes, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

/** Enough profiles for the two files to be over a megabyte together: smaller ones are read as before. */
const FILLER = Array.from(
  { length: 13_000 },
  (_, index) => `[profile org-${index}]\nrole_arn = arn:aws:iam::111111111111:role/ReadOnly\nsource_profile = jo\n`,
).join("\n");

const CONFIG = (region: string, filler = FILLER) => `
${filler}
[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
${region === "" ? "" : `region = ${region}\n`}`;

let world: World;
let home: string;
let env: Record<string, string>;
let configPath: string;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CONFIG("eu-central-1"), env: { AWS_REGION: "", AWS_DEFAULT_REGION: "" } }));
  configPath = join(home, ".aws", "config");
});

const rolecred = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extra } });
const FULL_PATH = ["--mfa-mode", "direct"];
const recordPath = () => join(home, ".cache", "rolecred", "chain-sections.json");

/** The files settle (a record is only taken of a file unchanged for over a second), then a warm run records. */
async function recordWarm(): Promise<void> {
  expect((await rolecred(["process", "ci"])).exitCode).toBe(0); // the session is cached (through STS, once)
  await sleep(1100);
  expect((await rolecred(["env", "ci", "--shell", "bash"])).exitCode).toBe(0);
  expect(await readFile(recordPath(), "utf8")).toContain('"profile ci"');
}

const regionOf = (result: CliResult) => /export AWS_REGION='([^']*)'/.exec(result.stdout)?.[1];

describe("the remembered chain sections, through the built CLI", () => {
  it("answers from the recorded ranges while the files' identities match", async () => {
    await recordWarm();
    const calls = world.sts.calls.length;
    // A later [profile ci] with another region, in a file of the same identity as far as the
    // record can tell (forged): a warm run that read the file would take the later region.
    const original = await readFile(configPath, "utf8");
    await writeFile(configPath, `${original}\n[profile ci]\nregion = ap-south-1\n`);
    const stats = await stat(configPath, { bigint: true });
    const record = JSON.parse(await readFile(recordPath(), "utf8")) as { entries: Array<{ takenAtMs: number; config: { identity: string[] } }> };
    for (const entry of record.entries) {
      entry.config.identity = [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].map(String);
      entry.takenAtMs = Date.now() + 5000; // as if taken once the new file had settled
    }
    await writeFile(recordPath(), JSON.stringify(record));
    expect(regionOf(await rolecred(["env", "ci", "--shell", "bash"]))).toBe("eu-central-1");
    // The full path reads the file: the later section wins.
    expect(regionOf(await rolecred(["env", "ci", "--shell", "bash", ...FULL_PATH]))).toBe("ap-south-1");
    expect(world.sts.calls.length).toBe(calls);
  });

  it("answers from the files once the config was edited in place with its size and mtime put back", async () => {
    await recordWarm();
    const before = await stat(configPath);
    await writeFile(configPath, (await readFile(configPath, "utf8")).replace("eu-central-1", "eu-central-2"));
    await utimes(configPath, before.atime, before.mtime);
    const fast = await rolecred(["env", "ci", "--shell", "bash"]);
    expect(fast.exitCode).toBe(0);
    expect(regionOf(fast)).toBe("eu-central-2");
  });

  it("keeps no record for files under a megabyte together: they are read as before", async () => {
    await writeFile(configPath, `[profile jo]\nregion = us-east-1\n${CONFIG("eu-central-1", "")}`);
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0);
    await sleep(1100);
    const calls = world.sts.calls.length;
    const warm = await rolecred(["env", "ci", "--shell", "bash"]);
    expect(regionOf(warm)).toBe("eu-central-1");
    expect(world.sts.calls.length).toBe(calls);
    await expect(stat(recordPath())).rejects.toThrow(/ENOENT/);
  });

  it("keeps no secret in the record", async () => {
    await recordWarm();
    const text = await readFile(recordPath(), "utf8");
    const credentials = await readFile(join(home, ".aws", "credentials"), "utf8");
    for (const value of credentials.match(/= (\S+)/g) ?? []) expect(text).not.toContain(value.slice(2));
    expect((await stat(recordPath())).mode & 0o777).toBe(0o600);
  });
});

describe("the warm path refuses what the full path refuses", () => {
  const COMMANDS: ReadonlyArray<readonly [string, readonly string[]]> = [
    ["process", ["process", "ci"]],
    ["env", ["env", "ci", "--shell", "bash"]],
    ["assume", ["assume", "ci", "--shell", "bash"]],
  ];

  it.each(COMMANDS)("%s with no region anywhere: the full path's error, exit 2", async (_, args) => {
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0); // cached, with the profile's region
    await writeFile(configPath, (await readFile(configPath, "utf8")).replace("region = eu-central-1\n", ""));
    const fast = await rolecred(args);
    const full = await rolecred([...args, ...FULL_PATH]);
    expect(fast).toEqual(full);
    expect(fast.stderr).toMatch(/^rolecred: no AWS region/);
    expect(fast.exitCode).toBe(2);
    expect(fast.stdout).toBe("");
  });

  it.each(COMMANDS)("%s with a malformed ROLECRED_MFA_TOKEN: the full path's error, exit 2", async (_, args) => {
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0);
    const badCode = { ROLECRED_MFA_TOKEN: "12ab" };
    const fast = await rolecred(args, badCode);
    expect(fast).toEqual(await rolecred([...args, ...FULL_PATH], badCode));
    expect(fast.stderr).toMatch(/^rolecred: ROLECRED_MFA_TOKEN must be the 6 digits/);
    expect(fast.exitCode).toBe(2);
  });

  it.each(COMMANDS)("%s with a well-formed ROLECRED_MFA_TOKEN is still served from the cache", async (_, args) => {
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0);
    const calls = world.sts.calls.length;
    const result = await rolecred(args, { ROLECRED_MFA_TOKEN: " 123456 ", NODE_DEBUG: "module" });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain("run.js"); // the fast path answered
    expect(world.sts.calls.length).toBe(calls);
  });
});
