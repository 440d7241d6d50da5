/**
 * `--mfa-token`, declared once for every command that may spend an MFA code (the profile commands,
 * `user`, `keys rotate`): they all read the code through mfa/code.ts, so one help text is true for all.
 */
import { Option } from "commander";
import { MFA_CODE_ENV } from "../mfa/code.js";

export function mfaTokenOption(): Option {
  return new Option("--mfa-token <code>", `MFA code, or - to read it from stdin (default: ${MFA_CODE_ENV}, mfa_process, else a prompt on the terminal)`);
}
