/**
 * "kept changing while rolecred wrote it" (src/store/credentials-file.ts editUnderLock): a write
 * that finds the file changed between its scan and its rename reads it again, and after three
 * such reads gives up, leaving the file as the other program last wrote it. The built CLI runs as
 * it would in a home on NFS whose server's clock is behind the client's (test/support/clock-ahead.cjs:
 * every file looks settled, so it is scanned and copied, not read whole), while another program
 * appends to the file without a lock, without pause.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { appendFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT, runCli } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

const CLOCK_AHEAD = join(REPO_ROOT, "test", "support", "clock-ahead.cjs");

/** Appends `# edit N` lines to the file (one write each: the file is valid at every moment) until the stop file appears. */
const EDITOR = `
const fs = require("node:fs");
const [path, stop] = process.argv.slice(1);
const fd = fs.openSync(path, "a");
const pause = new Int32Array(new SharedArrayBuffer(4));
process.stdout.write("editing\\n");
for (let count = 0; !fs.existsSync(stop); count += 1) {
  fs.writeSync(fd, "# edit " + count + "\\n");
  Atomics.wait(pause, 0, 0, 0.2);
}
`;

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

it("a file another program keeps changing during the write: exit 1, one line, the file as that program last wrote it, no temporary left", async () => {
  const { home, env } = await makeJoHome(world, { config: CI_CONFIG });
  const aws = join(home, ".aws");
  const credentialsPath = join(aws, "credentials");
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
  // Large enough (≈ 1.5 MB) that the write scans it and copies its bytes rather than holding them.
  await appendFile(credentialsPath, `\n${largeCredentialsFiller(false)}`);
  const before = await readFile(credentialsPath, "utf8");

  const stop = join(home, "stop-editing");
  const editor = spawn(process.execPath, ["-e", EDITOR, credentialsPath, stop], { stdio: ["ignore", "pipe", "inherit"] });
  const exited = new Promise((resolve) => editor.on("close", resolve));
  await new Promise((resolve) => editor.stdout.once("data", resolve));
  const result = await runCli(["write", "ci", "--to", "while-edited"], {
    env: { ...env, NODE_OPTIONS: `--require ${CLOCK_AHEAD}`, ROLECRED_TEST_CLOCK_AHEAD_MS: "5000" },
  });
  await writeFile(stop, "");
  await exited;

  expect(result.stderr).toBe(
    `rolecred: ${credentialsPath} kept changing while rolecred wrote it; it was left as it is — another program is writing the credentials file; try again when it is done\n`,
  );
  expect(result.exitCode).toBe(1);
  // Exactly what was there, and every line the editor appended, in order: nothing of rolecred's.
  const after = await readFile(credentialsPath, "utf8");
  const edits = after.slice(before.length).split("\n").slice(0, -1);
  expect(after.startsWith(before)).toBe(true);
  expect(edits.length).toBeGreaterThan(0);
  expect(edits).toEqual(edits.map((_, index) => `# edit ${index}`));
  expect(readdirSync(aws).filter((name) => name.endsWith(".tmp") || name.includes(".rolecred."))).toEqual([]);
});
