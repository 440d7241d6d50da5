/** argv → LintOptions, through the real commander program, with no command run. */
import { describe, expect, it } from "vitest";
import { parseArgv } from "../support/parse-argv.js";
import { lintCommand } from "../../src/cli/lint.js";
import type { LintOptions } from "../../src/commands/lint.js";
import { RolecredError } from "../../src/errors.js";

async function parse(args: string[]): Promise<{ options?: LintOptions; error?: unknown; stderr: string }> {
  const parsed = await parseArgv(args);
  if (parsed.command !== undefined) expect(parsed.command).toBe(lintCommand.name);
  return {
    ...(parsed.options === undefined ? {} : { options: parsed.options as LintOptions }),
    ...(parsed.error === undefined ? {} : { error: parsed.error }),
    stderr: parsed.stderr,
  };
}

describe("rolecred lint options", () => {
  it.each<[string[], LintOptions]>([
    [["lint", "a.json"], { paths: ["a.json"], knownAccountFiles: [], ignore: [], format: "text" }],
    [["lint", "-", "roles/", "b.json"], { paths: ["-", "roles/", "b.json"], knownAccountFiles: [], ignore: [], format: "text" }],
    [
      [
        "lint",
        "--known-accounts",
        "ours.yaml",
        "--known-accounts",
        "vendors.yaml",
        "--ignore",
        "rc-trust-002",
        "--ignore",
        "RC-TRUST-013,RC-TRUST-002",
        "--format",
        "sarif",
        "roles",
      ],
      { paths: ["roles"], knownAccountFiles: ["ours.yaml", "vendors.yaml"], ignore: ["RC-TRUST-002", "RC-TRUST-013"], format: "sarif" },
    ],
    [["lint", "--format=json", "x.json"], { paths: ["x.json"], knownAccountFiles: [], ignore: [], format: "json" }],
  ])("%j", async (args, expected) => {
    expect((await parse(args)).options).toEqual(expected);
  });

  it.each([
    [["lint", "--ignore", "RC-TRUST-999", "a.json"], /--ignore RC-TRUST-999: no such rule/],
    [["lint", "-", "-"], /- \(stdin\) can be given only once/],
    [["lint", "a.json", "--", "b.json"], /lint runs no command/],
  ])("refuses %j with a usage error (exit 2)", async (args, message) => {
    const { error } = await parse(args);
    expect(error).toBeInstanceOf(RolecredError);
    expect(error).toMatchObject({ exitCode: 2, message: expect.stringMatching(message) as string });
  });

  it.each([
    [["lint"], /missing required argument 'paths'/],
    [["lint", "--format", "xml", "a.json"], /argument 'xml' is invalid\. Allowed choices are text, json, sarif/],
  ])("commander refuses %j", async (args, message) => {
    const { error, stderr } = await parse(args);
    expect(error).toMatchObject({ exitCode: 1 });
    expect(stderr).toMatch(message);
    expect(stderr).toContain("usage: rolecred lint");
  });
});
