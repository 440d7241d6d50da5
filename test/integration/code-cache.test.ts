/**
 * bin/rolecred keeps V8's compiled code for the bundle between runs on Node 20 (Node 22 and later
 * do it themselves with module.enableCompileCache): issue 16, fifty writers each paying the
 * bundle's compilation. Compiled code is code, so the cache must be this user's alone, must never
 * be a file that blocks or that another left, and must never change what a run says.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { chmod, copyFile, mkdir, mkdtemp, utimes, writeFile } from "node:fs/promises";
import moduleApi from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, runCli, runProcess, type CliResult } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";

// Node 22+ caches compiled code itself (in its own folder): the shim's cache is Node 20's.
const nodeCachesItself = typeof (moduleApi as { enableCompileCache?: unknown }).enableCompileCache === "function";

let world: World;
let env: Record<string, string>;
let temporary: string;
let folder: string;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});
beforeEach(async () => {
  let home: string;
  ({ home, env } = await makeJoHome(world, { config: CI_CONFIG }));
  temporary = await mkdtemp(join(home, "tmp-"));
  env = { ...env, TMPDIR: temporary };
  folder = join(temporary, `rolecred-v8-${process.getuid?.() ?? 0}`);
});

const rolecred = (args: readonly string[]): Promise<CliResult> => runCli(args, { env });
const cacheFiles = (command: string) => (existsSync(folder) ? readdirSync(folder).filter((name) => name.includes(`-${command}-`)) : []);

/** A copy of the shim beside a bundle of its own (see {@link build}), in a folder of the test's; `bundle` is the one `process` loads (the warm bundle). */
async function shimInstall(): Promise<{ install: string; bundle: string }> {
  const install = await mkdtemp(join(temporary, "install-"));
  await mkdir(join(install, "bin"));
  await mkdir(join(install, "dist", "src", "cli"), { recursive: true });
  await copyFile(join(REPO_ROOT, "bin", "rolecred"), join(install, "bin", "rolecred"));
  return { install, bundle: join(install, "dist", "src", "cli", "main-warm.cjs") };
}

/** A bundle that says which build it is; the same length for names of the same length. */
const build = (name: string) => `process.stdout.write(${JSON.stringify(name)});\n`;

describe("the shim's choice of bundle", () => {
  it("runs process, env and assume from main.cjs when there is no warm bundle (a checkout updated without a rebuild), not a stack trace", async () => {
    const { install } = await shimInstall();
    await writeFile(join(install, "dist", "src", "cli", "main.cjs"), build("main"));
    const results = await Promise.all(
      [
        ["process", "x"],
        ["env", "x"],
        ["assume", "x"],
      ].map((args) => runProcess(process.execPath, [join(install, "bin", "rolecred"), ...args], { env })),
    );
    expect(results.map(({ stdout, stderr, exitCode }) => ({ stdout, stderr, exitCode }))).toEqual(Array(3).fill({ stdout: "main", stderr: "", exitCode: 0 }));
  });
});

describe.skipIf(nodeCachesItself)("the bundle's code cache (Node 20)", () => {
  it("is written once per command, private, and a run from it says exactly what the first run said", async () => {
    const first = await rolecred(["process", "ci"]); // through STS, then cached
    const compiled = await rolecred(["process", "ci"]);
    expect(cacheFiles("process")).toHaveLength(1);
    const fromCache = await rolecred(["process", "ci"]);
    expect(first.exitCode).toBe(0);
    expect(fromCache).toEqual(compiled);
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    const [name] = cacheFiles("process");
    expect(statSync(join(folder, name ?? "")).mode & 0o777).toBe(0o600);
    expect(readdirSync(folder).filter((entry) => entry.endsWith(".tmp"))).toEqual([]);
  });

  it("still loads the rest of rolecred (import() of run.js) when the bundle comes from the cache", async () => {
    const compiled = await rolecred(["status"]);
    expect(cacheFiles("cli")).toHaveLength(1);
    const fromCache = await rolecred(["status"]);
    expect(fromCache.exitCode).toBe(0);
    expect(fromCache).toEqual(compiled);
  });

  it("replaces a cache V8 refuses (another build, damaged) and says the same", async () => {
    await rolecred(["--version"]);
    const [name] = cacheFiles("cli");
    const path = join(folder, name ?? "");
    await writeFile(path, Buffer.alloc(4096, 7));
    const result = await rolecred(["--version"]);
    expect(result).toMatchObject({ exitCode: 0, stderr: "" });
    expect(statSync(path).size).not.toBe(4096);
  });

  it("loads the warm bundle for process, env and assume, and the main bundle for any other command", async () => {
    const { install, bundle } = await shimInstall();
    await writeFile(bundle, build("warm"));
    await writeFile(join(install, "dist", "src", "cli", "main.cjs"), build("main"));
    const shim = async (args: readonly string[]) => (await runProcess(process.execPath, [join(install, "bin", "rolecred"), ...args], { env })).stdout;
    expect(
      await Promise.all(
        [
          ["process", "x"],
          ["env", "x"],
          ["assume", "x"],
        ].map(shim),
      ),
    ).toEqual(["warm", "warm", "warm"]);
    expect(await Promise.all([["write", "x"], ["profiles"], ["--version"], []].map(shim))).toEqual(["main", "main", "main", "main"]);
    expect(await shim(["process", "x"])).toBe("warm"); // and from its cache
  });

  it("never runs an older build's code: a bundle rewritten with the same length, mtime and inode (as an upgrade can leave it) is compiled anew", async () => {
    const { install, bundle } = await shimInstall();
    const shim = async () => (await runProcess(process.execPath, [join(install, "bin", "rolecred"), "process", "x"], { env })).stdout;
    await writeFile(bundle, build("build-1"));
    const { mtime, ino } = statSync(bundle);
    expect([await shim(), await shim()]).toEqual(["build-1", "build-1"]); // compiled (cache written at exit), then from the cache
    // V8 compares only the source's length before it runs cached code: whether it takes an older
    // build's cache varies from run to run, so several builds, each run twice.
    for (const name of ["build-2", "build-3", "build-4", "build-5"]) {
      await writeFile(bundle, build(name)); // same length, rewritten in place: same inode
      await utimes(bundle, mtime, mtime); // the fixed mtime npm and tar give installed files
      expect(statSync(bundle).ino).toBe(ino);
      expect([await shim(), await shim()]).toEqual([name, name]);
    }
  });

  it("files compiled code under the key of the bundle it read: one replaced between the read and the key (an upgrade) is not poisoned", async () => {
    const { install, bundle } = await shimInstall();
    await writeFile(bundle, build("build-A"));
    await writeFile(join(install, "next.cjs"), build("build-B")); // the same length
    // Once (while the marker is there): the upgrade lands just after the shim has read the bundle.
    const marker = join(install, "swap-once");
    await writeFile(marker, "");
    const preload = join(install, "upgrade.cjs");
    await writeFile(
      preload,
      [
        'const fs = require("node:fs");',
        "const read = fs.readFileSync;",
        "fs.readFileSync = function (...args) {",
        "  const result = read.apply(this, args);",
        // The bundle, read by its path (an older shim) or through the descriptor the shim opened.
        `  if ((typeof args[0] === "number" || args[0] === ${JSON.stringify(bundle)}) && fs.existsSync(${JSON.stringify(marker)})) { fs.unlinkSync(${JSON.stringify(marker)}); fs.renameSync(${JSON.stringify(join(install, "next.cjs"))}, ${JSON.stringify(bundle)}); }`,
        "  return result;",
        "};",
      ].join("\n"),
    );
    const shim = async () => (await runProcess(process.execPath, ["--require", preload, join(install, "bin", "rolecred"), "process", "x"], { env })).stdout;
    expect(await shim()).toBe("build-A"); // what it read
    expect(existsSync(marker)).toBe(false);
    expect([await shim(), await shim()]).toEqual(["build-B", "build-B"]);
  });

  it("keeps one cache per set of Node flags (NODE_OPTIONS), each used as it is, not rewritten run after run", async () => {
    await rolecred(["--version"]);
    const [plain] = cacheFiles("cli");
    const withOptions = (args: readonly string[]) => runCli(args, { env: { ...env, NODE_OPTIONS: "--max-old-space-size=200" } });
    expect(await withOptions(["--version"])).toMatchObject({ exitCode: 0, stderr: "" });
    const [flagged] = cacheFiles("cli").filter((name) => name !== plain);
    const inode = statSync(join(folder, flagged ?? "")).ino;
    expect(await withOptions(["--version"])).toMatchObject({ exitCode: 0, stderr: "" });
    expect(statSync(join(folder, flagged ?? "")).ino).toBe(inode); // accepted, so not written again
    expect(new Set(cacheFiles("cli"))).toEqual(new Set([plain, flagged]));
  });

  it("is written by a run the fast path answers, not by a fast command left to the full command line (its cache would lack the fast path's code)", async () => {
    const cold = await rolecred(["write", "ci", "--to", "ci-creds"]); // no session yet: the full path asks STS
    expect(cold.exitCode).toBe(0);
    expect(cacheFiles("write")).toEqual([]);
    const warm = await rolecred(["write", "ci", "--to", "ci-creds"]); // from the session cache: the fast path
    expect(warm.exitCode).toBe(0);
    expect(cacheFiles("write")).toHaveLength(1);
    expect((await rolecred(["write", "ci", "--to", "ci-creds"])).exitCode).toBe(0); // and from it
    await rolecred(["--version"]); // the full command line's own cache is written as before
    expect(cacheFiles("cli")).toHaveLength(1);
  });

  it("is not used in a folder that others can enter, and a FIFO in its place never blocks a run", async () => {
    await mkdir(folder, { mode: 0o755 });
    await chmod(folder, 0o755);
    expect(await rolecred(["--version"])).toMatchObject({ exitCode: 0, stderr: "" });
    expect(readdirSync(folder)).toEqual([]);

    await chmod(folder, 0o700);
    await rolecred(["--version"]);
    const [name] = cacheFiles("cli");
    const path = join(folder, name ?? "");
    execFileSync("rm", [path]);
    execFileSync("mkfifo", [path]);
    expect(await rolecred(["--version"])).toMatchObject({ exitCode: 0, stderr: "" });
  });
});
