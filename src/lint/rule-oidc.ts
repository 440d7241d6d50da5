/**
 * RC-TRUST-004 and RC-TRUST-005: an OIDC (web identity) provider is trusted without pinning whose
 * tokens may assume the role.
 *
 * Two kinds of provider need different pins. For app-scoped providers (Cognito identity pools,
 * Google, Login with Amazon, Facebook) the audience is your own app or pool, so an audience
 * condition is the pin. For everything else (GitHub Actions, GitLab, EKS clusters, Auth0, ...) the
 * audience is shared (`sts.amazonaws.com` for every GitHub repository in the world), so the
 * subject is the pin; the audience is a second check, since IAM already compares a token's
 * audience with the provider's client-ID list.
 */
import { coversAction, isRequired, type Requirement } from "./conditions.js";
import type { Principal, TrustPolicy, TrustStatement } from "./policy.js";
import type { RuleHit, TrustRule } from "./rule.js";
import { oidcProviderOf } from "./principals.js";
import { matchesEverything } from "../iam/glob.js";

/** Providers whose audience claim is the customer's own app or pool, and the keys that carry it. */
const APP_SCOPED_AUDIENCE_KEYS: Readonly<Record<string, readonly string[]>> = {
  "cognito-identity.amazonaws.com": ["aud"],
  "accounts.google.com": ["aud", "oaud"],
  "www.amazon.com": ["app_id"],
  "graph.facebook.com": ["app_id"],
};

const AUDIENCE_CLAIMS: readonly string[] = ["aud", "azp", "oaud"];
const SUBJECT_CLAIMS: readonly string[] = ["sub"];

/** Condition keys are `<provider>:<claim>`; a provider still written as a `${...}` placeholder matches any prefix. */
function claimKeyMatcher(provider: string, claims: readonly string[]): (key: string) => boolean {
  const prefix = provider.toLowerCase();
  const unresolved = prefix.includes("${");
  return (key) => {
    const colon = key.lastIndexOf(":");
    if (colon === -1) return false;
    return claims.includes(key.slice(colon + 1)) && (unresolved || key.slice(0, colon) === prefix);
  };
}

/**
 * A subject pattern that still admits strangers: `*`, or a GitHub / GitLab subject whose owner is
 * a wildcard (`repo:*`, `repo:*\/app:*`): anyone can create a repository with a matching name.
 */
function subjectNarrows(value: string): boolean {
  if (matchesEverything(value)) return false;
  const owner = /^(?:repo|project_path):([^/:]*)/i.exec(value);
  return owner === null || !/[*?]/.test(owner[1] ?? "");
}

/**
 * The statement's OIDC providers. A template's `{"Ref": "GithubOidc"}` reads as `${GithubOidc}`:
 * such a Federated placeholder counts as an OIDC provider of unknown name when the statement
 * grants sts:AssumeRoleWithWebIdentity and not the SAML action.
 */
function providerPrincipals(statement: TrustStatement): { principal: Principal; provider: string }[] {
  const webIdentity = coversAction(statement, "sts:AssumeRoleWithWebIdentity") && !coversAction(statement, "sts:AssumeRoleWithSAML");
  return statement.principals.flatMap((principal) => {
    const provider =
      oidcProviderOf(principal) ??
      (webIdentity && principal.kind.toLowerCase() === "federated" && principal.value.includes("${") ? principal.value : undefined);
    return provider === undefined ? [] : [{ principal, provider }];
  });
}

type Gap = "subject" | "audience";

/** What the statement fails to pin for one provider, the worst gap first. */
function gapFor(policy: TrustPolicy, statement: TrustStatement, provider: string): Gap | undefined {
  const appScopedClaims = APP_SCOPED_AUDIENCE_KEYS[provider.toLowerCase()];
  if (appScopedClaims !== undefined) {
    return isRequired(policy, statement, { matchesKey: claimKeyMatcher(provider, appScopedClaims) }) ? undefined : "subject";
  }
  const subject: Requirement = { matchesKey: claimKeyMatcher(provider, SUBJECT_CLAIMS), valueNarrows: subjectNarrows };
  if (!isRequired(policy, statement, subject)) return "subject";
  return isRequired(policy, statement, { matchesKey: claimKeyMatcher(provider, AUDIENCE_CLAIMS) }) ? undefined : "audience";
}

function hitsFor(policy: TrustPolicy, wanted: Gap): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const statement of policy.statements) {
    if (statement.effect !== "Allow") continue;
    for (const { provider } of providerPrincipals(statement)) {
      if (gapFor(policy, statement, provider) !== wanted) continue;
      const appScoped = APP_SCOPED_AUDIENCE_KEYS[provider.toLowerCase()];
      if (wanted === "subject" && appScoped !== undefined) {
        hits.push({
          statementIndex: statement.index,
          reason: `web identity provider ${provider} is trusted with no condition on ${appScoped.map((claim) => `${provider}:${claim}`).join(" or ")}: a token for anyone's app or pool at ${provider} can assume this role`,
          fix: `Pin your own app or pool: "StringEquals": {"${provider}:${appScoped[0] ?? "aud"}": "YOUR-APP-OR-POOL-ID"}.`,
        });
      } else if (wanted === "subject") {
        hits.push({
          statementIndex: statement.index,
          reason: `OIDC provider ${provider} is trusted with no condition that pins ${provider}:sub to your own subjects: every identity that provider issues tokens to (every repository, every cluster service account) can assume this role`,
          fix: `Pin the subject: "StringEquals": {"${provider}:sub": "..."} (e.g. repo:ORG/REPO:ref:refs/heads/main, system:serviceaccount:NAMESPACE:NAME), with the owner part never a wildcard.`,
        });
      } else {
        hits.push({
          statementIndex: statement.index,
          reason: `OIDC provider ${provider} is trusted with a subject condition but no ${provider}:aud condition: tokens minted for another audience (another service the same workload talks to) are accepted too, if the provider lists several client IDs`,
          fix: `Add "StringEquals": {"${provider}:aud": "sts.amazonaws.com"} (or your client ID).`,
        });
      }
    }
  }
  return hits;
}

export const oidcWithoutSubjectRule: TrustRule = {
  id: "RC-TRUST-004",
  name: "oidc-without-subject",
  severity: "error",
  summary: "An OIDC / web identity provider is trusted without pinning the subject (or, for app-scoped providers such as Cognito or Google, the audience)",
  risk: "AssumeRoleWithWebIdentity needs no AWS credentials, only a token. Without a subject pin, any token the provider signs works: every GitHub repository in the world, every service account in the cluster, every user of the identity provider.",
  fix: "Pin the subject claim (<provider>:sub) to your repository, branch or service account with StringEquals or a StringLike whose owner part has no wildcard; for Cognito, Google, Amazon and Facebook pin your own app or pool id (<provider>:aud / :app_id).",
  check(policy) {
    return hitsFor(policy, "subject");
  },
};

export const oidcWithoutAudienceRule: TrustRule = {
  id: "RC-TRUST-005",
  name: "oidc-without-audience",
  severity: "warning",
  summary: "An OIDC provider is trusted with a subject condition but no audience condition",
  risk: "The audience says which service a token was minted for. Without it, a token the same workload obtained for some other service can be replayed to STS, if the IAM provider lists more than one client ID.",
  fix: 'Add "StringEquals": {"<provider>:aud": "sts.amazonaws.com"} (or your own client ID).',
  check(policy) {
    return hitsFor(policy, "audience");
  },
};
