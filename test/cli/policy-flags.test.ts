/**
 * The session policy's flags (--policy, --policy-arn, --scope) are declared once
 * (src/cli/session-flags.ts): `policy show|check`, which read them offline, and the commands that
 * send them to STS print the same help, so what a user tries offline is what they later pass.
 */
import { describe, expect, it } from "vitest";
import { flagHelp } from "../support/help-text.js";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

describe("session policy flags", () => {
  it("read the same in policy show, policy check, user, saml and exec", async () => {
    const env = cliEnv(await makeTempHome());
    const pages: string[] = [];
    for (const command of [["policy", "show"], ["policy", "check"], ["user"], ["saml"], ["exec"]]) {
      const result = await runCli([...command, "--help"], { env });
      expect(result.exitCode).toBe(0);
      pages.push(result.stdout);
    }
    for (const flag of ["--policy", "--policy-arn", "--scope"]) {
      const helps = pages.map((page) => flagHelp(page, flag));
      expect(helps[0]).not.toBe("");
      expect(new Set(helps), `${flag}: ${helps.join(" | ")}`).toEqual(new Set([helps[0]]));
    }
    expect(flagHelp(pages[0] ?? "", "--scope")).toMatch(/^--scope <name\[=arg\]> narrow the session with a built-in template \(repeatable\): read-only, /);
  });
});
