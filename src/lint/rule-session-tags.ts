/**
 * RC-TRUST-010 and RC-TRUST-011: tag-based trust that the caller can satisfy by setting the tag.
 *
 * Session tags become the new session's principal tags, and transitive ones follow it through
 * role chaining. A trust that compares aws:PrincipalTag while the same callers may pass session
 * tags (sts:TagSession) lets them choose the value being compared.
 */
import { clausesOn, coversAction, denialsCovering, principalTagsComparedBy } from "./conditions.js";
import type { TrustPolicy, TrustStatement } from "./policy.js";
import type { LintContext, RuleHit, TrustRule } from "./rule.js";
import { accountOfAwsPrincipal, awsPrincipalsOf } from "./principals.js";
import { globMatches } from "../iam/glob.js";

/** Tag keys `statement` compares through aws:PrincipalTag. */
function comparedTags(statement: TrustStatement): string[] {
  return [...new Set(statement.conditions.flatMap(principalTagsComparedBy))];
}

/**
 * Can callers of `tagger` pass a session tag with this key? Not when the statement limits tag
 * keys (ForAllValues:StringEquals/Like on aws:TagKeys) to others, nor when a Deny on
 * sts:TagSession refuses it outright or for that key.
 */
function canPassTag(policy: TrustPolicy, tagger: TrustStatement, tag: string): boolean {
  let known = passableTags.get(tagger);
  if (known === undefined) {
    known = new Map();
    passableTags.set(tagger, known);
  }
  let passable = known.get(tag);
  if (passable === undefined) {
    passable = tagIsPassable(policy, tagger, tag);
    known.set(tag, passable);
  }
  return passable;
}

/** {@link canPassTag}'s answers: many statements compare the same tags against the same taggers. */
const passableTags = new WeakMap<TrustStatement, Map<string, boolean>>();

function tagIsPassable(policy: TrustPolicy, tagger: TrustStatement, tag: string): boolean {
  const limits = clausesOn(tagger, (key) => key === "aws:tagkeys").filter(
    (clause) =>
      clause.qualifier === "forallvalues" && (clause.test === "stringequals" || clause.test === "stringlike" || clause.test === "stringequalsignorecase"),
  );
  // Tag keys compare without case here: IAM keeps at most one of `Team` and `team` on a session,
  // so reading a limit loosely can only make the rule more careful.
  if (limits.some((clause) => !clause.values.some((pattern) => globMatches(pattern, tag, { ignoreCase: true })))) return false;
  return !denialsCovering(policy, tagger, ["sts:TagSession"]).some((deny) => {
    if (deny.conditions.length === 0) return true;
    return deny.conditions.every(
      (clause) =>
        clause.keyLower === "aws:tagkeys" &&
        clause.qualifier === "foranyvalue" &&
        (clause.test === "stringequals" || clause.test === "stringlike") &&
        clause.values.some((pattern) => globMatches(pattern, tag, { ignoreCase: true })),
    );
  });
}

/** Statements that let AWS principals (not services, not identity providers) pass session tags. */
function taggingStatements(policy: TrustPolicy): TrustStatement[] {
  return policy.statements.filter(
    (statement) => statement.effect === "Allow" && awsPrincipalsOf(statement).length > 0 && coversAction(statement, "sts:TagSession"),
  );
}

/**
 * The tagging statements that share an AWS principal with a statement, found through an index
 * built once per policy (comparing every statement with every tagger made lint quadratic).
 */
function taggersSharingPrincipalWith(policy: TrustPolicy): (statement: TrustStatement) => TrustStatement[] {
  const taggers = taggingStatements(policy);
  const byValue = new Map<string, TrustStatement[]>();
  const forAnyone: TrustStatement[] = [];
  for (const tagger of taggers) {
    const values = new Set(awsPrincipalsOf(tagger).map((principal) => principal.value));
    if (values.has("*")) forAnyone.push(tagger);
    else {
      for (const value of values) {
        const list = byValue.get(value);
        if (list === undefined) byValue.set(value, [tagger]);
        else list.push(tagger);
      }
    }
  }
  // Statements naming the same principals share one answer.
  const answers = new Map<string, TrustStatement[]>();
  return (statement) => {
    const values = [...new Set(awsPrincipalsOf(statement).map((principal) => principal.value))].sort();
    if (values.includes("*")) return taggers;
    const key = JSON.stringify(values);
    let shared = answers.get(key);
    if (shared === undefined) {
      const found = new Set(forAnyone);
      for (const value of values) for (const tagger of byValue.get(value) ?? []) found.add(tagger);
      shared = [...found].sort((a, b) => a.index - b.index);
      answers.set(key, shared);
    }
    return shared;
  };
}

/** At most this many tagging statements are named in one finding; the rest are counted. */
const TAGGERS_NAMED = 5;

function describeTaggers(taggers: readonly TrustStatement[], statement: TrustStatement): string {
  const named = taggers.slice(0, TAGGERS_NAMED).map((tagger) => (tagger.index === statement.index ? "this statement" : `Statement[${tagger.index}]`));
  const more = taggers.length - named.length;
  return more > 0 ? `${named.join(", ")} and ${more} more` : named.join(", ");
}

export const tagSessionWithPrincipalTagRule: TrustRule = {
  id: "RC-TRUST-010",
  name: "tag-session-with-principal-tag",
  severity: "warning",
  summary: "sts:TagSession is allowed while the trust compares aws:PrincipalTag/...",
  risk: "A caller allowed sts:TagSession can pass a session tag with the very key being compared, and session tags (transitive ones through every chained session) override the principal's own tags: the caller picks the value the condition checks, here and in every policy downstream that trusts the tag.",
  fix: 'Stop allowing sts:TagSession to these callers, or restrict the keys they may pass so the compared tag is not among them: "ForAllValues:StringEquals": {"aws:TagKeys": ["Project"]}; for values that must follow the person, use sts:SourceIdentity.',
  check(policy) {
    const hits: RuleHit[] = [];
    const taggersOf = taggersSharingPrincipalWith(policy);
    for (const statement of policy.statements) {
      if (statement.effect !== "Allow" || awsPrincipalsOf(statement).length === 0) continue;
      const compared = comparedTags(statement);
      if (compared.length === 0) continue;
      const relevant = taggersOf(statement);
      const exposed = compared.filter((tag) => relevant.some((tagger) => canPassTag(policy, tagger, tag)));
      if (exposed.length === 0) continue;
      const where = describeTaggers(relevant, statement);
      hits.push({
        statementIndex: statement.index,
        reason: `access depends on ${exposed.map((tag) => `aws:PrincipalTag/${tag}`).join(", ")} while ${where} also lets the same callers pass session tags (sts:TagSession): a caller can set the tag it is compared on`,
      });
    }
    return hits;
  },
};

/** Does the statement trust the role's own account (its root, or the role itself)? */
function trustsOwnAccount(statement: TrustStatement, context: LintContext): boolean {
  return awsPrincipalsOf(statement).some((principal) => {
    if (context.roleArn !== undefined && principal.value === context.roleArn) return true;
    const account = accountOfAwsPrincipal(principal);
    return account !== undefined && account.wholeAccount && context.ownAccount !== undefined && account.account === context.ownAccount;
  });
}

/** Conditions that compare tags: the principal's (by key or by ${...}) or the role's own. */
function tagConditions(statement: TrustStatement): string[] {
  return statement.conditions
    .filter((clause) => principalTagsComparedBy(clause).length > 0 || clause.keyLower.startsWith("aws:resourcetag/"))
    .map((clause) => clause.key);
}

export const selfAssumptionWithTagsRule: TrustRule = {
  id: "RC-TRUST-011",
  name: "self-assumption-with-tags",
  severity: "warning",
  summary: "A role trusts its own account (or itself) and decides by tags",
  risk: "Inside one account, tags are only as strong as the permission to set them: a principal there allowed iam:TagUser/iam:TagRole on itself, or any session that may pass session tags (including this role re-assuming itself), can give itself the tag the condition wants.",
  fix: "Name the roles or users that may assume it instead of the account, or back the tag with a permission boundary / SCP that denies iam:Tag* and sts:TagSession on that tag key; for people, compare sts:SourceIdentity.",
  check(policy, context) {
    return policy.statements
      .filter((statement) => statement.effect === "Allow" && trustsOwnAccount(statement, context))
      .flatMap((statement) => {
        const keys = [...new Set(tagConditions(statement))];
        if (keys.length === 0) return [];
        return [
          {
            statementIndex: statement.index,
            reason: `the role trusts its own account${context.ownAccount === undefined ? "" : ` ${context.ownAccount}`} and decides by tags (${keys.join(", ")}): principals in the account that can tag themselves, or pass session tags, satisfy the condition`,
          },
        ];
      });
  },
};
