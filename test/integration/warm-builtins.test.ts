/**
 * A warm `process`/`env`/`assume` (issue 16: ≤ 1.3 × `node -e 0`) loads none of Node's own
 * modules that only writing needs. `node:fs/promises` alone brought eight more (readline, the fs
 * watchers, Dir…) into every warm run, because the bundle evaluates each module's imports at
 * start-up; now the lock and the atomic write reach them through src/lazy-builtins.ts at their
 * first call. Which built-ins a run loaded is Node's own list (process.moduleLoadList), written at
 * exit by a preload script.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";

/** Loaded by `node -e 0` neither: each is Node's own code to compile and run on every warm call. */
const WRITING_ONLY = ["fs/promises", "internal/fs/promises", "internal/readline/interface", "internal/fs/watchers", "internal/fs/dir", "os"];

/**
 * The built-ins Node loads itself when bin/rolecred turns on its compile cache (Node 22 and later:
 * `module.enableCompileCache` loads node:os for the default folder); none on Node 20. Not ours to
 * avoid, so not held against the warm path.
 */
const LOADED_BY_NODES_COMPILE_CACHE = execFileSync(
  process.execPath,
  [
    "-e",
    'const before = new Set(process.moduleLoadList); require("node:module").enableCompileCache?.(); console.log(JSON.stringify(process.moduleLoadList.filter((entry) => !before.has(entry))))',
  ],
  { encoding: "utf8", env: { PATH: process.env.PATH ?? "" } },
);

const NOT_ON_THE_WARM_PATH = WRITING_ONLY.filter((name) => !(JSON.parse(LOADED_BY_NODES_COMPILE_CACHE) as string[]).includes(`NativeModule ${name}`));

let world: World;
let env: Record<string, string>;
let home: string;

beforeAll(async () => {
  world = await startWorld();
  ({ home, env } = await makeJoHome(world, { config: CI_CONFIG }));
});
afterAll(async () => {
  await world.close();
});

/** `rolecred ...args` with a preload that writes, at exit, the built-in modules the run loaded. */
async function runListingBuiltins(args: readonly string[], name: string): Promise<{ stdout: string; exitCode: number | null; builtins: string[] }> {
  const list = join(home, `${name}.modules`);
  const preload = join(home, `${name}.preload.cjs`);
  await writeFile(preload, `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join("\\n")));\n`);
  const result = await runCli(args, { env: { ...env, NODE_OPTIONS: `--require ${preload}` } });
  const builtins = readFileSync(list, "utf8")
    .split("\n")
    .filter((entry) => entry.startsWith("NativeModule "))
    .map((entry) => entry.slice("NativeModule ".length));
  return { stdout: result.stdout, exitCode: result.exitCode, builtins };
}

describe("the warm bundle", () => {
  it("holds the warm path alone: only Node's own modules required, none of the write's, the listing's or status's code", () => {
    const warm = readFileSync(join(REPO_ROOT, "dist", "src", "cli", "main-warm.cjs"), "utf8");
    expect([...warm.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]).filter((name) => !name?.startsWith("node:"))).toEqual([]);
    expect(warm).toContain("function serveWarm(");
    // (A module's constants may stay, where its code does not.)
    for (const code of [
      "function writeFromCache(",
      "function precheckProfileWrites(",
      "function writeFileAtomic(",
      "IniByteDocument = class",
      "function profilesListingText(",
    ])
      expect(warm, code).not.toContain(code);
    expect(warm.length).toBeLessThan(readFileSync(join(REPO_ROOT, "dist", "src", "cli", "main.cjs"), "utf8").length / 2);
  });
});

describe("the warm path's built-in modules", () => {
  it("a warm process, env and assume load no module that only writing needs, and still answer from the cache", async () => {
    const first = await runCli(["process", "ci"], { env }); // through STS, then cached
    expect(first.exitCode).toBe(0);
    const key = (JSON.parse(first.stdout) as { AccessKeyId: string }).AccessKeyId;

    const warm = await runListingBuiltins(["process", "ci"], "process");
    expect(warm.exitCode).toBe(0);
    expect((JSON.parse(warm.stdout) as { AccessKeyId: string }).AccessKeyId).toBe(key);
    expect(warm.builtins).toContain("fs"); // the list is Node's, and it is read
    expect(warm.builtins.filter((name) => NOT_ON_THE_WARM_PATH.includes(name))).toEqual([]);

    for (const command of ["env", "assume"]) {
      const run = await runListingBuiltins([command, "ci", "--shell", "bash"], command);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain(`export AWS_ACCESS_KEY_ID='${key}'`);
      expect(run.builtins.filter((name) => NOT_ON_THE_WARM_PATH.includes(name))).toEqual([]);
    }
  });

  it("a write, which needs them, still loads them at its first call and writes the profile", async () => {
    const write = await runListingBuiltins(["write", "ci", "--to", "ci-copy"], "write");
    expect(write.exitCode).toBe(0);
    expect(readFileSync(env.AWS_SHARED_CREDENTIALS_FILE ?? "", "utf8")).toContain("[ci-copy]");
    expect(write.builtins).toContain("fs/promises");
  });
});
