/**
 * Shell code that puts a session into the current shell: what `eval "$(rolecred env dev)"` and
 * the `assume` function run. Every value is quoted for its shell, so no credential character
 * (`+`, `/`, `=`, a quote) can break out of the assignment.
 */
import type { TemporaryCredentials } from "../credentials/types.js";

export const SHELLS = ["bash", "zsh", "sh", "fish", "powershell"] as const;
export type Shell = (typeof SHELLS)[number];

/** What `env` sets and what `--unset` clears. */
const SESSION_VARIABLES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
  "ROLECRED_PROFILE",
  "AWSUME_PROFILE",
  "AWS_SESSION_EXPIRATION",
  "ROLECRED_EXPIRES_AT",
] as const;

/**
 * Cleared before a session is set: a profile variable would make some tools ignore the keys, and
 * botocore reads the legacy AWS_SECURITY_TOKEN before AWS_SESSION_TOKEN.
 */
const SHADOWING_VARIABLES = ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"] as const;

export interface ExportedSession {
  readonly credentials: TemporaryCredentials;
  readonly region: string | undefined;
  /** The profile name, for ROLECRED_PROFILE (prompts and nested-use checks read it). */
  readonly label: string;
}

function sessionVariables(session: ExportedSession): Array<[string, string]> {
  const variables: Array<[string, string]> = [
    ["AWS_ACCESS_KEY_ID", session.credentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", session.credentials.secretAccessKey],
    ["AWS_SESSION_TOKEN", session.credentials.sessionToken],
    ["AWS_CREDENTIAL_EXPIRATION", session.credentials.expiration.toISOString()],
  ];
  if (session.region !== undefined) variables.push(["AWS_REGION", session.region], ["AWS_DEFAULT_REGION", session.region]);
  variables.push(["ROLECRED_PROFILE", session.label]);
  // For shell prompts: starship's aws module and powerlevel10k read the profile from
  // AWSUME_PROFILE (AWS_PROFILE would make the JS SDK and aws-vault-aware tools prefer the profile
  // over these keys), and starship reads the expiry from AWS_SESSION_EXPIRATION. Neither variable
  // is read by any SDK or the AWS CLI for credentials.
  variables.push(["AWSUME_PROFILE", session.label], ["AWS_SESSION_EXPIRATION", session.credentials.expiration.toISOString()]);
  // Epoch seconds: a shell compares it without parsing a date (the auto-renew hook, prompts).
  variables.push(["ROLECRED_EXPIRES_AT", String(Math.floor(session.credentials.expiration.getTime() / 1000))]);
  return variables;
}

/**
 * PowerShell's single-quote-character: the ASCII apostrophe and the typographic U+2018–U+201B,
 * which the language specification (§2.3.5.2) counts as quotes too. Inside a verbatim string each
 * of them ends the string unless doubled, so every one is doubled.
 */
const POWERSHELL_SINGLE_QUOTES = /['\u2018\u2019\u201a\u201b]/g;

const posixQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** `value` as one literal word of `shell`: nothing in it is expanded or ends the quoting. */
export const quoteForShell: Readonly<Record<Shell, (value: string) => string>> = {
  bash: posixQuote,
  zsh: posixQuote,
  sh: posixQuote,
  // In fish's single quotes only \\ and \' are escapes.
  fish: (value) => `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`,
  powershell: (value) => `'${value.replace(POWERSHELL_SINGLE_QUOTES, (quote) => quote + quote)}'`,
};

function setLine(shell: Shell, name: string, value: string): string {
  if (shell === "fish") return `set -gx ${name} ${quoteForShell.fish(value)};`;
  if (shell === "powershell") return `$Env:${name} = ${quoteForShell.powershell(value)}`;
  return `export ${name}=${quoteForShell[shell](value)}`;
}

function unsetLine(shell: Shell, name: string): string {
  // fish's `set -e` of a variable that is not set returns 4, and `set -gx` keeps the previous
  // status: without `or true`, `... | source` (and so `assume dev; and aws ...`) would fail.
  if (shell === "fish") return `set -e ${name}; or true;`;
  if (shell === "powershell") return `Remove-Item Env:${name} -ErrorAction SilentlyContinue`;
  return `unset ${name}`;
}

export function renderExports(session: ExportedSession, shell: Shell): string {
  const lines = [
    ...SHADOWING_VARIABLES.map((name) => unsetLine(shell, name)),
    ...sessionVariables(session).map(([name, value]) => setLine(shell, name, value)),
  ];
  return `${lines.join("\n")}\n`;
}

export function renderUnset(shell: Shell): string {
  return `${[...SESSION_VARIABLES, "AWS_SECURITY_TOKEN"].map((name) => unsetLine(shell, name)).join("\n")}\n`;
}

/** The shell from $SHELL (its basename), for when --shell is not given. */
export function shellFromEnvironment(shellPath: string | undefined): Shell {
  const name =
    (shellPath ?? "")
      .split(/[\\/]/)
      .at(-1)
      ?.replace(/\.exe$/i, "") ?? "";
  if (name === "pwsh" || name === "powershell") return "powershell";
  return (SHELLS as readonly string[]).includes(name) ? (name as Shell) : "sh";
}
