/**
 * What a fast `write` (and `process`) loads when its stdout is /dev/null, as for a tool that
 * starts fifty writers with their output ignored (issue 16): /dev/null is a character device, so
 * asking whether stdout is a terminal loads node:tty (streams, net, the ES module loader), about a
 * sixth of a fast write's instructions. Only `env` (never exports to a terminal) and `status` ask.
 */
import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, ROLECRED_BIN, runCli } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

let world: World;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld();
  ({ home, env } = await makeJoHome(world, { config: `\n[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n` }));
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
});
afterAll(async () => {
  await world.close();
});

/** `rolecred ...args` with stdout on /dev/null (stdio "ignore"), the ES module loader's debug lines on stderr. */
function withStdoutOnDevNull(args: readonly string[]): Promise<{ exitCode: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROLECRED_BIN, ...args], { env: { ...env, NODE_DEBUG: "esm" }, cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    const stderr: Buffer[] = [];
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (exitCode) => resolve({ exitCode, stderr: Buffer.concat(stderr).toString("utf8") }));
  });
}

describe("stdout on /dev/null", () => {
  it("a fast `write` writes its profile without loading node:tty", async () => {
    const calls = world.sts.calls.length;
    const result = await withStdoutOnDevNull(["write", "ci", "--to", "ci-quiet"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/(^|\n)ci-quiet: assumed Ci in 111111111111 as jo, expires/);
    expect(result.stderr).not.toContain("node:tty");
    expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toMatch(/\[ci-quiet\]\naws_access_key_id = ASIA/);
    expect(world.sts.calls.length).toBe(calls); // served from the cache
  });

  it("a fast `process` answers without loading node:tty", async () => {
    const result = await withStdoutOnDevNull(["process", "ci"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).not.toContain("node:tty");
  });

  it("`env` still asks (exports never go to a terminal): /dev/null is no terminal, so it is served", async () => {
    const result = await withStdoutOnDevNull(["env", "ci", "--shell", "bash"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("node:tty");
  });
});
