/**
 * Where an MFA code comes from, chosen once at the edge: --mfa-token CODE, --mfa-token - (a line
 * on stdin), ROLECRED_MFA_TOKEN, else `mfa_process` of the profile with that mfa_serial (a
 * command that prints the code: ykman, op, pass), else a prompt on the terminal. Stages only
 * ever see the resulting function, `(serial) => code`.
 */
import type { Deps } from "../deps.js";
import { inputError, usageError } from "../errors.js";
import { MFA_CODE_PATTERN } from "../sts/limits.js";
import { readStdinText } from "../stdin.js";

export type MfaCodeInput =
  { readonly from: "flag"; readonly code: string } | { readonly from: "env"; readonly code: string } | { readonly from: "stdin" } | { readonly from: "prompt" };

export type MfaCodeProvider = (serial: string) => Promise<string>;

export const MFA_CODE_ENV = "ROLECRED_MFA_TOKEN";

/** A code from the command line or environment, checked before anything is sent. */
export function requireMfaCode(code: string, where: string): string {
  const trimmed = code.trim();
  if (!MFA_CODE_PATTERN.test(trimmed)) throw usageError(`${where} must be the 6 digits your MFA device shows`);
  return trimmed;
}

/** --mfa-token (CODE or -) over ROLECRED_MFA_TOKEN over the prompt. */
export function mfaCodeInput(flagValue: string | undefined, envValue: string | undefined): MfaCodeInput {
  if (flagValue === "-") return { from: "stdin" };
  if (flagValue !== undefined) return { from: "flag", code: requireMfaCode(flagValue, "--mfa-token") };
  if (envValue !== undefined && envValue !== "") return { from: "env", code: requireMfaCode(envValue, MFA_CODE_ENV) };
  return { from: "prompt" };
}

export function mfaCodeProvider(input: MfaCodeInput, deps: Deps): MfaCodeProvider {
  return async (serial) => {
    const code = await obtainCode(input, serial, deps);
    deps.secrets.add(code);
    return code;
  };
}

async function obtainCode(input: MfaCodeInput, serial: string, deps: Deps): Promise<string> {
  switch (input.from) {
    case "flag":
    case "env":
      return input.code;
    case "stdin": {
      const text = await readStdinText(deps.stdin, 1024, "the MFA code on stdin");
      const line = text.split(/\r?\n/)[0]?.trim() ?? "";
      if (!MFA_CODE_PATTERN.test(line)) throw inputError("the MFA code read from stdin is not 6 digits");
      return line;
    }
    case "prompt": {
      const command = await mfaProcessFor(serial, deps);
      if (command !== undefined) return runMfaProcess(command, serial, deps);
      const { withTerminal } = await import("../prompt/terminal.js");
      const { promptMfaCode } = await import("../prompt/mfa-prompt.js");
      return withTerminal(
        deps,
        `the MFA code for ${serial}`,
        `pass --mfa-token CODE, --mfa-token - to read it from stdin, or set ${MFA_CODE_ENV}`,
        (terminal) => promptMfaCode(terminal, serial),
      );
    }
  }
}

const MFA_PROCESS_SETTING = "mfa_process";

/**
 * The mfa_process of the profiles whose mfa_serial is `serial` (as aws-vault reads it), or
 * undefined when none has one. Two different commands for one device are refused: which one
 * would run must not depend on the order of the file.
 */
async function mfaProcessFor(serial: string, deps: Deps): Promise<{ profile: string; command: string } | undefined> {
  const { profileNames, profileSettings, readAwsFiles } = await import("../profiles/aws-files.js");
  const files = await readAwsFiles(deps.env);
  const found: Array<{ profile: string; command: string }> = [];
  for (const profile of profileNames(files)) {
    const settings = profileSettings(files, profile);
    const command = settings?.get(MFA_PROCESS_SETTING)?.trim();
    if (settings?.get("mfa_serial") === serial && command !== undefined && command !== "") found.push({ profile, command });
  }
  const commands = new Set(found.map((entry) => entry.command));
  if (commands.size > 1) {
    throw inputError(
      `profiles ${found.map((entry) => `"${entry.profile}"`).join(", ")} name different mfa_process commands for ${serial}`,
      "give the device one mfa_process",
    );
  }
  return found[0];
}

/** Six digits from the command's stdout: exactly one standalone group of six digits. */
async function runMfaProcess(found: { profile: string; command: string }, serial: string, deps: Deps): Promise<string> {
  const { childEnvironment, processTimeoutMs, runExternalCommand } = await import("../keys/external-command.js");
  const label = `mfa_process "${found.command}" (profile "${found.profile}")`;
  deps.log.verbose(`MFA code for ${serial} from ${label}`);
  const stdout = await runExternalCommand({
    label,
    line: found.command,
    env: childEnvironment(deps.env),
    timeoutMs: processTimeoutMs(deps.env),
    stderr: deps.stderr,
  });
  const codes = stdout.match(/(?<!\d)\d{6}(?!\d)/g) ?? [];
  for (const code of codes) deps.secrets.add(code);
  const [code] = codes;
  if (code === undefined || codes.length > 1) {
    throw inputError(
      `${label} printed ${code === undefined ? "no" : "more than one"} 6-digit code`,
      "run the command yourself to see what it prints; it must print the current code",
    );
  }
  return code;
}
