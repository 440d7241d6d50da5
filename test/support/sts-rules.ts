/**
 * The rules STS applies once a request's members are valid: trust policies (principals, MFA,
 * ExternalId, session name, principal tags, source ARN), session lengths (the role's
 * MaxSessionDuration and the role-chaining hour), session tags and source identity along a role
 * chain, session policies and the packed size, and the SAML assertion check.
 *
 * Where AWS does not document a rule or a message, the choice made here is marked "(local)".
 */
import { deflateRawSync } from "node:zlib";

import { checkSamlForSts, SamlRejection, type SamlForSts } from "./saml-sts-check.js";
import { ROLE_CHAINING_MAX_SECONDS, ROLE_MAX_SESSION_DURATION } from "./sts-limits.js";
import { MESSAGES, StsError } from "./sts-protocol.js";
import { rootArn, type IssuedSession } from "./sts-sessions.js";
import type { LocalStsRole, LocalStsSamlProvider, SessionTag, TrustStatement } from "./sts-types.js";

// =============================================================================================
// Trust

export interface TrustContext {
  principals: string[];
  mfaPresent: boolean;
  externalId?: string;
  sessionName: string;
  username?: string;
  /** aws:PrincipalTag/*: the caller's session tags, or the tags a service derived. */
  principalTags?: SessionTag[];
  sourceArn?: string;
}

export function trustAllows(statement: TrustStatement, context: TrustContext): boolean {
  const trusted = statement.principals.map(normalisePrincipal);
  if (!context.principals.some((principal) => trusted.includes(principal))) return false;
  if (statement.requireMfa && !context.mfaPresent) return false;
  if (statement.externalId !== undefined && statement.externalId !== context.externalId) return false;
  if (statement.sessionNameMustEqualUsername && context.sessionName !== context.username) return false;
  for (const [key, value] of Object.entries(statement.principalTagEquals ?? {})) {
    const tag = context.principalTags?.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (tag?.value !== value) return false;
  }
  if (statement.sourceArns !== undefined && (context.sourceArn === undefined || !statement.sourceArns.includes(context.sourceArn))) return false;
  return true;
}

/** Trust principals may name an account by its bare 12-digit id. */
export function normalisePrincipal(principal: string): string {
  return /^\d{12}$/.test(principal) ? rootArn("aws", principal) : principal;
}

// =============================================================================================
// Session length

/** DurationSeconds above the role's MaxSessionDuration (one hour when unset) fails. */
export function checkRoleDuration(role: LocalStsRole, requested: number): void {
  if (requested > (role.maxSessionDuration ?? ROLE_MAX_SESSION_DURATION.default)) {
    throw new StsError("ValidationError", MESSAGES.exceedsMaxSessionDuration);
  }
}

/**
 * A caller signing with temporary credentials is role chaining, capped at one hour. AWS counts any
 * temporary credentials as the first link of a chain, including a GetSessionToken session (facts
 * §0 item 8).
 */
export function checkChainingDuration(caller: { session?: IssuedSession }, requested: number): void {
  if (caller.session !== undefined && requested > ROLE_CHAINING_MAX_SECONDS) {
    throw new StsError("ValidationError", MESSAGES.exceedsChainingLimit);
  }
}

// =============================================================================================
// Session tags and source identity

/** The keys of `keys` as spelled in `tags`; a key naming no tag is refused with `refuse(key)`. */
export function transitiveKeysAmong(keys: readonly string[], tags: readonly SessionTag[], refuse: (key: string) => StsError): string[] {
  return keys.map((key) => {
    const tag = tags.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (tag === undefined) throw refuse(key);
    return tag.key;
  });
}

/**
 * The tags of a new session: the caller's transitive tags, which role chaining passes on
 * unchanged, plus the tags of this request.
 */
export function mergeSessionTags(
  tags: readonly SessionTag[],
  transitiveTagKeys: readonly string[],
  parent: IssuedSession | undefined,
): { tags: SessionTag[]; transitiveTagKeys: string[] } {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.key.toLowerCase())) throw new StsError("ValidationError", MESSAGES.duplicateTagKeys);
    seen.add(tag.key.toLowerCase());
  }
  const ownTransitive = transitiveKeysAmong(transitiveTagKeys, tags, (key) => {
    return new StsError("InvalidParameterValue", `TransitiveTagKeys names '${key}', which is not the key of a session tag in this request.`);
  });
  const inherited = inheritedTransitiveTags(parent);
  for (const tag of inherited) {
    if (seen.has(tag.key.toLowerCase())) {
      throw new StsError(
        "InvalidParameterValue",
        `Session tag '${tag.key}' is a transitive tag of the calling session and cannot be set again in a role chain.`,
      );
    }
  }
  return {
    tags: [...inherited, ...tags],
    transitiveTagKeys: [...new Set([...inherited.map((tag) => tag.key), ...ownTransitive])],
  };
}

/** A source identity, once set, stays with every session chained from it. */
export function sourceIdentityFor(requested: string | undefined, parent: IssuedSession | undefined): string | undefined {
  const inherited = parent?.sourceIdentity;
  if (inherited !== undefined && requested !== undefined && requested !== inherited) {
    throw new StsError(
      "AccessDenied",
      `The source identity of a session cannot be changed: the calling session has source identity '${inherited}', the request asks for '${requested}'.`,
    );
  }
  return inherited ?? requested;
}

export function inheritedTransitiveTags(session: IssuedSession | undefined): SessionTag[] {
  if (session === undefined) return [];
  const transitive = new Set(session.transitiveTagKeys.map((key) => key.toLowerCase()));
  return session.tags.filter((tag) => transitive.has(tag.key.toLowerCase()));
}

// =============================================================================================
// Session policies

const POLICY_VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const POLICY_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;

function malformed(message: string): StsError {
  return new StsError("MalformedPolicyDocument", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The grammar checks IAM applies to an identity-based policy; messages are IAM's own. */
export function checkSessionPolicy(text: string): void {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (!isObject(document)) throw malformed("Syntax errors in policy.");
  // IAM would default a missing Version to 2008-10-17; sessions made here must name one (local).
  if (typeof document["Version"] !== "string" || !POLICY_VERSIONS.has(document["Version"])) {
    throw malformed("The policy must contain a valid version string");
  }
  const statements = document["Statement"];
  if (statements === undefined) throw malformed("Missing required field Statement");
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    checkPolicyStatement(statement);
  }
}

function checkPolicyStatement(statement: unknown): void {
  if (!isObject(statement)) throw malformed("Syntax errors in policy.");
  if ("Principal" in statement || "NotPrincipal" in statement) {
    throw malformed("Policy document should not specify a principal.");
  }
  const effect = statement["Effect"];
  if (effect === undefined) throw malformed("Missing required field Effect");
  if (effect !== "Allow" && effect !== "Deny") throw malformed(`Invalid effect: ${String(effect)}`);
  if (!("Action" in statement) && !("NotAction" in statement)) throw malformed("Policy statement must contain actions.");
  if (!("Resource" in statement) && !("NotResource" in statement)) {
    throw malformed("Policy statement must contain resources.");
  }
}

/** Managed session policies must be AWS managed or live in the role's own account. */
export function checkPolicyArns(arns: readonly string[], roleAccount: string): void {
  for (const arn of arns) {
    const match = POLICY_ARN.exec(arn);
    if (!match) throw malformed(`Invalid policy ARN: ${arn}`); // (local) wording
    if (match[1] !== "aws" && match[1] !== roleAccount) {
      throw malformed(`Policy ${arn} does not exist or is not attachable.`);
    }
  }
}

/**
 * Packed size. STS packs the session policy, the policy ARNs and the session tags into one
 * compressed binary and reports it as a percentage of a fixed allowance; AWS publishes neither
 * the format nor the allowance. Model (local): raw DEFLATE (level 9) of the texts this request
 * passes, one per line (tags as "key=value"; transitive keys are not counted, as AWS documents;
 * tags inherited through a role chain are not counted either), measured
 * against PACKED_POLICY_BUDGET_BYTES and rounded up. The budget is calibrated (see the test
 * "packed size model") so that, as on AWS, a small policy uses a few percent, a full
 * 2,048-character policy of realistic JSON plus a few tags fits, and 50 tags with 128-character
 * keys and 256-character random values do not.
 */
const PACKED_POLICY_BUDGET_BYTES = 2_048;

export function packedPolicyPercent(policy: string | undefined, policyArns: readonly string[], tags: readonly SessionTag[]): number {
  const lines = [...(policy === undefined ? [] : [policy]), ...policyArns, ...tags.map((tag) => `${tag.key}=${tag.value}`)];
  const packed = deflateRawSync(Buffer.from(lines.join("\n"), "utf8"), { level: 9 });
  return Math.ceil((packed.length * 100) / PACKED_POLICY_BUDGET_BYTES);
}

export function packedSizeFor(policy: string | undefined, policyArns: readonly string[], tags: readonly SessionTag[]): number | undefined {
  if (policy === undefined && policyArns.length === 0 && tags.length === 0) return undefined;
  const percent = packedPolicyPercent(policy, policyArns, tags);
  if (percent > 100) {
    throw new StsError("PackedPolicyTooLarge", `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`);
  }
  return percent;
}

// =============================================================================================
// SAML

export function checkedSaml(assertion: string, provider: LocalStsSamlProvider, now: Date): SamlForSts {
  try {
    return checkSamlForSts(assertion, provider.certificatePem, now);
  } catch (error) {
    if (error instanceof SamlRejection) throw new StsError(error.code, error.message);
    throw error;
  }
}
