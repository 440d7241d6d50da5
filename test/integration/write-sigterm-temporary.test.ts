/**
 * A `write` stopped by SIGTERM while it writes the new credentials file (issue 16, eighth round):
 * its temp file (the old file's bytes and the new session's keys) goes with it, whichever way the
 * write makes it. Here the file rolecred wrote a moment ago (changed within the last second: read
 * whole, written from the bytes held, no copy prepared by the precheck), large enough that the
 * kill lands between the temp file's creation and its rename.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { REPO_ROOT, ROLECRED_BIN, runCli } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("a write stopped by SIGTERM between its temp file's creation and its rename leaves no copy of the file in ~/.aws", async () => {
  const { home, env } = await makeJoHome(world, { config: CI_CONFIG });
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
  const aws = join(home, ".aws");
  const path = join(aws, "credentials");
  // ≈ 18 MB: its write and fsync last long enough for the kill to land before the rename.
  const large = Array.from({ length: 24 }, (_, copy) => largeCredentialsFiller(true).replaceAll("[org-", `[c${copy}-org-`)).join("\n");
  const original = `${await readFile(path, "utf8")}\n${large}`;
  let landed = 0;
  for (let attempt = 0; attempt < 5 && landed === 0; attempt += 1) {
    await writeFile(path, original, { mode: 0o600 });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(path, anHourAgo, anHourAgo);
    const child = spawn(process.execPath, [ROLECRED_BIN, "write", "ci", "--to", `killed-${attempt}`], { env, cwd: REPO_ROOT, stdio: "ignore" });
    const ended = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, signal) => resolve(signal)));
    let gone = false;
    void ended.then(() => (gone = true));
    // Its temp file, beside the credentials file: the kill goes as soon as it is there.
    const ours = (name: string) => name.startsWith(`.credentials.rolecred-${child.pid ?? 0}-`) && name.endsWith(".tmp");
    while (!gone && !readdirSync(aws).some(ours)) await sleep(1);
    if (gone) continue;
    child.kill("SIGTERM");
    expect(await ended).toBe("SIGTERM");
    // Renamed in before the kill: nothing to say about its temp file; try again.
    if ((await readFile(path, "utf8")) !== original) continue;
    landed += 1;
    expect(readdirSync(aws).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  }
  expect(landed).toBe(1);
}, 60_000);
