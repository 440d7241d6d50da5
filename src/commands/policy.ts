/** `rolecred policy show|check`: the composed session policy, printed or evaluated. Offline. */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { describePolicySize, prepareSessionPolicy, type ComposedSessionPolicy } from "../policy/compose.js";
import { evaluatePolicies } from "../policy/evaluate.js";
import { toPolicyDocument } from "../policy/policy-document.js";

import type { SessionRequestOptions } from "../session/options.js";

export type PolicySources = Pick<SessionRequestOptions, "policy" | "policyArns" | "scopes">;

export interface PolicyShowOptions {
  readonly sources: PolicySources;
  readonly json: boolean;
}

export interface PolicyCheckOptions {
  readonly sources: PolicySources;
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  /** Print the decision as one JSON object (docs/session-policies.md) instead of a sentence. */
  readonly json: boolean;
}

function compose(sources: PolicySources, deps: Deps): Promise<ComposedSessionPolicy> {
  return prepareSessionPolicy(sources, deps.stdin);
}

export async function runPolicyShow(options: PolicyShowOptions, deps: Deps): Promise<Outcome> {
  const composed = await compose(options.sources, deps);
  for (const warning of composed.warnings) deps.log.warn(warning);
  if (options.json) {
    deps.stdout.write(`${JSON.stringify({ Policy: composed.policy ?? null, PolicyArns: composed.policyArns }, null, 2)}\n`);
    return SUCCESS;
  }
  if (composed.document !== undefined) deps.stdout.write(`${JSON.stringify(composed.document, null, 2)}\n`);
  if (composed.policy !== undefined) deps.log.info(`inline session policy: ${describePolicySize(composed.policy)} minified`);
  if (composed.policyArns.length > 0) deps.log.info(`managed session policies: ${composed.policyArns.join(", ")}`);
  return SUCCESS;
}

export async function runPolicyCheck(options: PolicyCheckOptions, deps: Deps): Promise<Outcome> {
  const composed = await compose(options.sources, deps);
  const request = { action: options.action, resource: options.resource, context: { ...options.context } };
  // One answer, as a sentence or as {"decision", "action", "resource", "reason"}.
  const answer = (decision: "allowed" | "denied" | "undecided", reason: string): Outcome => {
    deps.stdout.write(
      options.json ? `${JSON.stringify({ decision, action: options.action, resource: options.resource, reason })}\n` : `${decision}: ${reason}\n`,
    );
    return { exitCode: decision === "allowed" ? 0 : 1 };
  };
  if (composed.document === undefined) {
    return answer("undecided", `only managed policies (${composed.policyArns.join(", ")}) narrow this session, and rolecred cannot read them offline`);
  }
  const decision = evaluatePolicies([toPolicyDocument(composed.document)], request);
  if (!decision.allowed && decision.kind === "implicit-deny" && composed.policyArns.length > 0) {
    return answer(
      "undecided",
      `the inline policy does not allow ${options.action} on ${options.resource}, but the managed policies (${composed.policyArns.join(", ")}) may; rolecred cannot read them offline`,
    );
  }
  // "allowed by statement 1 (Sid) of ..." → "allowed: decided by statement 1 (Sid) of ...".
  return answer(decision.allowed ? "allowed" : "denied", decision.explanation.replace(/^(allowed|denied) by /, "decided by "));
}
