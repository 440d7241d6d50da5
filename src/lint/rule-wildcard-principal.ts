/** RC-TRUST-001: `"Principal": "*"` with nothing that narrows who the caller is. */
import { assumeActionsOf, isRequired, type Requirement } from "./conditions.js";
import type { TrustRule } from "./rule.js";
import { isAnyonePrincipal } from "./principals.js";

/**
 * Keys that pin the caller to accounts, an organization, identities or a network the owner
 * controls. Tags (aws:PrincipalTag) are absent on purpose: anyone can tag identities in their own
 * account. So is sts:ExternalId: it is not a secret.
 */
const CALLER_KEYS: ReadonlySet<string> = new Set([
  "aws:principalaccount",
  "aws:principalorgid",
  "aws:principalorgpaths",
  "aws:principalarn",
  "aws:userid",
  "aws:sourceaccount",
  "aws:sourcearn",
  "aws:sourceorgid",
  "aws:sourceorgpaths",
  "aws:sourcevpce",
  "aws:sourcevpc",
]);

/** `arn:aws:iam::*:role/x` names a role in every account: an ARN's account field must be pinned. */
function pinsAccount(value: string, keyLower: string): boolean {
  if (keyLower !== "aws:principalarn" && keyLower !== "aws:sourcearn") return true;
  return !/[*?]/.test(value.split(":")[4] ?? "");
}

const CALLER_IDENTITY: Requirement = {
  matchesKey: (key) => CALLER_KEYS.has(key),
  valueNarrows: (value, clause) => pinsAccount(value, clause.keyLower),
};

export const wildcardPrincipalRule: TrustRule = {
  id: "RC-TRUST-001",
  name: "wildcard-principal",
  severity: "error",
  summary: 'Principal "*" (or {"AWS": "*"}) without a condition that narrows the caller',
  risk: "Any identity in any AWS account that learns the role's ARN can assume it; ARNs are not secrets (they appear in logs, error messages and tickets).",
  fix: 'Name the trusted accounts or roles in Principal, or keep "*" and pin the caller with a condition such as "StringEquals": {"aws:PrincipalOrgID": "o-exampleorgid"}.',
  check(policy) {
    return policy.statements
      .filter((statement) => statement.effect === "Allow" && statement.principals.some(isAnyonePrincipal) && assumeActionsOf(statement).length > 0)
      .filter((statement) => !isRequired(policy, statement, CALLER_IDENTITY))
      .map((statement) => ({
        statementIndex: statement.index,
        reason: `${assumeActionsOf(statement).join(", ")} is allowed to principal "*" and no condition pins the caller's account, organization or ARN: anyone with AWS credentials can assume this role`,
      }));
  },
};
