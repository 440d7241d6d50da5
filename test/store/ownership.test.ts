/**
 * replaceSmallFileSync (the cache folder's small records: chain-sections.json, the `profiles`
 * listings, recent-profiles): a run killed between creating its temporary and renaming it leaves
 * the temporary behind; the next record written removes it when its writer is gone or it is too
 * old to be a write in progress, and never a live writer's.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { replaceSmallFileSync, TEMPORARY_FOLDER } from "../../src/store/ownership.js";

/** A pid no process runs under: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (child.pid === undefined) throw new Error("no child");
  return child.pid;
}

/** A temporary as a run with `pid` would have left it, last written `ageMs` ago. */
function leftover(folder: string, name: string, ageMs: number): string {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const path = join(folder, name);
  writeFileSync(path, "half a record", { mode: 0o600 });
  const then = new Date(Date.now() - ageMs);
  utimesSync(path, then, then);
  return path;
}

async function cacheFolder(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "rolecred-ownership-")), "cache");
}

describe("replaceSmallFileSync", () => {
  it("writes the record whole, 0600, and leaves no temporary, in the cache folder or its temporary folder", async () => {
    const cache = await cacheFolder();
    const record = join(cache, "chain-sections.json");
    expect(replaceSmallFileSync(cache, record, "one\n")).toBe(true);
    expect(replaceSmallFileSync(cache, record, "two\n")).toBe(true);
    expect(readFileSync(record, "utf8")).toBe("two\n");
    expect(statSync(record).mode & 0o777).toBe(0o600);
    expect(readdirSync(cache).sort()).toEqual(["chain-sections.json", TEMPORARY_FOLDER]);
    expect(readdirSync(join(cache, TEMPORARY_FOLDER))).toEqual([]);
    expect(statSync(join(cache, TEMPORARY_FOLDER)).mode & 0o777).toBe(0o700);
  });

  it("removes a killed writer's temporary when the next record is written, and keeps a live writer's", async () => {
    const cache = await cacheFolder();
    const folder = join(cache, TEMPORARY_FOLDER);
    const dead = leftover(folder, `chain-sections.json.${deadPid()}-k1lled.tmp`, 60_000);
    const deadOtherRecord = leftover(folder, `profiles-names.listing.${deadPid()}-k1lled.tmp`, 60_000);
    // This test's own process is alive: its temporary is a write in progress.
    const live = leftover(folder, `chain-sections.json.${process.pid}-wr1ting.tmp`, 60_000);
    // Just created: may be a writer's on another host sharing the folder, whatever its pid says here.
    const young = leftover(folder, `chain-sections.json.${deadPid()}-y0ung.tmp`, 0);
    const notOurs = leftover(folder, "notes.txt", 60 * 60_000);
    expect(replaceSmallFileSync(cache, join(cache, "recent-profiles"), "dev\n")).toBe(true);
    expect([existsSync(dead), existsSync(deadOtherRecord)]).toEqual([false, false]);
    expect([existsSync(live), existsSync(young), existsSync(notOurs)]).toEqual([true, true, true]);
  });

  it("removes a temporary over ten minutes old even when a process runs under its pid (a reused pid)", async () => {
    const cache = await cacheFolder();
    const old = leftover(join(cache, TEMPORARY_FOLDER), `profiles-json.listing.${process.pid}-0ld.tmp`, 11 * 60_000);
    expect(replaceSmallFileSync(cache, join(cache, "profiles-json.listing"), "[]\n")).toBe(true);
    expect(existsSync(old)).toBe(false);
  });

  it("names each temporary after its writer and a random part: a leftover of an earlier run under the same pid does not stop the write", async () => {
    const cache = await cacheFolder();
    // The name an earlier rolecred gave its temporary (pid only), left by a run under this very pid.
    leftover(cache, `chain-sections.json.${process.pid}.tmp`, 1000);
    expect(replaceSmallFileSync(cache, join(cache, "chain-sections.json"), "{}\n")).toBe(true);
    expect(readFileSync(join(cache, "chain-sections.json"), "utf8")).toBe("{}\n");
  });
});
