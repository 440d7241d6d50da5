/**
 * A write's temp file is created first and opened again to be written (by name, or by the kernel
 * copy through /proc/self/fd). That second open asks the file's mode, which the first (creating)
 * open does not: a ~/.aws/config kept read-only (0444, its mode kept by sso populate) or a umask
 * that takes the owner's write bit (0277) made every write fail with EACCES (issue 16, eighth
 * round's review). Run by a user who is not root (root's opens ignore modes): when the suite runs
 * as root, the child loads the module (the checkout may be private to root), then becomes
 * `nobody`, in its working folder, which that user owns (the suite's temporary folder is private
 * to root: it is reached only as the working folder).
 */
import { spawn } from "node:child_process";
import { chownSync, readdirSync, readFileSync, statSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { REPO_ROOT } from "../support/run-cli.js";

const NOBODY = 65534;

/** Each write in the built module, its outcome ("written" or the error's code) printed as JSON. */
const WRITES = `
const { writeFileAtomic, prepareCopy } = await import(process.argv[1]);
if (process.argv[2] === "nobody") {
  process.setgroups([]);
  process.setgid(${NOBODY});
  process.setuid(${NOBODY});
}
const { chmodSync, openSync, writeFileSync } = await import("node:fs");
// Root's opens ignore modes: the writes below mean something only as another user.
const outcomes = { "run as root": process.getuid() === 0 };
async function attempt(name, write) {
  try {
    await write();
    outcomes[name] = "written";
  } catch (error) {
    outcomes[name] = error.code ?? error.message;
  }
}
await attempt("config kept 0444", () => writeFileAtomic("config", "[profile a]\\n", { mode: 0o444, directoryMode: 0o700 }));
process.umask(0o277);
await attempt("new bytes, umask 0277", () => writeFileAtomic("session", "{}\\n", { mode: 0o600, directoryMode: 0o700 }));
const old = "[a]\\nx = 1\\n";
writeFileSync("credentials", old);
chmodSync("credentials", 0o600);
const source = { path: "credentials", fd: openSync("credentials", "r"), unchanged: () => true };
const pieces = [{ start: 0, end: old.length }, Buffer.from("[b]\\ny = 2\\n")];
await attempt("copied, umask 0277", () => writeFileAtomic("credentials", { source, pieces }, { mode: 0o600, directoryMode: 0o700 }));
const prepared = prepareCopy("credentials", 0o600);
outcomes["prepared copy ready"] = await prepared.ready;
const again = { path: "credentials", fd: openSync("credentials", "r"), unchanged: () => true };
const copiedAgain = [{ start: 0, end: old.length + 10 }, Buffer.from("[c]\\nz = 3\\n")];
await attempt("prepared, umask 0277", () => writeFileAtomic("credentials", { source: again, pieces: copiedAgain, prepared }, { mode: 0o600, directoryMode: 0o700 }));
console.log(JSON.stringify(outcomes));
`;

function runWrites(folder: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const asRoot = process.getuid?.() === 0;
  const module = pathToFileURL(join(REPO_ROOT, "dist", "src", "store", "atomic-write.js")).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", WRITES, module, asRoot ? "nobody" : "as is"], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

it("writes a file kept without its owner's write bit, and writes under a umask of 0277, as a user who is not root", async () => {
  const folder = await mkdtemp(join(tmpdir(), "rolecred-owner-bits-"));
  if (process.getuid?.() === 0) chownSync(folder, NOBODY, NOBODY);
  const { code, stdout, stderr } = await runWrites(folder);
  expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(stdout)).toEqual({
    "run as root": false,
    "config kept 0444": "written",
    "new bytes, umask 0277": "written",
    "copied, umask 0277": "written",
    "prepared copy ready": true,
    "prepared, umask 0277": "written",
  });
  expect(readFileSync(join(folder, "config"), "utf8")).toBe("[profile a]\n");
  expect(statSync(join(folder, "config")).mode & 0o777).toBe(0o444);
  expect(readFileSync(join(folder, "credentials"), "utf8")).toBe("[a]\nx = 1\n[b]\ny = 2\n[c]\nz = 3\n");
  expect(statSync(join(folder, "credentials")).mode & 0o777).toBe(0o600);
  expect(statSync(join(folder, "session")).mode & 0o777).toBe(0o600);
  // No temp file left: every write renamed its own.
  expect(readdirSync(folder).sort()).toEqual(["config", "credentials", "session"]);
});
