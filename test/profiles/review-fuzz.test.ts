/**
 * Differential fuzz (review of issue 16's eighth round): random outside edits of both files, in a
 * credentials file large enough to be read by blocks (CRLF, a byte-order mark, names outside
 * ASCII, repeated sections, blank lines, `[profile  x]`), rolecred's own writes, and damage to the
 * cache's records: every listing must be what a listing with nothing remembered prints.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/deps.js";
import { renderProfiles, settingsShownBy, type ProfilesFormat } from "../../src/output/profiles.js";
import { readProfileListing } from "../../src/profiles/aws-files.js";
import { profilesListingBytes, profilesListingText } from "../../src/profiles/remembered-listing.js";
import { writeProfiles } from "../../src/store/credentials-file.js";
import { makeTempHome } from "../support/run-cli.js";
import { seededRandom } from "../support/seeded-random.js";

const FORMATS: readonly ProfilesFormat[] = ["names", "table", "json"];
const later = () => new Date(Date.now() + 5_000);

function fresh(env: Env, format: ProfilesFormat): string {
  try {
    return renderProfiles(readProfileListing(env, settingsShownBy(format)), format);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function listed(env: Env, format: ProfilesFormat, bytes: boolean): string {
  try {
    return bytes ? Buffer.from(profilesListingBytes(env, format, later())).toString("utf8") : profilesListingText(env, format, later());
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const WEIRD = ["\u00e9t\u00e9", "\u0141\u00f3d\u017a", "t\tab", "esc\u001b[1m"];
const NAMES = ["a", "default", "dev", "jo", "m m", "org-1", "org-10", "zz", "Z", "a-much-longer-profile-name", "$(id)", "b", "c", "org-2", "x.y"];
const KEYS = ["region", "role_arn", "source_profile", "mfa_serial", "aws_access_key_id", "aws_session_token", "x_rolecred_managed", "output"];
const VALUES = ["eu-west-1", "x", "arn:aws:iam::111111111111:role/A-much-longer-role-name", "jo", "true", "\u00e9t\u00e9", "AKIAEXAMPLE"];

interface Section {
  name: string;
  lines: string[];
  crlf: boolean;
  blankBefore: boolean;
}

describe("review fuzz: a remembered listing is always a fresh one", () => {
  it("after random edits, writes and damaged records", async () => {
    const seeds = (process.env.REVIEW_SEEDS ?? "1,2,3,4").split(",").map(Number);
    const steps = Number(process.env.REVIEW_STEPS ?? "40");
    for (const seed of seeds) {
      const random = seededRandom(seed);
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const home = await makeTempHome();
      mkdirSync(join(home, ".aws"), { recursive: true, mode: 0o700 });
      const cache = join(home, "cache");
      const env: Env = { HOME: home, ROLECRED_CACHE_DIR: cache };
      const credentialsPath = join(home, ".aws", "credentials");
      const configPath = join(home, ".aws", "config");
      const filler = (index: number): Section => ({
        name: `filler-${index}`,
        lines: [`aws_session_token = ${"t".repeat(900)}${index}`],
        crlf: false,
        blankBefore: false,
      });
      const sections: Section[] = [];
      for (let index = 0; index < 400; index++) sections.push(filler(index));
      const config: Section[] = [
        { name: "profile dev", lines: ["region = eu-central-1"], crlf: false, blankBefore: false },
        { name: "default", lines: ["region = us-west-2"], crlf: false, blankBefore: false },
      ];
      let bom = false;
      const weirdness = seed % 3 === 0 ? 0.1 : 0;
      let lastConfig: string | undefined;
      const render = (list: Section[], withBom: boolean) =>
        (withBom ? "\ufeff" : "") +
        list
          .map((section) => {
            const eol = section.crlf ? "\r\n" : "\n";
            return `${section.blankBefore ? eol : ""}[${section.name}]${eol}${section.lines.map((line) => `${line}${eol}`).join("")}`;
          })
          .join("");
      const write = () => {
        writeFileSync(credentialsPath, render(sections, bom));
        // The config file written only when it changed: else its identity changes and nothing remembered is patched.
        const configText = render(config, false);
        if (configText !== lastConfig) writeFileSync(configPath, configText);
        lastConfig = configText;
      };
      const setting = () => `${pick(KEYS)} = ${pick(VALUES)}`;
      write();
      const history: string[] = [];
      const check = (label: string) => {
        history.push(label);
        for (const format of [...FORMATS].sort(() => random() - 0.5)) {
          const expected = fresh(env, format);
          const bytes = random() < 0.5;
          expect(listed(env, format, bytes), `seed ${seed}: ${history.join(" | ")}, ${format}`).toBe(expected);
        }
      };
      check("start");
      for (let step = 0; step < steps; step++) {
        const kind = random();
        const at = Math.floor(random() * (sections.length + 1));
        let label: string;
        if (kind < 0.25) {
          let name = random() < weirdness ? pick(WEIRD) : pick(NAMES);
          // A repeated section now and then (a section in two blocks), a new one mostly.
          if (sections.some((section) => section.name === name) && random() < 0.8) name = `n${step}-${seed}`;
          sections.splice(at, 0, { name, lines: [setting(), setting()], crlf: random() < 0.2, blankBefore: random() < 0.4 });
          label = `add [${name}] at ${at}`;
        } else if (kind < 0.35) {
          const removed = sections.splice(Math.min(at, sections.length - 1), 1);
          label = `remove ${removed[0]?.name}`;
        } else if (kind < 0.5) {
          const section = sections[Math.min(at, sections.length - 1)];
          if (section !== undefined) section.lines = [...section.lines, setting()];
          label = `change ${section?.name}`;
        } else if (kind < 0.55) {
          sections.push({ name: pick(NAMES), lines: [setting()], crlf: false, blankBefore: true });
          label = `append ${sections.at(-1)?.name}`;
        } else if (kind < 0.6) {
          bom = !bom;
          label = `bom ${bom}`;
        } else if (kind < 0.7) {
          const name = pick(NAMES);
          const spaced = random() < 0.3 ? `profile  ${name}` : name === "default" && random() < 0.5 ? "default" : `profile ${name}`;
          if (random() < 0.3 && config.length > 0) config.splice(Math.floor(random() * config.length), 1);
          else config.push({ name: spaced, lines: [setting()], crlf: false, blankBefore: random() < 0.5 });
          label = `config [${spaced}]`;
        } else if (kind < 0.8) {
          const name = pick(NAMES.filter((item) => /^[\w.@+=,-]+$/.test(item)));
          label = `rolecred write ${name}`;
          write();
          try {
            await writeProfiles(
              credentialsPath,
              [
                {
                  profile: name,
                  session: {
                    credentials: {
                      accessKeyId: `ASIA${step}`,
                      secretAccessKey: `secret${step}`,
                      sessionToken: `token${step}`,
                      expiration: new Date("2099-01-01T00:00:00Z"),
                    },
                    roleArn: `arn:aws:iam::111111111111:role/R${step % 3}`,
                  },
                },
              ],
              { force: true, cacheDirectory: cache },
            );
            // Bring the model back in step with the file rolecred wrote: keep its text as one opaque tail section list.
          } catch (error) {
            label += ` (refused: ${(error as Error).message})`;
          }
          check(label);
          // The model no longer matches the file: the next edit writes the model again (an outside edit of everything).
          continue;
        } else {
          const records = existsSync(cache) ? readdirSync(cache).filter((name) => name.startsWith("profiles-")) : [];
          const record = records.length === 0 ? undefined : pick(records);
          const damage = pick(["truncate", "garbage", "fifo", "symlink", "remove", "cut"]);
          label = `damage ${record} ${damage}`;
          if (record !== undefined) {
            const path = join(cache, record);
            // A FIFO left by an earlier step would hold this test's own write: the damage starts from a plain copy.
            const previous = lstatSync(path).isFIFO() ? Buffer.alloc(0) : readFileSync(path);
            rmSync(path, { force: true });
            writeFileSync(path, previous);
            if (damage === "truncate") truncateSync(path, 0);
            else if (damage === "cut") truncateSync(path, Math.floor(random() * 2000));
            else if (damage === "garbage") writeFileSync(path, "garbage\n[\n]\n");
            else {
              rmSync(path, { force: true });
              if (damage === "fifo") execFileSync("mkfifo", [path]);
              if (damage === "symlink") symlinkSync(credentialsPath, path);
            }
          }
          check(label);
          continue;
        }
        write();
        check(label);
      }
      // No secret in any record: a secret key, a session token (the filler's or a write's).
      for (const name of readdirSync(cache)) {
        const path = join(cache, name);
        if (!lstatSync(path).isFile()) continue;
        const record = readFileSync(path, "utf8");
        expect(record, name).not.toMatch(/secret\d|token\d|t{100}/);
      }
    }
  }, 600_000);
});
