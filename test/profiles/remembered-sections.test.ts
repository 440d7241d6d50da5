/**
 * The remembered chain sections (issue 16): a warm run reads only the byte ranges an earlier run
 * recorded, and only while both AWS files are exactly the files recorded. Every way the record
 * can go stale (an edit with the size and mtime put back, a rename over the file, a moved
 * section, another path, a damaged record, a record taken too soon after a change, a chain that
 * now names another profile) must fall back to the files and give the files' answer.
 */
import { mkdtemp, mkdir, readFile, rename, stat, utimes, writeFile } from "node:fs/promises";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { CHAIN_RECORD_FILE, REMEMBER_FROM_BYTES, withRememberedSections, worthRemembering } from "../../src/profiles/remembered-sections.js";
import { accountAliases, type AwsFiles } from "../../src/profiles/aws-files.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";

/** Later than any file written here by more than the settle time: records may be taken. */
const later = () => Date.now() + 10_000;

let home: string;
let env: Record<string, string>;
let configPath: string;
let credentialsPath: string;
let cache: string;

const SECRET = "jo-secret-key-never-recorded";

function filler(count: number, header: (index: number) => string, body: string): string {
  return Array.from({ length: count }, (_, index) => `${header(index)}\n${body}\n`).join("\n");
}

function configText(devRegion = "eu-west-1", devSource = "jo"): string {
  return `${filler(200, (index) => `[profile org-${index}]`, "role_arn = arn:aws:iam::111111111111:role/ReadOnly\nsource_profile = jo")}
[rolecred]
account_aliases =
  111111111111 = sandbox

[profile dev]
role_arn = arn:aws:iam::111111111111:role/Ci
source_profile = ${devSource}
region = ${devRegion}
`;
}

function credentialsText(): string {
  return `${filler(200, (index) => `[org-${index}]`, "aws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true")}
[jo]
aws_access_key_id = AKIAJOEXAMPLE0000001
aws_secret_access_key = ${SECRET}

[ann]
aws_access_key_id = AKIAANNEXAMPLE000001
aws_secret_access_key = ann-secret
`;
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-remembered-"));
  await mkdir(join(home, ".aws"));
  configPath = join(home, ".aws", "config");
  credentialsPath = join(home, ".aws", "credentials");
  cache = join(home, "cache");
  env = { HOME: home, AWS_CONFIG_FILE: configPath, AWS_SHARED_CREDENTIALS_FILE: credentialsPath };
  await writeFile(configPath, configText());
  await writeFile(credentialsPath, credentialsText());
});

/** What the fast path asks of the files: the chain, and for `assume` the account aliases. */
function describeDev(files: AwsFiles, withAliases = false): { region: string | undefined; source: string; key: string; aliases?: string[] } {
  const chain = resolveProfileChain("dev", files);
  return {
    region: chain.region,
    source: chain.source.profile,
    key: chain.source.kind === "keys" ? chain.source.accessKeyId : "",
    ...(withAliases ? { aliases: [...accountAliases(files)].map(([account, alias]) => `${account}=${alias}`) } : {}),
  };
}

function lookUp(nowMs = later(), withAliases = false, environment: Record<string, string> = env) {
  return withRememberedSections(environment, cache, "dev", nowMs, (files) => describeDev(files, withAliases));
}

const EXPECTED = { region: "eu-west-1", source: "jo", key: "AKIAJOEXAMPLE0000001" };

async function recordText(): Promise<string> {
  return readFile(join(cache, CHAIN_RECORD_FILE), "utf8");
}

interface RecordJson {
  entries: Array<{ takenAtMs: number; config: { identity: string[] | null }; credentials: { identity: string[] | null } }>;
}

/** The record with `change` applied to it, written back (a forgery for the tests). */
async function editRecord(change: (record: RecordJson) => void): Promise<void> {
  const record = JSON.parse(await recordText()) as RecordJson;
  change(record);
  await writeFile(join(cache, CHAIN_RECORD_FILE), JSON.stringify(record));
}

async function identityOf(path: string): Promise<string[]> {
  const stats = await stat(path, { bigint: true });
  return [stats.dev, stats.ino, stats.size, stats.mtimeNs, stats.ctimeNs].map((part) => part.toString());
}

describe("remembered chain sections", () => {
  it("reads the files once, then answers the same from the record", async () => {
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("keeps names and offsets only: no value, no secret, owner-only", async () => {
    lookUp();
    const text = await recordText();
    expect(text).toContain('"profile dev"');
    expect(text).toContain('"profile jo"'); // looked up, absent from the config file: recorded as absent
    for (const value of [SECRET, "AKIAJOEXAMPLE0000001", "eu-west-1", "role/Ci"]) expect(text).not.toContain(value);
    expect((await stat(join(cache, CHAIN_RECORD_FILE))).mode & 0o777).toBe(0o600);
  });

  it("reads only the recorded ranges: garbage everywhere else does not matter while the identity matches", async () => {
    lookUp();
    // Every byte outside [profile dev] and [jo] turned to garbage (same size), and the record's
    // identities forged to the new files: the answer can only come from the ranges.
    const scramble = (text: string, keep: readonly string[]) => {
      const kept = keep.map((header) => {
        const start = text.indexOf(header);
        const next = text.indexOf("\n[", start + 1);
        return [start, next === -1 ? text.length : next + 1] as const;
      });
      // ASCII text: a UTF-16 index is a byte offset.
      return Array.from({ length: text.length }, (_, index) => (kept.some(([start, end]) => index >= start && index < end) ? text[index] : "\u0001")).join("");
    };
    await writeFile(configPath, scramble(configText(), ["[profile dev]"]));
    await writeFile(credentialsPath, scramble(credentialsText(), ["[jo]"]));
    const [config, credentials] = [await identityOf(configPath), await identityOf(credentialsPath)];
    await editRecord((record) => {
      for (const entry of record.entries) {
        entry.config.identity = config;
        entry.credentials.identity = credentials;
      }
    });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("falls back when the file is edited in place with its size and mtime put back (cp -p)", async () => {
    lookUp();
    const before = await stat(configPath);
    await writeFile(configPath, configText("eu-west-2")); // same length
    await utimes(configPath, before.atime, before.mtime);
    expect((await stat(configPath)).size).toBe(before.size);
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "eu-west-2" }, source: "files" });
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "eu-west-2" }, source: "record" });
  });

  it("falls back when cp -p copies another version over it", async () => {
    lookUp();
    const other = join(home, "other-config");
    await writeFile(other, configText("us-west-2"));
    await utimes(other, (await stat(configPath)).atime, (await stat(configPath)).mtime);
    execFileSync("cp", ["-p", other, configPath]);
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "us-west-2" }, source: "files" });
  });

  it("falls back when the file is replaced by a rename", async () => {
    lookUp();
    await writeFile(`${credentialsPath}.new`, credentialsText().replace("AKIAJOEXAMPLE0000001", "AKIAJOROTATED0000001"));
    await rename(`${credentialsPath}.new`, credentialsPath);
    expect(lookUp()).toEqual({ value: { ...EXPECTED, key: "AKIAJOROTATED0000001" }, source: "files" });
  });

  it("falls back when a section moved, and records where it is now", async () => {
    lookUp();
    await writeFile(configPath, `[profile new-first]\nregion = us-east-1\n\n${configText()}`);
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("falls back when the chain now names another profile", async () => {
    lookUp();
    await writeFile(configPath, configText("eu-west-1", "ann"));
    expect(lookUp()).toEqual({ value: { ...EXPECTED, source: "ann", key: "AKIAANNEXAMPLE000001" }, source: "files" });
    expect(lookUp()).toEqual({ value: { ...EXPECTED, source: "ann", key: "AKIAANNEXAMPLE000001" }, source: "record" });
  });

  it("falls back for a name the record does not cover (assume's account aliases), then covers it", () => {
    lookUp();
    const withAliases = { ...EXPECTED, aliases: ["111111111111=sandbox"] };
    expect(lookUp(later(), true)).toEqual({ value: withAliases, source: "files" });
    expect(lookUp(later(), true)).toEqual({ value: withAliases, source: "record" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("does not use a record of other paths", async () => {
    lookUp();
    const otherConfig = join(home, "config-b");
    await writeFile(otherConfig, configText("ap-south-1"));
    const other = { ...env, AWS_CONFIG_FILE: otherConfig };
    expect(lookUp(later(), false, other)).toEqual({ value: { ...EXPECTED, region: "ap-south-1" }, source: "files" });
    // Both are remembered, each for its own paths.
    expect(lookUp(later(), false, other).source).toBe("record");
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it.each([
    ["not JSON", "{"],
    ["another version", JSON.stringify({ version: 99, entries: [] })],
    ["entries of the wrong shape", JSON.stringify({ version: 1, entries: [{ profile: "dev" }] })],
  ])("falls back from a damaged record (%s) and replaces it", async (_, text) => {
    lookUp();
    await writeFile(join(cache, CHAIN_RECORD_FILE), text);
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("falls back from ranges that no longer start with their header", async () => {
    lookUp();
    const record = await recordText();
    // Every recorded range moved by one byte: the identity matches, the header check does not.
    await writeFile(
      join(cache, CHAIN_RECORD_FILE),
      record.replace(/\[\[(\d+),(\d+)\]\]/g, (_, start: string, end: string) => `[[${Number(start) + 1},${end}]]`),
    );
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
  });

  it("falls back from ranges past the file's end", async () => {
    lookUp();
    const record = await recordText();
    await writeFile(
      join(cache, CHAIN_RECORD_FILE),
      record.replace(/\[\[(\d+),(\d+)\]\]/, (_, start: string) => `[[${start},99999999]]`),
    );
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
  });

  it("does not trust a record taken within a second of the file's last change", async () => {
    const changedMs = Number((await stat(configPath, { bigint: true })).ctimeNs / 1_000_000n);
    // Taken right after the change: nothing is recorded.
    expect(lookUp(changedMs + 200).source).toBe("files");
    expect(lookUp(changedMs + 400).source).toBe("files");
    // A record that claims so anyway (forged) is not used.
    lookUp();
    await editRecord((record) => {
      for (const entry of record.entries) entry.takenAtMs = changedMs + 500;
    });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
  });

  it("remembers a missing credentials file, and notices when it appears", async () => {
    const missing = { ...env, AWS_SHARED_CREDENTIALS_FILE: join(home, "none") };
    await writeFile(configPath, `${configText()}\n[profile jo]\naws_access_key_id = AKIACONFIGKEY0000001\naws_secret_access_key = x\n`);
    expect(lookUp(later(), false, missing)).toEqual({ value: { ...EXPECTED, key: "AKIACONFIGKEY0000001" }, source: "files" });
    expect(lookUp(later(), false, missing).source).toBe("record");
    await writeFile(join(home, "none"), credentialsText());
    expect(lookUp(later(), false, missing)).toEqual({ value: EXPECTED, source: "files" });
  });

  it("records nothing for a section the file also has indented (only the whole file places it)", async () => {
    // After a blank line an indented header is a header: `[profile dev]` twice, the later region wins.
    await writeFile(configPath, `${configText()}\n  [profile dev]\nregion = ap-east-1\n`);
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "ap-east-1" }, source: "files" });
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "ap-east-1" }, source: "files" });
  });

  it("records a section beside an indented `[` that is a continuation line", async () => {
    await writeFile(configPath, `[profile a]\nx =\n  [nested]\n${configText()}`);
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
  });

  it("reads a file with a byte-order mark and CRLF line ends back the same, its first section included", async () => {
    const dev = "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Ci\nsource_profile = jo\nregion = eu-west-1\n";
    const others = filler(200, (index) => `[profile org-${index}]`, "role_arn = arn:aws:iam::111111111111:role/ReadOnly\nsource_profile = jo");
    await writeFile(configPath, `\uFEFF${dev}\n${others}`.replaceAll("\n", "\r\n"));
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
    expect(await recordText()).toContain('"profile dev":[[3,'); // after the three bytes of the mark
  });

  it("follows a repeated section: every piece is recorded and merged", async () => {
    await writeFile(configPath, `${configText()}\n[profile org-3]\nregion = x\n\n[profile dev]\nregion = sa-east-1\n`);
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "sa-east-1" }, source: "files" });
    expect(lookUp()).toEqual({ value: { ...EXPECTED, region: "sa-east-1" }, source: "record" });
  });

  it("passes the files' errors on, and records nothing", async () => {
    await writeFile(configPath, configText("eu-west-1", "nobody"));
    expect(() => lookUp()).toThrow(/profile "nobody" \(source_profile of dev\) is not in/);
    await expect(recordText()).rejects.toThrow(/ENOENT/);
  });

  it("remembers each profile on its own, the 64 most recently recorded", async () => {
    const lookUpOrg = (index: number) =>
      withRememberedSections(env, cache, `org-${index}`, later(), (files) => resolveProfileChain(`org-${index}`, files).hops[0]?.roleArn);
    for (let index = 0; index < 70; index++) expect(lookUpOrg(index).source).toBe("files");
    lookUp();
    // A damaged entry of another profile does not stop this one's.
    await editRecord((record) => record.entries.splice(1, 0, { broken: true } as never));
    expect(lookUp()).toEqual({ value: EXPECTED, source: "record" });
    expect(lookUpOrg(69)).toEqual({ value: "arn:aws:iam::111111111111:role/ReadOnly", source: "record" });
    expect(lookUpOrg(7).source).toBe("record");
    expect(lookUpOrg(6).source).toBe("files"); // the oldest fell out
    expect((JSON.parse(await recordText()) as RecordJson).entries.length).toBe(64);
  });

  it("is worth it only for files of a megabyte or more together (a missing one counts as empty)", async () => {
    expect(worthRemembering(env)).toBe(false);
    expect(worthRemembering(env, (await stat(configPath)).size + (await stat(credentialsPath)).size)).toBe(true);
    await writeFile(configPath, "#".repeat(REMEMBER_FROM_BYTES));
    expect(worthRemembering({ ...env, AWS_SHARED_CREDENTIALS_FILE: join(home, "none") })).toBe(true);
  });

  it("ignores a record file that is a FIFO", async () => {
    await mkdir(cache, { recursive: true });
    execFileSync("mkfifo", [join(cache, CHAIN_RECORD_FILE)]);
    expect(lookUp()).toEqual({ value: EXPECTED, source: "files" });
  });
});
