/**
 * Flags of the commands that work from a profile of ~/.aws/config (env, exec, process, write):
 * the MFA code's source, the MFA mode, region and duration overrides, --refresh, and the
 * session narrowing flags.
 */
import { Option, type Command } from "commander";
import { usageError } from "../errors.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";
import type { ParseContext } from "./command.js";
import { mfaTokenOption } from "./mfa-token-flag.js";
import { declareIdentityFlags, declareSessionFlags, flagValue, sessionIdentityOptions, sessionRequestOptions } from "./session-flags.js";
import { requireProfileName } from "../store/profile-name.js";
import type { ProfileRequestOptions } from "../session/options.js";

export function declareProfileFlags(command: Command, shortFlags = false): Command {
  command
    .addOption(mfaTokenOption())
    .addOption(
      new Option(
        "--mfa-mode <mode>",
        "direct: AssumeRole with the code (up to the role's maximum); session: one GetSessionToken shared by profiles, roles then limited to 1h (default: rolecred_mfa_mode, else direct)",
      ).choices(["direct", "session"]),
    )
    .option("--refresh", "ignore the cached session and get a new one");
  return declareIdentityFlags(declareSessionFlags(command, shortFlags));
}

export function profileRequestOptions(profile: string | undefined, flags: Readonly<Record<string, unknown>>, context: ParseContext): ProfileRequestOptions {
  if (profile === undefined) throw usageError("name the profile, e.g. rolecred env dev");
  const session = sessionRequestOptions(flags);
  const mfaCode = mfaCodeInput(flagValue.optionalString(flags, "mfaToken"), context.env[MFA_CODE_ENV]);
  if (mfaCode.from === "stdin" && session.policy?.kind === "stdin")
    throw usageError("--mfa-token - and --policy - both want stdin; give the policy as a file or inline JSON");
  const mode = flagValue.optionalString(flags, "mfaMode");
  return {
    profile: requireProfileName(profile, "profile"),
    mfaCode,
    mfaMode: mode === "session" || mode === "direct" ? mode : undefined,
    refresh: flags.refresh === true,
    session,
    identity: sessionIdentityOptions(flags),
  };
}
