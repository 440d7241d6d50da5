/**
 * A credentials file that starts with a byte-order mark read as Latin-1 and saved again as UTF-8
 * (the six bytes of "ï»¿": an editor's round trip) is one the string parse (ini-document.ts) and
 * every reader (`profiles`, the SDK-style lookups) read, the mark dropped. The byte scan the
 * writers use knew only U+FEFF's three bytes: `logout`, `write` and `user` refused the file
 * ("line 1: not a [section]…", exit 3) that `profiles` had just listed (found by review). The
 * scan drops the mark as the parse does, and the write keeps it where it was.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { IniDocument } from "../../src/store/ini-document.js";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

const MARK = "\u00EF\u00BB\u00BF";
const MINE = "[dev]\naws_access_key_id = AKIAMINE\naws_secret_access_key = s\nregion = eu-west-1\n";
const MANAGED = "[old]\naws_access_key_id = ASIAOLD\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true\n";

it("logout edits a credentials file that starts with a byte-order mark saved as Latin-1 text, as the parse reads it", async () => {
  const home = await makeTempHome();
  const path = join(home, ".aws", "credentials");
  await mkdir(join(home, ".aws"), { recursive: true });
  const text = `${MARK}${MINE}\n${MANAGED}`;
  await writeFile(path, text, { mode: 0o600 });

  const listed = await runCli(["profiles", "--names"], { env: cliEnv(home) });
  expect(listed.stdout).toBe("dev\nold\n");

  const result = await runCli(["logout", "old"], { env: cliEnv(home) });
  expect(result.stderr).toMatch(/^removed 0 cached sessions and \[old\] from .*credentials\n$/);
  expect(result.exitCode).toBe(0);
  const expected = IniDocument.parse(text);
  expected.removeSection("old");
  expect(await readFile(path, "utf8")).toBe(expected.toString());
  expect(await readFile(path, "utf8")).toBe(`${MARK}${MINE}`);
});
