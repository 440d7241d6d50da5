/**
 * STS failures as one line a user can act on. The SDK's errors carry STS's code in `name`
 * (modeled errors end in "Exception"; AccessDenied, ValidationError and ExpiredToken are not
 * modeled and keep the wire code); network failures carry a Node errno code instead.
 */
import { describeNetworkError, ExitCode, messageOf, RolecredError, type ExitCodeValue } from "../errors.js";
import { roleNameOf } from "../arn.js";

export type StsOperation = "AssumeRole" | "AssumeRoleWithSAML" | "GetSessionToken" | "GetCallerIdentity" | "GetFederationToken";

export interface StsCallContext {
  readonly operation: StsOperation;
  /** The endpoint as the user should see it in "cannot reach" messages. */
  readonly endpoint: string;
  readonly roleArn?: string | undefined;
  readonly mfaSerial?: string | undefined;
  /** Was an MFA code sent with the call? Shapes the AccessDenied hint. */
  readonly sentMfa?: boolean | undefined;
  readonly durationSeconds?: number | undefined;
}

function fieldOf(error: unknown, field: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[field] : undefined;
}

/** STS's error code without the SDK's "Exception" suffix: "ExpiredTokenException" stays (a real wire code). */
function stsCodeOf(error: unknown): string | undefined {
  const code = fieldOf(error, "Code") ?? fieldOf(error, "name");
  return typeof code === "string" ? code : undefined;
}

function fail(message: string, exitCode: ExitCodeValue, cause: unknown, hint?: string): RolecredError {
  return new RolecredError(message, { exitCode, cause, ...(hint === undefined ? {} : { hint }) });
}

export function toStsError(error: unknown, context: StsCallContext): RolecredError {
  if (error instanceof RolecredError) return error;
  const errno = fieldOf(error, "code");
  const name = fieldOf(error, "name");
  const network = describeNetworkError(errno);
  if (network !== undefined) {
    return fail(
      `cannot reach STS at ${context.endpoint}: ${network}`,
      ExitCode.unavailable,
      error,
      "check --region, AWS_ENDPOINT_URL_STS and your network or proxy",
    );
  }
  if (name === "TimeoutError" || name === "RequestTimeout" || errno === "ETIMEDOUT" || errno === "ERR_SOCKET_CONNECTION_TIMEOUT") {
    return fail(
      `STS at ${context.endpoint} did not answer in time`,
      ExitCode.unavailable,
      error,
      "check your network or proxy; ROLECRED_STS_TIMEOUT sets the wait in seconds",
    );
  }
  const code = stsCodeOf(error) ?? "Error";
  const stsMessage = messageOf(error).trim();
  const role = context.roleArn === undefined ? "the role" : `${roleNameOf(context.roleArn)} (${context.roleArn})`;
  switch (code) {
    case "AccessDenied":
      return accessDenied(stsMessage, context, role, error);
    case "ExpiredToken":
      return fail(
        "the source credentials have expired (STS: the security token included in the request is expired)",
        ExitCode.denied,
        error,
        "refresh them, or use long-term keys with --source-profile",
      );
    case "InvalidClientTokenId":
      return fail("STS does not recognise the source access key", ExitCode.denied, error, "it was deleted or deactivated, or belongs to another AWS partition");
    case "SignatureDoesNotMatch":
      return fail(
        `the source secret access key does not match its access key id (${stsMessage.split(".")[0]})`,
        ExitCode.denied,
        error,
        "check the keys of the source profile, and the system clock",
      );
    case "ExpiredTokenException":
      return fail(
        `STS refused the SAML assertion as too old: ${stsMessage}`,
        ExitCode.denied,
        error,
        "assertions must be redeemed within 5 minutes of issuance: log in again and pipe the new one straight in",
      );
    case "InvalidIdentityToken":
    case "InvalidIdentityTokenException":
      return fail(
        `STS rejected the SAML assertion: ${stsMessage}`,
        ExitCode.denied,
        error,
        "check the identity provider's signing certificate and the SAML provider registered in IAM",
      );
    case "IDPRejectedClaim":
    case "IDPRejectedClaimException":
      return fail(`STS rejected the identity provider's claim: ${stsMessage}`, ExitCode.denied, error);
    case "ValidationError":
      return validationError(stsMessage, context, error);
    case "MalformedPolicyDocument":
    case "MalformedPolicyDocumentException":
      return fail(`STS rejected the session policy: ${stsMessage}`, ExitCode.badInput, error, "`rolecred policy show` prints exactly what was sent");
    case "PackedPolicyTooLarge":
    case "PackedPolicyTooLargeException":
      return fail(
        `the session policy, policy ARNs and tags are too large for STS: ${stsMessage}`,
        ExitCode.badInput,
        error,
        context.operation === "AssumeRoleWithSAML"
          ? "shorten the policy or pass fewer --policy-arn (the assertion's PrincipalTag attributes count too)"
          : "shorten the policy, or pass fewer --policy-arn or --tag",
      );
    case "RegionDisabledException":
      return fail(
        `STS is not activated in this region for the account: ${stsMessage}`,
        ExitCode.denied,
        error,
        "activate the region in the IAM account settings, or use another --region",
      );
    case "Throttling":
    case "ThrottlingException":
    case "InternalFailure":
    case "ServiceUnavailable":
      return fail(`STS at ${context.endpoint} is unavailable (${code}): ${stsMessage}`, ExitCode.unavailable, error, "try again in a moment");
    default:
      return fail(`STS ${context.operation} failed: ${code}: ${stsMessage}`, ExitCode.failure, error);
  }
}

function accessDenied(stsMessage: string, context: StsCallContext, role: string, cause: unknown): RolecredError {
  const serial = context.mfaSerial ?? "the MFA device";
  if (stsMessage.includes("invalid MFA one time pass code")) {
    return fail(
      `STS rejected the MFA code for ${serial}: it is wrong or was already used`,
      ExitCode.denied,
      cause,
      "each code works only once: wait for the next code and try again",
    );
  }
  if (stsMessage.includes("unable to validate MFA code")) {
    return fail(
      `STS could not validate the MFA code: ${serial} is not an MFA device of this IAM user`,
      ExitCode.denied,
      cause,
      "check --mfa-serial (or mfa_serial in ~/.aws/config) against the user's devices in IAM",
    );
  }
  if (stsMessage.includes("must provide both MFA serial number")) {
    return fail("STS needs both the MFA serial and a code", ExitCode.denied, cause, "pass --mfa-serial with --mfa-token, or neither");
  }
  if (context.operation === "AssumeRoleWithSAML") {
    return fail(
      `not allowed to assume ${role}: ${stsMessage}`,
      ExitCode.denied,
      cause,
      "the role's trust policy must trust this SAML provider, its SAML:aud must match the assertion's Recipient, and PrincipalTag or SourceIdentity attributes need sts:TagSession or sts:SetSourceIdentity",
    );
  }
  if (context.operation === "AssumeRole") {
    const hint = context.sentMfa
      ? "the role's trust policy does not allow this caller; ask the role's owner"
      : "the role's trust policy does not allow this caller, or requires MFA: pass --mfa-serial";
    return fail(`not allowed to assume ${role}: ${stsMessage}`, ExitCode.denied, cause, hint);
  }
  return fail(`STS denied ${context.operation}: ${stsMessage}`, ExitCode.denied, cause);
}

function validationError(stsMessage: string, context: StsCallContext, cause: unknown): RolecredError {
  const asked = context.durationSeconds === undefined ? "" : ` (${context.durationSeconds}s asked)`;
  if (stsMessage.includes("MaxSessionDuration")) {
    return fail(
      `the duration${asked} exceeds the role's maximum session duration`,
      ExitCode.usage,
      cause,
      "ask for less with --duration, or raise the role's MaxSessionDuration in IAM",
    );
  }
  if (stsMessage.includes("role chaining")) {
    return fail(
      `the duration${asked} exceeds the 1 hour limit STS sets on role chaining`,
      ExitCode.usage,
      cause,
      "a session assuming another role gets at most --duration 1h",
    );
  }
  return fail(`STS rejected a parameter: ${stsMessage}`, ExitCode.usage, cause);
}
