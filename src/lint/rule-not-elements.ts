/** RC-TRUST-014 and RC-TRUST-015: NotPrincipal and NotAction, which grant by exclusion. */
import type { TrustRule } from "./rule.js";
import { describePrincipal } from "./principals.js";

export const notPrincipalAllowRule: TrustRule = {
  id: "RC-TRUST-014",
  name: "not-principal-allow",
  severity: "error",
  summary: "NotPrincipal with Effect Allow",
  risk: "Allow with NotPrincipal trusts every principal except the ones listed: every identity in every AWS account, and anonymous callers.",
  fix: "Use Principal with the identities that should be trusted.",
  check(policy) {
    return policy.statements
      .filter((statement) => statement.effect === "Allow" && statement.notPrincipals !== undefined)
      .map((statement) => ({
        statementIndex: statement.index,
        reason: `Allow with NotPrincipal trusts everyone except ${(statement.notPrincipals ?? []).map(describePrincipal).join(", ") || "nobody"}`,
      }));
  },
};

export const notActionRule: TrustRule = {
  id: "RC-TRUST-015",
  name: "not-action",
  severity: "error",
  summary: "NotAction with Effect Allow in a trust policy",
  risk: "Allow with NotAction grants every STS action not listed, including ways in nobody meant to open (sts:AssumeRoleWithWebIdentity, sts:AssumeRoleWithSAML, sts:TagSession, sts:SetSourceIdentity), now and as AWS adds more.",
  fix: 'List the actions in Action: "Action": "sts:AssumeRole" (plus sts:TagSession or sts:SetSourceIdentity only if needed).',
  check(policy) {
    return policy.statements
      .filter((statement) => statement.effect === "Allow" && statement.notActions !== undefined)
      .map((statement) => ({
        statementIndex: statement.index,
        reason: `Allow with NotAction grants every action except ${(statement.notActions ?? []).join(", ") || "none"}`,
      }));
  },
};
