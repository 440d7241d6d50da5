/**
 * The credentials file's scan remembered between writes (store/remembered-scan.ts, issue 16): a
 * write into the file rolecred wrote last uses the recorded scan once the file's identity and its
 * CRC-32 match, and anything else is the full strict scan. What a user sees must not change: the
 * same bytes as a write without any record, the same refusals with the same line numbers.
 */
import { spawn } from "node:child_process";
import { chmod, copyFile, mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { crc32 } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import type { RoleSession } from "../../src/credentials/types.js";
import { precheckProfileWrites, writeProfiles, type WriteOptions } from "../../src/store/credentials-file.js";
import { READ_LIMITS, readRegularFileSync } from "../../src/store/bounded-read.js";
import { identityOfStats } from "../../src/store/file-identity.js";
import { IniByteDocument } from "../../src/store/ini-bytes.js";
import { readRememberedScan, recordPath } from "../../src/store/remembered-scan.js";
import { makeTempHome } from "../support/run-cli.js";

function session(suffix: string): RoleSession {
  return {
    credentials: {
      accessKeyId: `ASIA${suffix
        .toUpperCase()
        .replace(/[^A-Z0-9]/g, "")
        .padEnd(16, "X")
        .slice(0, 16)}`,
      secretAccessKey: `secret-${suffix}`,
      sessionToken: `token-${suffix}-${"z".repeat(suffix.length * 37)}`,
      expiration: new Date("2030-01-01T00:00:00.000Z"),
    },
    roleArn: "arn:aws:iam::111111111111:role/Dev",
  };
}

/** A small deterministic generator: the same files on every run. */
function randomOf(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A credentials file over 1 MiB: comments, blank lines, CRLF or LF, a BOM, UTF-8 names and values, rolecred's and others' sections. */
function generatedFile(seed: number): { text: string; names: string[] } {
  const random = randomOf(seed);
  const newline = random() < 0.3 ? "\r\n" : "\n";
  const names: string[] = [];
  const lines: string[] = [];
  if (random() < 0.2) lines.push("\ufeff# a file with a byte-order mark");
  if (random() < 0.5) lines.push("# top comment", "");
  for (let index = 0; names.length < 1_400; index += 1) {
    const name = random() < 0.05 ? `prod-é-${index}` : `org-${index}`;
    names.push(name);
    lines.push(random() < 0.1 ? `[${name}] ; a comment` : `[${name}]`);
    lines.push(`aws_access_key_id = ASIA${String(index).padStart(16, "0")}`);
    lines.push(`aws_secret_access_key = s${index}`);
    lines.push(`aws_session_token = ${"t".repeat(600 + Math.floor(random() * 200))}`);
    if (random() < 0.7) lines.push("x_rolecred_managed = true");
    if (random() < 0.1) lines.push("; a comment in a section", "# another");
    if (random() < 0.05) lines.push("region = eu-west-1", "  continued = line");
    if (random() < 0.05) lines.push("note = café");
    if (random() < 0.8) lines.push("");
  }
  const text = lines.join(newline) + (random() < 0.9 ? newline : "");
  return { text, names };
}

let home: string;
const cacheOf = (folder: string) => join(folder, "cache");

/** A folder with the file, its private cache folder, and a twin written with no record at all (the cold path). */
async function makeCase(name: string, text: string): Promise<{ path: string; twin: string; cache: string }> {
  const folder = join(home, name);
  await mkdir(cacheOf(folder), { recursive: true, mode: 0o700 });
  await mkdir(join(folder, "twin"), { recursive: true, mode: 0o700 });
  const path = join(folder, "credentials");
  const twin = join(folder, "twin", "credentials");
  await writeFile(path, text, { mode: 0o600 });
  await writeFile(twin, text, { mode: 0o600 });
  return { path, twin, cache: cacheOf(folder) };
}

/** Precheck and write as the commands do; the messages `--verbose` would show. */
async function write(path: string, profiles: readonly string[], suffix: string, cache?: string): Promise<string[]> {
  const said: string[] = [];
  const options: WriteOptions = { force: false, ...(cache === undefined ? {} : { cacheDirectory: cache, onVerbose: (message: string) => said.push(message) }) };
  await precheckProfileWrites(path, profiles, options);
  await writeProfiles(
    path,
    profiles.map((profile) => ({ profile, session: session(`${suffix}-${profile}`) })),
    options,
  );
  return said;
}

const USED = /its remembered scan is used/;

/** The record's index equals a strict parse of the file as it is now. */
async function expectRecordMatchesFile(path: string, cache: string): Promise<void> {
  const bytes = await readFile(path);
  const identity = identityOfStats(await stat(path, { bigint: true }));
  const record = readRememberedScan(cache, path, identity, crc32);
  expect(record).toBeDefined();
  expect(record?.crc).toBe(crc32(bytes));
  const parsed = IniByteDocument.parse(bytes).index;
  expect({ ...record?.index, byName: undefined }).toEqual({ ...parsed, byName: undefined });
}

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const KEPT_SEED = 105;
/** A settled file edited in place after its record was written, the record's identity forged to match (an edit within one tick). */
const EDITED_SEED = 106;
/** A settled file whose record's index is damaged by a test. */
const DAMAGED_SEED = 108;
const settledCases = new Map<number, { path: string; twin: string; cache: string; names: string[] }>();

beforeAll(async () => {
  home = await makeTempHome();
  // One settled fixture for every test that needs one: written once by rolecred (recorded), then a second's wait.
  for (const seed of [...SEEDS, KEPT_SEED, EDITED_SEED, DAMAGED_SEED]) {
    const { text, names } = generatedFile(seed);
    const made = await makeCase(`settled-${seed}`, text);
    await write(made.path, ["first-write"], "a", made.cache);
    await write(made.twin, ["first-write"], "a");
    settledCases.set(seed, { ...made, names });
  }
  const edited = settledCases.get(EDITED_SEED);
  if (edited !== undefined) {
    const current = await readFile(edited.path, "latin1");
    const shifted = current.replace(/= s3(\r?\n)/, "= s33$1").replace(/= s900(\r?\n)/, "= s90$1");
    writeFileSync(edited.path, shifted, { encoding: "latin1", flag: "r+" });
    await writeFile(edited.twin, shifted, { encoding: "latin1" });
    forgeRecordIdentity(edited.path, edited.cache, identityOfStats(await stat(edited.path, { bigint: true })));
  }
  await new Promise((resolve) => setTimeout(resolve, 1100));
});

describe("remembered scan of the credentials file (issue 16)", () => {
  it("is used by the next write, on many generated files, with the bytes a write without it makes", async () => {
    for (const seed of SEEDS) {
      const found = settledCases.get(seed);
      if (found === undefined) throw new Error("no case");
      const { path, twin, cache, names } = found;
      const random = randomOf(seed * 7);
      // Settled: the file kept open, its CRC read in pieces, the early copy taken, the new CRC computed while written.
      const pick = () => names[Math.floor(random() * names.length)] ?? "org-0";
      const rounds: string[][] = [[pick()], ["brand-new", pick()], [names[0] ?? "org-0"], [names.at(-1) ?? "org-0", "another-new"], [pick(), pick()]];
      for (const [round, profiles] of rounds.entries()) {
        const unique = [...new Set(profiles)];
        const said = await write(path, unique, `r${round}`, cache);
        await write(twin, unique, `r${round}`);
        expect(said.join("\n"), `seed ${seed}, round ${round}`).toMatch(USED);
        expect((await readFile(path)).equals(await readFile(twin)), `seed ${seed}, round ${round}`).toBe(true);
        await expectRecordMatchesFile(path, cache);
      }
    }
  });

  it("is used for the bytes a run already holds (a `user` run reads the file to resolve its profile first)", async () => {
    const kept = settledCases.get(KEPT_SEED);
    if (kept === undefined) throw new Error("no case");
    const { path, twin, cache } = kept;
    // Kept only for a settled file (bounded-read.ts): the run parses those bytes instead of reading the file again.
    readRegularFileSync(path, { what: "the credentials file", maxBytes: READ_LIMITS.awsFile, keep: true });
    expect((await write(path, ["dev", "other"], "b", cache)).join("\n")).toMatch(USED);
    await write(twin, ["dev", "other"], "b");
    expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
    await expectRecordMatchesFile(path, cache);
  });

  it("scans a file edited by another tool between two writes (same size, times put back) and keeps the edit", async () => {
    const { text } = generatedFile(100);
    const { path, twin, cache } = await makeCase("edited", text);
    await write(path, ["dev"], "a", cache);
    await write(twin, ["dev"], "a");
    // Another tool: one character changed in place, the same size, the modification time put back.
    const before = await stat(path);
    const edited = (await readFile(path, "latin1")).replace(/= s5(\r?\n)/, "= S5$1");
    writeFileSync(path, edited, { encoding: "latin1", flag: "r+" });
    await utimes(path, before.atime, before.mtime);
    await copyFile(path, twin);
    expect((await stat(path)).size).toBe(before.size);
    const said = await write(path, ["dev"], "b", cache);
    await write(twin, ["dev"], "b");
    expect(said.join("\n")).not.toMatch(USED);
    expect(await readFile(path, "latin1")).toMatch(/= S5\r?\n/);
    expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
  });

  it("checks the content even when the identity matches (an edit within one timestamp tick): a changed file is scanned, not damaged", async () => {
    const { text } = generatedFile(101);
    const { path, twin, cache } = await makeCase("same-tick", text);
    await write(path, ["dev"], "a", cache);
    // The same size, every section after org-3 one byte later: the recorded offsets would be wrong.
    const current = await readFile(path, "latin1");
    const shifted = current.replace(/= s3(\r?\n)/, "= s33$1").replace(/= s900(\r?\n)/, "= s90$1");
    expect(shifted).not.toBe(current);
    expect(shifted.length).toBe(current.length);
    writeFileSync(path, shifted, { encoding: "latin1", flag: "r+" });
    await writeFile(twin, shifted, { encoding: "latin1" });
    // As if the edit had landed in the tick of rolecred's own rename: the record names the file's identity now.
    forgeRecordIdentity(path, cache, identityOfStats(await stat(path, { bigint: true })));
    const said = await write(path, ["org-5"], "b", cache);
    await write(twin, ["org-5"], "b");
    expect(said.join("\n")).not.toMatch(USED);
    expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
    expect(await readFile(path, "latin1")).toMatch(/= s33\r?\n/);
  });

  it("checks the content of a settled file kept open too (read in pieces): a changed one is scanned, not damaged", async () => {
    const edited = settledCases.get(EDITED_SEED);
    if (edited === undefined) throw new Error("no case");
    const said = await write(edited.path, ["org-5", "brand-new"], "b", edited.cache);
    await write(edited.twin, ["org-5", "brand-new"], "b");
    expect(said.join("\n")).toMatch(/has the identity rolecred remembered but not its content: scanned again/);
    expect((await readFile(edited.path)).equals(await readFile(edited.twin))).toBe(true);
    expect(await readFile(edited.path, "latin1")).toMatch(/= s33\r?\n/);
    await expectRecordMatchesFile(edited.path, edited.cache);
  });

  it("refuses a broken file whose record's content check fails, with the line number the full scan gives", async () => {
    const { text, names } = generatedFile(102);
    const { path, twin, cache } = await makeCase("broken", text);
    await write(path, ["dev"], "a", cache);
    const current = await readFile(path, "latin1");
    // A line the strict parse refuses (a section's header repeated further down), the same size.
    const [first, , , , , , , second] = names.filter((name) => /^org-\d$/.test(name));
    if (first === undefined || second === undefined) throw new Error("the generated file lacks the names");
    const broken = current.replace(`[${second}]`, `[${first}]`);
    expect(broken).not.toBe(current);
    writeFileSync(path, broken, { encoding: "latin1", flag: "r+" });
    await writeFile(twin, broken, { encoding: "latin1" });
    forgeRecordIdentity(path, cache, identityOfStats(await stat(path, { bigint: true })));
    const refusal = await write(path, ["dev"], "b", cache).then(
      () => "written",
      (error: unknown) => String(error instanceof Error ? error.message : error),
    );
    const cold = await write(twin, ["dev"], "b").then(
      () => "written",
      (error: unknown) => String(error instanceof Error ? error.message : error),
    );
    expect(cold).toMatch(/line \d+/);
    expect(refusal).toBe(cold.replace(twin, path));
    expect(await readFile(path, "latin1")).toBe(broken);
  });

  it("scans again, with the same bytes, over a record of the earlier format (base64 offsets) or one with a name too many", async () => {
    const { text } = generatedFile(105);
    const { path, twin, cache } = await makeCase("old-format", text);
    await write(path, ["dev"], "a", cache);
    await write(twin, ["dev"], "a");
    const record = recordPath(cache, path, crc32);
    // The record an earlier rolecred (format 1) left for this very file: right in every field but its format.
    const bytes = await readFile(path);
    const identity = identityOfStats(await stat(path, { bigint: true }));
    const parsed = IniByteDocument.parse(bytes).index;
    if (parsed === undefined) throw new Error("a file just parsed has its index");
    const { bodyStart, names, starts, newline } = parsed;
    const header = {
      endian: new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? "LE" : "BE",
      version: 1,
      path,
      identity: [identity.dev, identity.ino, identity.size, identity.mtimeNs, identity.ctimeNs].map((part) => part.toString()),
      crc: crc32(bytes),
      bodyStart,
      newline,
      count: names.length,
    };
    const offsets = Buffer.from(Uint32Array.from(starts).buffer).toString("base64");
    writeFileSync(record, `${JSON.stringify(header)}\n${offsets}\n${names.join("\n")}`, { mode: 0o600 });
    const said = (await write(path, ["dev"], "b", cache)).join("\n");
    expect(said).not.toMatch(USED);
    expect(said).toMatch(/with a strict (scan|parse) of every line/);
    await write(twin, ["dev"], "b");
    expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
    await expectRecordMatchesFile(path, cache);
    // A name with a line break in it would be one line too many: the reader's count refuses the record.
    writeFileSync(record, Buffer.concat([readFileSync(record), Buffer.from("\nextra")]), { mode: 0o600 });
    expect(readRememberedScan(cache, path, identityOfStats(await stat(path, { bigint: true })), crc32)).toBeUndefined();
    expect((await write(path, ["dev"], "c", cache)).join("\n")).not.toMatch(USED);
    await write(twin, ["dev"], "c");
    expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
  });

  it("does not splice by a damaged record (right header and CRC-32, an offset or names changed): the bytes a write without it makes", async () => {
    for (const [label, damage] of DAMAGES) {
      const { text, names: fileNames } = generatedFile(107);
      const { path, twin, cache } = await makeCase(`damaged-${label.replace(/\W+/g, "-")}`, text);
      await write(path, ["dev"], "a", cache);
      await write(twin, ["dev"], "a");
      damageRecord(path, cache, damage);
      const target = [fileNames[5] ?? "", fileNames[6] ?? ""];
      expect((await write(path, target, "b", cache)).join("\n"), label).not.toMatch(USED);
      await write(twin, target, "b");
      expect((await readFile(path, "latin1")) === (await readFile(twin, "latin1")), label).toBe(true);
      await expectRecordMatchesFile(path, cache);
    }
    // A settled file, checked in pieces as its CRC-32 is: the same.
    const settled = settledCases.get(DAMAGED_SEED);
    if (settled === undefined) throw new Error("the settled fixture is made in beforeAll");
    damageRecord(settled.path, settled.cache, DAMAGES[1]?.[1] ?? (() => undefined));
    const target = [settled.names[5] ?? "", settled.names[6] ?? ""];
    expect((await write(settled.path, target, "b", settled.cache)).join("\n")).not.toMatch(USED);
    await write(settled.twin, target, "b");
    expect((await readFile(settled.path)).equals(await readFile(settled.twin))).toBe(true);
  });

  it("ignores a record in a cache folder that is not private, and writes none there", async () => {
    const { text } = generatedFile(103);
    const { path, cache } = await makeCase("shared-cache", text);
    await write(path, ["dev"], "a", cache);
    expect(readRememberedScan(cache, path, identityOfStats(await stat(path, { bigint: true })), crc32)).toBeDefined();
    expect((await write(path, ["dev"], "b", cache)).join("\n")).toMatch(USED);
    await chmod(cache, 0o755);
    const record = recordPath(cache, path, crc32);
    const before = readFileSync(record, "utf8");
    expect((await write(path, ["dev"], "c", cache)).join("\n")).not.toMatch(USED);
    // Not rewritten for the new file: the record there still names the previous version.
    expect(readFileSync(record, "utf8")).toBe(before);
    await chmod(cache, 0o700);
    // A record file others may write is not used either.
    await write(path, ["dev"], "d", cache);
    await chmod(record, 0o644);
    expect((await write(path, ["dev"], "e", cache)).join("\n")).not.toMatch(USED);
  });

  it("leaves the old file or the new one whole when the writer is killed, and the next write is right", async () => {
    const { text } = generatedFile(104);
    const { path, twin, cache } = await makeCase("killed", text);
    await write(path, ["dev"], "a", cache);
    await write(twin, ["dev"], "a");
    const child = resolve("dist/src/store/credentials-file.js");
    for (let attempt = 0; attempt < 6; attempt += 1) {
      const old = await readFile(path);
      const script = `
        const { precheckProfileWrites, writeProfiles } = await import(${JSON.stringify(child)});
        const s = { credentials: { accessKeyId: "ASIAKILLEDXXXXXXXXXX", secretAccessKey: "k", sessionToken: "t${attempt}", expiration: new Date("2030-01-01T00:00:00.000Z") } };
        const o = { force: false, cacheDirectory: ${JSON.stringify(cache)} };
        for (let i = 0; ; i++) { await precheckProfileWrites(${JSON.stringify(path)}, ["killed-" + i], o); await writeProfiles(${JSON.stringify(path)}, [{ profile: "killed-" + i, session: s }], o); }
      `;
      const running = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: "ignore" });
      await new Promise((done) => setTimeout(done, 40 + attempt * 35));
      running.kill("SIGKILL");
      await new Promise((done) => running.once("exit", done));
      const now = await readFile(path);
      // Whole: the old file, or a strict parse of the new one with every old section in it.
      const document = IniByteDocument.parse(now);
      expect(now.length).toBeGreaterThanOrEqual(old.length);
      expect(document.hasSection("dev")).toBe(true);
      await copyFile(path, twin);
      await write(path, ["dev"], `k${attempt}`, cache);
      await write(twin, ["dev"], `k${attempt}`);
      expect((await readFile(path)).equals(await readFile(twin))).toBe(true);
    }
  });
});

/** Rewrite the record's identity (its header line), keeping its CRC-32 and index. */
function forgeRecordIdentity(path: string, cache: string, identity: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): void {
  const file = recordPath(cache, path, crc32);
  const record = readFileSync(file);
  const cut = record.indexOf("\n");
  const header = JSON.parse(record.toString("utf8", 0, cut)) as Record<string, unknown>;
  expect(header.crc).toBeTypeOf("number");
  header.identity = [identity.dev, identity.ino, identity.size, identity.mtimeNs, identity.ctimeNs].map((part) => part.toString());
  writeFileSync(file, Buffer.concat([Buffer.from(JSON.stringify(header)), record.subarray(cut)]), { mode: 0o600 });
}

type Damage = (names: string[], starts: number[]) => void;
/** Ways a record's index can lie while its header (identity, CRC-32) is right. */
const DAMAGES: Array<[string, Damage]> = [
  ["an offset not at a header", (_names, starts) => void (starts[5] = (starts[5] ?? 0) + 1)],
  ["two names swapped", (names) => void ([names[5], names[6]] = [names[6] ?? "", names[5] ?? ""])],
  // Cut inside its last name: the count of names still matches.
  ["cut short in its last name", (names) => void (names[names.length - 1] = (names[names.length - 1] ?? "").slice(0, -1))],
];

/** Rewrite the record's index (count, offsets, names) by `damage`, keeping its header's identity and CRC-32. */
function damageRecord(path: string, cache: string, damage: Damage): void {
  const file = recordPath(cache, path, crc32);
  const record = readFileSync(file);
  const cut = record.indexOf("\n");
  const header = JSON.parse(record.toString("utf8", 0, cut)) as { count: number };
  const body = record.subarray(cut + 1);
  const starts = Array.from(new Uint32Array(new Uint8Array(body.subarray(0, header.count * 4)).buffer));
  const names = body.toString("utf8", header.count * 4).split("\n");
  damage(names, starts);
  header.count = names.length;
  const rewritten = [Buffer.from(`${JSON.stringify(header)}\n`), new Uint8Array(Uint32Array.from(starts).buffer), Buffer.from(names.join("\n"))];
  writeFileSync(file, Buffer.concat(rewritten), { mode: 0o600 });
}
