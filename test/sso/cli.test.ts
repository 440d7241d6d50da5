/** `rolecred sso …` argv → options, through the real commander program (no command runs). */
import { describe, expect, it } from "vitest";
import { parseArgv } from "../support/parse-argv.js";

describe("rolecred sso argv", () => {
  it.each<[string[], string, unknown]>([
    [["sso", "login"], "sso login", { session: undefined, profile: undefined, useDeviceCode: false, noBrowser: false }],
    [
      ["sso", "login", "--session", "corp", "--use-device-code", "--no-browser"],
      "sso login",
      { session: "corp", profile: undefined, useDeviceCode: true, noBrowser: true },
    ],
    [["sso", "login", "dev"], "sso login", { session: undefined, profile: "dev", useDeviceCode: false, noBrowser: false }],
    [["sso", "logout"], "sso logout", { session: undefined, profile: undefined, all: true }],
    [["sso", "logout", "--session", "corp"], "sso logout", { session: "corp", profile: undefined, all: false }],
    [["sso", "populate", "--session", "corp"], "sso populate", { session: "corp", prefix: "", region: undefined, dryRun: false }],
    [
      ["sso", "populate", "--session", "corp", "--prefix", "c-", "--region", "eu-west-1", "--dry-run"],
      "sso populate",
      { session: "corp", prefix: "c-", region: "eu-west-1", dryRun: true },
    ],
  ])("%j", async (args, command, options) => {
    const parsed = await parseArgv(args);
    expect(parsed.error).toBeUndefined();
    expect(parsed.command).toBe(command);
    expect(parsed.options).toEqual(options);
  });

  it.each<[string[], string]>([
    [["sso", "login", "--session", "corp", "dev"], "give --session NAME or a PROFILE, not both"],
    [["sso", "populate", "--session", "corp", "--prefix", "a b"], 'invalid --prefix "a b"'],
    [["sso", "populate", "--session", "corp", "--region", "mars"], 'invalid region "mars"'],
  ])("refuses %j with exit 2", async (args, message) => {
    const { error } = await parseArgv(args);
    expect((error as Error).message).toContain(message);
    expect((error as { exitCode: number }).exitCode).toBe(2);
  });

  it("leaves commander to refuse a missing --session or a stray argument to populate", async () => {
    expect((await parseArgv(["sso", "populate"])).stderr).toContain("required option '--session <name>' not specified");
    expect((await parseArgv(["sso", "populate", "--session", "corp", "dev"])).stderr).toContain("too many arguments for 'populate'");
  });
});
