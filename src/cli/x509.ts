/**
 * `rolecred x509 --certificate me.pem --private-key me.key --trust-anchor-arn … --profile-arn …
 * --role-arn … --profile NAME`: an X.509 certificate and its key exchanged for a role session
 * with IAM Roles Anywhere's CreateSession. The flag names are aws_signing_helper's, so a
 * `credential_process = aws_signing_helper credential-process …` line keeps working as
 * `credential_process = rolecred x509 credential-process …` (or `rolecred x509 --process …`).
 */
import { usageError } from "../errors.js";
import { parseDuration } from "../duration.js";
import { requireDurationIn, requireSessionName } from "../sts/limits.js";
import { X509_DURATION_LIMITS } from "../x509/arns.js";
import { isPkcs12Path } from "../x509/bundle-path.js";
import type { X509Mode, X509Options } from "../commands/x509.js";
import { defineCommand, lazyRun } from "./command.js";
import { declareDeliveryFlags, declareSessionFlags, deliveryOptions, flagValue } from "./session-flags.js";

/** The aws_signing_helper subcommand name, accepted as this command's operand. */
const SIGNING_HELPER_PROCESS = "credential-process";

export const x509Command = defineCommand<X509Options>({
  name: "x509",
  declare(command) {
    command
      .description(
        "get a role session with an X.509 certificate and its key (IAM Roles Anywhere), and write a profile, run a command, or print credential_process JSON",
      )
      .argument("[credential-process]", "aws_signing_helper's subcommand name: the same as --process")
      .option("--certificate <file>", "the end-entity certificate (PEM), or a PKCS#12 bundle (.p12/.pfx) holding it, its chain and its key")
      .option(
        "--private-key <file>",
        "its private key (PEM: PKCS#8, PKCS#1 RSA, SEC1 EC; encrypted PKCS#8 asks for the passphrase or reads ROLECRED_X509_PASSPHRASE)",
      )
      .option("--intermediates <file>", "the intermediate CA certificates (PEM bundle), issuer of the certificate first")
      .option("--trust-anchor-arn <arn>", "the Roles Anywhere trust anchor holding your CA")
      .option("--profile-arn <arn>", "the Roles Anywhere profile")
      .option("--role-arn <arn>", "the role to get a session of (listed in the profile)")
      .option("--session-duration <seconds>", "session length in seconds, 900-43200 (aws_signing_helper's name for --duration)")
      .option(
        "--endpoint <url>",
        "the Roles Anywhere endpoint (default: AWS_ENDPOINT_URL_ROLESANYWHERE, AWS_ENDPOINT_URL, then rolesanywhere.REGION.amazonaws.com)",
      )
      .option("--role-session-name <name>", "the session's name, if the profile accepts one (default: the certificate's serial number)")
      .option("--process", "print credential_process JSON on stdout (for credential_process = rolecred x509 --process ...)")
      .option("--inspect", "print what Roles Anywhere will see in the certificate (source identity, principal tags), offline");
    declareSessionFlags(command);
    declareDeliveryFlags(command);
    command.addHelpText(
      "after",
      [
        "",
        "CreateSession takes no session policy: --policy, --policy-arn and --scope are refused (see docs/x509.md).",
        "",
        "Examples:",
        "  rolecred x509 --certificate me.pem --private-key me.key --trust-anchor-arn ARN --profile-arn ARN --role-arn ARN --profile pipeline",
        "  rolecred x509 --certificate me.pem --private-key me.key ... -- terraform plan",
        "  rolecred x509 --inspect --certificate me.pem",
        "  credential_process = rolecred x509 credential-process --certificate /p/me.pem --private-key /p/me.key ...",
      ].join("\n"),
    );
  },
  toOptions(args, flags, context) {
    const [operand] = args;
    if (operand !== undefined && operand !== SIGNING_HELPER_PROCESS)
      throw usageError(`unknown operand "${operand}"`, `rolecred x509 takes only "${SIGNING_HELPER_PROCESS}" (the same as --process)`);
    refuseSessionPolicies(flags);
    const certificatePath = flagValue.optionalString(flags, "certificate");
    if (certificatePath === undefined) throw usageError("--certificate is required", "the end-entity certificate file (PEM)");
    const json = flags.json === true;
    const mode = modeOf(flags, operand === SIGNING_HELPER_PROCESS, json, context);
    const bundle = isPkcs12Path(certificatePath);
    const required = (name: string, flag: string): string => {
      const value = flagValue.optionalString(flags, name);
      if (value === undefined && mode.kind !== "inspect" && !(bundle && name === "privateKey"))
        throw usageError(`${flag} is required`, "rolecred x509 needs --certificate, --private-key, --trust-anchor-arn, --profile-arn and --role-arn");
      return value ?? "";
    };
    const privateKeyPath = required("privateKey", "--private-key");
    const trustAnchorArn = required("trustAnchorArn", "--trust-anchor-arn");
    const profileArn = required("profileArn", "--profile-arn");
    const roleArn = required("roleArn", "--role-arn");
    const sessionName = flagValue.optionalString(flags, "roleSessionName");
    const keep = (value: string) => ((mode.kind === "inspect" || bundle) && value === "" ? undefined : value);
    return {
      mode,
      certificatePath,
      privateKeyPath: keep(privateKeyPath),
      intermediatesPath: flagValue.optionalString(flags, "intermediates"),
      trustAnchorArn: keep(trustAnchorArn),
      profileArn: keep(profileArn),
      roleArn: keep(roleArn),
      durationSeconds: durationOf(flags),
      region: flagValue.optionalString(flags, "region"),
      endpoint: flagValue.optionalString(flags, "endpoint"),
      roleSessionName: sessionName === undefined ? undefined : requireSessionName(sessionName, "--role-session-name"),
    };
  },
  run: lazyRun(
    () => import("../commands/x509.js"),
    (module) => module.runX509,
  ),
});

/**
 * CreateSession has no Policy or PolicyArns parameter: a session policy given here would be
 * silently dropped, so it is refused, saying where narrowing does work.
 */
function refuseSessionPolicies(flags: Readonly<Record<string, unknown>>): void {
  const given = [
    ["policy", "--policy"],
    ["policyArn", "--policy-arn"],
    ["scope", "--scope"],
  ].find(([name]) => flags[name ?? ""] !== undefined);
  if (given === undefined) return;
  throw usageError(
    `${given[1]} cannot be used with x509: Roles Anywhere's CreateSession takes no session policy, so nothing would narrow the session`,
    "narrow it with the Roles Anywhere profile's session policies (its sessionPolicy and managedPolicyArns), or with a further hop: a ~/.aws/config profile with source_profile = the certificate profile and rolecred_policy / rolecred_scopes; `rolecred lint` checks the role's trust policy",
  );
}

function modeOf(flags: Readonly<Record<string, unknown>>, processOperand: boolean, json: boolean, context: Parameters<typeof deliveryOptions>[1]): X509Mode {
  const delivering =
    flagValue.optionalString(flags, "profile") !== undefined || context.childCommand !== undefined || flagValue.stringList(flags, "exec").length > 0;
  if (flags.inspect === true) {
    if (processOperand || flags.process === true || delivering)
      throw usageError("--inspect only prints what the certificate carries; drop --process, --profile and the command");
    return { kind: "inspect", json };
  }
  if (processOperand || flags.process === true) {
    if (delivering || json) throw usageError("--process prints credential_process JSON on stdout; it cannot take --profile, --json or a command");
    return { kind: "process" };
  }
  return { kind: "deliver", delivery: deliveryOptions(flags, context) };
}

function durationOf(flags: Readonly<Record<string, unknown>>): number | undefined {
  const helperForm = flagValue.optionalString(flags, "sessionDuration");
  const rolecredForm = flagValue.optionalString(flags, "duration");
  if (helperForm !== undefined && rolecredForm !== undefined) throw usageError("--session-duration and --duration are the same setting; give one");
  if (helperForm !== undefined) {
    if (!/^\d+$/.test(helperForm)) throw usageError(`invalid --session-duration "${helperForm}"`, "seconds, 900-43200");
    return requireDurationIn(Number(helperForm), X509_DURATION_LIMITS, "--session-duration");
  }
  if (rolecredForm === undefined) return undefined;
  const seconds = parseDuration(rolecredForm);
  if (seconds === undefined) throw usageError(`invalid --duration "${rolecredForm}"`, "use seconds (3600) or a time such as 15m, 1h, 8h");
  return requireDurationIn(seconds, X509_DURATION_LIMITS);
}
