/** RC-TRUST-003: a SAML identity provider is trusted without a check on the assertion's audience. */
import { isRequired } from "./conditions.js";
import type { TrustRule } from "./rule.js";
import { isSamlProviderPrincipal } from "./principals.js";

export const samlWithoutAudienceRule: TrustRule = {
  id: "RC-TRUST-003",
  name: "saml-without-audience",
  severity: "warning",
  summary: "A SAML provider is trusted without a SAML:aud condition",
  risk: "SAML:aud is what ties an assertion to AWS sign-in. Without it, an assertion your identity provider issued for another service provider (any app that trusts the same IdP, and that app's operators) can be replayed to STS for this role.",
  fix: 'Add "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}} (or your regional sign-in endpoint).',
  check(policy) {
    return policy.statements
      .filter((statement) => statement.effect === "Allow" && statement.principals.some(isSamlProviderPrincipal))
      .filter((statement) => !isRequired(policy, statement, { matchesKey: (key) => key === "saml:aud" }))
      .map((statement) => ({
        statementIndex: statement.index,
        reason: `SAML provider ${statement.principals
          .filter(isSamlProviderPrincipal)
          .map((principal) => principal.value)
          .join(", ")} is trusted with no SAML:aud condition: an assertion meant for another service provider can be replayed to AWS`,
      }));
  },
};
