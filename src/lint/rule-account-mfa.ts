/**
 * RC-TRUST-002: a whole account may assume a role meant for people, and nothing requires MFA.
 *
 * rolecred cannot see who assumes a role, so it treats a whole-account trust as one for people
 * unless the statement says otherwise: it requires sts:ExternalId (a vendor or automation), or it
 * narrows callers to roles with aws:PrincipalArn / aws:PrincipalType (role sessions carry no MFA).
 */
import { admitsMissingKey, clausesOn, coversAction, denialsOn, isPositiveClause } from "./conditions.js";
import type { ConditionClause, TrustPolicy, TrustStatement } from "./policy.js";
import type { LintContext, RuleHit, TrustRule } from "./rule.js";
import { accountOfAwsPrincipal, namesRole } from "./principals.js";

const PRESENT = "aws:multifactorauthpresent";
const AGE = "aws:multifactorauthage";
const isMfaKey = (key: string): boolean => key === PRESENT || key === AGE;

const allValues = (clause: ConditionClause, wanted: string): boolean =>
  clause.values.length > 0 && clause.values.every((value) => value.trim().toLowerCase() === wanted);
const isNumericBelow = (clause: ConditionClause): boolean => clause.test === "numericlessthan" || clause.test === "numericlessthanequals";
const isNumericAbove = (clause: ConditionClause): boolean => clause.test === "numericgreaterthan" || clause.test === "numericgreaterthanequals";

export interface MfaVerdict {
  readonly required: boolean;
  /** Why a condition that looks like MFA is not one, for the message. */
  readonly notes: readonly string[];
}

/**
 * MFA is required when the policy refuses both requests that carry no MFA key at all (AssumeRole
 * called with long-term access keys and no MFA code) and requests whose key says "no MFA".
 */
function mfaVerdict(policy: TrustPolicy, allow: TrustStatement): MfaVerdict {
  let refusesMissingKey = false;
  let refusesNoMfa = false;
  const notes: string[] = [];
  for (const clause of clausesOn(allow, isMfaKey)) {
    if (clause.keyLower === PRESENT && clause.test === "bool" && allValues(clause, "true")) {
      refusesNoMfa = true;
      if (admitsMissingKey(clause)) notes.push(`${clause.operator} admits callers whose request has no MFA key (long-term access keys without an MFA code)`);
      else refusesMissingKey = true;
    } else if (clause.keyLower === PRESENT && clause.test === "bool" && allValues(clause, "false")) {
      notes.push(`"${clause.operator}": {"${clause.key}": "false"} in an Allow admits callers without MFA; it does not require it`);
    } else if (clause.keyLower === PRESENT && clause.test === "null" && allValues(clause, "false")) {
      refusesMissingKey = true;
    } else if (clause.keyLower === AGE && isNumericBelow(clause) && isPositiveClause(clause)) {
      // The age key exists only when MFA was used, so a positive test on it needs MFA.
      refusesMissingKey = true;
      refusesNoMfa = true;
    } else if (clause.keyLower === AGE && isNumericBelow(clause)) {
      notes.push(`${clause.operator} on ${clause.key} admits callers who never used MFA (the key is missing for them)`);
    }
  }
  for (const deny of denialsOn(policy, allow, ["sts:AssumeRole"], isMfaKey)) {
    // A Deny refuses only when all its tests hold; with two tests it reads as "both", so only
    // single-test Denies are counted.
    const [clause] = deny.conditions;
    if (deny.conditions.length !== 1 || clause === undefined) continue;
    if (clause.keyLower === PRESENT && clause.test === "bool" && allValues(clause, "false")) {
      refusesNoMfa = true;
      if (clause.ifExists) refusesMissingKey = true;
      else
        notes.push(
          `the Deny in Statement[${deny.index}] uses Bool, which does not match requests that carry no MFA key at all (long-term access keys): use BoolIfExists`,
        );
    } else if (clause.keyLower === PRESENT && clause.test === "null" && allValues(clause, "true")) {
      refusesMissingKey = true;
    } else if (clause.keyLower === AGE && isNumericAbove(clause) && clause.ifExists) {
      refusesMissingKey = true;
      refusesNoMfa = true;
    }
  }
  return { required: refusesMissingKey && refusesNoMfa, notes };
}

/** The statement says its callers are machines: an external ID, or only roles may call. */
function isForMachines(statement: TrustStatement): boolean {
  return statement.conditions.some((clause) => {
    if (clause.keyLower === "sts:externalid") return isPositiveClause(clause);
    if (clause.keyLower === "aws:principalarn") return isPositiveClause(clause) && clause.values.every(namesRole);
    if (clause.keyLower === "aws:principaltype") return isPositiveClause(clause) && clause.values.every((value) => value.toLowerCase() === "assumedrole");
    return false;
  });
}

function isVendor(account: string, context: LintContext): boolean {
  return context.knownAccounts?.byId.get(account)?.thirdParty === true;
}

export const accountWithoutMfaRule: TrustRule = {
  id: "RC-TRUST-002",
  name: "account-without-mfa",
  severity: "warning",
  summary: "A whole account (arn:aws:iam::ACCOUNT:root or the bare id) may assume a role for people, and no condition requires MFA",
  risk: "Trusting an account's root delegates the decision to that account's IAM policies: every user or role there with sts:AssumeRole on this role gets in, and a leaked access key is enough, with no second factor.",
  fix: 'Require MFA: "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}} (or NumericLessThan on aws:MultiFactorAuthAge). If only roles or automation assume it, name those roles in Principal (or in aws:PrincipalArn) instead of the account.',
  check(policy, context) {
    const hits: RuleHit[] = [];
    for (const statement of policy.statements) {
      if (statement.effect !== "Allow" || !coversAction(statement, "sts:AssumeRole") || isForMachines(statement)) continue;
      const accounts = statement.principals
        .map(accountOfAwsPrincipal)
        .filter((account) => account !== undefined && account.wholeAccount && !isVendor(account.account, context))
        .map((account) => account?.account ?? "");
      if (accounts.length === 0) continue;
      const verdict = mfaVerdict(policy, statement);
      if (verdict.required) continue;
      const who = accounts.length === 1 ? `the whole account ${accounts[0]}` : `the whole accounts ${accounts.join(", ")}`;
      const notes = verdict.notes.length === 0 ? "" : ` (${verdict.notes.join("; ")})`;
      hits.push({
        statementIndex: statement.index,
        reason: `${who} may assume this role and no condition requires MFA${notes}: any user or role there allowed sts:AssumeRole gets in with a password or access key alone`,
      });
    }
    return hits;
  },
};
