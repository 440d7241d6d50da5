/**
 * The Role attribute's values: `role-arn,provider-arn` in AWS's documentation, the other way round
 * from ADFS, Okta and Shibboleth, with spaces, newlines or a trailing comma from others. Each
 * value is split on commas, trimmed, and its parts classified by ARN type, never by position.
 */
import { accountOf, isRoleArn, isSamlProviderArn, PARTITIONS, roleNameOf } from "../arn.js";

export interface SamlRole {
  readonly roleArn: string;
  /** The SAML provider ARN (STS's PrincipalArn). */
  readonly principalArn: string;
  readonly account: string;
  readonly roleName: string;
}

export type RoleValueResult = { readonly ok: true; readonly role: SamlRole } | { readonly ok: false; readonly value: string; readonly reason: string };

/**
 * The usual value in one regular expression: a role ARN and a SAML provider ARN, either order,
 * whitespace around them, no other comma. Everything it matches, the part-by-part reading below
 * reads the same way (the same ARNs, account and name): it allows fewer characters (no comma in a
 * path or name, no colon in a path) and nothing else. Anything else takes the part-by-part
 * reading. One match runs in the regular expression engine's compiled code; the parts' checks ran
 * in the interpreter, a few thousand operations per value, and most of a 1,000-role `--list`.
 */
const PARTITION = `(?:${PARTITIONS.join("|")})`;
const ROLE_ARN = String.raw`arn:${PARTITION}:iam::(\d{12}):role\/(?:[!-+\--9;-~]+\/)?([\w+=.@-]{1,64})`;
const PROVIDER_ARN = String.raw`arn:${PARTITION}:iam::\d{12}:saml-provider\/[\w.-]{1,128}`;
const ROLE_THEN_PROVIDER = new RegExp(String.raw`^\s*(${ROLE_ARN})\s*,\s*(${PROVIDER_ARN})\s*$`);
const PROVIDER_THEN_ROLE = new RegExp(String.raw`^\s*(${PROVIDER_ARN})\s*,\s*(${ROLE_ARN})\s*$`);

function usualRoleValue(value: string): SamlRole | undefined {
  const roleFirst = ROLE_THEN_PROVIDER.exec(value);
  if (roleFirst !== null) {
    const [, roleArn = "", account = "", roleName = "", principalArn = ""] = roleFirst;
    return { roleArn, principalArn, account, roleName };
  }
  const providerFirst = PROVIDER_THEN_ROLE.exec(value);
  if (providerFirst !== null) {
    const [, principalArn = "", roleArn = "", account = "", roleName = ""] = providerFirst;
    return { roleArn, principalArn, account, roleName };
  }
  return undefined;
}

export function parseRoleValue(value: string): RoleValueResult {
  const usual = usualRoleValue(value);
  return usual === undefined ? parseRoleValueByParts(value) : { ok: true, role: usual };
}

/** The general reading: split on commas, trim, classify each part by ARN type (tests compare the two). */
export function parseRoleValueByParts(value: string): RoleValueResult {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  // One check per part (a part is never both kinds): a 1,000-role assertion has 2,000 parts.
  let roleArn: string | undefined;
  let principalArn: string | undefined;
  let roleCount = 0;
  let providerCount = 0;
  for (const part of parts) {
    if (isRoleArn(part)) {
      roleCount += 1;
      roleArn ??= part;
    } else if (isSamlProviderArn(part)) {
      providerCount += 1;
      principalArn ??= part;
    }
  }
  if (roleCount === 1 && providerCount === 1 && parts.length === 2 && roleArn !== undefined && principalArn !== undefined) {
    return { ok: true, role: { roleArn, principalArn, account: accountOf(roleArn), roleName: roleNameOf(roleArn) } };
  }
  const reason =
    parts.length !== 2
      ? `expected a role ARN and a SAML provider ARN separated by a comma, found ${parts.length} part${parts.length === 1 ? "" : "s"}`
      : roleCount === 0
        ? "no valid role ARN (arn:aws:iam::<12-digit account>:role/NAME)"
        : "no valid SAML provider ARN (arn:aws:iam::<12-digit account>:saml-provider/NAME)";
  return { ok: false, value: value.trim(), reason };
}

/** The roles of all values, de-duplicated, in the order the identity provider sent them. */
export function parseRoleValues(values: readonly string[]): { roles: SamlRole[]; rejected: Array<{ value: string; reason: string }> } {
  const roles: SamlRole[] = [];
  const rejected: Array<{ value: string; reason: string }> = [];
  const seen = new Set<string>();
  for (const value of values) {
    const result = parseRoleValue(value);
    if (!result.ok) {
      rejected.push({ value: result.value, reason: result.reason });
      continue;
    }
    const key = `${result.role.roleArn}|${result.role.principalArn}`;
    if (!seen.has(key)) {
      seen.add(key);
      roles.push(result.role);
    }
  }
  return { roles, rejected };
}
