/**
 * `rolecred user`: the IAM user's own keys sign one AssumeRole call, with the MFA code, for up to
 * the role's MaxSessionDuration. Deliberately not GetSessionToken first: STS treats a role
 * assumed with session credentials as role chaining and caps it at one hour.
 */
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { sessionNameFromCaller } from "../credentials/caller-name.js";
import { maskKeyId } from "../log.js";
import { profileSettings, readAwsFiles, sdkProfileName } from "../profiles/aws-files.js";
import { loadSourceCredentials } from "../credentials/source-credentials.js";
import { mfaCodeProvider } from "../mfa/code.js";
import { prepareSessionPolicy } from "../policy/compose.js";
import { applyGuards, sessionWarnings } from "../credentials/guards.js";
import { requireMfaSerial } from "../sts/limits.js";
import { describeEndpoint, resolveStsEndpoint } from "../sts/client.js";
import type { AssumeRoleParams, CallerIdentity } from "../sts/api.js";
import { assumeWithDurationFallback } from "../credentials/duration-fallback.js";
import { deliverSessions, logSessionPolicy, precheckDelivery, registerSessionSecrets } from "../session/deliver.js";

import type { MfaCodeInput } from "../mfa/code.js";
import type { DeliveryOptions, SessionIdentityOptions, SessionRequestOptions } from "../session/options.js";

export interface UserOptions {
  readonly roleArn: string;
  /** Undefined: the caller's IAM user name, from GetCallerIdentity. */
  readonly sessionName: string | undefined;
  /** Undefined: the AWS SDK default provider chain. */
  readonly sourceProfile: string | undefined;
  /** Undefined: `mfa_serial` of the source profile in ~/.aws/config, else no MFA. */
  readonly mfaSerial: string | undefined;
  readonly mfaCode: MfaCodeInput;
  readonly externalId: string | undefined;
  readonly session: SessionRequestOptions;
  readonly identity: SessionIdentityOptions;
  readonly delivery: DeliveryOptions;
}

export async function runUser(options: UserOptions, deps: Deps): Promise<Outcome> {
  const files = await readAwsFiles(deps.env);
  // The source profile's config (mfa_serial, region) applies whether it was named or is the active one.
  const sourceProfile = options.sourceProfile ?? sdkProfileName(deps.env);
  const sourceSettings = profileSettings(files, sourceProfile);
  const endpoint = resolveStsEndpoint({ flag: options.session.region, profile: sourceSettings?.get("region") }, deps.env);
  deps.log.verbose(`STS endpoint ${describeEndpoint(endpoint)} (region ${endpoint.region})`);

  const composed = await prepareSessionPolicy(options.session, deps.stdin);
  logSessionPolicy(composed, deps);
  const mfaSerial = options.mfaSerial ?? configuredMfaSerial(sourceSettings?.get("mfa_serial"), sourceProfile, deps);
  if (options.delivery.profile !== undefined) await precheckDelivery([options.delivery.profile], options.delivery, deps);

  const credentials = await loadSourceCredentials({ profile: options.sourceProfile, files, deps });
  deps.secrets.add(credentials.secretAccessKey);
  deps.secrets.add(credentials.sessionToken);
  deps.log.verbose(
    `source credentials: access key ${maskKeyId(credentials.accessKeyId)}${credentials.sessionToken ? " (temporary: STS caps the role session at 1h)" : ""}`,
  );

  // Who is calling: for the default session name, `--source-identity auto`, and the guards.
  const caller = await deps.sts.getCallerIdentity(endpoint, credentials);
  const sessionName = options.sessionName ?? callerUserName(caller);
  if (options.sessionName === undefined) deps.log.verbose(`session name ${sessionName} (the caller ${caller.arn}, from GetCallerIdentity)`);
  const sourceIdentity = options.identity.sourceIdentity === "auto" ? callerUserName(caller) : options.identity.sourceIdentity;
  applyGuards(
    sessionWarnings({ callerArn: caller.arn, roleArn: options.roleArn, sessionName, tags: options.identity.tags, callerTransitiveTags: {} }),
    options.identity.strict,
    deps.log,
  );
  if (options.identity.tags.length > 0)
    deps.log.verbose(
      `session tags ${options.identity.tags.map(({ key, value }) => `${key}=${value}`).join(", ")}; transitive ${options.identity.transitiveTagKeys.join(", ") || "(none)"}`,
    );
  if (sourceIdentity !== undefined) deps.log.verbose(`source identity ${sourceIdentity}`);

  const mfa = mfaSerial === undefined ? undefined : { serial: mfaSerial, code: await mfaCodeProvider(options.mfaCode, deps)(mfaSerial) };
  if (mfa === undefined) deps.log.verbose("no MFA device given or configured: calling AssumeRole without an MFA code");

  const params: AssumeRoleParams = {
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
  };
  const session = await assumeWithDurationFallback(
    {
      roleArn: params.roleArn,
      durationSeconds: params.durationSeconds,
      mfa,
      nextCode: options.mfaCode.from === "prompt" ? mfaCodeProvider(options.mfaCode, deps) : undefined,
    },
    (durationSeconds, retryMfa) => deps.sts.assumeRole(endpoint, credentials, { ...params, durationSeconds, mfa: retryMfa }),
    deps,
  );
  registerSessionSecrets(session, deps);
  return deliverSessions([{ profile: options.delivery.profile, session }], options.delivery, deps, composed);
}

function configuredMfaSerial(value: string | undefined, profile: string, deps: Deps): string | undefined {
  if (value === undefined || value === "") return undefined;
  deps.log.verbose(`MFA device ${value} (mfa_serial of profile ${profile})`);
  return requireMfaSerial(value);
}

/** The caller's IAM user name (see {@link sessionNameFromCaller}). */
function callerUserName(identity: CallerIdentity): string {
  return sessionNameFromCaller(identity.arn, "give one as the second argument: rolecred user ROLE_ARN SESSION_NAME");
}
