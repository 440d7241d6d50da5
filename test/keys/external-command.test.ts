/**
 * credential_process and mfa_process lines are split as the AWS CLI splits them: botocore calls
 * Python's shlex.split. Python itself is the reference here, line by line.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { splitCommandLine } from "../../src/command-line.js";

const LINES = [
  "op item get jo --otp",
  `"/opt/my tools/op" item get 'jo keys' --format=json`,
  String.raw`pass otp "aws/jo \"main\"" x\ y`,
  String.raw`a "b\c" 'd\e' f\\g "h\\i"`,
  `  spaced\tout   words  `,
  `empty "" '' args`,
  `mixed"quo"'tes'here`,
  `# not a comment`,
];

function pythonSplit(line: string): string[] {
  return JSON.parse(
    execFileSync("python3", ["-c", "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))", line], { encoding: "utf8" }),
  ) as string[];
}

describe(splitCommandLine.name, () => {
  it.each(LINES)("splits %s exactly as shlex.split does", (line) => {
    expect(splitCommandLine(line)).toEqual({ words: pythonSplit(line) });
  });

  it.each([
    [`op "unclosed`, "its double quote is never closed"],
    [`op 'unclosed`, "its single quote is never closed"],
    ["op trailing\\", "it ends with a lone backslash"],
  ])("refuses %s, as shlex does", (line, error) => {
    expect(splitCommandLine(line)).toEqual({ error });
    expect(() => pythonSplit(line)).toThrow();
  });
});
