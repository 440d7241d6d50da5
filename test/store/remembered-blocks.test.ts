/**
 * The first write after another program changed a large credentials file (issue 16, seventh
 * round), through rolecred's writer: the file rolecred wrote is changed by an outside edit, and
 * the next write reads it from the remembered blocks and a scan of what changed
 * (store/scan-blocks.ts). What the user sees must be what a write with no record gives: the same
 * bytes, or the same refusal with the same line number, the file untouched.
 */
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { crc32 } from "node:zlib";
import { isUtf8 } from "node:buffer";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { RoleSession } from "../../src/credentials/types.js";
import { precheckProfileWrites, writeProfiles, type WriteOptions } from "../../src/store/credentials-file.js";
import { identityOfStats } from "../../src/store/file-identity.js";
import { IniByteDocument, type ByteIndex } from "../../src/store/ini-bytes.js";
import { readRememberedScan } from "../../src/store/remembered-scan.js";
import { blockEdges } from "../../src/store/scan-blocks.js";
import { makeTempHome } from "../support/run-cli.js";

function session(suffix: string): RoleSession {
  return {
    credentials: {
      accessKeyId: "ASIAWRITTENBYTEST01",
      secretAccessKey: `secret-${suffix}`,
      sessionToken: `token-${suffix}`,
      expiration: new Date("2030-01-01T00:00:00.000Z"),
    },
    roleArn: "arn:aws:iam::111111111111:role/Dev",
  };
}

function randomOf(seed: number): () => number {
  let state = (seed * 40503) >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A credentials file of ≈ 1.3 MB (remembered from 1 MiB): five blocks or so. */
function generatedFile(random: () => number): string {
  const newline = random() < 0.3 ? "\r\n" : "\n";
  const lines: string[] = [];
  if (random() < 0.2) lines.push("\ufeff# marked");
  for (let index = 0; index < 1_600; index += 1) {
    const name = random() < 0.05 ? `prod-é-${index}` : `org-${index}`;
    lines.push(
      `[${name}]`,
      `aws_access_key_id = ASIA${String(index).padStart(16, "0")}`,
      `aws_session_token = ${"t".repeat(600 + Math.floor(random() * 200))}`,
    );
    if (random() < 0.5) lines.push("x_rolecred_managed = true");
    if (random() < 0.05) lines.push("region = eu-west-1", "  continued = line");
    if (random() < 0.7) lines.push("");
  }
  return lines.join(newline) + newline;
}

/** Outside edits, on the text (one line terminator kind per file, as the generator makes). */
const EDITS: Array<[string, (text: string, random: () => number) => string]> = [
  ["a key added in the middle", (text, random) => text.replace(`[org-${400 + Math.floor(random() * 800)}]`, (header) => `${header}\nregion = us-east-1`)],
  ["a section removed", (text, random) => removeSection(text, `org-${Math.floor(random() * 1500)}`)],
  ["the last profile removed (a restore from a backup)", (text) => removeSection(text, "written-first")],
  ["a section added in the middle", (text) => text.replace("[org-700]", "[outside]\naws_access_key_id = AKIAOUTSIDE\n\n[org-700]")],
  ["a section repeated in the middle", (text) => text.replace("[org-900]", "[org-100]\nk = v\n\n[org-900]")],
  ["a section repeated before its first", (text) => text.replace("[org-50]", "[org-1000]\nk = v\n\n[org-50]")],
  ["an invalid line", (text) => text.replace("[org-1200]", "not ini at all\n[org-1200]")],
  ["a removed newline", (text) => text.replace(/\r?\n\[org-800\]/, "[org-800]")],
  ["a BOM added or removed", (text) => (text.startsWith("\ufeff") ? text.slice(1) : `\ufeff${text}`)],
  ["a Latin-1 comment", (text) => text.replace("[org-600]", `${LATIN1_MARK}[org-600]`)],
  ["a same-size edit", (text) => text.replace("ASIA0000000000000300", "ASIA0000000000000301")],
  ["a duplicate key", (text) => text.replace(/\[org-1100\](\r?\n)/, "[org-1100]$1aws_access_key_id = AKIADUPLICATE$1")],
];

/** Written as a Latin-1 comment's bytes: the file is then not UTF-8. */
const LATIN1_MARK = "<latin-1 comment>";

function removeSection(text: string, name: string): string {
  const start = text.indexOf(`[${name}]`);
  if (start === -1) return text;
  const next = text.indexOf("\n[", start + 1);
  return text.slice(0, start) + (next === -1 ? "" : text.slice(next + 1));
}

/** Precheck and write as the commands do: the messages `--verbose` shows, or the refusal. */
async function write(path: string, profiles: readonly string[], suffix: string, cache?: string): Promise<{ said: string[]; error?: string }> {
  const said: string[] = [];
  const options: WriteOptions = { force: false, ...(cache === undefined ? {} : { cacheDirectory: cache, onVerbose: (message: string) => said.push(message) }) };
  try {
    await precheckProfileWrites(path, profiles, options);
    await writeProfiles(
      path,
      profiles.map((profile) => ({ profile, session: session(`${suffix}-${profile}`) })),
      options,
    );
  } catch (error) {
    return { said, error: (error as Error).message.replaceAll(path, "PATH") };
  }
  return { said };
}

/** The record left by the write: its index is a strict parse's of the file, its blocks' CRC-32s those of their bytes. */
async function expectRecordMatchesFile(path: string, cache: string, label: string): Promise<void> {
  const bytes = await readFile(path);
  const record = readRememberedScan(cache, path, identityOfStats(await stat(path, { bigint: true })), crc32);
  // Only a UTF-8 file is remembered.
  if (!isUtf8(bytes)) return expect(record, label).toBeUndefined();
  if (record?.blocks === undefined) throw new Error(`${label}: no record with blocks`);
  const parsed = IniByteDocument.parse(bytes).index as ByteIndex;
  expect({ ...record.index, byName: undefined }, label).toEqual({ ...parsed, byName: undefined });
  const edges = blockEdges(record.blocks, record.index, bytes.length);
  for (let block = 0; block + 1 < edges.length; block += 1) {
    expect(record.blocks.crcs[block], `${label}: block ${block}`).toBe(crc32(bytes.subarray(edges[block], edges[block + 1])));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

interface Case {
  readonly label: string;
  readonly path: string;
  readonly twin: string;
  readonly cache: string;
}
const cases: Case[] = [];

beforeAll(async () => {
  const home = await makeTempHome();
  for (const [index, [label]] of EDITS.entries()) {
    const folder = join(home, `case-${index}`);
    const cache = join(folder, "cache");
    await mkdir(cache, { recursive: true, mode: 0o700 });
    await mkdir(join(folder, "twin"), { recursive: true });
    const text = generatedFile(randomOf(index + 1));
    const path = join(folder, "credentials");
    const twin = join(folder, "twin", "credentials");
    await writeFile(path, text, { mode: 0o600 });
    cases.push({ label, path, twin, cache });
  }
  await settle();
  // rolecred writes each file (its record, blocks and all); then another program edits it.
  for (const [index, { path, cache }] of cases.entries()) {
    const { error } = await write(path, ["written-first"], "a", cache);
    expect(error).toBeUndefined();
    const edit = EDITS[index]?.[1] ?? ((text: string) => text);
    const edited = edit(await readFile(path, "utf8"), randomOf(index + 100));
    const [head, tail] = edited.split(LATIN1_MARK);
    const bytes =
      tail === undefined
        ? Buffer.from(edited, "utf8")
        : Buffer.concat([Buffer.from(head ?? "", "utf8"), Buffer.from("# caf\xe9\n", "latin1"), Buffer.from(tail, "utf8")]);
    await writeFile(path, bytes, { mode: 0o600 });
    await writeFile(cases[index]?.twin ?? "", await readFile(path), { mode: 0o600 });
  }
  await settle();
}, 60_000);

describe("the first write after another program's change, from the remembered blocks (issue 16, seventh round)", () => {
  it("writes what a write with no record writes, or refuses as it does, the file untouched", async () => {
    let fromBlocks = 0;
    for (const { label, path, twin, cache } of cases) {
      const before = await readFile(path);
      const profiles = ["org-3", "brand-new"];
      const ours = await write(path, profiles, "b", cache);
      const theirs = await write(twin, profiles, "b");
      expect(ours.error, label).toBe(theirs.error);
      expect((await readFile(path)).equals(await readFile(twin)), label).toBe(true);
      if (ours.error !== undefined) expect((await readFile(path)).equals(before), label).toBe(true);
      else await expectRecordMatchesFile(path, cache, label);
      if (ours.said.some((message) => /scanned only \d+ of its \d+ bytes/.test(message))) fromBlocks += 1;
    }
    // Most of the edits that the full scan accepts are read from the blocks.
    expect(fromBlocks).toBeGreaterThanOrEqual(5);
    // The record left by a write from the blocks serves the next one too: written again after the write, identical bytes.
    for (const { label, path, twin, cache } of cases) {
      const ours = await write(path, ["org-5"], "c", cache);
      const theirs = await write(twin, ["org-5"], "c");
      expect(ours.error, label).toBe(theirs.error);
      expect((await readFile(path)).equals(await readFile(twin)), label).toBe(true);
      if (ours.error === undefined) await expectRecordMatchesFile(path, cache, label);
    }
  });
});
