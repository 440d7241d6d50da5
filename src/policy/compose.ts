/**
 * One session policy from everything that narrows a session: the user's inline policy, managed
 * policy ARNs and built-in scopes.
 *
 * How AWS evaluates it (IAM User Guide, "Session policies"): the session may do what both the
 * role's identity policies and the session policies allow; the inline policy and the managed
 * ARNs together are one set of session policies, so their Allows add up (a union) while any
 * explicit Deny in them wins. So two allow-type narrowings cannot simply be listed side by side
 * (that would widen); rolecred keeps one of them as the base and turns every other into Deny
 * statements for what lies outside it. The result allows only what every source allows:
 *
 *   base = the user's --policy/--policy-arn if any, else read-only (a managed ARN), else the
 *          first allow scope's statements, else (deny scopes only) Allow * on *;
 *   then the Deny-outside statements of every other allow scope, then every deny scope.
 */
import type { Deps } from "../deps.js";
import { readStdinText } from "../stdin.js";
import { READ_LIMITS } from "../store/bounded-read.js";
import { inputError, usageError } from "../errors.js";
import { MAX_POLICY_CHARACTERS } from "../sts/limits.js";
import type { Scope, Statement } from "./scopes.js";
import {
  describePolicySource,
  minifyPolicy,
  parsePolicyJson,
  readPolicyText,
  requirePolicyArns,
  requirePolicyFits,
  type PolicySource,
} from "./session-policy.js";
import { validateSessionPolicy } from "./validate.js";

export interface SessionPolicyInput {
  /** The user's --policy, parsed, with where it came from for messages. */
  readonly inline: { readonly json: unknown; readonly origin: string } | undefined;
  readonly policyArns: readonly string[];
  readonly scopes: readonly Scope[];
}

export interface ComposedSessionPolicy {
  /** Minified JSON for STS's Policy parameter, if there is an inline policy to send. */
  readonly policy: string | undefined;
  /** The same, as an object, for `rolecred policy show` and the evaluator. */
  readonly document: Record<string, unknown> | undefined;
  readonly policyArns: readonly string[];
  readonly warnings: readonly string[];
}

const ALLOW_ALL: Statement = { Sid: "ScopeBaseAllowAll", Effect: "Allow", Action: "*", Resource: "*" };

function userStatements(json: unknown, origin: string): unknown[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw inputError(`${origin} is not a policy document (a JSON object with Statement)`);
  const statement = (json as Record<string, unknown>).Statement;
  return Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
}

/** A managed-policy scope (read-only) cannot be intersected with the user's own policy: a usage error, found before any file is read. */
function requireCombinableSources(scopes: readonly Scope[], userGavePolicy: boolean): void {
  if (userGavePolicy && scopes.some((scope) => scope.part.kind === "managed")) {
    throw usageError(
      "--scope read-only cannot be narrowed together with --policy or --policy-arn: session policies add up, and the managed ReadOnlyAccess policy cannot be turned into denies",
      "use --scope services=... or s3-prefix=... with your policy, or read-only with deny-type scopes only",
    );
  }
}

export function composeSessionPolicy(input: SessionPolicyInput): ComposedSessionPolicy {
  const managed = [...new Set(input.scopes.flatMap((scope) => (scope.part.kind === "managed" ? [scope.part.policyArn] : [])))];
  const allowScopes = input.scopes.flatMap((scope) => (scope.part.kind === "allow" ? [scope.part] : []));
  const denyStatements = input.scopes.flatMap((scope) => (scope.part.kind === "deny" ? scope.part.deny : []));
  const userGavePolicy = input.inline !== undefined || input.policyArns.length > 0;
  requireCombinableSources(input.scopes, userGavePolicy);

  // The user's own policy is checked on its own first, so a mistake in it is reported against
  // their file (and its statement numbers), not against the combined document.
  if (input.inline !== undefined) validateSessionPolicy(input.inline.json, input.inline.origin);

  let base: unknown[];
  let outsideOf: typeof allowScopes;
  if (userGavePolicy || managed.length > 0) {
    base = input.inline === undefined ? [] : userStatements(input.inline.json, input.inline.origin);
    outsideOf = allowScopes;
  } else if (allowScopes[0] !== undefined) {
    base = [...allowScopes[0].allow];
    outsideOf = allowScopes.slice(1);
  } else {
    base = denyStatements.length > 0 ? [ALLOW_ALL] : [];
    outsideOf = [];
  }
  const narrowing = [...outsideOf.flatMap((scope) => scope.outside), ...denyStatements];
  const policyArns = requirePolicyArns([...input.policyArns, ...managed]);

  let document: Record<string, unknown> | undefined;
  if (input.inline !== undefined && narrowing.length === 0 && input.scopes.length === 0) {
    document = input.inline.json as Record<string, unknown>; // the user's policy, exactly as written
  } else if (base.length + narrowing.length > 0) {
    const userDocument = input.inline?.json as Record<string, unknown> | undefined;
    document = { Version: userDocument?.Version ?? "2012-10-17", Statement: [...base, ...narrowing] };
  }
  if (document === undefined) return { policy: undefined, document: undefined, policyArns, warnings: [] };

  const origin = input.inline !== undefined && input.scopes.length === 0 ? input.inline.origin : "the combined session policy";
  const checked = validateSessionPolicy(document, origin);
  const warnings = [...checked.warnings];
  // A session policy only ever grants what it allows: one of denies alone leaves the session
  // nothing, unless managed session policies supply the allows.
  if (policyArns.length === 0 && !checked.document.statements.some((statement) => statement.effect === "Allow")) {
    warnings.push(
      `${origin} has no Allow statement: the session will be allowed nothing (a session policy grants only what it allows; deny-type --scope values add an Allow * on * for you)`,
    );
  }
  const policy = requirePolicyFits(minifyPolicy(document), origin);
  return { policy, document, policyArns, warnings };
}

/** `312 of 2048 characters (15%)`: how much of STS's inline policy budget a policy uses. */
export function describePolicySize(policy: string): string {
  return `${policy.length} of ${MAX_POLICY_CHARACTERS} characters (${Math.round((policy.length / MAX_POLICY_CHARACTERS) * 100)}%)`;
}

export interface SessionPolicyRequest {
  readonly policy: PolicySource | undefined;
  readonly policyArns: readonly string[];
  readonly scopes: readonly Scope[];
}

/**
 * Read the --policy source (file, stdin or inline), then compose; what the STS call will carry.
 * A policy on stdin has the same size cap as a policy file. `stdin` is undefined where stdin
 * carries something else (saml's response): the flags refuse `--policy -` there.
 */
export async function prepareSessionPolicy(request: SessionPolicyRequest, stdin: Deps["stdin"] | undefined): Promise<ComposedSessionPolicy> {
  requireCombinableSources(request.scopes, request.policy !== undefined || request.policyArns.length > 0);
  let inline: SessionPolicyInput["inline"];
  if (request.policy !== undefined) {
    const readStdin = async (): Promise<string> => {
      if (stdin === undefined) throw new Error("internal: --policy - reached a command whose stdin carries other input");
      return readStdinText(stdin, READ_LIMITS.policy, "the policy on stdin");
    };
    const origin = describePolicySource(request.policy);
    inline = { json: parsePolicyJson(await readPolicyText(request.policy, readStdin), origin), origin };
  }
  return composeSessionPolicy({ inline, policyArns: request.policyArns, scopes: request.scopes });
}
