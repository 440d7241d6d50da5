/**
 * A large credentials file that starts with a byte-order mark read as Latin-1 and saved again as
 * UTF-8 (the six bytes of "ï»¿": an editor's round trip, test/integration/latin1-read-byte-order-mark.test.ts):
 * the record of its scan that a write leaves (store/remembered-scan.ts, body starting at byte 6)
 * is read by the next write, as a file with no mark or U+FEFF's has its record read (it was
 * written and then refused, review).
 */
import { readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

const MARK = "\u00EF\u00BB\u00BF";

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

it("writes again into a large file that starts with a Latin-1-read mark from its remembered scan, the mark kept", async () => {
  const { home, env } = await makeJoHome(world, { config: CI_CONFIG });
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached
  const path = join(home, ".aws", "credentials");
  const before = `${MARK}${await readFile(path, "utf8")}\n${largeCredentialsFiller(true)}`;
  await writeFile(path, before, { mode: 0o600 });
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, anHourAgo, anHourAgo);
  await new Promise((resolve) => setTimeout(resolve, 1100)); // settled: scanned, and its scan remembered after the write
  const first = await runCli(["write", "ci", "--to", "ci-creds", "--verbose"], { env });
  expect(first.exitCode).toBe(0);
  expect(first.stderr).toMatch(/with a strict scan of every line/);
  const once = await readFile(path, "utf8");
  expect(once.startsWith(`${before}\n[ci-creds]\naws_access_key_id = ASIA`)).toBe(true);
  const again = await runCli(["write", "ci", "--to", "ci-again", "--verbose"], { env });
  expect(again.exitCode).toBe(0);
  expect(again.stderr).toMatch(/credentials is the file rolecred wrote last \(identity and CRC-32 checked\): its remembered scan is used/);
  expect(again.stderr).not.toMatch(/with a strict (scan|parse) of every line/);
  const twice = await readFile(path, "utf8");
  expect(twice.startsWith(`${once}\n[ci-again]\naws_access_key_id = ASIA`)).toBe(true);
  expect(twice.startsWith(MARK)).toBe(true);
});
