/**
 * `profiles` after another program's edit of a large credentials file scans only the blocks of
 * whole sections whose bytes changed (src/profiles/listing-blocks.ts, src/store/section-blocks.ts):
 * every other block's sections come from the `.blocks` record of the last read. Shown with the
 * built CLI: what it prints after outside edits is what a listing with nothing remembered prints,
 * and a value planted in the record for a block far from the edit is what it lists (so that
 * block's bytes were not scanned again).
 */
import { appendFile, mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

const CONFIG = "[profile dev]\nrole_arn = arn:aws:iam::111122223333:role/Dev\nsource_profile = org-7\n";

/** `count` sessions of ~380 bytes: a file of several 64 KiB blocks, large enough for a `.blocks` record. */
function sessions(count: number): string {
  let text = "";
  for (let index = 0; index < count; index++) {
    text += `[org-${index}]\naws_access_key_id = ASIA${String(index).padStart(16, "0")}\naws_secret_access_key = s${index}\n`;
    text += `aws_session_token = ${"t".repeat(280)}\nx_rolecred_managed = true\nregion = eu-west-${index % 3}\n\n`;
  }
  return text;
}

const FORMATS = [[], ["--json"], ["--names"]] as const;

describe("profiles after an outside edit of a large credentials file", () => {
  it("lists what a fresh read lists, taking the blocks that did not change from the record", async () => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true, mode: 0o700 });
    const config = join(home, ".aws", "config");
    const credentials = join(home, ".aws", "credentials");
    const cache = join(home, "cache");
    await writeFile(config, CONFIG);
    await writeFile(credentials, sessions(2000), { mode: 0o600 });
    const anHourAgo = new Date(Date.now() - 3_600_000);
    for (const file of [config, credentials]) await utimes(file, anHourAgo, anHourAgo);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the change times settle
    const env = cliEnv(home, { ROLECRED_CACHE_DIR: cache });
    const fresh = cliEnv(home, { ROLECRED_CACHE_DIR: join(credentials, "no-cache") });
    const listed = async (flags: readonly string[]) => {
      const result = await runCli(["profiles", ...flags], { env });
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
      return result.stdout;
    };
    const expectFresh = async (step: string) => {
      for (const flags of FORMATS) {
        const expected = (await runCli(["profiles", ...flags], { env: fresh })).stdout;
        expect(await listed(flags), `${step}: profiles ${flags.join(" ")}`).toBe(expected);
      }
    };
    await expectFresh("remembered");
    const shownBlocks = join(cache, "profiles-credentials-shown.blocks");
    const namesBlocks = join(cache, "profiles-credentials-names.blocks");

    await appendFile(credentials, "\n# another tool was here\n");
    await expectFresh("a comment appended");
    await appendFile(credentials, "[outside-1]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = s\n");
    await expectFresh("a profile appended");
    const bytes = await readFile(credentials, "latin1");
    await writeFile(credentials, bytes.replace("region = eu-west-0\n\n[org-1000]", "region = changed\n\n[org-1000]"), "latin1");
    await expectFresh("a region changed in the middle");

    // org-7's block is the file's first: planted there, the record is what the next listing shows.
    for (const [record, from, to] of [
      [shownBlocks, '["org-7",', '["ORG-7",'],
      [namesBlocks, '["org-7"]', '["ORG-7"]'],
    ] as const) {
      const text = await readFile(record, "utf8");
      expect(text, record).toContain(from);
      await writeFile(record, text.replace(from, to));
    }
    await appendFile(credentials, "[outside-2]\nregion = us-east-1\n");
    expect(await listed([])).toMatch(/^ORG-7 +temporary keys \(rolecred\) +eu-west-1$/m);
    expect(await listed(["--names"])).toMatch(/^ORG-7$/m);
  });
});
