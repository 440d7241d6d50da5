/**
 * The precheck's background copy of a large credentials file (store/atomic-write.ts prepareCopy)
 * and a signal that lands while that copy is still queued (issue 16, eighth round): the signal's
 * handler (store/lock.ts) removes the copy's name, and a copy that starts after that must not
 * leave a copy of the user's secrets beside the file. A run of its own, with one thread in libuv's
 * pool held on a FIFO, so that the copy starts exactly when the test lets it: after the handler.
 */
import { execFileSync, spawn } from "node:child_process";
import { closeSync, openSync, readdirSync, writeFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { makeTempHome, REPO_ROOT } from "../support/run-cli.js";

/** prepareCopy, then a SIGTERM that another listener outlives (as a program that handles the signal itself does), then the copy. */
const CHILD = `
import { openSync } from "node:fs";
import { open } from "node:fs";
const { prepareCopy } = await import(process.env.ATOMIC_WRITE);
// The pool's only thread waits to open the FIFO: the copy queued after it has not started.
open(process.env.HOLD_FIFO, "r", () => undefined);
const prepared = prepareCopy(process.env.TARGET, 0o600);
process.on("SIGTERM", () => process.stdout.write("handled\\n"));
process.kill(process.pid, "SIGTERM");
prepared.ready.then((ready) => process.stdout.write("ready " + ready + "\\n"));
`;

it("a copy still queued when SIGTERM's handler ran leaves no copy of the file beside it", async () => {
  const home = await makeTempHome();
  const aws = join(home, ".aws");
  await mkdir(aws, { mode: 0o700 });
  const target = join(aws, "credentials");
  writeFileSync(target, `[jo]\naws_access_key_id = AKIAJOEXAMPLE\naws_secret_access_key = ${"s".repeat(2 * 1024 * 1024)}\n`, { mode: 0o600 });
  const fifo = join(home, "hold.fifo");
  execFileSync("mkfifo", [fifo]);
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      UV_THREADPOOL_SIZE: "1",
      ATOMIC_WRITE: pathToFileURL(join(REPO_ROOT, "dist", "src", "store", "atomic-write.js")).href,
      HOLD_FIFO: fifo,
      TARGET: target,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const handled = new Promise<void>((resolve) =>
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      if (stdout.includes("handled\n")) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  // Once the handlers ran (lock.ts's first: it removed what it knew of), the pool's thread goes on to the copy.
  await Promise.race([handled, exited]);
  expect(stdout, stderr).toContain("handled\n");
  closeSync(openSync(fifo, "w"));
  expect(await exited, stderr).toBe(0);
  expect(stdout).toMatch(/ready (true|false)\n/);
  // Nothing but the credentials file: no `.credentials.rolecred-….tmp` holding its keys.
  expect(readdirSync(aws)).toEqual(["credentials"]);
});
