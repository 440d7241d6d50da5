/**
 * After another program edits the credentials file in a way that changes nothing `profiles`
 * shows (a blank line or a comment added, a session token replaced in place by a tool that is not
 * rolecred), the built CLI reads the credentials file once, finds that its part of the listing is
 * the one the remembered text was made from, and prints that text: it does not read the config
 * file's remembered part, nor the config file (src/profiles/remembered-listing.ts). Once the edit
 * settled, that finding is itself remembered and the next run reads nothing. An edit that changes
 * something shown is listed from the files as before. Each time, what is printed is what a
 * listing with nothing remembered prints, in every format.
 */
import { readFile, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, runCli } from "../support/run-cli.js";
import { mkdir } from "node:fs/promises";

const PRELOAD = join(REPO_ROOT, "test", "support", "count-file-reads.cjs");
const CONFIG = "[profile ci]\nrole_arn = arn:aws:iam::111122223333:role/Ci\nsource_profile = jo\nregion = eu-central-1\n[profile ops]\nregion = us-east-1\n";
const TOKEN = "IQoJb3JpZ2luX2VjE".padEnd(300, "A");
const CREDENTIALS = [
  "[jo]\naws_access_key_id = AKIAJOJOJOJOJOJOJOJO\naws_secret_access_key = secret\n",
  `[ci]\naws_access_key_id = ASIA0000000000000001\naws_secret_access_key = s\naws_session_token = ${TOKEN}\nx_rolecred_managed = true\n`,
].join("\n");

const FORMATS = [[], ["--json"], ["--names"]] as const;

describe("profiles after another program's edit of the credentials file", () => {
  it("reads only the credentials file when nothing shown changed, then nothing once that settled; lists a shown change from the files", async () => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true, mode: 0o700 });
    const config = join(home, ".aws", "config");
    const credentials = join(home, ".aws", "credentials");
    const cache = join(home, "cache");
    const configPart = join(cache, "profiles-config-shown.part");
    const configNamesPart = join(cache, "profiles-config-names.part");
    await writeFile(config, CONFIG);
    await writeFile(credentials, CREDENTIALS, { mode: 0o600 });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    const settle = async (files = [config, credentials]) => {
      for (const file of files) await utimes(file, anHourAgo, anHourAgo);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // the change times settle
    };
    const watched = [config, credentials, configPart, configNamesPart];
    /** Every format listed with the cache (reads counted) and with nothing remembered: the same text. */
    const listed = async () => {
      const reads: Array<Record<string, number>> = [];
      for (const flags of FORMATS) {
        const report = join(home, `reads-${Math.random()}.json`);
        const result = await runCli(["profiles", ...flags], {
          env: cliEnv(home, {
            ROLECRED_CACHE_DIR: cache,
            NODE_OPTIONS: `--require ${PRELOAD}`,
            ROLECRED_COUNT_READS_OF: watched.join(":"),
            ROLECRED_COUNT_READS_TO: report,
          }),
        });
        expect(result.stderr).toBe("");
        const fresh = await runCli(["profiles", ...flags], { env: cliEnv(home, { ROLECRED_CACHE_DIR: join(credentials, "no-cache") }) });
        expect(result.stdout, `profiles ${flags.join(" ")}`).toBe(fresh.stdout);
        reads.push((JSON.parse(await readFile(report, "utf8")) as { reads: Record<string, number> }).reads);
      }
      return {
        credentials: reads.map((counts) => counts[credentials]),
        config: reads.map((counts) => counts[config]),
        configParts: reads.map((counts) => (counts[configPart] ?? 0) + (counts[configNamesPart] ?? 0)),
      };
    };
    await settle();
    expect((await listed()).credentials).toEqual([1, 0, 1]); // nothing remembered yet (the table and JSON share the file's part)
    expect((await listed()).credentials).toEqual([0, 0, 0]); // remembered

    // A blank line and a comment appended, the session token replaced in place: nothing shown changes.
    await writeFile(credentials, `${CREDENTIALS.replace(TOKEN, `${TOKEN.slice(0, -8)}BBBBBBBBCC`)}\n# refreshed by another tool\n\n`);
    const unchanged = await listed();
    expect(unchanged.credentials).toEqual([1, 1, 1]);
    expect(unchanged.config).toEqual([0, 0, 0]);
    expect(unchanged.configParts).toEqual([0, 0, 0]);

    // Once settled, the finding is remembered (the JSON listing finds the table's): the next runs read neither file.
    await settle([credentials]);
    expect((await listed()).credentials).toEqual([1, 0, 1]);
    const remembered = await listed();
    expect(remembered.credentials).toEqual([0, 0, 0]);
    expect(remembered.configParts).toEqual([0, 0, 0]);

    // The JSON listing made again (its record lost) from the part the table found the same, under the file's identity
    // now; after another such edit, it is compared with that part too.
    await rm(join(cache, "profiles-json.listing"));
    expect((await listed()).configParts).toEqual([0, 1, 0]);
    await writeFile(credentials, `${await readFile(credentials, "utf8")}\n`);
    const again = await listed();
    expect(again.credentials).toEqual([1, 1, 1]);
    expect(again.configParts).toEqual([0, 0, 0]);

    // A change that shows (a region, a new profile): listed from the config's remembered part and the file.
    await writeFile(credentials, `${await readFile(credentials, "utf8")}[ci]\nregion = ap-south-1\n[edited]\naws_access_key_id = AKIAEDITEDEDITEDEDIT\n`);
    const changed = await listed();
    expect(changed.credentials).toEqual([1, 1, 1]);
    // (`--names` patches its text: the one name it adds has no section in the config file, whose part it then does not read.)
    expect(changed.configParts).toEqual([1, 1, 0]);
  }, 60_000);
});
