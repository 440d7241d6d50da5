/**
 * Whether a trust policy really requires something of the caller, read the way IAM evaluates it.
 *
 * A requirement holds when the Allow statement itself narrows the key (a positive operator such
 * as StringEquals, without IfExists and without ForAllValues, both of which let a request that
 * lacks the key through), or when a Deny statement that covers the same principals and actions
 * refuses everyone who does not meet it (StringNotEquals and friends are true when the key is
 * missing, so such a Deny catches requests without the key too).
 */
import type { ConditionClause, Principal, TrustPolicy, TrustStatement } from "./policy.js";
import { isAnyonePrincipal } from "./principals.js";
import { actionElementCovers } from "../iam/actions.js";
import { matchesEverything } from "../iam/glob.js";

const LIKE_TESTS: ReadonlySet<string> = new Set(["stringlike", "stringnotlike", "arnlike", "arnnotlike"]);

/** The operator admits requests without the key (IfExists) or is vacuously true for them (ForAllValues). */
export function admitsMissingKey(clause: ConditionClause): boolean {
  return clause.ifExists || clause.qualifier === "forallvalues";
}

export function isPositiveClause(clause: ConditionClause): boolean {
  return clause.polarity === "positive" && !admitsMissingKey(clause);
}

export function isNegatedClause(clause: ConditionClause): boolean {
  return clause.polarity === "negated" && clause.qualifier === undefined;
}

/** A value that matches every caller: `*` under a Like operator. */
function isOpenValue(clause: ConditionClause, value: string): boolean {
  return LIKE_TESTS.has(clause.test) && matchesEverything(value);
}

/** Does one value of a clause narrow the callers? A clause narrows when every value does (values are ORed). */
export type ValueCheck = (value: string, clause: ConditionClause) => boolean;

const ANY_VALUE: ValueCheck = () => true;

function positiveClauseNarrows(clause: ConditionClause, valueNarrows: ValueCheck = ANY_VALUE): boolean {
  return isPositiveClause(clause) && clause.values.length > 0 && clause.values.every((value) => !isOpenValue(clause, value) && valueNarrows(value, clause));
}

function negatedClauseNarrows(clause: ConditionClause, valueNarrows: ValueCheck = ANY_VALUE): boolean {
  return isNegatedClause(clause) && clause.values.length > 0 && clause.values.every((value) => !isOpenValue(clause, value) && valueNarrows(value, clause));
}

/** What a rule wants the caller pinned on, e.g. "the OIDC subject". */
export interface Requirement {
  readonly matchesKey: (keyLower: string) => boolean;
  readonly valueNarrows?: ValueCheck;
}

export function clausesOn(statement: TrustStatement, matchesKey: (keyLower: string) => boolean): ConditionClause[] {
  return statement.conditions.filter((clause) => matchesKey(clause.keyLower));
}

/** Actions a trust policy controls and the rules reason about. */
const ASSUME_ACTIONS: readonly string[] = ["sts:AssumeRole", "sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"];

/** Answers of {@link coversAction} per statement: rules ask the same few actions of every statement, many times. */
const actionCoverage = new WeakMap<TrustStatement, Map<string, boolean>>();

/** Does the statement's Action (or NotAction) cover `action`? */
export function coversAction(statement: TrustStatement, action: string): boolean {
  let known = actionCoverage.get(statement);
  if (known === undefined) {
    known = new Map();
    actionCoverage.set(statement, known);
  }
  let covered = known.get(action);
  if (covered === undefined) {
    covered = actionElementCovers(statement, action);
    known.set(action, covered);
  }
  return covered;
}

/** The sts:AssumeRole* actions a statement grants (or denies). */
export function assumeActionsOf(statement: TrustStatement): string[] {
  return ASSUME_ACTIONS.filter((action) => coversAction(statement, action));
}

/** A Deny statement that applies to every request the Allow statement admits for `actions`. */
function denyCovers(deny: TrustStatement, allow: TrustStatement, actions: readonly string[]): boolean {
  if (deny.effect !== "Deny" || deny.notPrincipals !== undefined) return false;
  const principalCovered =
    deny.principals.some(isAnyonePrincipal) ||
    allow.principals.every((principal) =>
      deny.principals.some((other) => other.kind.toLowerCase() === principal.kind.toLowerCase() && other.value === principal.value),
    );
  return principalCovered && actions.every((action) => coversAction(deny, action));
}

/**
 * The Deny statements of a policy, found once per policy rather than once per Allow (that made
 * lint quadratic: 80,000 statements took 25 s). Denies that say the same thing (same principals,
 * actions and conditions) are kept once, and they are indexed by principal, so an Allow only
 * looks at the Denies that can cover it: those for everyone, and those naming its principals.
 */
interface DenyIndex {
  /** Every distinct Deny, for an Allow without principals (which any Deny covers). */
  readonly all: readonly TrustStatement[];
  /** Distinct Denies whose Principal is everyone. */
  readonly forAnyone: readonly TrustStatement[];
  /** Distinct Denies naming a principal, by {@link principalKey}. */
  readonly byPrincipal: ReadonlyMap<string, readonly TrustStatement[]>;
}

const denyIndexes = new WeakMap<TrustPolicy, DenyIndex>();

function principalKey(principal: Principal): string {
  return `${principal.kind.toLowerCase()}\u0000${principal.value}`;
}

/** What a Deny says, without where it is: two Denies with the same signature refuse the same requests. */
function denySignature(deny: TrustStatement): string {
  const principals = deny.principals.map(principalKey).sort();
  const conditions = deny.conditions.map((clause) => [clause.operator, clause.keyLower, clause.values]);
  return JSON.stringify([principals, deny.actions, deny.notActions ?? null, conditions]);
}

function denyIndexOf(policy: TrustPolicy): DenyIndex {
  const cached = denyIndexes.get(policy);
  if (cached !== undefined) return cached;
  const seen = new Set<string>();
  const all: TrustStatement[] = [];
  const forAnyone: TrustStatement[] = [];
  const byPrincipal = new Map<string, TrustStatement[]>();
  for (const deny of policy.statements) {
    if (deny.effect !== "Deny" || deny.notPrincipals !== undefined) continue;
    const signature = denySignature(deny);
    if (seen.has(signature)) continue;
    seen.add(signature);
    all.push(deny);
    if (deny.principals.some(isAnyonePrincipal)) {
      forAnyone.push(deny);
      continue;
    }
    for (const key of new Set(deny.principals.map(principalKey))) {
      const list = byPrincipal.get(key);
      if (list === undefined) byPrincipal.set(key, [deny]);
      else list.push(deny);
    }
  }
  const index: DenyIndex = { all, forAnyone, byPrincipal };
  denyIndexes.set(policy, index);
  return index;
}

/**
 * The distinct Deny statements that cover `allow` for `actions` (see {@link denyCovers}), in
 * statement order.
 */
export function denialsCovering(policy: TrustPolicy, allow: TrustStatement, actions: readonly string[]): TrustStatement[] {
  const index = denyIndexOf(policy);
  const [first] = allow.principals;
  // A Deny naming principals covers the Allow only if it names every one of them, so the first
  // one's list holds all candidates.
  const candidates = first === undefined ? index.all : [...index.forAnyone, ...(index.byPrincipal.get(principalKey(first)) ?? [])];
  return candidates.filter((deny) => denyCovers(deny, allow, actions)).sort((a, b) => a.index - b.index);
}

/**
 * Deny statements that cover `allow` and whose every condition is on the requirement's keys: a
 * Deny that also tests something else only refuses when that other test holds too.
 */
export function denialsOn(policy: TrustPolicy, allow: TrustStatement, actions: readonly string[], matchesKey: (keyLower: string) => boolean): TrustStatement[] {
  return denialsCovering(policy, allow, actions).filter((deny) => deny.conditions.length > 0 && deny.conditions.every((clause) => matchesKey(clause.keyLower)));
}

/** Is the requirement enforced for the requests `allow` admits? */
export function isRequired(policy: TrustPolicy, allow: TrustStatement, requirement: Requirement): boolean {
  const valueNarrows = requirement.valueNarrows ?? ANY_VALUE;
  if (clausesOn(allow, requirement.matchesKey).some((clause) => positiveClauseNarrows(clause, valueNarrows))) return true;
  const actions = assumeActionsOf(allow);
  return denialsOn(policy, allow, actions, requirement.matchesKey).some((deny) => deny.conditions.some((clause) => negatedClauseNarrows(clause, valueNarrows)));
}

/** Tag keys a clause compares through aws:PrincipalTag, by key (`aws:PrincipalTag/team`) or by value (`${aws:PrincipalTag/team}`). */
export function principalTagsComparedBy(clause: ConditionClause): string[] {
  const tags: string[] = [];
  const keyPrefix = "aws:principaltag/";
  if (clause.keyLower.startsWith(keyPrefix)) tags.push(clause.key.slice(keyPrefix.length));
  for (const value of clause.values) {
    for (const match of value.matchAll(/\$\{aws:PrincipalTag\/([^}]+)\}/gi)) tags.push(match[1] ?? "");
  }
  return tags;
}
