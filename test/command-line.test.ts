/**
 * One scanner, two dialects (src/command-line.ts): a setting's command line (credential_process,
 * mfa_process, a keyring command, $BROWSER) is split as Python's shlex.split splits it, which is
 * what botocore runs credential_process through; `--exec 'CMD STRING'` as sh splits it, refusing
 * what only a shell can do. Each is compared with its owner: python3's shlex, and bash itself.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { scanCommandLine, splitCommandLine } from "../src/command-line.js";
import { splitCommandString } from "../src/cli/argv.js";
import { RolecredError } from "../src/errors.js";

function pythonSplit(line: string): string[] {
  return JSON.parse(
    execFileSync("python3", ["-c", "import json, shlex, sys; print(json.dumps(shlex.split(sys.argv[1])))", line], { encoding: "utf8" }),
  ) as string[];
}

/** The words bash makes of `line` (only lines with nothing for bash to expand or run are given here). */
function bashSplit(line: string): string[] {
  const out = execFileSync("bash", ["-c", `printf '%s\\0' ${line}`], { encoding: "utf8" });
  return out.split("\0").slice(0, -1);
}

/** Lines on which the two dialects differ, and how. */
const DIFFERENCES = [
  { line: "tool --filter a|b", shlex: ["tool", "--filter", "a|b"], shell: "needs a shell" },
  { line: "tool $HOME/x *.json #note", shlex: ["tool", "$HOME/x", "*.json", "#note"], shell: "needs a shell" },
  { line: String.raw`tool "price \$5"`, shlex: ["tool", String.raw`price \$5`], shell: ["tool", "price $5"] },
  { line: "tool one\ntool two", shlex: ["tool", "one", "tool", "two"], shell: "needs a shell" },
  { line: "tool a\\\nb", shlex: ["tool", "a\nb"], shell: ["tool", "ab"] },
  { line: "tool a\rb", shlex: ["tool", "a", "b"], shell: ["tool", "a\rb"] },
  // sh runs `aws` with AWS_PAGER set to nothing; run without a shell, `AWS_PAGER=` would be the program (exit 127).
  { line: "AWS_PAGER= aws s3 ls", shlex: ["AWS_PAGER=", "aws", "s3", "ls"], shell: "needs a shell" },
  // sh's reserved words start a compound command or negate a pipeline; without a shell they would be looked up as programs.
  { line: "! grep -q x file", shlex: ["!", "grep", "-q", "x", "file"], shell: "needs a shell" },
  { line: "while true", shlex: ["while", "true"], shell: "needs a shell" },
  { line: "if true", shlex: ["if", "true"], shell: "needs a shell" },
  { line: `LANG="C" A=1 tool`, shlex: ["LANG=C", "A=1", "tool"], shell: "needs a shell" },
  // bash appends to PATH for `tool` (an assignment, as NAME= is); and bash's `coproc` runs `tool` beside the shell.
  { line: "PATH+=:/opt/bin tool", shlex: ["PATH+=:/opt/bin", "tool"], shell: "needs a shell" },
  { line: "coproc tool", shlex: ["coproc", "tool"], shell: "needs a shell" },
] as const;

describe("a setting's command line (shlex)", () => {
  it.each(DIFFERENCES)("splits $line exactly as shlex.split does", ({ line, shlex }) => {
    expect(pythonSplit(line)).toEqual(shlex);
    expect(splitCommandLine(line)).toEqual({ words: shlex });
  });

  it.each(["tool a\u00a0b", "tool\u2003x", "tool a\vb\fc"])("does not split at a no-break space, an em space, \\v or \\f (%j), as shlex does not", (line) => {
    expect(splitCommandLine(line)).toEqual({ words: pythonSplit(line) });
  });

  it.each([
    ["firefox %s", ["firefox", "%s"]],
    [`"/opt/my browser/bin/browser" --new-window %s`, ["/opt/my browser/bin/browser", "--new-window", "%s"]],
    [`/usr/local/bin/aws-sso-helper --profile 'dev ops' --json`, ["/usr/local/bin/aws-sso-helper", "--profile", "dev ops", "--json"]],
  ])("keeps what users rely on: %s", (line, words) => {
    expect(splitCommandLine(line)).toEqual({ words });
    expect(pythonSplit(line)).toEqual(words);
  });
});

describe("`--exec 'CMD STRING'` (sh)", () => {
  it.each(DIFFERENCES.filter((difference) => Array.isArray(difference.shell)))("splits $line exactly as bash does", ({ line, shell }) => {
    expect(bashSplit(line)).toEqual(shell);
    expect(splitCommandString(line)).toEqual(shell);
  });

  it.each(DIFFERENCES.filter((difference) => !Array.isArray(difference.shell)))("refuses $line: it needs a shell", ({ line }) => {
    expect(scanCommandLine(line, "shell")).toEqual({ needsShell: true });
    expect(() => splitCommandString(line)).toThrow(/needs a shell \(pipes, redirections, variables, globs, a leading NAME=value or a word such as if or !\)/);
  });

  it.each([
    `node -e 'console.log(1)' "two words" x\\ y`,
    `aws s3 ls s3://bucket/a\\ b --profile "dev"`,
    "tool a\u00a0b",
    `mixed"quo"'tes'here empty "" ''`,
    "make CC=gcc",
    `'A=1' tool`,
    `A\\=1 tool`,
    `"A"=1 tool`,
    "1A=x tool",
    `'!' tool`,
    `\\time tool`,
    "tool if then fi",
  ])("splits %j as bash does", (line) => {
    expect(splitCommandString(line)).toEqual(bashSplit(line));
  });

  it.each([
    ["tool trailing\\", "it ends with a lone backslash"],
    [`tool "open`, "its double quote is never closed"],
    [`tool 'open`, "its single quote is never closed"],
  ])("refuses %j in one usage line: %s", (line, reason) => {
    let thrown: unknown;
    try {
      splitCommandString(line);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(RolecredError);
    expect((thrown as RolecredError).message).toBe(`--exec "${line}" cannot be split into words: ${reason}`);
    expect((thrown as RolecredError).exitCode).toBe(2);
  });
});
