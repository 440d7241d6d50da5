/** The shape every lint rule has, and what it is told about the role besides its trust policy. */
import type { KnownAccounts } from "./known-accounts.js";
import type { TrustPolicy } from "./policy.js";
import type { RuleId } from "./rule-ids.js";

export type Severity = "error" | "warning";

export interface LintContext {
  /** The account the role lives in, when the input says (a role ARN, `${AWS::AccountId}` in a template). */
  readonly ownAccount: string | undefined;
  /** The role's own ARN, when the input says. */
  readonly roleArn: string | undefined;
  /** Accounts the user vouches for (`--known-accounts`); undefined when none were given. */
  readonly knownAccounts: KnownAccounts | undefined;
}

/** One thing a rule found in one statement. */
export interface RuleHit {
  readonly statementIndex: number;
  /** Why this statement is a problem, naming the principals or keys involved. */
  readonly reason: string;
  /** A fix for this case, when it is more specific than the rule's own. */
  readonly fix?: string;
}

export interface TrustRule {
  readonly id: RuleId;
  /** kebab-case, for SARIF's rule name and the docs' anchors. */
  readonly name: string;
  readonly severity: Severity;
  /** One line: what the rule finds. */
  readonly summary: string;
  /** Why it matters: the attack the mistake allows. */
  readonly risk: string;
  /** How to fix it, in general. */
  readonly fix: string;
  check(policy: TrustPolicy, context: LintContext): RuleHit[];
}
