/**
 * Is this assertion worth sending? The checks STS would make, made first, so the user hears
 * "log in again" instead of a wasted call and an opaque InvalidIdentityToken.
 */
import { ExitCode, RolecredError } from "../errors.js";
import { formatDuration } from "../duration.js";
import { SESSION_NAME_PATTERN } from "../sts/limits.js";
import type { SamlAssertion } from "./assertion.js";

/** STS: "Token must be redeemed within 5 minutes of issuance". */
const REDEEM_WITHIN_SECONDS = 5 * 60;
/** Clock skew tolerated on NotBefore, as identity providers and STS allow. */
const CLOCK_SKEW_SECONDS = 60;

const AWS_RECIPIENT = /^https:\/\/([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/(static\/)?saml$/;
const AWS_AUDIENCE = /^(urn:amazon:webservices|https:\/\/([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/(static\/)?saml)$/i;

export interface Readiness {
  /** Why the assertion cannot be used: each is fatal for a call to STS. */
  readonly problems: readonly RolecredError[];
  /** What may make STS refuse it, or surprise the user. */
  readonly warnings: readonly string[];
}

export function checkReadiness(assertion: SamlAssertion, now: Date): Readiness {
  const problems: RolecredError[] = [];
  const warnings: string[] = [];
  const seconds = (date: Date) => Math.round((now.getTime() - date.getTime()) / 1000);

  if (assertion.roles.length === 0) {
    const rejected = assertion.rejectedRoleValues;
    problems.push(
      rejected.length === 0
        ? new RolecredError("the assertion grants no AWS roles (it has no https://aws.amazon.com/SAML/Attributes/Role attribute)", {
            exitCode: ExitCode.badInput,
            hint: "is this the AWS app's assertion? its attribute mapping must send Role values",
          })
        : new RolecredError(`the assertion grants no usable AWS roles: ${rejected.map(({ value, reason }) => `"${value}" (${reason})`).join("; ")}`, {
            exitCode: ExitCode.badInput,
          }),
    );
  } else if (assertion.rejectedRoleValues.length > 0) {
    warnings.push(
      `ignored ${assertion.rejectedRoleValues.length} Role value(s) that are not a role and provider ARN pair: ${assertion.rejectedRoleValues.map(({ value }) => `"${value}"`).join(", ")}`,
    );
  }
  if (assertion.notOnOrAfter !== undefined && seconds(assertion.notOnOrAfter) >= 0) {
    problems.push(
      new RolecredError(
        `the SAML assertion expired at ${assertion.notOnOrAfter.toISOString()} (${formatDuration(seconds(assertion.notOnOrAfter))} ago): log in again`,
        {
          exitCode: ExitCode.badInput,
        },
      ),
    );
  }
  if (assertion.notBefore !== undefined && -seconds(assertion.notBefore) > CLOCK_SKEW_SECONDS) {
    problems.push(
      new RolecredError(`the SAML assertion is not valid before ${assertion.notBefore.toISOString()}`, {
        exitCode: ExitCode.badInput,
        hint: "check this machine's clock",
      }),
    );
  }
  if (assertion.sessionName === undefined) {
    problems.push(
      new RolecredError("the assertion has no RoleSessionName attribute, which STS requires", {
        exitCode: ExitCode.badInput,
        hint: "map https://aws.amazon.com/SAML/Attributes/RoleSessionName in the identity provider's AWS app (an e-mail address works)",
      }),
    );
  } else if (!SESSION_NAME_PATTERN.test(assertion.sessionName)) {
    problems.push(
      new RolecredError(`the assertion's RoleSessionName "${assertion.sessionName}" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})`, {
        exitCode: ExitCode.badInput,
        hint: "the identity provider's RoleSessionName mapping must produce 2-64 letters, digits or _+=,.@- (no spaces)",
      }),
    );
  }
  if (assertion.sha1Signature) {
    warnings.push("the response is signed with SHA-1, which is no longer safe against forgery; ask the identity provider's admin to sign with SHA-256");
  }
  if (assertion.issueInstant !== undefined && seconds(assertion.issueInstant) > REDEEM_WITHIN_SECONDS) {
    warnings.push(
      `the assertion was issued ${formatDuration(seconds(assertion.issueInstant))} ago; STS refuses assertions older than 5 minutes (log in again if it does)`,
    );
  }
  if (assertion.sessionDuration !== undefined && sessionDurationSeconds(assertion) === undefined) {
    warnings.push(`ignoring SessionDuration "${assertion.sessionDuration}": not a whole number of seconds between 900 and 43200`);
  }
  if (assertion.recipient !== undefined && !AWS_RECIPIENT.test(assertion.recipient)) {
    warnings.push(`the assertion is addressed to ${assertion.recipient}, not AWS sign-in; STS will likely refuse it`);
  }
  const foreignAudiences = assertion.audiences.filter((audience) => !AWS_AUDIENCE.test(audience));
  if (foreignAudiences.length > 0 && foreignAudiences.length === assertion.audiences.length) {
    warnings.push(`the assertion's audience is ${foreignAudiences.join(", ")}, not AWS (urn:amazon:webservices); STS will likely refuse it`);
  }
  return { problems, warnings };
}

/** The SessionDuration attribute in seconds, when it is a valid one. */
export function sessionDurationSeconds(assertion: SamlAssertion): number | undefined {
  const text = assertion.sessionDuration;
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const seconds = Number(text);
  return seconds >= 900 && seconds <= 43_200 ? seconds : undefined;
}
