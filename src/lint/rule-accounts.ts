/**
 * RC-TRUST-012 and RC-TRUST-013: other accounts, checked against `--known-accounts`.
 *
 * Without a known-accounts file both rules stay silent: rolecred cannot tell your own accounts
 * from strangers', and a linter that flags every account id gets ignored.
 */
import { isRequired } from "./conditions.js";
import type { TrustStatement } from "./policy.js";
import type { KnownAccount } from "./known-accounts.js";
import type { LintContext, RuleHit, TrustRule } from "./rule.js";
import { accountOfAwsPrincipal, isAccountId } from "./principals.js";

/** The literal 12-digit accounts an Allow statement names, without the role's own. */
function externalAccounts(statement: TrustStatement, context: LintContext): string[] {
  const accounts = statement.principals
    .map(accountOfAwsPrincipal)
    .map((account) => account?.account ?? "")
    .filter((account) => isAccountId(account) && account !== context.ownAccount);
  return [...new Set(accounts)];
}

export const unknownAccountRule: TrustRule = {
  id: "RC-TRUST-012",
  name: "unknown-account",
  severity: "warning",
  summary: "A principal in an account that is not in --known-accounts",
  risk: "A role open to an account nobody can vouch for: a typo in the account id, a vendor relationship that ended, or an account that changed hands. Whoever controls that account decides who gets in.",
  fix: "Check the account id; if it is right, add it to your known-accounts file (your accounts by name, vendors from a known-vendor list); if not, remove it.",
  check(policy, context) {
    const known = context.knownAccounts;
    if (known === undefined) return [];
    const hits: RuleHit[] = [];
    for (const statement of policy.statements) {
      if (statement.effect !== "Allow") continue;
      const unknown = externalAccounts(statement, context).filter((account) => !known.byId.has(account));
      if (unknown.length === 0) continue;
      hits.push({
        statementIndex: statement.index,
        reason: `account${unknown.length === 1 ? "" : "s"} ${unknown.join(", ")} ${unknown.length === 1 ? "is" : "are"} trusted but not in the known-accounts list: nobody has vouched for ${unknown.length === 1 ? "it" : "them"}`,
      });
    }
    return hits;
  },
};

export const vendorWithoutExternalIdRule: TrustRule = {
  id: "RC-TRUST-013",
  name: "vendor-without-external-id",
  severity: "warning",
  summary: "A known third-party account is trusted without an sts:ExternalId condition",
  risk: "The confused deputy: the vendor assumes roles for all its customers, and any other customer can type your role's ARN into the vendor's console and have the vendor assume it for them. The external ID, unique to you and set by the vendor, is what tells the vendor's requests apart.",
  fix: 'Add the external ID the vendor gave you: "Condition": {"StringEquals": {"sts:ExternalId": "VALUE-FROM-THE-VENDOR"}}.',
  check(policy, context) {
    const known = context.knownAccounts;
    if (known === undefined) return [];
    const hits: RuleHit[] = [];
    for (const statement of policy.statements) {
      if (statement.effect !== "Allow") continue;
      const vendors = externalAccounts(statement, context)
        .map((account) => known.byId.get(account))
        .filter((account): account is KnownAccount => account !== undefined && account.thirdParty && !account.awsService);
      if (vendors.length === 0 || isRequired(policy, statement, { matchesKey: (key) => key === "sts:externalid" })) continue;
      hits.push({
        statementIndex: statement.index,
        reason: `third-party account${vendors.length === 1 ? "" : "s"} ${vendors.map((vendor) => `${vendor.id} (${vendor.name})`).join(", ")} may assume this role with no sts:ExternalId condition: another customer of the vendor can have it assume your role`,
      });
    }
    return hits;
  },
};
