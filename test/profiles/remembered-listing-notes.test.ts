/**
 * The listing remembered per file and brought up to date by the notes rolecred's writes leave
 * (src/profiles/remembered-listing.ts, src/store/listing-notes.ts) must print exactly what a
 * listing with nothing remembered prints, whatever happened to the files in between: rolecred's
 * writes, edits by other programs, files replaced and removed. `now` is given a few seconds ahead,
 * so every file counts as settled and records are kept (the path where a mistake would show).
 */
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/deps.js";
import type { ProfilesFormat } from "../../src/output/profiles.js";
import { profilesListingText } from "../../src/profiles/remembered-listing.js";
import { writeProfiles } from "../../src/store/credentials-file.js";
import { identityOfStats } from "../../src/store/file-identity.js";
import { CREDENTIALS_NOTES_FILE, LISTED_VALUE_KEYS, noteCredentialsWrite } from "../../src/store/listing-notes.js";
import { renderProfiles, settingsShownBy } from "../../src/output/profiles.js";
import { readProfileListing } from "../../src/profiles/aws-files.js";
import { sectionBlocks } from "../../src/store/section-blocks.js";
import { makeTempHome } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";
import { manySessions } from "../support/large-credentials.js";

const FORMATS: readonly ProfilesFormat[] = ["names", "table", "json"];

interface Home {
  readonly home: string;
  readonly env: Env;
  /** The same files with no cache folder that can be made: nothing remembered, nothing read back. */
  readonly uncached: Env;
  readonly cache: string;
  readonly credentials: string;
  readonly config: string;
}

async function newHome(): Promise<Home> {
  const home = await makeTempHome();
  mkdirSync(join(home, ".aws"), { recursive: true, mode: 0o700 });
  const cache = join(home, "cache");
  const blocker = join(home, "not-a-folder");
  writeFileSync(blocker, "");
  const base = { HOME: home };
  return {
    home,
    cache,
    env: { ...base, ROLECRED_CACHE_DIR: cache },
    uncached: { ...base, ROLECRED_CACHE_DIR: join(blocker, "cache") },
    credentials: join(home, ".aws", "credentials"),
    config: join(home, ".aws", "config"),
  };
}

const later = () => new Date(Date.now() + 5_000);

/** A text record with `line` planted at its text's end, its header's last number (the text's length in bytes) made to match. */
function plantedRecord(record: string, line: string): string {
  const headerEnd = record.indexOf("\n");
  const header = JSON.parse(record.slice(0, headerEnd)) as unknown[];
  const text = `${record.slice(headerEnd + 1)}${line}`;
  return `${JSON.stringify([...header.slice(0, -1), Buffer.byteLength(text)])}\n${text}`;
}

/** Each format listed with the cache and without it: the same text, or the test fails naming the step. */
function expectSameListings(home: Home, step: string): void {
  for (const format of FORMATS) {
    // The listing read from both files whole, by the code that remembers nothing (src/profiles/aws-files.ts).
    const uncached = renderProfiles(readProfileListing(home.env, settingsShownBy(format)), format);
    expect(profilesListingText(home.uncached, format, later()), `${step}, ${format}, no cache folder`).toBe(uncached);
    expect(profilesListingText(home.env, format, later()), `${step}, ${format}`).toBe(uncached);
    // And once more, from whatever the first run remembered.
    expect(profilesListingText(home.env, format, later()), `${step}, ${format}, again`).toBe(uncached);
  }
}

function session(seed: number) {
  return {
    credentials: {
      accessKeyId: `ASIA${String(seed).padStart(16, "0")}`,
      secretAccessKey: `secret${seed}`,
      sessionToken: `token${seed}`,
      expiration: new Date("2099-01-01T00:00:00Z"),
    },
    roleArn: `arn:aws:iam::${String(100000000000 + seed)}:role/R${seed % 3}`,
  };
}

const HOSTILE_SECTIONS = [
  "[hostile]\r\nregion = crlf-region\r\naws_access_key_id = AKIA\r\n",
  "[profile cont]\nrole_arn = arn:aws:iam::111111111111:role/A\n  nested = x\nregion = r1\n",
  "[Caps]\nRegion = upper\nAWS_SESSION_TOKEN = t\n",
  "[dup]\nregion = first\n[other]\nx = 1\n[dup]\nregion = second\n",
  "  [indented]\nregion = i\n",
  "[names\u00e9]\nx_rolecred_managed = true\naws_access_key_id = k\n",
  "[profile ctl\u001b[31m]\nregion = \u001b[2J\n",
  "# comment [notaheader]\n; another\n[default]\nregion = d\nmfa_serial = arn:aws:iam::111111111111:mfa/jo\n",
  "[profile  spaced ]\nregion = s\n[profile spaced]\nsource_profile = jo\n[profile default]\nregion = pd\n",
];

/** Edits another program makes that change nothing `profiles` shows, or only what a hasty comparison would miss. */
const QUIET_EDITS: ReadonlyArray<{ readonly label: string; readonly apply: (text: string) => string }> = [
  { label: "a blank line appended", apply: (text) => `${text}\n` },
  { label: "a comment appended", apply: (text) => `${text}\n# touched [by] another tool\n` },
  { label: "a session token replaced", apply: (text) => text.replace(/aws_session_token = [^\n]*/u, "aws_session_token = replaced-elsewhere") },
  { label: "a secret key replaced", apply: (text) => text.replace(/aws_secret_access_key = [^\n]*/u, "aws_secret_access_key = other") },
  { label: "a region's value indented onto the next line", apply: (text) => text.replace(/region = ([^\n]*)/u, "region =\n  $1") },
  {
    label: "the last section's keys upper-cased",
    apply: (text) => text.replace(/\n(\w+) = ([^\n]*)$/u, (_line, key: string, value: string) => `\n${key.toUpperCase()} = ${value}`),
  },
];

describe("a listing remembered per file and brought up to date by notes prints what a fresh read prints", () => {
  it("after random sequences of rolecred writes, outside edits, replacements and removals", async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const home = await newHome();
      writeFileSync(home.config, "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\nsource_profile = jo\nregion = eu-west-1\n");
      writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n");
      expectSameListings(home, `seed ${seed}, start`);
      const names = ["dev", "jo", "org-1", "org-2", "new-a", "new-b", "hostile", "dup"];
      for (let step = 0; step < 24; step++) {
        const action = random();
        let label: string;
        if (action < 0.5) {
          const profile = pick(names);
          label = `write ${profile}`;
          try {
            await writeProfiles(home.credentials, [{ profile, session: session(step + seed * 100) }], { force: false, cacheDirectory: home.cache });
          } catch {
            // Refused (long-term keys, a file rolecred cannot parse): nothing written, nothing noted.
          }
        } else if (action < 0.65 && random() < 0.4) {
          // Another program's edit that changes nothing shown, or nearly (a token's value, a blank line, a comment, a secret key).
          const edit = pick(QUIET_EDITS);
          label = `quiet outside edit of the credentials: ${edit.label}`;
          if (existsSync(home.credentials)) writeFileSync(home.credentials, edit.apply(readFileSync(home.credentials, "utf8")));
        } else if (action < 0.65) {
          const section = pick(HOSTILE_SECTIONS);
          label = `outside append to credentials: ${JSON.stringify(section.slice(0, 20))}`;
          appendFileSync(home.credentials, `\n${section}`);
        } else if (action < 0.75) {
          label = "outside edit of the config";
          appendFileSync(home.config, `\n[profile p${step}]\nregion = r${step}\n${random() < 0.3 ? pick(HOSTILE_SECTIONS) : ""}`);
        } else if (action < 0.85) {
          label = "credentials replaced by a file renamed in";
          const replacement = join(home.home, "replacement");
          writeFileSync(replacement, `[org-${step}]\naws_access_key_id = AKIA${step}\naws_secret_access_key = s\nregion = x${step}\n`);
          renameSync(replacement, home.credentials);
        } else if (action < 0.92) {
          label = "credentials removed";
          rmSync(home.credentials, { force: true });
        } else {
          label = "same-size edit in place";
          if (existsSync(home.credentials)) {
            const text = readFileSync(home.credentials, "utf8");
            writeFileSync(home.credentials, text.replace(/region = ./u, "region = Z"));
          }
        }
        expectSameListings(home, `seed ${seed}, step ${step}: ${label}`);
      }
    }
  }, 60_000);

  it("a write that changes nothing shown keeps the remembered text, a new profile is listed, and no secret lands in the cache", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\nsource_profile = jo\n");
    await writeProfiles(home.credentials, [{ profile: "out", session: session(1) }], { force: false });
    const first = profilesListingText(home.env, "table", later());
    expect(existsSync(join(home.cache, CREDENTIALS_NOTES_FILE))).toBe(true);
    // A planted line in the remembered text shows that it is what the next run prints.
    const textRecord = join(home.cache, "profiles-table.listing");
    writeFileSync(textRecord, plantedRecord(readFileSync(textRecord, "utf8"), "planted\n"));
    await writeProfiles(home.credentials, [{ profile: "out", session: session(2) }], { force: false, cacheDirectory: home.cache });
    expect(profilesListingText(home.env, "table", later())).toBe(`${first}planted\n`);
    // A new profile changes the listing: it is made again, with the new row.
    await writeProfiles(home.credentials, [{ profile: "fresh", session: session(3) }], { force: false, cacheDirectory: home.cache });
    const after = profilesListingText(home.env, "table", later());
    expect(after).toMatch(/^fresh +temporary keys \(rolecred\)$/m);
    expect(after).toBe(profilesListingText(home.uncached, "table", later()));
    for (const record of ["profiles-table.listing", "profiles-credentials-shown.part", CREDENTIALS_NOTES_FILE]) {
      const text = readFileSync(join(home.cache, record), "utf8");
      for (const secret of ["secret1", "secret2", "secret3", "token1", "token2", "token3", "ASIA0000000000000003"]) expect(text, record).not.toContain(secret);
    }
  });

  it("never applies a note whose file was not renamed in: the listing reads the file", async () => {
    const home = await newHome();
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n");
    expect(profilesListingText(home.env, "names", later())).toBe("jo\n");
    const before = identityOfStats(statSync(home.credentials, { bigint: true }));
    // A write that prepared its new file but never renamed it in: a note from it names that file's identity.
    const unrenamed = join(home.home, ".aws", "credentials.tmp-never-renamed");
    writeFileSync(unrenamed, "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n[ghost]\naws_access_key_id = k\n");
    noteCredentialsWrite(home.cache, home.credentials, before, identityOfStats(statSync(unrenamed, { bigint: true })), [
      ["ghost", new Map([["aws_access_key_id", "k"]])],
    ]);
    // The file itself changes by another hand (its identity is not the note's): read, no ghost.
    appendFileSync(home.credentials, "[real]\naws_access_key_id = k\n");
    expect(profilesListingText(home.env, "names", later())).toBe("jo\nreal\n");
  });

  it("ignores records in a cache folder that is not private", async () => {
    const home = await newHome();
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n");
    expect(profilesListingText(home.env, "names", later())).toBe("jo\n");
    const record = join(home.cache, "profiles-names.listing");
    writeFileSync(record, plantedRecord(readFileSync(record, "utf8"), "planted\n"));
    expect(profilesListingText(home.env, "names", later())).toBe("jo\nplanted\n");
    chmodSync(home.cache, 0o755);
    expect(profilesListingText(home.env, "names", later())).toBe("jo\n");
    // Nor is anything written there.
    expect(readFileSync(record, "utf8")).toContain("planted");
  });

  it("carries the values of every key the listing shows by value, and no other", () => {
    const shownByValue = [...settingsShownBy("table")].filter(([, mode]) => mode === "value").map(([key]) => key);
    expect([...LISTED_VALUE_KEYS].sort()).toEqual(shownByValue.sort());
  });
});

/** Where section `name` starts, in a file made by {@link manySessions}, and where the next one does. */
function sectionAt(text: string, name: string): { start: number; end: number } {
  const start = text.indexOf(`[${name}]\n`);
  const next = text.indexOf("\n[", start + 1);
  return { start, end: next === -1 ? text.length : next + 1 };
}

describe("after another program's edit, only the blocks whose bytes changed are read, and the listing is a fresh read's", () => {
  it("edits in the middle, at the start, at block edges, duplicate names across blocks, CRLF, BOM, Latin-1, a glued header, removals", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\nsource_profile = org-3\n");
    const original = manySessions(1000);
    expect(sectionBlocks(Buffer.from(original)).length, "the file spans several blocks").toBeGreaterThan(3);
    const edits: ReadonlyArray<readonly [string, (text: Buffer) => Buffer]> = [
      ["a section inserted in the middle", (bytes) => insertAt(bytes, sectionAt(bytes.toString("latin1"), "org-500").start, "[inserted]\nregion = mid\n\n")],
      ["a section inserted at the start", (bytes) => Buffer.concat([Buffer.from("[first]\nregion = start\n\n"), bytes])],
      ["lines before the first header", (bytes) => Buffer.concat([Buffer.from("# a comment\nstray = value\n"), bytes])],
      [
        "a key appended to the last section of a remembered block (just before the next block's header)",
        (bytes) => insertAt(bytes, rememberedBlockStart(home, 2), "region = appended\nmfa_serial = arn:aws:iam::1:mfa/appended\n"),
      ],
      [
        "a section inserted at a remembered block's start",
        (bytes) => insertAt(bytes, rememberedBlockStart(home, 3), "[at-boundary]\nrole_arn = arn:aws:iam::1:role/B\n"),
      ],
      ["a remembered block's header indented", (bytes) => insertAt(bytes, rememberedBlockStart(home, 2), "  ")],
      [
        "a line break removed: a block's header glued to the line before",
        (bytes) => Buffer.concat([bytes.subarray(0, rememberedBlockStart(home, 4) - 1), bytes.subarray(rememberedBlockStart(home, 4))]),
      ],
      ["the line break put back", (bytes) => Buffer.from(bytes.toString("latin1").replace(/([^\n])\[org-/g, "$1\n[org-"), "latin1")],
      [
        "two distant edits at once",
        (bytes) =>
          Buffer.from(bytes.toString("latin1").replace("region = r10\n", "region = ten-ten\n").replace("region = r900\n", "region = nine\n"), "latin1"),
      ],
      ["a value changed in the middle", (bytes) => Buffer.from(bytes.toString("latin1").replace("region = r450\n", "region = changed\n"), "latin1")],
      ["a section removed from the middle", (bytes) => cut(bytes, sectionAt(bytes.toString("latin1"), "org-650"))],
      [
        "an indented header in a block",
        (bytes) => insertAt(bytes, sectionAt(bytes.toString("latin1"), "org-700").start, "[k]\nkey = v\n  [indented]\nregion = i\n\n"),
      ],
      [
        "a continuation line under a key before a block's header",
        (bytes) => insertAt(bytes, sectionAt(bytes.toString("latin1"), "org-820").start, "[c]\nkey =\n  region = cont\n"),
      ],
      [
        "Latin-1 bytes in a name and a value",
        (bytes) => Buffer.concat([bytes, Buffer.from("[caf\xe9]\nregion = r\xe9gion\n[plain]\nregion = \xff\n", "latin1")]),
      ],
      ["CRLF line ends", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\n/g, "\r\n"), "latin1")],
      ["a value changed in a CRLF file", (bytes) => Buffer.from(bytes.toString("latin1").replace("region = r100\r\n", "region = crlf\r\n"), "latin1")],
      ["lone CR line ends", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\r\n/g, "\r"), "latin1")],
      ["back to LF", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\r/g, "\n"), "latin1")],
      ["a byte-order mark", (bytes) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes])],
      ["a value changed after the byte-order mark", (bytes) => Buffer.from(bytes.toString("latin1").replace("region = r5\n", "region = bom\n"), "latin1")],
      ["the byte-order mark removed", (bytes) => bytes.subarray(3)],
      ["a blank line appended", (bytes) => Buffer.concat([bytes, Buffer.from("\n")])],
      ["a profile appended after blank lines (CRLF among them)", (bytes) => Buffer.concat([bytes, Buffer.from("\r\n\n[appended]\nregion = a\n")])],
      ["a value changed in the profile appended", (bytes) => Buffer.from(bytes.toString("latin1").replace("region = a\n", "region = b\n"), "latin1")],
      [
        "a key put on the blank line before it",
        (bytes) => Buffer.from(bytes.toString("latin1").replace("\r\n\n[appended]", "\r\nregion = x\n[appended]"), "latin1"),
      ],
      [
        "a duplicate of an early section late in the file",
        (bytes) => Buffer.concat([bytes, Buffer.from("[org-1]\nregion = late-dup\nmfa_serial = arn:aws:iam::1:mfa/x\n")]),
      ],
      ["the late duplicate removed", (bytes) => bytes.subarray(0, bytes.lastIndexOf("[org-1]\n"))],
      [
        "a duplicate of a late section early in the file",
        (bytes) => insertAt(bytes, sectionAt(bytes.toString("latin1"), "org-2").start, "[org-990]\nsource_profile = early\n\n"),
      ],
      ["the second half removed", (bytes) => bytes.subarray(0, sectionAt(bytes.toString("latin1"), "org-500").start)],
      ["no line break at the end", (bytes) => Buffer.from(bytes.toString("latin1").replace(/\n+$/, ""), "latin1")],
      ["a header appended to the last line", (bytes) => Buffer.concat([bytes, Buffer.from("[tail]\nregion = t\n")])],
      ["emptied", () => Buffer.alloc(0)],
      ["refilled", () => Buffer.from(manySessions(700, 50))],
    ];
    writeFileSync(home.credentials, original);
    expectSameListings(home, "start");
    for (const [label, edit] of edits) {
      writeFileSync(home.credentials, edit(readFileSync(home.credentials)));
      expectSameListings(home, label);
    }
  }, 60_000);

  it("takes an unchanged block's sections from the remembered blocks: a planted value there is what the next listing shows", async () => {
    const home = await homeWithRememberedBlocks();
    // org-0 is in the first block; the edits append to the last. Planted with the same length: the record's segment lengths hold.
    plantInRememberedBlocks(home, "org-0", "zzz-0");
    appendFileSync(home.credentials, "[outside]\nregion = o\n");
    expect(profilesListingText(home.env, "names", later())).toMatch(/^zzz-0$/m);
    expect(profilesListingText(home.env, "table", later())).toMatch(/^zzz-0 /m);
    // A change in the first block: it is read again, and the planted name is gone.
    writeFileSync(home.credentials, readFileSync(home.credentials, "utf8").replace("region = r0\n", "region = zero\n"));
    expect(profilesListingText(home.env, "names", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("names")), "names"));
    expect(profilesListingText(home.env, "table", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("table")), "table"));
  });
});

describe("profiles another tool appended, scanned once", () => {
  it("are remembered as blocks once more than a few were scanned: the next listing takes them from the record", async () => {
    const home = await homeWithRememberedBlocks();
    // About 20 KiB of profiles appended: scanned by the next listing, which writes the record again.
    let appended = "";
    for (let index = 0; index < 200; index++)
      appended += `\n[app-${index}]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = ${"s".repeat(40)}\n`;
    appendFileSync(home.credentials, appended);
    for (const format of FORMATS) profilesListingText(home.env, format, later());
    plantInRememberedBlocks(home, "app-199", "zzz-199", "the appended profiles are in the record");
    appendFileSync(home.credentials, "\n[one-more]\n");
    expect(profilesListingText(home.env, "names", later())).toMatch(/^zzz-199$/m);
    expect(profilesListingText(home.env, "table", later())).toMatch(/^zzz-199 /m);
  });
});

describe("blank lines another tool appends", () => {
  it("are scanned alone: the last block before them is taken as remembered (a planted name there is what the listing shows)", async () => {
    const home = await homeWithRememberedBlocks();
    plantInRememberedBlocks(home, "org-999", "zzz-999");
    appendFileSync(home.credentials, "\n\r\n");
    expect(profilesListingText(home.env, "names", later())).toMatch(/^zzz-999$/m);
    expect(profilesListingText(home.env, "table", later())).toMatch(/^zzz-999 /m);
    // A key after them belongs to the last section: the blocks before are scanned again, the planted name is gone.
    appendFileSync(home.credentials, "region = after-the-blank-lines\n");
    expect(profilesListingText(home.env, "names", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("names")), "names"));
    expect(profilesListingText(home.env, "table", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("table")), "table"));
  });
});

describe("a profile another tool appends after a blank line", () => {
  it("is scanned alone: the last block before it is taken as remembered (a planted name there is what the listing shows)", async () => {
    const home = await homeWithRememberedBlocks();
    // org-999 is in the last block. Planted with the same length: the record's segment lengths hold.
    plantInRememberedBlocks(home, "org-999", "zzz-999");
    appendFileSync(home.credentials, "\n[outside]\nregion = o\n");
    const names = profilesListingText(home.env, "names", later());
    expect(names).toMatch(/^zzz-999$/m);
    expect(names).toMatch(/^outside$/m);
    expect(profilesListingText(home.env, "table", later())).toMatch(/^zzz-999 /m);
    // Appended after a line that is not empty (white space) instead: the block before is scanned again, the planted name is gone.
    writeFileSync(home.credentials, `${manySessions(1000)}\n \n[outside-2]\nregion = o\n`);
    expect(profilesListingText(home.env, "names", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("names")), "names"));
    expect(profilesListingText(home.env, "table", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("table")), "table"));
  });
});

/** A home whose credentials file (1,000 sessions) has its blocks remembered: a first listing reads a file whole, the first after an outside edit (a blank line appended) remembers its blocks. */
async function homeWithRememberedBlocks(): Promise<Home> {
  const home = await newHome();
  writeFileSync(home.credentials, manySessions(1000));
  for (const format of FORMATS) profilesListingText(home.env, format, later());
  appendFileSync(home.credentials, "\n");
  for (const format of FORMATS) profilesListingText(home.env, format, later());
  return home;
}

/** `name`'s entry in both remembered blocks records renamed `planted` (the same length: the record's segment lengths hold). */
function plantInRememberedBlocks(home: Home, name: string, planted: string, why = `${name} is in the record`): void {
  for (const [variant, from, to] of [
    ["shown", `["${name}",`, `["${planted}",`],
    ["names", `["${name}"]`, `["${planted}"]`],
  ] as const) {
    const record = join(home.cache, `profiles-credentials-${variant}.blocks`);
    const text = readFileSync(record, "utf8");
    expect(text, `${variant}: ${why}`).toContain(from);
    writeFileSync(record, text.replace(from, to));
  }
}

/**
 * Where the `index`th block of the remembered credentials blocks starts (the record's second line:
 * length, CRC, segment length per block), every record made again from the file as it is first
 * (and a blank line appended).
 */
function rememberedBlockStart(home: Home, index: number): number {
  rmSync(home.cache, { recursive: true, force: true });
  for (const format of FORMATS) profilesListingText(home.env, format, later());
  // The blocks are remembered by the first read that compares (a first listing reads the file whole): after an edit.
  appendFileSync(home.credentials, "\n");
  for (const format of FORMATS) profilesListingText(home.env, format, later());
  const numbers = JSON.parse(readFileSync(join(home.cache, "profiles-credentials-shown.blocks"), "utf8").split("\n")[1] ?? "null") as number[] | null;
  expect(numbers, "the remembered blocks").not.toBeNull();
  expect(numbers?.length ?? 0, "enough blocks").toBeGreaterThan(index * 3);
  let start = 0;
  for (let at = 0; at < index * 3; at += 3) start += numbers?.[at] ?? 0;
  const bytes = readFileSync(home.credentials);
  expect([bytes[start - 1], bytes[start]], "a block starts at a header's line").toEqual([0x0a, 0x5b]);
  return start;
}

function insertAt(bytes: Buffer, at: number, text: string): Buffer {
  return Buffer.concat([bytes.subarray(0, at), Buffer.from(text, "latin1"), bytes.subarray(at)]);
}

function cut(bytes: Buffer, range: { start: number; end: number }): Buffer {
  return Buffer.concat([bytes.subarray(0, range.start), bytes.subarray(range.end)]);
}
