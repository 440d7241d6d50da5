/**
 * src/sts/errors.ts: each STS error code, as the AWS SDK throws it (test/support/fake-sts.ts's
 * sdkStyleError: `name` is the wire code, modeled ones end in "Exception"), becomes one line a
 * user can act on and the exit code of README's table.
 */
import { describe, expect, it } from "vitest";
import { ExitCode, RolecredError } from "../../src/errors.js";
import { toStsError, type StsCallContext } from "../../src/sts/errors.js";
import { sdkStyleError } from "../support/fake-sts.js";

const ROLE = "arn:aws:iam::111111111111:role/Developer";
const ENDPOINT = "https://sts.eu-west-1.amazonaws.com";
const assumeRole: StsCallContext = {
  operation: "AssumeRole",
  endpoint: ENDPOINT,
  roleArn: ROLE,
  mfaSerial: "arn:aws:iam::111111111111:mfa/jo",
  sentMfa: true,
  durationSeconds: 43_200,
};
const saml: StsCallContext = { operation: "AssumeRoleWithSAML", endpoint: ENDPOINT, roleArn: ROLE, durationSeconds: 7200 };

function mapped(error: unknown, context: StsCallContext = assumeRole): { line: string; exitCode: number } {
  const result = toStsError(error, context);
  expect(result).toBeInstanceOf(RolecredError);
  return { line: result.hint === undefined ? result.message : `${result.message} — ${result.hint}`, exitCode: result.exitCode };
}

describe(toStsError.name, () => {
  it.each([
    [
      "AccessDenied",
      "MultiFactorAuthentication failed with invalid MFA one time pass code.",
      assumeRole,
      ExitCode.denied,
      /^STS rejected the MFA code for arn:aws:iam::111111111111:mfa\/jo: it is wrong or was already used/,
    ],
    ["AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code.", assumeRole, ExitCode.denied, /is not an MFA device of this IAM user/],
    [
      "AccessDenied",
      "User: arn:aws:iam::111111111111:user/jo is not authorized to perform: sts:AssumeRole",
      assumeRole,
      ExitCode.denied,
      /^not allowed to assume Developer \(arn:aws:iam::111111111111:role\/Developer\): User: .* — the role's trust policy does not allow this caller; ask/,
    ],
    ["AccessDenied", "User: x is not authorized", { ...assumeRole, sentMfa: false }, ExitCode.denied, /requires MFA: pass --mfa-serial$/],
    ["AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", saml, ExitCode.denied, /^not allowed to assume Developer .* SAML provider/],
    ["ExpiredToken", "The security token included in the request is expired", assumeRole, ExitCode.denied, /^the source credentials have expired/],
    [
      "InvalidClientTokenId",
      "The security token included in the request is invalid.",
      assumeRole,
      ExitCode.denied,
      /^STS does not recognise the source access key/,
    ],
    [
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match. Check your key.",
      assumeRole,
      ExitCode.denied,
      /^the source secret access key does not match its access key id \(The request signature we calculated does not match\)/,
    ],
    ["ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", saml, ExitCode.denied, /^STS refused the SAML assertion as too old/],
    ["InvalidIdentityToken", "Invalid SAML response", saml, ExitCode.denied, /^STS rejected the SAML assertion: Invalid SAML response/],
    ["IDPRejectedClaimException", "claim rejected", saml, ExitCode.denied, /^STS rejected the identity provider's claim: claim rejected$/],
    [
      "ValidationError",
      "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      assumeRole,
      ExitCode.usage,
      /^the duration \(43200s asked\) exceeds the role's maximum session duration/,
    ],
    [
      "ValidationError",
      "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
      assumeRole,
      ExitCode.usage,
      /^the duration \(43200s asked\) exceeds the 1 hour limit STS sets on role chaining/,
    ],
    [
      "ValidationError",
      "1 validation error detected: Value 'x' at 'roleSessionName'",
      assumeRole,
      ExitCode.usage,
      /^STS rejected a parameter: 1 validation error/,
    ],
    [
      "MalformedPolicyDocument",
      "Syntax errors in policy.",
      assumeRole,
      ExitCode.badInput,
      /^STS rejected the session policy: Syntax errors in policy\. — `rolecred policy show`/,
    ],
    ["PackedPolicyTooLarge", "Packed policy consumes 120% of allotted space", assumeRole, ExitCode.badInput, /too large for STS: .* --tag$/],
    ["PackedPolicyTooLargeException", "Packed policy consumes 120% of allotted space", saml, ExitCode.badInput, /PrincipalTag attributes count too\)$/],
    ["RegionDisabledException", "STS is not activated in this region", assumeRole, ExitCode.denied, /^STS is not activated in this region for the account/],
    [
      "Throttling",
      "Rate exceeded",
      assumeRole,
      ExitCode.unavailable,
      /^STS at https:\/\/sts\.eu-west-1\.amazonaws\.com is unavailable \(Throttling\): Rate exceeded — try again in a moment$/,
    ],
    ["ServiceUnavailable", "try later", assumeRole, ExitCode.unavailable, /is unavailable \(ServiceUnavailable\)/],
    ["SomethingNew", "a code rolecred has never seen", assumeRole, ExitCode.failure, /^STS AssumeRole failed: SomethingNew: a code rolecred has never seen$/],
  ] as const)("%s (%s) → exit %i", (code, message, context, exitCode, line) => {
    const result = mapped(sdkStyleError(code, message, 403), context);
    expect(result.exitCode).toBe(exitCode);
    expect(result.line).toMatch(line);
    expect(result.line).not.toContain("\n");
  });

  it("names the endpoint for a network error (exit 5) and for a timeout", () => {
    const refused = mapped(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }));
    expect(refused.exitCode).toBe(ExitCode.unavailable);
    expect(refused.line).toMatch(/^cannot reach STS at https:\/\/sts\.eu-west-1\.amazonaws\.com: .* — check --region, AWS_ENDPOINT_URL_STS/);
    const slow = mapped(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
    expect(slow).toEqual({
      exitCode: ExitCode.unavailable,
      line: "STS at https://sts.eu-west-1.amazonaws.com did not answer in time — check your network or proxy; ROLECRED_STS_TIMEOUT sets the wait in seconds",
    });
  });

  it("passes a RolecredError through unchanged", () => {
    const original = new RolecredError("already explained", { exitCode: ExitCode.badInput });
    expect(toStsError(original, assumeRole)).toBe(original);
  });

  it("keeps the SDK's error as the cause, for --verbose", () => {
    const error = sdkStyleError("ExpiredToken", "expired", 403);
    expect(toStsError(error, assumeRole).cause).toBe(error);
  });
});
