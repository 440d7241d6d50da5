/**
 * `rolecred user ROLE_ARN [SESSION_NAME] --profile NAME`: an IAM user's own keys (+ MFA code)
 * exchanged for a role session with one AssumeRole call.
 */
import { usageError } from "../errors.js";
import { requireRoleArn } from "../arn.js";
import { requireExternalId, requireMfaSerial, requireSessionName } from "../sts/limits.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";
import { mfaTokenOption } from "./mfa-token-flag.js";
import { defineCommand, lazyRun } from "./command.js";
import {
  declareDeliveryFlags,
  declareIdentityFlags,
  declareSessionFlags,
  deliveryOptions,
  flagValue,
  sessionIdentityOptions,
  sessionRequestOptions,
} from "./session-flags.js";
import { requireProfileName } from "../store/profile-name.js";
import type { UserOptions } from "../commands/user.js";

export const userCommand = defineCommand<UserOptions>({
  name: "user",
  declare(command) {
    command
      .description("assume a role with your IAM user's keys and an MFA code, and write a profile (or run a command)")
      // The role is required, as the ARGUMENT or as --role-arn; commander sees it as optional.
      .usage("[options] <role-arn> [session-name]")
      .argument("[role-arn]", "the role to assume, e.g. arn:aws:iam::111111111111:role/Developer (or --role-arn)")
      .argument("[session-name]", "name of the session in CloudTrail (default: your IAM user name)")
      .option("--role-arn <arn>", "the role to assume, instead of the ROLE_ARN argument (aws_role_credentials' spelling)")
      .option("--source-profile <profile>", "profile holding your long-term keys (default: the AWS SDK default chain)")
      .option("--mfa-serial <arn>", "MFA device (default: mfa_serial of the source profile in ~/.aws/config)")
      .option("--mfa-serial-number <arn>", "same as --mfa-serial (aws_role_credentials' spelling)")
      .addOption(mfaTokenOption())
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
    const { roleArn, sessionName } = roleAndSessionName(args, flagValue.optionalString(flags, "roleArn"));
    const sourceProfile = flagValue.optionalString(flags, "sourceProfile");
    const mfaSerial = sameValue(flags, "--mfa-serial", "mfaSerial", "--mfa-serial-number", "mfaSerialNumber");
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
  run: lazyRun(
    () => import("../commands/user.js"),
    (module) => module.runUser,
  ),
});

/** ROLE_ARN [SESSION_NAME], or --role-arn ARN [SESSION_NAME]: the role is named once. */
function roleAndSessionName(args: readonly string[], roleArnFlag: string | undefined): { roleArn: string; sessionName: string | undefined } {
  if (roleArnFlag === undefined) {
    const [roleArn, sessionName] = args;
    if (roleArn === undefined) throw usageError("missing required argument 'role-arn' (or --role-arn ARN)");
    return { roleArn, sessionName };
  }
  if (args.length > 1) throw usageError("the role is named twice: give ROLE_ARN or --role-arn, then the session name");
  return { roleArn: roleArnFlag, sessionName: args[0] };
}

/** A flag and its alias name one thing: either may be given, both only if they agree. */
function sameValue(flags: Readonly<Record<string, unknown>>, flag: string, key: string, aliasFlag: string, aliasKey: string): string | undefined {
  const value = flagValue.optionalString(flags, key);
  const alias = flagValue.optionalString(flags, aliasKey);
  if (value !== undefined && alias !== undefined && value !== alias)
    throw usageError(`${flag} and ${aliasFlag} are the same flag and were given different values`);
  return value ?? alias;
}

function validateUserOptions(options: UserOptions): void {
  if (options.mfaCode.from === "stdin" && options.session.policy?.kind === "stdin") {
    throw usageError("--mfa-token - and --policy - both want stdin; give the policy as a file or inline JSON");
  }
  if (options.delivery.profile !== undefined && options.delivery.profile === options.sourceProfile) {
    throw usageError(`--profile ${options.delivery.profile} is also the --source-profile: writing it would replace your long-term keys`);
  }
}
