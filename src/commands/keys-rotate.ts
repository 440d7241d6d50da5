/** `rolecred keys rotate NAME` (in progress). */
import type { Deps } from "../deps.js";
import { RolecredError } from "../errors.js";
import type { Outcome } from "../cli/command.js";
import type { MfaCodeInput } from "../mfa/code.js";

export interface KeysRotateOptions {
  readonly name: string;
  readonly mfaSerial: string | undefined;
  readonly mfaCode: MfaCodeInput;
  readonly region: string | undefined;
}

export async function runKeysRotate(options: KeysRotateOptions, _deps: Deps): Promise<Outcome> {
  throw new RolecredError(`keys rotate ${options.name}: not available yet`);
}
