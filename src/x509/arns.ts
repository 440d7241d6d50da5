/**
 * The three ARNs CreateSession takes, checked against each other before anything is signed: a
 * trust anchor and a profile live in one region of one account, and the role must be in that
 * account (Roles Anywhere issues sessions only for roles of the profile's account). Pure: the
 * config-profile source validates with it while the chain is resolved.
 */
import { isRoleArn, parseArn } from "../arn.js";
import { usageError } from "../errors.js";
import { DURATION_LIMITS } from "../sts/limits.js";

/** CreateSession's durationSeconds: the same 15 minutes to 12 hours as AssumeRole. */
export const X509_DURATION_LIMITS = DURATION_LIMITS.assumeRole;

const RESOURCE_ID = /^[a-f0-9]{8}-(?:[a-z0-9]{4}-){3}[a-z0-9]{12}$|^[A-Za-z0-9-]{1,64}$/;

export interface RolesAnywhereArns {
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
}

export interface ArnLocation {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** `what` names the flag or key in messages: "--trust-anchor-arn", "rolecred_x509_trust_anchor_arn". */
function rolesAnywhereArn(text: string, kind: "trust-anchor" | "profile", what: string): ArnLocation {
  const arn = parseArn(text);
  const slash = arn?.resource.indexOf("/") ?? -1;
  const type = arn?.resource.slice(0, slash);
  const id = arn?.resource.slice(slash + 1) ?? "";
  if (
    arn === undefined ||
    arn.service !== "rolesanywhere" ||
    !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(arn.region) ||
    !/^\d{12}$/.test(arn.account) ||
    type !== kind ||
    !RESOURCE_ID.test(id)
  ) {
    throw usageError(`invalid ${what} "${text}"`, `expected arn:aws:rolesanywhere:REGION:ACCOUNT:${kind}/ID`);
  }
  return { partition: arn.partition, region: arn.region, account: arn.account };
}

export interface ArnNames {
  readonly trustAnchor: string;
  readonly profile: string;
  readonly role: string;
}

export const FLAG_NAMES: ArnNames = { trustAnchor: "--trust-anchor-arn", profile: "--profile-arn", role: "--role-arn" };

/**
 * The three ARNs, each well formed and consistent with the others; returns where CreateSession
 * must be sent (the trust anchor's region and account).
 */
export function checkRolesAnywhereArns(arns: RolesAnywhereArns, names: ArnNames = FLAG_NAMES): ArnLocation {
  const anchor = rolesAnywhereArn(arns.trustAnchorArn, "trust-anchor", names.trustAnchor);
  const profile = rolesAnywhereArn(arns.profileArn, "profile", names.profile);
  if (!isRoleArn(arns.roleArn)) throw usageError(`invalid ${names.role} "${arns.roleArn}"`, "expected arn:aws:iam::123456789012:role/NAME");
  if (anchor.region !== profile.region) {
    throw usageError(
      `${names.trustAnchor} is in ${anchor.region} but ${names.profile} is in ${profile.region}`,
      "a trust anchor and a profile are used together only in one region",
    );
  }
  if (anchor.account !== profile.account) {
    throw usageError(
      `${names.trustAnchor} is in account ${anchor.account} but ${names.profile} is in account ${profile.account}`,
      "use the trust anchor and the profile of one account",
    );
  }
  const roleAccount = parseArn(arns.roleArn)?.account;
  if (roleAccount !== anchor.account) {
    throw usageError(
      `${names.role} is in account ${roleAccount ?? "?"} but the trust anchor and profile are in ${anchor.account}`,
      "Roles Anywhere issues sessions only for roles of the profile's account",
    );
  }
  return anchor;
}
