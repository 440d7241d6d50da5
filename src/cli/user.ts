/**
 * `rolecred user ROLE_ARN [SESSION_NAME] --profile NAME`: an IAM user's own keys (+ MFA code)
 * exchanged for a role session with one AssumeRole call.
 */
import { Option } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { requireRoleArn } from "../arn.js";
import { requireExternalId, requireMfaSerial, requireSessionName } from "../sts/limits.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";
import { defineCommand, type Outcome } from "./command.js";
import {
  declareDeliveryFlags,
  declareIdentityFlags,
  declareSessionFlags,
  deliveryOptions,
  flagValue,
  requireProfileName,
  sessionIdentityOptions,
  sessionRequestOptions,
} from "./session-flags.js";
import type { UserOptions } from "../commands/user.js";

export const userCommand = defineCommand<UserOptions>({
  name: "user",
  declare(command) {
    command
      .description("assume a role with your IAM user's keys and an MFA code, and write a profile (or run a command)")
      .argument("<role-arn>", "the role to assume, e.g. arn:aws:iam::111111111111:role/Developer")
      .argument("[session-name]", "name of the session in CloudTrail (default: your IAM user name)")
      .option("--source-profile <profile>", "profile holding your long-term keys (default: the AWS SDK default chain)")
      .option("--mfa-serial <arn>", "MFA device (default: mfa_serial of the source profile in ~/.aws/config)")
      .addOption(new Option("--mfa-token <code>", `MFA code, or - to read it from stdin (default: ${MFA_CODE_ENV}, else a prompt on the terminal)`))
      .option("--external-id <id>", "external ID the role's trust policy requires");
    declareSessionFlags(command);
    declareIdentityFlags(command);
    declareDeliveryFlags(command);
    command.addHelpText(
      "after",
      [
        "",
        "Examples:",
        "  rolecred user arn:aws:iam::111111111111:role/Developer --profile dev --mfa-serial arn:aws:iam::111111111111:mfa/jo",
        "  rolecred user arn:aws:iam::111111111111:role/Developer --mfa-token - -- aws s3 ls   # code read from stdin",
      ].join("\n"),
    );
  },
  toOptions(args, flags, context) {
    const [roleArn = "", sessionName] = args;
    const sourceProfile = flagValue.optionalString(flags, "sourceProfile");
    const mfaSerial = flagValue.optionalString(flags, "mfaSerial");
    const externalId = flagValue.optionalString(flags, "externalId");
    const options: UserOptions = {
      roleArn: requireRoleArn(roleArn),
      sessionName: sessionName === undefined ? undefined : requireSessionName(sessionName),
      sourceProfile: sourceProfile === undefined ? undefined : requireProfileName(sourceProfile, "--source-profile"),
      mfaSerial: mfaSerial === undefined ? undefined : requireMfaSerial(mfaSerial),
      mfaCode: mfaCodeInput(flagValue.optionalString(flags, "mfaToken"), context.env[MFA_CODE_ENV]),
      externalId: externalId === undefined ? undefined : requireExternalId(externalId),
      session: sessionRequestOptions(flags),
      identity: sessionIdentityOptions(flags),
      delivery: deliveryOptions(flags, context),
    };
    validateUserOptions(options);
    return options;
  },
  async run(options: UserOptions, deps: Deps): Promise<Outcome> {
    const { runUser } = await import("../commands/user.js");
    return runUser(options, deps);
  },
});

function validateUserOptions(options: UserOptions): void {
  if (options.mfaCode.from === "stdin" && options.session.policy?.kind === "stdin") {
    throw usageError("--mfa-token - and --policy - both want stdin; give the policy as a file or inline JSON");
  }
  if (options.delivery.profile !== undefined && options.delivery.profile === options.sourceProfile) {
    throw usageError(`--profile ${options.delivery.profile} is also the --source-profile: writing it would replace your long-term keys`);
  }
}
