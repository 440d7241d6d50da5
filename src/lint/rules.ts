/** Every rule, in id order. Adding a rule: write its module, add its id to rule-ids.ts, list it here. */
import { accountWithoutMfaRule } from "./rule-account-mfa.js";
import { unknownAccountRule, vendorWithoutExternalIdRule } from "./rule-accounts.js";
import { notActionRule, notPrincipalAllowRule } from "./rule-not-elements.js";
import { oidcWithoutAudienceRule, oidcWithoutSubjectRule } from "./rule-oidc.js";
import { rolesAnywhereMixedPrincipalsRule, rolesAnywhereSeveralSubjectsRule, rolesAnywhereWithoutSubjectRule } from "./rule-roles-anywhere.js";
import { samlWithoutAudienceRule } from "./rule-saml-audience.js";
import { sessionNameWithoutSourceIdentityRule } from "./rule-session-name.js";
import { selfAssumptionWithTagsRule, tagSessionWithPrincipalTagRule } from "./rule-session-tags.js";
import { wildcardPrincipalRule } from "./rule-wildcard-principal.js";
import type { TrustRule } from "./rule.js";

export const ALL_RULES: readonly TrustRule[] = [
  wildcardPrincipalRule,
  accountWithoutMfaRule,
  samlWithoutAudienceRule,
  oidcWithoutSubjectRule,
  oidcWithoutAudienceRule,
  rolesAnywhereWithoutSubjectRule,
  rolesAnywhereSeveralSubjectsRule,
  rolesAnywhereMixedPrincipalsRule,
  sessionNameWithoutSourceIdentityRule,
  tagSessionWithPrincipalTagRule,
  selfAssumptionWithTagsRule,
  unknownAccountRule,
  vendorWithoutExternalIdRule,
  notPrincipalAllowRule,
  notActionRule,
];
