/**
 * Where an MFA code comes from, chosen once at the edge: --mfa-token CODE, --mfa-token - (a line
 * on stdin), ROLECRED_MFA_TOKEN, else a prompt on the terminal. Stages only ever see the
 * resulting function, `(serial) => code`.
 */
import type { Deps } from "../deps.js";
import { inputError, usageError } from "../errors.js";
import { MFA_CODE_PATTERN } from "../sts/limits.js";
import { readStdinText } from "../stdin.js";

export type MfaCodeInput =
  | { readonly from: "flag"; readonly code: string }
  | { readonly from: "env"; readonly code: string }
  | { readonly from: "stdin" }
  | { readonly from: "prompt" };

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
      const { withTerminal } = await import("../prompt/terminal.js");
      const { promptMfaCode } = await import("../prompt/mfa-prompt.js");
      return withTerminal(deps, `the MFA code for ${serial}`, `pass --mfa-token CODE, --mfa-token - to read it from stdin, or set ${MFA_CODE_ENV}`, (terminal) =>
        promptMfaCode(terminal, serial),
      );
    }
  }
}
