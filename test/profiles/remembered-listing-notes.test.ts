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
import { settingsShownBy } from "../../src/output/profiles.js";
import { makeTempHome } from "../support/run-cli.js";

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

/** Each format listed with the cache and without it: the same text, or the test fails naming the step. */
function expectSameListings(home: Home, step: string): void {
  for (const format of FORMATS) {
    const uncached = profilesListingText(home.uncached, format, later());
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

/** A small seeded generator: the same sequence every run, a different one per seed. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
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
      const random = generator(seed);
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
    writeFileSync(textRecord, `${readFileSync(textRecord, "utf8")}planted\n`);
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
    writeFileSync(record, `${readFileSync(record, "utf8")}planted\n`);
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
