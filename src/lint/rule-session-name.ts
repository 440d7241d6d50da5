/** RC-TRUST-009: sts:RoleSessionName used to pin who the caller is, without sts:SourceIdentity. */
import { clausesOn, isPositiveClause, isRequired } from "./conditions.js";
import type { TrustRule } from "./rule.js";
import { isSamlProviderPrincipal } from "./principals.js";

export const sessionNameWithoutSourceIdentityRule: TrustRule = {
  id: "RC-TRUST-009",
  name: "session-name-without-source-identity",
  severity: "warning",
  summary: "A sts:RoleSessionName condition pins identity without sts:SourceIdentity",
  risk: "The caller picks the session name on every AssumeRole call and nothing carries it forward: once a person holds any role session, they can assume onward (role chaining) under whatever name the next condition wants, and CloudTrail shows that name. A source identity, once set, persists through chained sessions and cannot be changed.",
  fix: 'Require a source identity: allow sts:SetSourceIdentity and add "StringEquals": {"sts:SourceIdentity": "${aws:username}"} (or the IdP attribute), then write your audit and access rules against aws:SourceIdentity.',
  check(policy) {
    return (
      policy.statements
        .filter((statement) => statement.effect === "Allow")
        // With SAML the identity provider, not the caller, sets the session name.
        .filter((statement) => !statement.principals.every(isSamlProviderPrincipal))
        .filter((statement) => clausesOn(statement, (key) => key === "sts:rolesessionname").some(isPositiveClause))
        .filter((statement) => !isRequired(policy, statement, { matchesKey: (key) => key === "sts:sourceidentity" }))
        .map((statement) => ({
          statementIndex: statement.index,
          reason:
            "a sts:RoleSessionName condition is used to tie sessions to a person, but the caller chooses the session name and can rename a chained session; nothing requires sts:SourceIdentity",
        }))
    );
  },
};
