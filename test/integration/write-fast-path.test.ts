/**
 * `rolecred write PROFILE [--to NAME]` with a fresh cached session is answered by the bundled fast
 * path (issue 16: fifty writers at once each paid a start of the whole command line). What it
 * says, its exit code and the file it writes must be the full path's, byte for byte: each case
 * runs both on the same HOME, from the same file, and compares. A flag the fast path does not
 * take (`--mfa-mode direct`, the default for these profiles) sends a run to the full path.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";

let world: World;
let home: string;
let env: Record<string, string>;
let credentialsPath: string;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CI_CONFIG }));
  credentialsPath = join(home, ".aws", "credentials");
});

const rolecred = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extra } });
const FULL_PATH = ["--mfa-mode", "direct"];

interface Run {
  readonly stderr: string;
  readonly exitCode: number | null;
  readonly file: string;
}

/** One run from `original` as the credentials file, and what it left there. */
async function runFrom(original: string, args: readonly string[]): Promise<Run> {
  await writeFile(credentialsPath, original, { mode: 0o600 });
  const result = await rolecred(args);
  expect(result.stdout).toBe("");
  return { stderr: result.stderr, exitCode: result.exitCode, file: await readFile(credentialsPath, "utf8") };
}

describe("write from the cache", () => {
  it.each([
    ["the profile itself (with the role_arn warning)", ["write", "ci"]],
    ["--to NAME", ["write", "ci", "--to", "ci-creds"]],
    ["--to=NAME", ["write", "ci", "--to=ci-creds"]],
  ])("%s: says and writes exactly what the full path does", async (_, args) => {
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0); // the session is cached (through STS, once)
    const calls = world.sts.calls.length;
    // An earlier rolecred profile in the file, which the write replaces in place.
    const original = `${await readFile(credentialsPath, "utf8")}\n[ci-creds]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = old\nx_rolecred_managed = true\n\n[after]\nregion = us-west-2\n`;
    // Full, fast, full: the summary's "in 59m" may change between two runs, never twice in a second.
    const fullBefore = await runFrom(original, [...args, ...FULL_PATH]);
    const fast = await runFrom(original, args);
    const fullAfter = await runFrom(original, [...args, ...FULL_PATH]);
    expect(fast.exitCode).toBe(0);
    expect(fullBefore.exitCode).toBe(0);
    expect(fast.file).toBe(fullBefore.file);
    expect(fast.file).toContain("[after]\nregion = us-west-2\n");
    expect([fullBefore.stderr, fullAfter.stderr]).toContain(fast.stderr);
    expect(fast.stderr).toMatch(/ci(-creds)?: assumed Ci in 111111111111 as jo, expires/);
    expect(world.sts.calls.length).toBe(calls); // neither path asked STS again
  });

  it("is answered without loading the full command line", async () => {
    await rolecred(["process", "ci"]);
    const result = await rolecred(["write", "ci", "--to", "ci-creds"], { NODE_DEBUG: "module" });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/\nci-creds: assumed Ci in 111111111111 as jo, expires/);
    for (const heavy of ["node_modules/commander", "node_modules/@aws-sdk", "run.js", "profile-delivery"]) expect(result.stderr, heavy).not.toContain(heavy);
    expect(await readFile(credentialsPath, "utf8")).toMatch(/\[ci-creds\]\naws_access_key_id = ASIA/);
  });

  it("leaves a missing region to the full path, which refuses before it looks in the cache", async () => {
    await rolecred(["process", "ci"]);
    await writeFile(join(home, ".aws", "config"), (await readFile(join(home, ".aws", "config"), "utf8")).replace("region = eu-central-1\n", ""));
    const original = await readFile(credentialsPath, "utf8");
    const noRegion = { AWS_REGION: "", AWS_DEFAULT_REGION: "" };
    const fast = await rolecred(["write", "ci", "--to", "ci-creds"], noRegion);
    expect(fast.stderr).toBe((await rolecred(["write", "ci", "--to", "ci-creds", ...FULL_PATH], noRegion)).stderr);
    expect(fast.stderr).toMatch(/^rolecred: no AWS region/);
    expect(fast.exitCode).toBe(2);
    expect(await readFile(credentialsPath, "utf8")).toBe(original);
  });

  it("leaves a malformed ROLECRED_MFA_TOKEN to the full path, which refuses it", async () => {
    await rolecred(["process", "ci"]);
    const original = await readFile(credentialsPath, "utf8");
    const badCode = { ROLECRED_MFA_TOKEN: "12ab" };
    const fast = await rolecred(["write", "ci", "--to", "ci-creds"], badCode);
    expect(fast.stderr).toBe((await rolecred(["write", "ci", "--to", "ci-creds", ...FULL_PATH], badCode)).stderr);
    expect(fast.stderr).toMatch(/^rolecred: .*ROLECRED_MFA_TOKEN/);
    expect(fast.exitCode).toBe(2);
    expect(await readFile(credentialsPath, "utf8")).toBe(original);
  });

  it("leaves a refusal to the full path: the same one-line error, the file untouched", async () => {
    await rolecred(["process", "ci"]);
    const original = await readFile(credentialsPath, "utf8");
    const fast = await runFrom(original, ["write", "ci", "--to", "jo"]);
    const full = await runFrom(original, ["write", "ci", "--to", "jo", ...FULL_PATH]);
    expect(fast).toEqual(full);
    expect(fast.stderr).toMatch(/^rolecred: profile \[jo\] in .* holds long-term access keys; rolecred will not overwrite them/);
    expect(fast.exitCode).toBe(1);
    expect(fast.file).toBe(original);
  });
});
