/**
 * docs/migrating.md puts rolecred's commands next to other tools'. Every `rolecred …` command in
 * its tables' rolecred column is run here through the built CLI, so a row naming a command, a
 * flag or an argument rolecred does not have fails (commander's usage errors: exit 2 with
 * "unknown option", "unknown command", "too many arguments", …).
 *
 * The runs call nothing outside loopback and change nothing: HOME is a fresh folder, every AWS
 * endpoint (STS, Identity Center, IAM, Roles Anywhere, the console federation endpoint) is a
 * local listener that drops each connection, prompts are off, keys go to a file backend in that
 * HOME (never the desktop keyring), and the command after `--` is `true`. Whatever a command does
 * after parsing (fail to reach STS, find no sign-in, no terminal…) is accepted; a usage error is
 * not. What each row says a command does is checked by hand against the command's guide.
 */
import { readFileSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, runCli } from "../support/run-cli.js";
import { createTestIdp, issueSamlResponseBase64 } from "../support/saml-idp.js";
import { splitCommandLine } from "../../src/command-line.js";

const PAGE = "docs/migrating.md";

/** What a placeholder of the page stands for when the command is run. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  PROFILE: "dev",
  NAME: "corp",
  ARN: "arn:aws:iam::111111111111:role/Developer",
  CODE: "123456",
  JSON: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
};

/** commander's usage errors, as rolecred prints them (exit 2). */
const USAGE_ERROR = /unknown option|unknown command|too many arguments|missing required argument|argument missing|is invalid\. Allowed choices/;

export interface PageCommand {
  /** 1-based line of the table row. */
  readonly line: number;
  /** The code span as written in the page. */
  readonly span: string;
  /** rolecred's arguments (after `rolecred`), placeholders replaced, the child command `true`. */
  readonly args: readonly string[];
}

export interface PageCommands {
  readonly commands: PageCommand[];
  /** Spans in the rolecred column that are a bare flag: the row must give the whole command. */
  readonly bareFlags: Array<{ readonly line: number; readonly span: string }>;
}

/** A table row's cells, split on `|` but not on `\|` (a pipe inside a cell). */
function cellsOf(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, "")
    .replace(/\|$/, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}

/**
 * Words of a documented command line, with no expansion: the split rolecred itself gives a
 * command line kept in a setting (shlex's rules, src/command-line.ts), where `<` and `|` are
 * words of their own to look at, not operators.
 */
export function shellWords(line: string): string[] {
  const split = splitCommandLine(line);
  if ("error" in split) throw new Error(`cannot split (${split.error}): ${line}`);
  return split.words;
}

/**
 * The rolecred command line in one code span, or undefined when the span is not one (a file name,
 * a key, an environment variable). `$(rolecred …)` is taken from inside; `helper | rolecred …`,
 * `credential_process = rolecred …` and `other-tool … -- rolecred …` from the word `rolecred`
 * on; `assume …` is the shell function around `rolecred assume …`.
 */
export function rolecredLine(span: string): string | undefined {
  const text = span.replaceAll("\\|", "|");
  const substituted = /\$\((rolecred(?: [^)]*)?)\)/.exec(text);
  if (substituted?.[1] !== undefined) return substituted[1];
  const start = /(?:^|[\s|=])(rolecred(?= |$))/.exec(text);
  if (start !== null) return text.slice(start.index + start[0].length - "rolecred".length);
  if (/^assume(?= |$)/.test(text)) return `rolecred ${text}`;
  return undefined;
}

/** rolecred's arguments for a command line: redirections dropped, placeholders filled in, the child `true`. */
export function argsOf(line: string): string[] {
  const words = shellWords(line);
  if (words[0] !== "rolecred") throw new Error(`not a rolecred command: ${line}`);
  const args: string[] = [];
  for (let index = 1; index < words.length; index += 1) {
    const word = words[index] ?? "";
    if (word === "<") {
      index += 1; // `< assertion.xml`: stdin is empty in the run
      continue;
    }
    if (word === "--") {
      args.push("--", "true");
      break;
    }
    const value = PLACEHOLDERS[word];
    if (value === undefined && /^[A-Z][A-Z_]+$/.test(word)) throw new Error(`unknown placeholder ${word} in: ${line}`);
    args.push(value ?? word);
  }
  return args;
}

/** Every rolecred command in the rolecred column of the page's tables. */
export function pageCommands(text: string): PageCommands {
  const commands: PageCommand[] = [];
  const bareFlags: Array<{ line: number; span: string }> = [];
  let rolecredColumn: number | undefined;
  text.split("\n").forEach((row, index) => {
    if (!row.startsWith("|")) {
      rolecredColumn = undefined;
      return;
    }
    const cells = cellsOf(row);
    if (rolecredColumn === undefined) {
      rolecredColumn = cells.indexOf("rolecred"); // the header row
      return;
    }
    const cell = cells[rolecredColumn];
    if (rolecredColumn === -1 || cell === undefined || /^-+$/.test(cell)) return;
    for (const [, span = ""] of cell.matchAll(/`([^`]+)`/g)) {
      const line = rolecredLine(span);
      if (line !== undefined) commands.push({ line: index + 1, span, args: argsOf(line) });
      else if (span.startsWith("-")) bareFlags.push({ line: index + 1, span });
    }
  });
  return { commands, bareFlags };
}

const page = pageCommands(readFileSync(join(REPO_ROOT, PAGE), "utf8"));
/** Each distinct command line once (several rows share `rolecred exec PROFILE -- CMD`…): a run costs a Node start. */
const distinctCommands = [...new Map(page.commands.map((command) => [command.args.join("\0"), command])).values()];

const CONFIG = `[profile jo]
mfa_serial = arn:aws:iam::111111111111:mfa/jo
region = eu-west-1

[profile dev]
role_arn = arn:aws:iam::111111111111:role/Developer
source_profile = jo

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1

[rolecred]
account_aliases =
  111111111111 = sandbox
`;
const CREDENTIALS = `[jo]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`;

/** What `helper` prints in the saml rows: a signed response offering two roles. */
function samlResponse(): string {
  const idp = createTestIdp();
  const role = (account: string, name: string) => ({
    roleArn: `arn:aws:iam::${account}:role/${name}`,
    providerArn: `arn:aws:iam::${account}:saml-provider/Okta`,
  });
  return issueSamlResponseBase64(idp, { roles: [role("111111111111", "Developer"), role("222222222222", "ReadOnly")], sessionName: "jo@example.com" });
}

describe(`${PAGE}: the rolecred commands of its tables`, () => {
  let home = "";
  let assertion = "";
  let env: Record<string, string> = {};
  const dropper = createServer((socket) => socket.destroy());

  beforeAll(async () => {
    home = await makeTempHome();
    assertion = samlResponse();
    await mkdir(join(home, ".aws"));
    await writeFile(join(home, ".aws", "config"), CONFIG);
    await writeFile(join(home, ".aws", "credentials"), CREDENTIALS);
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    const address = dropper.address();
    if (address === null || typeof address === "string") throw new Error("no port");
    const endpoint = `http://127.0.0.1:${address.port}`;
    env = cliEnv(home, {
      AWS_ENDPOINT_URL: endpoint,
      AWS_ENDPOINT_URL_STS: endpoint,
      ROLECRED_FEDERATION_URL: endpoint,
      ROLECRED_NO_PROMPT: "1",
      ROLECRED_KEYS_BACKEND: "file",
      ROLECRED_KEYS_FILE: join(home, "keys", "keys.enc"),
      ROLECRED_CACHE_DIR: join(home, "cache"),
      SHELL: "/bin/sh",
    });
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => dropper.close(() => resolve()));
  });

  it("the reader finds the commands: pipes, $(…), credential_process, assume, placeholders, `--`", () => {
    const sample = pageCommands(
      [
        "| other | rolecred |",
        "|---|---|",
        "| `x` | `helper \\| rolecred saml --role '*:Dev' --profile dev < a.xml` and `--bare` |",
        '| `y` | `eval "$(rolecred shell-init bash)"` once, then `assume PROFILE -d 4h`, `rolecred_keys = NAME` |',
        "| `z` | `credential_process = rolecred process PROFILE`; `other exec p -- rolecred exec PROFILE -- aws s3 ls` |",
      ].join("\n"),
    );
    expect(sample.commands.map((command) => [command.line, command.args])).toEqual([
      [3, ["saml", "--role", "*:Dev", "--profile", "dev"]],
      [4, ["shell-init", "bash"]],
      [4, ["assume", "dev", "-d", "4h"]],
      [5, ["process", "dev"]],
      [5, ["exec", "dev", "--", "true"]],
    ]);
    expect(sample.bareFlags).toEqual([{ line: 3, span: "--bare" }]);
    expect(() => argsOf("rolecred exec SOMETHING")).toThrow("unknown placeholder SOMETHING");
    // The page itself: every table's commands are found (a reader that finds none would pass anything).
    expect(page.commands.length).toBeGreaterThanOrEqual(60);
  });

  it("every rolecred cell gives whole commands, not bare flags", () => {
    expect(page.bareFlags).toEqual([]);
  });

  it.each(distinctCommands.map((command) => [`${PAGE}:${command.line}: ${command.span}`, command] as const))("%s", async (_name, command) => {
    const result = await runCli(command.args, { env, stdin: command.args[0] === "saml" ? assertion : "" });
    expect(result.signal, result.stderr).toBeNull();
    const usageError = result.exitCode === 2 && USAGE_ERROR.test(result.stderr);
    expect(usageError ? `rolecred ${command.args.join(" ")}: ${result.stderr.trim()}` : "parsed").toBe("parsed");
    // Nothing was changed by the run.
    expect(await readFile(join(home, ".aws", "config"), "utf8")).toBe(CONFIG);
    expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toBe(CREDENTIALS);
  });
});
