/**
 * --mfa-token reads the code the same way in every command that takes it (mfa/code.ts), so its
 * help says the same thing everywhere, including the profile's mfa_process.
 */
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

/** The --mfa-token entry of a help page, its wrapped lines joined. */
function mfaTokenHelp(help: string): string {
  const lines = help.split("\n");
  const start = lines.findIndex((line) => line.trimStart().startsWith("--mfa-token "));
  if (start === -1) return "";
  const end = lines.findIndex((line, index) => index > start && /^\s*-/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join(" ").trim().replace(/\s+/g, " ");
}

describe("--mfa-token", () => {
  it("has one help text in the profile commands, user and keys rotate", async () => {
    const env = cliEnv(await makeTempHome());
    const helps: string[] = [];
    for (const command of [["exec"], ["user"], ["keys", "rotate"]]) {
      const result = await runCli([...command, "--help"], { env });
      expect(result.exitCode).toBe(0);
      helps.push(mfaTokenHelp(result.stdout));
    }
    expect(helps[0]).toMatch(/^--mfa-token <code> MFA code, or - to read it from stdin \(default: ROLECRED_MFA_TOKEN, mfa_process, else a prompt on the terminal\)$/);
    expect(helps.slice(1)).toEqual([helps[0], helps[0]]);
  });
});
