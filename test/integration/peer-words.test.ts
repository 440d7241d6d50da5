/**
 * Words from peer tools that are not rolecred commands: a hint by meaning (spelling would send
 * `login` to `logout` and `list` to `lint`); plain typos still get commander's spelling suggestion.
 */
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, ROLECRED_BIN, runCli, runProcess } from "../support/run-cli.js";

async function rolecred(args: readonly string[]) {
  return runCli(args, { env: cliEnv(await makeTempHome()) });
}

describe("an unknown command", () => {
  it.each([
    [["login"], "rolecred: unknown command 'login' — rolecred console PROFILE opens the AWS console; rolecred sso login signs in to IAM Identity Center\n"],
    [["list"], "rolecred: unknown command 'list' — rolecred profiles lists the profiles, rolecred status the sessions held\n"],
    [["ls", "--json"], "rolecred: unknown command 'ls' — rolecred profiles lists the profiles, rolecred status the sessions held\n"],
    [
      ["export", "dev"],
      "rolecred: unknown command 'export' — rolecred env PROFILE prints the exports (rolecred write PROFILE puts them in the credentials file)\n",
    ],
    // aws-vault's add and remove keep and delete an IAM user's keys: rolecred keys is the match.
    [
      ["add", "jo"],
      "rolecred: unknown command 'add' — rolecred keys add NAME keeps an IAM user's keys in the OS keyring; role profiles live in ~/.aws/config (role_arn, source_profile…)\n",
    ],
    [
      ["remove", "jo"],
      "rolecred: unknown command 'remove' — rolecred logout PROFILE (or --all) deletes sessions; rolecred keys remove NAME deletes keys kept in the OS keyring\n",
    ],
    [["lsit"], "rolecred: unknown command 'lsit'\n(Did you mean lint?)\n"],
    [["logut"], "rolecred: unknown command 'logut'\n(Did you mean logout?)\n"],
  ])("%j → one hint, exit 2", async (args, stderr) => {
    const result = await rolecred(args);
    expect(result.stderr).toBe(stderr);
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(2);
  });

  it("peer words stay out of the command list", async () => {
    const help = await rolecred(["--help"]);
    expect(help.stdout).not.toMatch(/^\s+(login|list|ls|export)\b/m);
  });
});

describe("a reader that stops early", () => {
  it("`rolecred COMMAND --help | head -c 1` ends quietly: no EPIPE crash on stderr", async () => {
    const result = await runProcess(
      "/bin/bash",
      ["-c", `set -o pipefail; '${process.execPath}' '${ROLECRED_BIN}' x509 --help 2>err.txt | head -c 1 >/dev/null; cat err.txt`],
      { env: cliEnv(await makeTempHome()), cwd: await makeTempHome() },
    );
    expect(result.stdout).not.toContain("EPIPE");
    expect(result.stdout).not.toContain("Unhandled");
  });
});
