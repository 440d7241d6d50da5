/**
 * After another program's edit of the credentials file that changes a few sections, the remembered
 * `profiles` text is patched row by row (src/profiles/listing-patch.ts): what it prints must be
 * what a listing from scratch prints, whatever the edit (rows added before, between and after the
 * others, removed, changed; columns that widen or would narrow; a profile in both files; names
 * that need escaping). `now` is a few seconds ahead so every read counts as settled.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/deps.js";
import { renderProfiles, settingsShownBy, type ProfilesFormat } from "../../src/output/profiles.js";
import { readProfileListing } from "../../src/profiles/aws-files.js";
import { changedEntries } from "../../src/profiles/listing-patch.js";
import { profilesListingText } from "../../src/profiles/remembered-listing.js";
import { makeTempHome } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";

const FORMATS: readonly ProfilesFormat[] = ["names", "table", "json"];
const later = () => new Date(Date.now() + 5_000);

async function newHome(): Promise<{ env: Env; cache: string; credentials: string; config: string }> {
  const home = await makeTempHome();
  mkdirSync(join(home, ".aws"), { recursive: true, mode: 0o700 });
  const cache = join(home, "cache");
  return { env: { HOME: home, ROLECRED_CACHE_DIR: cache }, cache, credentials: join(home, ".aws", "credentials"), config: join(home, ".aws", "config") };
}

function expectFresh(env: Env, step: string): void {
  for (const format of FORMATS) {
    const fresh = renderProfiles(readProfileListing(env, settingsShownBy(format)), format);
    expect(profilesListingText(env, format, later()), `${step}, ${format}`).toBe(fresh);
  }
}

const NAMES = [
  "a",
  "default",
  "dev",
  "jo",
  "m m",
  "org-1",
  "org-2",
  "org-10",
  "zz",
  "a-much-longer-profile-name-than-the-others",
  "Z",
  "\u00e9t\u00e9",
  "esc\u001b[31m",
];
const VALUES: Record<string, readonly string[]> = {
  region: ["eu-west-1", "us-east-1", "ap-southeast-2", "x"],
  role_arn: ["arn:aws:iam::111111111111:role/R", "arn:aws:iam::222222222222:role/A-much-longer-role-name-for-the-column"],
  source_profile: ["jo", "dev"],
  mfa_serial: ["arn:aws:iam::111111111111:mfa/jo"],
  aws_access_key_id: ["AKIAIOSFODNN7EXAMPLE"],
  aws_session_token: ["token"],
  x_rolecred_managed: ["true", "false"],
  output: ["json", "text"],
};

describe("the remembered text patched after an outside edit", () => {
  it("prints what a fresh listing prints after random outside edits of the credentials file", async () => {
    for (const seed of [3, 16, 77]) {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const home = await newHome();
      // One seed's config names a profile with a tab after `profile` (listed trimmed): removals are then listed from the parts.
      const spaced = seed === 77 ? "[profile \tm m]\nregion = spaced\n" : "";
      writeFileSync(
        home.config,
        `[profile dev]\nregion = eu-central-1\n[default]\nregion = us-west-2\n[profile zz]\nrole_arn = arn:aws:iam::1:role/Z\n${spaced}`,
      );
      // The credentials file as sections in order, each its lines.
      const sections: Array<[string, string[]]> = [
        ["jo", ["aws_access_key_id = AKIA1", "region = eu-west-1"]],
        ["org-1", ["role_arn = arn:aws:iam::1:role/R", "source_profile = jo"]],
      ];
      const write = () =>
        writeFileSync(home.credentials, sections.map(([name, lines]) => `[${name}]\n${lines.map((line) => `${line}\n`).join("")}`).join("\n"));
      const setting = () => {
        const key = pick(Object.keys(VALUES));
        return `${key} = ${pick(VALUES[key] ?? [""])}`;
      };
      write();
      expectFresh(home.env, `seed ${seed}, start`);
      for (let step = 0; step < 40; step++) {
        const edits = random() < 0.2 ? 2 : 1;
        for (let edit = 0; edit < edits; edit++) {
          const kind = random();
          const at = Math.floor(random() * (sections.length + 1));
          if (kind < 0.35 || sections.length === 0) {
            const name = pick(NAMES);
            if (!sections.some(([existing]) => existing === name))
              sections.splice(at, 0, [
                name,
                [setting(), setting()].filter((line, index, all) => all.findIndex((other) => other.split(" ")[0] === line.split(" ")[0]) === index),
              ]);
          } else if (kind < 0.55) {
            sections.splice(Math.min(at, sections.length - 1), 1);
          } else {
            const section = sections[Math.min(at, sections.length - 1)];
            if (section !== undefined) {
              const line = setting();
              const key = line.split(" ")[0];
              section[1] = [...section[1].filter((existing) => existing.split(" ")[0] !== key), line];
            }
          }
        }
        write();
        expectFresh(home.env, `seed ${seed}, step ${step}: ${sections.map(([name]) => name).join(",")}`);
      }
    }
  }, 60_000);

  it("patches many rows at once, a section repeated in another block among them, as a fresh listing prints them", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-central-1\n[profile n3]\nrole_arn = arn:aws:iam::1:role/N\n");
    let credentials = "";
    for (let index = 0; index < 40; index++) credentials += `[p${index}]\naws_access_key_id = AKIA${index}\nregion = r${index % 4}\n`;
    // Several blocks (src/store/section-blocks.ts): a section repeated at the end is in another block than its first.
    for (let index = 0; index < 600; index++) credentials += `[filler-${index}]\naws_session_token = ${"t".repeat(300)}\n`;
    writeFileSync(home.credentials, credentials);
    expectFresh(home.env, "start");
    let added = credentials.replace("[p7]\naws_access_key_id = AKIA7\nregion = r3\n", "").replace("region = r1\n", "region = changed\n");
    for (let index = 0; index < 12; index++) added += `[n${index}]\nsource_profile = p${index}\n`;
    writeFileSync(home.credentials, added);
    expectFresh(home.env, "twelve added, one removed, one changed");
    writeFileSync(home.credentials, `${added}[p3]\nregion = again\n[n20]\n[n21]\n[n22]\n[n23]\n`);
    expectFresh(home.env, "a section repeated among many added");
  });

  it("patches the remembered text: a planted row stays when another profile is added, and goes when the listing is made again", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-central-1\n");
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\nregion = eu-west-1\n[org-1]\naws_access_key_id = AKIA2\nregion = us-east-1\n");
    expectFresh(home.env, "start");
    for (const [format, from, to] of [
      ["table", "eu-west-1", "PLANTED!!"],
      ["names", "jo\n", "jp\n"],
    ] as const) {
      const record = join(home.cache, `profiles-${format}.listing`);
      const text = readFileSync(record, "utf8");
      expect(text).toContain(from);
      writeFileSync(record, text.replace(from, to));
    }
    writeFileSync(home.credentials, `${readFileSync(home.credentials, "utf8")}[a-new-profile-with-a-long-name]\nregion = us-east-2\n`);
    const table = profilesListingText(home.env, "table", later());
    expect(table).toMatch(/^jo +keys +PLANTED!!$/m);
    expect(table).toMatch(/^a-new-profile-with-a-long-name +other +us-east-2$/m);
    expect(profilesListingText(home.env, "names", later())).toBe("a-new-profile-with-a-long-name\ndev\njp\norg-1\n");
    // A section removed that the config file does not name (no cell of its row as wide as its column): its row is
    // taken out, the planted cells stay.
    const credentials = readFileSync(home.credentials, "utf8");
    writeFileSync(home.credentials, credentials.replace("[org-1]\naws_access_key_id = AKIA2\nregion = us-east-1\n", ""));
    expect(profilesListingText(home.env, "table", later())).toMatch(/^jo +keys +PLANTED!!$/m);
    expect(profilesListingText(home.env, "table", later())).not.toMatch(/^org-1 /m);
    expect(profilesListingText(home.env, "names", later())).toBe("a-new-profile-with-a-long-name\ndev\njp\n");
    // The widest name removed: the column may narrow, and the table is made from the parts (the planted cells are gone).
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\nregion = eu-west-1\n");
    expect(profilesListingText(home.env, "table", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("table")), "table"));
    // (A name list has no columns: the removal is patched there, the planted name stays.)
    expect(profilesListingText(home.env, "names", later())).toBe("dev\njp\n");
  });
  it("lists a profile added whose name is not ASCII from the parts, as a fresh listing prints it (no byte of it taken for ASCII)", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-central-1\n");
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\nregion = eu-west-1\n");
    expectFresh(home.env, "start");
    // U+0141's low byte is "A": a Latin-1 encoding of the row would have read as ASCII.
    writeFileSync(home.credentials, `${readFileSync(home.credentials, "utf8")}[\u0141ukasz]\nregion = us-east-2\n[zed-\u{1F600}]\n`);
    expectFresh(home.env, "names outside ASCII added");
    writeFileSync(home.credentials, `${readFileSync(home.credentials, "utf8")}[plain]\n`);
    expectFresh(home.env, "an ASCII name added to a listing that is not ASCII");
  });

  it("patches a profile added without reading the config file's part (it has no section for a name the text does not list)", async () => {
    const home = await newHome();
    writeFileSync(home.config, "[profile dev]\nregion = eu-central-1\n");
    writeFileSync(home.credentials, "[jo]\naws_access_key_id = AKIA1\nregion = eu-west-1\n");
    expectFresh(home.env, "start");
    const table = join(home.cache, "profiles-table.listing");
    writeFileSync(table, readFileSync(table, "utf8").replace("eu-west-1", "PLANTED!!"));
    // The config file's part made unreadable as one (a directory in its place): any lookup in it fails.
    const configPart = join(home.cache, "profiles-config-shown.part");
    rmSync(configPart);
    mkdirSync(configPart);
    writeFileSync(home.credentials, `${readFileSync(home.credentials, "utf8")}[added]\nregion = us-east-2\n`);
    const patched = profilesListingText(home.env, "table", later());
    expect(patched).toMatch(/^jo +keys +PLANTED!!$/m);
    expect(patched).toMatch(/^added +other +us-east-2$/m);
    // A change to a listed profile needs its config sections: without the part, the table is made from the files.
    writeFileSync(home.credentials, readFileSync(home.credentials, "utf8").replace("region = eu-west-1", "region = eu-west-3"));
    expect(profilesListingText(home.env, "table", later())).toBe(renderProfiles(readProfileListing(home.env, settingsShownBy("table")), "table"));
  });
});

describe(changedEntries.name, () => {
  it("gives the lines two part bodies differ in, as entries", () => {
    const body = (...lines: string[]) => Buffer.from(`[\n${lines.join(",\n")}\n]\n`);
    // An entry on both sides, the same, is a line the comparison took in around a change: the listing passes over it.
    const changedEntriesOf = (before: Buffer, after: Buffer) => {
      const changed = changedEntries(before, after);
      if (changed === undefined) return undefined;
      const key = (entry: readonly unknown[]) => JSON.stringify(entry);
      const kept = new Set(changed.before.map(key).filter((entry) => changed.after.map(key).includes(entry)));
      return { before: changed.before.filter((entry) => !kept.has(key(entry))), after: changed.after.filter((entry) => !kept.has(key(entry))) };
    };
    expect(changedEntriesOf(body('["a",1]', '["b",0]'), body('["a",1]', '["b",0]'))).toEqual({ before: [], after: [] });
    expect(changedEntriesOf(body('["a",1]', '["b",0]'), body('["a",1]', '["b",0]', '["c",0]'))).toEqual({ before: [], after: [["c", 0]] });
    expect(changedEntriesOf(body('["a",1]', '["b",0]'), body('["0",1]', '["a",1]', '["b",0]'))).toEqual({ before: [], after: [["0", 1]] });
    expect(changedEntriesOf(body('["a",1]', '["b",0]', '["c",0]'), body('["a",1]', '["c",0]'))).toEqual({ before: [["b", 0]], after: [] });
    expect(changedEntriesOf(body('["a",1]', '["b","x"]', '["c",0]'), body('["a",1]', '["b","y"]', '["c",0]'))).toEqual({
      before: [["b", "x"]],
      after: [["b", "y"]],
    });
    expect(changedEntriesOf(body(), body('["a",1]'))).toEqual({ before: [], after: [["a", 1]] });
    expect(changedEntries(body('["a",1]'), Buffer.from("not a body"))).toBeUndefined();
    // Names outside ASCII: the lines are found by their bytes, and decoded whole.
    expect(changedEntriesOf(body('["caf\u00e9",1]', '["\u{1F600}",0]'), body('["caf\u00e9",1]', '["\u{1F600}",1]'))).toEqual({
      before: [["\u{1F600}", 0]],
      after: [["\u{1F600}", 1]],
    });
  });
});
