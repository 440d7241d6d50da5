/**
 * --mfa-token reads the code the same way in every command that takes it (mfa/code.ts), so its
 * help says the same thing everywhere, including the profile's mfa_process.
 */
import { describe, expect, it } from "vitest";
import { flagHelp } from "../support/help-text.js";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

describe("--mfa-token", () => {
  it("has one help text in the profile commands, user and keys rotate", async () => {
    const env = cliEnv(await makeTempHome());
    const helps: string[] = [];
    for (const command of [["exec"], ["user"], ["keys", "rotate"]]) {
      const result = await runCli([...command, "--help"], { env });
      expect(result.exitCode).toBe(0);
      helps.push(flagHelp(result.stdout, "--mfa-token"));
    }
    expect(helps[0]).toMatch(
      /^--mfa-token <code> MFA code, or - to read it from stdin \(default: ROLECRED_MFA_TOKEN, mfa_process, else a prompt on the terminal\)$/,
    );
    expect(helps.slice(1)).toEqual([helps[0], helps[0]]);
  });
});
