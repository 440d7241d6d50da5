/**
 * `write` into a large credentials file that has not changed for a second (issue 16): the built
 * CLI scans it a chunk at a time and copies it in the background while scanning. What the user
 * sees must be what a small file gives: the file with the one section added, or a refusal that
 * leaves the file as it was, and never a copy of the file left beside it.
 */
import { readFile, readdir, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/run-cli.js";
import { makeJoHome, startWorld, type World, CI_CONFIG } from "../support/world.js";
import { largeCredentialsFiller } from "../support/large-credentials.js";

/** ≈ 1.5 MB of rolecred's sections: over the size from which the write's copy starts early (1 MiB). */
const FILLER = largeCredentialsFiller(true);

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

/** A HOME with a cached session for `ci` and `credentials` as its settled credentials file. */
async function homeWith(credentials: string): Promise<{ env: Record<string, string>; aws: string; path: string }> {
  const { home, env } = await makeJoHome(world, { config: CI_CONFIG });
  expect((await runCli(["process", "ci"], { env })).exitCode).toBe(0); // the session is cached (through STS, once)
  const aws = join(home, ".aws");
  const path = join(aws, "credentials");
  const joKeys = await readFile(path, "utf8");
  await writeFile(path, `${joKeys}\n${credentials}`, { mode: 0o600 });
  const anHourAgo = new Date(Date.now() - 3_600_000);
  await utimes(path, anHourAgo, anHourAgo);
  // Settled only once its change time, which cannot be set back, is a second old (file-identity.ts).
  await new Promise((resolve) => setTimeout(resolve, 1100));
  return { env, aws, path };
}

describe("write into a large settled credentials file", () => {
  it("adds the section after the file's own bytes, and leaves no copy of the file behind", async () => {
    const { env, aws, path } = await homeWith(FILLER);
    const before = await readFile(path, "utf8");
    const result = await runCli(["write", "ci", "--to", "ci-creds"], { env });
    expect(result.stderr).toMatch(/^ci-creds: assumed Ci in 111111111111/);
    expect(result.exitCode).toBe(0);
    const after = await readFile(path, "utf8");
    expect(after.startsWith(`${before}\n[ci-creds]\naws_access_key_id = ASIA`)).toBe(true);
    expect((await readdir(aws)).sort()).toEqual(["config", "credentials"]);
  });

  it("writes again into the file it wrote last from its remembered scan (--verbose says so), with the same bytes", async () => {
    const { env, aws, path } = await homeWith(FILLER);
    const before = await readFile(path, "utf8");
    const first = await runCli(["write", "ci", "--to", "ci-creds", "--verbose"], { env });
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toMatch(/with a strict scan of every line/);
    expect(first.stderr).not.toMatch(/remembered scan is used/);
    const once = await readFile(path, "utf8");
    const section = once.slice(before.length);
    const again = await runCli(["write", "ci", "--to", "ci-again", "--verbose"], { env });
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toMatch(/credentials is the file rolecred wrote last \(identity and CRC-32 checked\): its remembered scan is used/);
    expect(await readFile(path, "utf8")).toBe(`${once}${section.replace("[ci-creds]", "[ci-again]")}`);
    // Nothing secret in what is remembered: names and offsets.
    const cache = join(aws, "..", ".cache", "rolecred");
    const records = (await readdir(cache)).filter((name) => name.endsWith(".record"));
    expect(records).toHaveLength(1);
    const record = await readFile(join(cache, records[0] ?? ""), "utf8");
    expect(record).toContain("ci-again");
    expect(record).not.toMatch(/ASIA|aws_session_token|secret/);
  });

  it("after another program's edit in the middle, scans only what changed (--verbose says so), with the edit kept and the profile added", async () => {
    const { env, path } = await homeWith(FILLER);
    expect((await runCli(["write", "ci", "--to", "ci-creds"], { env })).exitCode).toBe(0);
    // Another program adds a line in the middle of the file rolecred wrote (its blocks remembered), a second before the next write.
    const once = await readFile(path, "utf8");
    const edited = once.replace("[org-1000]\n", "[org-1000]\nregion = eu-west-1\n");
    await writeFile(path, edited, { mode: 0o600 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = await runCli(["write", "ci", "--to", "ci-again", "--verbose"], { env });
    expect(again.exitCode).toBe(0);
    const scanned = /credentials changed since rolecred wrote it: scanned only (\d+) of its (\d+) bytes, the rest read from its remembered blocks/.exec(
      again.stderr,
    );
    expect(scanned, again.stderr).not.toBeNull();
    expect(Number(scanned?.[1])).toBeLessThan(Number(scanned?.[2]) / 2);
    const after = await readFile(path, "utf8");
    expect(after.startsWith(`${edited}\n[ci-again]\naws_access_key_id = ASIA`)).toBe(true);
    // A section the edit repeats is refused by the line the full scan names, the file untouched.
    const repeated = after.replace("[org-1500]\n", "[org-20]\nk = v\n\n[org-1500]\n");
    await writeFile(path, repeated, { mode: 0o600 });
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refused = await runCli(["write", "ci", "--to", "ci-third", "--verbose"], { env });
    expect(refused.exitCode).toBe(3);
    const line = repeated.slice(0, repeated.indexOf("[org-20]\nk = v")).split("\n").length;
    const first = repeated.slice(0, repeated.indexOf("[org-20]\n")).split("\n").length;
    expect(refused.stderr).toContain(`line ${line}: section [org-20] repeats the one on line ${first}`);
    expect(await readFile(path, "utf8")).toBe(repeated);
  });

  it("leaves the old file or the new one, never a part of either, wherever a kill lands", async () => {
    // ≈ 9 MB: long enough a write that a kill may land in the scan, the copy or the fsync.
    const large = Array.from({ length: 12 }, () => FILLER)
      .map((part, copy) => part.replaceAll("[org-", `[c${copy}-org-`))
      .join("\n");
    const { env, path } = await homeWith(large);
    const original = await readFile(path, "utf8");
    for (const killAfterMs of [80, 160, 240, 320, 400, 600]) {
      await writeFile(path, original, { mode: 0o600 });
      const anHourAgo = new Date(Date.now() - 3_600_000);
      await utimes(path, anHourAgo, anHourAgo);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await runCli(["write", "ci", "--to", "ci-creds"], { env, timeoutMs: killAfterMs });
      const after = await readFile(path, "utf8");
      if (after === original) continue; // killed before the rename
      // Renamed in: the run ended or was killed after the rename (between it and the exit).
      expect([0, null]).toContain(result.exitCode);
      expect(after.startsWith(`${original}\n[ci-creds]\naws_access_key_id = ASIA`)).toBe(true);
      expect(after.endsWith("x_rolecred_session_arn = arn:aws:sts::111111111111:assumed-role/Ci/jo\n")).toBe(true);
    }
  }, 60_000);

  it("refuses to overwrite long-term keys with the file untouched, and leaves no copy of the file behind", async () => {
    const { env, aws, path } = await homeWith(`${FILLER}\n[ci-creds]\naws_access_key_id = AKIAJOEXAMPLE0000009\naws_secret_access_key = own\n`);
    const before = await readFile(path, "utf8");
    const result = await runCli(["write", "ci", "--to", "ci-creds"], { env });
    expect(result.stderr).toContain("profile [ci-creds]");
    expect(result.stderr).toContain("holds long-term access keys; rolecred will not overwrite them");
    expect(result.exitCode).not.toBe(0);
    expect(await readFile(path, "utf8")).toBe(before);
    expect((await readdir(aws)).sort()).toEqual(["config", "credentials"]);
  });
});
