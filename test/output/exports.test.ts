/**
 * Quoting of exports, as a table: every value must come back byte for byte from a real bash, zsh,
 * sh and fish, and from PowerShell's verbatim-string rules (there is no pwsh on Debian, so the
 * PowerShell rows are checked by a reader written from the PowerShell language specification).
 */
import { execFile } from "node:child_process";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { renderShellInit } from "../../src/output/shell-init.js";
import { quoteForShell, renderExports, type Shell } from "../../src/output/exports.js";

const run = promisify(execFile);

/** Values that break out of a naive quoting somewhere. */
const VALUES: ReadonlyArray<[string, string]> = [
  ["plain key characters", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY="],
  ["an apostrophe", "it's"],
  ["typographic single quotes U+2018–U+201B", "a\u2018b\u2019c\u201ad\u201be"],
  ["a typographic quote then code", "x\u2019; Remove-Item -Recurse ~; \u2018"],
  ["doubled quotes already", "''\u2019\u2019"],
  ["double quotes and typographic double quotes", 'say "hi" \u201chi\u201d \u201e'],
  ["shell expansions", "$HOME $(id) `id` ${IFS} $env:PATH @(1) !!"],
  ["backslashes", "\\ \\\\ \\' end\\"],
  ["newlines and carriage returns", "line1\nline2\r\nline3"],
  ["terminal controls", "\u001b]52;c;aGk=\u0007\u001b[2J\u009b"],
  ["a tab and globs", "\t* ? [a] ~"],
  ["empty", ""],
];

const session = (secret: string) => ({
  credentials: { accessKeyId: "ASIAEXAMPLE", secretAccessKey: secret, sessionToken: "token", expiration: new Date("2030-01-01T00:00:00Z") },
  region: undefined,
  label: "dev",
});

const REAL_SHELLS: ReadonlyArray<[Shell, string, readonly string[]]> = [
  ["bash", "/bin/bash", []],
  ["zsh", "/usr/bin/zsh", ["-f"]],
  ["sh", "/bin/sh", []],
  ["fish", "/usr/bin/fish", ["--no-config"]],
];

describe("exports in real shells", () => {
  it.each(REAL_SHELLS)("%s reads every value back exactly, and sourcing ends with status 0", async (shell, path, flags) => {
    const folder = await mkdtemp(join(tmpdir(), "rolecred-exports-"));
    for (const [what, value] of VALUES) {
      const file = join(folder, `exports-${shell}`);
      await writeFile(file, renderExports(session(value), shell));
      const script = shell === "fish" ? `source ${file}; and printf '%s' $AWS_SECRET_ACCESS_KEY` : `. ${file} && printf '%s' "$AWS_SECRET_ACCESS_KEY"`;
      const { stdout } = await run(path, [...flags, "-c", script], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: folder, LANG: "C.UTF-8" } });
      expect(stdout, what).toBe(value);
    }
  });
});

const POWERSHELL_SINGLE_QUOTE_CHARACTERS = new Set(["'", "\u2018", "\u2019", "\u201a", "\u201b"]);

/**
 * A PowerShell verbatim-string-literal read as the language specification (string literals,
 * verbatim-string-part) defines it: it opens and closes with any single-quote-character (U+0027
 * or U+2018–U+201B); inside, two single-quote-characters in a row stand for one, and a lone one
 * ends the string. Returns the value and whatever follows the closing quote: code, if not empty.
 */
function readVerbatimString(source: string): { value: string; rest: string } {
  const characters = Array.from(source);
  if (!POWERSHELL_SINGLE_QUOTE_CHARACTERS.has(characters[0] ?? "")) throw new Error("not a verbatim string");
  let value = "";
  for (let index = 1; index < characters.length; index += 1) {
    const character = characters[index] ?? "";
    if (!POWERSHELL_SINGLE_QUOTE_CHARACTERS.has(character)) {
      value += character;
    } else if (POWERSHELL_SINGLE_QUOTE_CHARACTERS.has(characters[index + 1] ?? "")) {
      value += characters[index + 1]; // the tokenizer keeps the second of the pair
      index += 1;
    } else {
      return { value, rest: characters.slice(index + 1).join("") };
    }
  }
  throw new Error("unterminated verbatim string");
}

describe("PowerShell quoting, by the language specification's rules", () => {
  it.each(VALUES)("%s: one verbatim string holding exactly the value, nothing after it", (_what, value) => {
    expect(readVerbatimString(quoteForShell.powershell(value))).toEqual({ value, rest: "" });
  });

  it("the reader catches a breakout: doubling only the apostrophe leaves U+2019 to end the string", () => {
    const naive = `'${"x\u2019; Remove-Item ~; \u2018".replaceAll("'", "''")}'`;
    expect(readVerbatimString(naive)).toEqual({ value: "x", rest: "; Remove-Item ~; \u2018'" });
  });

  it("every exported line is `$Env:NAME = ` and one verbatim string", () => {
    const value = "a\u2018b'c\u201bd";
    for (const line of renderExports(session(value), "powershell").trimEnd().split("\n")) {
      if (line.startsWith("Remove-Item ")) continue;
      const match = /^\$Env:([A-Z_]+) = (.*)$/s.exec(line);
      expect(match, line).not.toBeNull();
      expect(readVerbatimString(match?.[2] ?? "").rest, line).toBe("");
    }
    expect(renderExports(session(value), "powershell")).toContain("$Env:AWS_SECRET_ACCESS_KEY = 'a\u2018\u2018b''c\u201b\u201bd'");
  });
});

describe("PowerShell completion of profile names (shell-init powershell)", () => {
  // No pwsh on the test machines: the completer's two rules are read from the script and applied
  // as PowerShell applies them, then the result is read back by the specification's rules.
  const script = renderShellInit("powershell", []);
  const plain = /\$name -match '(\^\[[^\]]+\]\+\$)'/.exec(script)?.[1];
  const quotes = /\$name -replace "\[([^\]]+)\]", '\$0\$0'/.exec(script)?.[1];

  it("inserts every name through one completer, never raw", () => {
    expect(script).not.toContain("CompletionResult]::new($_)");
    expect(script.match(/ForEach-Object \{ _RolecredCompletion \$_ \}/g)).toHaveLength(2);
    expect(plain).toBe("^[\\w.:/-]+$");
    expect(Array.from(quotes ?? "")).toEqual(["'", "\u2018", "\u2019", "\u201a", "\u201b"]);
  });

  it.each(["dev", "org-1/admin", "$(touch /tmp/pwned)", "a'b", "a\u2018b\u201bc", "with space", "`whoami`", "x;y"])("%j is inserted as itself", (name) => {
    const text = new RegExp(plain ?? "^$", "u").test(name) ? name : `'${name.replace(new RegExp(`[${quotes ?? ""}]`, "gu"), "$&$&")}'`;
    if (text === name) {
      expect(name).toMatch(/^[\w.:/-]+$/);
    } else {
      expect(readVerbatimString(text)).toEqual({ value: name, rest: "" });
    }
  });
});
