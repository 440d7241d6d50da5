/**
 * `rolecred user`: the IAM user's own keys sign one AssumeRole call, with the MFA code, for up to
 * the role's MaxSessionDuration. Deliberately not GetSessionToken first: STS treats a role
 * assumed with session credentials as role chaining and caps it at one hour.
 */
import type { Deps } from "../deps.js";
import type { Outcome } from "../cli/command.js";
import type { UserOptions } from "../cli/user.js";
import { callerNameOf, roleNameOf } from "../arn.js";
import { RolecredError, ExitCode } from "../errors.js";
import { maskKeyId } from "../log.js";
import { activeProfileName, profileSettings, readAwsFiles } from "../profiles/aws-files.js";
import { loadSourceCredentials } from "../credentials/source-credentials.js";
import { mfaCodeProvider } from "../mfa/code.js";
import { prepareSessionPolicy } from "../policy/compose.js";
import { applyGuards, sessionWarnings } from "../credentials/guards.js";
import { readStdinText } from "../stdin.js";
import { requireMfaSerial, SESSION_NAME_PATTERN } from "../sts/limits.js";
import { describeEndpoint, resolveStsEndpoint } from "../sts/client.js";
import { assumeRole, getCallerIdentity, type AssumeRoleParams, type CallerIdentity } from "../sts/calls.js";
import type { StsEndpoint } from "../sts/client.js";
import type { AwsCredentials, RoleSession } from "../credentials/types.js";
import { DEFAULT_SESSION_SECONDS } from "../sts/limits.js";
import { deliverSessions, logSessionPolicy, precheckDelivery, registerSessionSecrets } from "./deliver.js";

export async function runUser(options: UserOptions, deps: Deps): Promise<Outcome> {
  const files = await readAwsFiles(deps.env);
  // The source profile's config (mfa_serial, region) applies whether it was named or is the active one.
  const sourceProfile = options.sourceProfile ?? activeProfileName(deps.env);
  const sourceSettings = profileSettings(files, sourceProfile);
  const endpoint = resolveStsEndpoint({ flag: options.session.region, profile: sourceSettings?.get("region") }, deps.env);
  deps.log.verbose(`STS endpoint ${describeEndpoint(endpoint)} (region ${endpoint.region})`);

  const composed = await prepareSessionPolicy(options.session, () => readStdinText(deps.stdin, 64 * 1024, "the policy on stdin"));
  logSessionPolicy(composed, deps);
  const mfaSerial = options.mfaSerial ?? configuredMfaSerial(sourceSettings?.get("mfa_serial"), sourceProfile, deps);
  if (options.delivery.profile !== undefined) await precheckDelivery([options.delivery.profile], options.delivery, deps);

  const credentials = await loadSourceCredentials({
    profile: options.sourceProfile,
    credentialsPath: files.credentialsPath,
    configPath: files.configPath,
  });
  deps.secrets.add(credentials.secretAccessKey);
  deps.secrets.add(credentials.sessionToken);
  deps.log.verbose(`source credentials: access key ${maskKeyId(credentials.accessKeyId)}${credentials.sessionToken ? " (temporary: STS caps the role session at 1h)" : ""}`);

  // Who is calling: for the default session name, `--source-identity auto`, and the guards.
  const caller = await getCallerIdentity(endpoint, credentials);
  const sessionName = options.sessionName ?? callerUserName(caller);
  if (options.sessionName === undefined) deps.log.verbose(`session name ${sessionName} (the caller ${caller.arn}, from GetCallerIdentity)`);
  const sourceIdentity = options.identity.sourceIdentity === "auto" ? callerUserName(caller) : options.identity.sourceIdentity;
  applyGuards(
    sessionWarnings({ callerArn: caller.arn, roleArn: options.roleArn, sessionName, tags: options.identity.tags, callerTransitiveTags: {} }),
    options.identity.strict,
    deps.log,
  );
  if (options.identity.tags.length > 0) deps.log.verbose(`session tags ${options.identity.tags.map(({ key, value }) => `${key}=${value}`).join(", ")}; transitive ${options.identity.transitiveTagKeys.join(", ") || "(none)"}`);
  if (sourceIdentity !== undefined) deps.log.verbose(`source identity ${sourceIdentity}`);

  const mfa = mfaSerial === undefined ? undefined : { serial: mfaSerial, code: await mfaCodeProvider(options.mfaCode, deps)(mfaSerial) };
  if (mfa === undefined) deps.log.verbose("no MFA device given or configured: calling AssumeRole without an MFA code");

  const session = await assumeWithDurationFallback(endpoint, credentials, options, {
    roleArn: options.roleArn,
    sessionName,
    durationSeconds: options.session.durationSeconds,
    externalId: options.externalId,
    mfa,
    policy: composed.policy,
    policyArns: composed.policyArns,
    tags: options.identity.tags,
    transitiveTagKeys: options.identity.transitiveTagKeys,
    sourceIdentity,
  }, deps);
  registerSessionSecrets(session, deps);
  return deliverSessions([{ profile: options.delivery.profile, session }], options.delivery, deps, composed);
}

/**
 * A role's MaxSessionDuration is not visible from outside IAM. When STS says the duration is too
 * long, ask once more for the one hour every role allows, and say so (as `saml` does). A code that
 * went with the refused call is not sent again: STS accepts a TOTP code once, and rolecred cannot
 * know whether the refusal came before or after the code was spent (the local STS models it as
 * spent). So the retry needs a new code: prompted for, saying why, or, when the code came from
 * --mfa-token or the environment, a clear error naming the duration that will work.
 */
async function assumeWithDurationFallback(endpoint: StsEndpoint, credentials: AwsCredentials, options: UserOptions, params: AssumeRoleParams, deps: Deps): Promise<RoleSession> {
  try {
    return await assumeRole(endpoint, credentials, params);
  } catch (error) {
    const asked = params.durationSeconds;
    const tooLong = error instanceof RolecredError && /maximum session duration/.test(error.message);
    if (!tooLong || asked === undefined || asked <= DEFAULT_SESSION_SECONDS) throw error;
    const role = roleNameOf(params.roleArn);
    if (params.mfa === undefined) {
      deps.log.warn(`${role} allows less than ${asked}s; retrying with ${DEFAULT_SESSION_SECONDS}s`);
      return assumeRole(endpoint, credentials, { ...params, durationSeconds: DEFAULT_SESSION_SECONDS });
    }
    if (options.mfaCode.from !== "prompt") {
      throw new RolecredError(`${role} allows less than ${asked}s, and the MFA code went with the refused request (STS takes a code once)`, {
        exitCode: ExitCode.usage,
        hint: `run again with --duration 1h (or the role's maximum) and the next code`,
        cause: error,
      });
    }
    deps.log.warn(`${role} allows less than ${asked}s; retrying with ${DEFAULT_SESSION_SECONDS}s, which needs the next MFA code (the first went with the refused request)`);
    const code = await mfaCodeProvider(options.mfaCode, deps)(params.mfa.serial);
    return assumeRole(endpoint, credentials, { ...params, durationSeconds: DEFAULT_SESSION_SECONDS, mfa: { serial: params.mfa.serial, code } });
  }
}

function configuredMfaSerial(value: string | undefined, profile: string, deps: Deps): string | undefined {
  if (value === undefined || value === "") return undefined;
  deps.log.verbose(`MFA device ${value} (mfa_serial of profile ${profile})`);
  return requireMfaSerial(value);
}

/**
 * The caller's IAM user name, so that a trust policy requiring sts:RoleSessionName = ${aws:username}
 * holds and CloudTrail names the person.
 */
function callerUserName(identity: CallerIdentity): string {
  const name = callerNameOf(identity.arn);
  if (name === undefined || !SESSION_NAME_PATTERN.test(name)) {
    throw new RolecredError(`cannot use "${name ?? identity.arn}" (from ${identity.arn}) as the session name`, {
      exitCode: ExitCode.usage,
      hint: "give one as the second argument: rolecred user ROLE_ARN SESSION_NAME",
    });
  }
  return name;
}
