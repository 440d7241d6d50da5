/**
 * A rolecred-managed section whose name is Latin-1 (a file that is not valid UTF-8, a name edited
 * in a Latin-1 editor) has no exact UTF-8 form: it was listed as "caf\uFFFD", then looked up by
 * that name, which is no section, and logout reported it removed and exited 0 while its session
 * keys stayed in ~/.aws/credentials, run after run (found by review). It is removed by the name
 * as the file spells it now, and only what is really gone is reported.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

it("logout removes a managed section with a Latin-1 name, or does not claim it did", async () => {
  const home = await makeTempHome();
  const path = join(home, ".aws", "credentials");
  await mkdir(join(home, ".aws"), { recursive: true });
  const section = Buffer.from(
    "[caf\xe9]\naws_access_key_id = ASIALATIN1\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true\n",
    "latin1",
  );
  await writeFile(path, Buffer.concat([Buffer.from("[mine]\naws_access_key_id = AKIAMINE\naws_secret_access_key = s\n\n"), section]));
  const result = await runCli(["logout", "--all"], { env: cliEnv(home) });
  const after = await readFile(path, "latin1");
  expect(result.exitCode).toBe(0);
  expect(after).not.toContain("ASIALATIN1");
  expect(after).toMatch(/^\[mine\]\naws_access_key_id = AKIAMINE\naws_secret_access_key = s\n\n?$/);
});
