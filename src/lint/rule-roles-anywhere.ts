/**
 * RC-TRUST-006, 007, 008: IAM Roles Anywhere trusts, where the certificate is the caller's only
 * credential and the trust policy is the only place that says which certificate.
 */
import { assumeActionsOf, clausesOn, isPositiveClause, isRequired } from "./conditions.js";
import type { Principal, TrustPolicy, TrustStatement } from "./policy.js";
import type { RuleHit, TrustRule } from "./rule.js";
import { describePrincipal, isServicePrincipal, ROLES_ANYWHERE_SERVICE } from "./principals.js";

const isRolesAnywhere = (principal: Principal): boolean => isServicePrincipal(principal, ROLES_ANYWHERE_SERVICE);

/** Principal tags IAM Roles Anywhere maps from the end-entity certificate's subject and SANs. */
const isCertificateSubjectKey = (key: string): boolean => key.startsWith("aws:principaltag/x509subject/") || key.startsWith("aws:principaltag/x509san/");

const CN_KEY = "aws:principaltag/x509subject/cn";

function rolesAnywhereStatements(policy: TrustPolicy): TrustStatement[] {
  return policy.statements.filter((statement) => statement.effect === "Allow" && statement.principals.some(isRolesAnywhere));
}

export const rolesAnywhereWithoutSubjectRule: TrustRule = {
  id: "RC-TRUST-006",
  name: "roles-anywhere-without-subject",
  severity: "error",
  summary: "rolesanywhere.amazonaws.com is trusted without a condition on the certificate subject",
  risk: "Any certificate the trust anchor's CA ever issued (every server, laptop and test workload it signed) can then obtain this role's credentials. The trust anchor and the issuer say which CA, not which workload.",
  fix: 'Pin the workload: "StringEquals": {"aws:PrincipalTag/x509Subject/CN": "workload.example"} (or x509SAN/DNS, x509SAN/URI), and pin the trust anchor with "ArnEquals": {"aws:SourceArn": "arn:aws:rolesanywhere:REGION:ACCOUNT:trust-anchor/ID"}.',
  check(policy) {
    return rolesAnywhereStatements(policy)
      .filter((statement) => !isRequired(policy, statement, { matchesKey: isCertificateSubjectKey }))
      .map((statement) => ({
        statementIndex: statement.index,
        reason:
          "IAM Roles Anywhere is trusted with no condition on the certificate subject (aws:PrincipalTag/x509Subject/... or x509SAN/...): any certificate the trust anchor's CA ever issued can assume this role",
      }));
  },
};

export const rolesAnywhereSeveralSubjectsRule: TrustRule = {
  id: "RC-TRUST-007",
  name: "roles-anywhere-several-subjects",
  severity: "warning",
  summary: "A Roles Anywhere condition accepts several certificate common names",
  risk: "Several workloads share one role and so its permissions: the least-privileged of them gets what the most-privileged needs, and a compromise of any of them is a compromise of all.",
  fix: "Give each workload its own role with one CN, or make sure the workloads listed really need identical permissions.",
  check(policy) {
    const hits: RuleHit[] = [];
    for (const statement of rolesAnywhereStatements(policy)) {
      for (const clause of clausesOn(statement, (key) => key === CN_KEY)) {
        const names = [...new Set(clause.values)];
        if (!isPositiveClause(clause) || names.length < 2) continue;
        hits.push({
          statementIndex: statement.index,
          reason: `${clause.operator} on ${clause.key} accepts ${names.length} certificate common names (${names.join(", ")}): those workloads share this role's permissions`,
        });
      }
    }
    return hits;
  },
};

export const rolesAnywhereMixedPrincipalsRule: TrustRule = {
  id: "RC-TRUST-008",
  name: "roles-anywhere-mixed-principals",
  severity: "warning",
  summary: "A role trusted by IAM Roles Anywhere also trusts other principals",
  risk: "The certificate conditions only bind certificate sessions. Another principal in the same statement can satisfy aws:PrincipalTag/x509Subject/CN by passing that tag itself (sts:TagSession), and one in another statement skips the certificate altogether.",
  fix: "Keep the Roles Anywhere trust in a role of its own; give the other principals a separate role.",
  check(policy) {
    const hits: RuleHit[] = [];
    const others = policy.statements
      .filter((statement) => statement.effect === "Allow" && assumeActionsOf(statement).length > 0)
      .flatMap((statement) => statement.principals.filter((principal) => !isRolesAnywhere(principal)).map((principal) => ({ statement, principal })));
    if (others.length === 0) return hits;
    const [first] = rolesAnywhereStatements(policy);
    if (first === undefined) return hits;
    const described = others.map(
      ({ statement, principal }) =>
        `${principal.kind} ${describePrincipal(principal)}${statement.index === first.index ? "" : ` (Statement[${statement.index}])`}`,
    );
    hits.push({
      statementIndex: first.index,
      reason: `this role trusts IAM Roles Anywhere and also ${described.join(", ")}: the certificate conditions do not bind those callers`,
    });
    return hits;
  },
};
