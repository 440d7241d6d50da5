/**
 * A trust policy ("assume role policy document") in one normalised shape, so the rules never ask
 * "string or array?", "one statement or many?" or "was that `true` a boolean or a string?".
 *
 * Normalisation refuses only what makes a statement unreadable (an Effect that is neither Allow
 * nor Deny, a Principal that is a number, a Condition that is a list, ...): the rules must not
 * guess at what a broken statement means. Everything else IAM might reject for other reasons
 * (unknown actions, odd Sids) is left for IAM to judge.
 */

import { operatorPolarity, parseConditionOperator, type OperatorPolarity } from "../iam/condition-operators.js";
import { describeUnknownElement, DOCUMENT_ELEMENTS, miscasedElement, STATEMENT_ELEMENTS, unknownElementOf } from "../iam/elements.js";

/** `"Principal": "*"` is kept as `{ kind: "AWS", value: "*" }`: for who may assume a role the two mean the same. */
export interface Principal {
  /** `AWS`, `Service`, `Federated` or `CanonicalUser`, as written in the policy. */
  readonly kind: string;
  readonly value: string;
}

export interface ConditionClause {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  readonly operator: string;
  /** The operator without set qualifier and IfExists, lower-cased: `stringlike`. */
  readonly test: string;
  readonly qualifier: "foranyvalue" | "forallvalues" | undefined;
  readonly ifExists: boolean;
  /** The operator's polarity (src/iam/condition-operators.ts); undefined for an operator IAM does not know. */
  readonly polarity: OperatorPolarity | undefined;
  /** The key as written, e.g. `aws:PrincipalTag/x509Subject/CN`. */
  readonly key: string;
  /** Condition keys are case-insensitive in IAM; rules compare this one. */
  readonly keyLower: string;
  readonly values: readonly string[];
}

export interface TrustStatement {
  /** Position in the Statement list, 0-based, as `Statement[0]` in messages. */
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: "Allow" | "Deny";
  readonly principals: readonly Principal[];
  /** Present (possibly empty) only when the statement uses NotPrincipal. */
  readonly notPrincipals: readonly Principal[] | undefined;
  readonly actions: readonly string[];
  /** Present only when the statement uses NotAction. */
  readonly notActions: readonly string[] | undefined;
  readonly conditions: readonly ConditionClause[];
  /** The statement object as parsed, to look up its position in the file. */
  readonly node: object;
}

export interface TrustPolicy {
  readonly statements: readonly TrustStatement[];
}

/** A statement rolecred cannot read; `path` says where, e.g. `Statement[1].Effect`. */
export interface PolicyShapeProblem {
  readonly path: string;
  readonly reason: string;
  /** The nearest object around the problem, for its position. */
  readonly node: object | undefined;
}

export type NormalizeResult = { readonly policy: TrustPolicy } | { readonly problem: PolicyShapeProblem };

/**
 * How a value that is not a JSON scalar becomes a string, if it can: CloudFormation templates put
 * `{"Fn::Sub": ...}` where a policy has a string. Undefined: the value is malformed.
 */
export type ValueResolver = (value: unknown) => string | undefined;

type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An element by its exact name: IAM's element names are case-sensitive (src/iam/elements.ts). */
function element(object: JsonObject, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined;
}

function scalarText(value: unknown, resolve: ValueResolver | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return resolve?.(value);
}

class ShapeError extends Error {
  constructor(readonly problem: PolicyShapeProblem) {
    super(`${problem.path}: ${problem.reason}`);
  }
}

function stringList(value: unknown, path: string, node: object, resolve: ValueResolver | undefined): string[] {
  const items = Array.isArray(value) ? value : [value];
  return items.map((item, itemIndex) => {
    const text = scalarText(item, resolve);
    if (text === undefined) {
      const where = Array.isArray(value) ? `${path}[${itemIndex}]` : path;
      throw new ShapeError({ path: where, reason: "expected a string", node: isJsonObject(item) ? item : node });
    }
    return text;
  });
}

function principalsOf(value: unknown, path: string, node: object, resolve: ValueResolver | undefined): Principal[] {
  if (value === "*") return [{ kind: "AWS", value: "*" }];
  if (!isJsonObject(value)) {
    throw new ShapeError({ path, reason: 'expected "*" or an object such as {"AWS": "arn:aws:iam::111111111111:root"}', node });
  }
  const principals: Principal[] = [];
  for (const [kind, values] of Object.entries(value)) {
    for (const text of stringList(values, `${path}.${kind}`, value, resolve)) principals.push({ kind, value: text });
  }
  return principals;
}

function conditionsOf(value: unknown, path: string, node: object, resolve: ValueResolver | undefined): ConditionClause[] {
  if (!isJsonObject(value)) throw new ShapeError({ path, reason: 'expected an object such as {"StringEquals": {"sts:ExternalId": "..."}}', node });
  const clauses: ConditionClause[] = [];
  for (const [operator, keys] of Object.entries(value)) {
    if (!isJsonObject(keys)) throw new ShapeError({ path: `${path}.${operator}`, reason: "expected an object of condition keys and values", node: value });
    // Known operators come apart as the evaluator takes them apart (src/iam/condition-operators.ts);
    // an unknown one keeps its lower-cased text as its test, which no rule counts on.
    const parsed = parseConditionOperator(operator);
    const qualifier = parsed?.setOperator === "ForAnyValue" ? "foranyvalue" : parsed?.setOperator === "ForAllValues" ? "forallvalues" : undefined;
    const test = parsed?.baseName.toLowerCase() ?? operator.toLowerCase();
    const ifExists = parsed?.ifExists ?? false;
    const polarity = parsed === undefined ? undefined : operatorPolarity(parsed.baseName);
    for (const [key, values] of Object.entries(keys)) {
      clauses.push({
        operator,
        test,
        qualifier,
        ifExists,
        polarity,
        key,
        keyLower: key.toLowerCase(),
        values: stringList(values, `${path}.${operator}["${key}"]`, keys, resolve),
      });
    }
  }
  return clauses;
}

function statementOf(raw: unknown, index: number, path: string, resolve: ValueResolver | undefined, container: object): TrustStatement {
  if (!isJsonObject(raw)) throw new ShapeError({ path, reason: "a statement must be an object", node: container });
  const unknown = unknownElementOf(raw, STATEMENT_ELEMENTS);
  if (unknown !== undefined)
    throw new ShapeError({
      path: `${path}.${unknown.name}`,
      reason: `${describeUnknownElement(unknown)}: IAM element names are case-sensitive and IAM refuses the policy`,
      node: raw,
    });
  const effectText = element(raw, "Effect");
  // "The Effect value is case sensitive."
  if (effectText !== "Allow" && effectText !== "Deny") {
    throw new ShapeError({
      path: `${path}.Effect`,
      reason: effectText === undefined ? 'missing: say "Allow" or "Deny"' : 'must be "Allow" or "Deny" (case-sensitive)',
      node: raw,
    });
  }
  const effect = effectText;
  const sid = element(raw, "Sid");
  const principal = element(raw, "Principal");
  const notPrincipal = element(raw, "NotPrincipal");
  const action = element(raw, "Action");
  const notAction = element(raw, "NotAction");
  const condition = element(raw, "Condition");
  return {
    index,
    sid: typeof sid === "string" ? sid : undefined,
    effect,
    principals: principal === undefined ? [] : principalsOf(principal, `${path}.Principal`, raw, resolve),
    notPrincipals: notPrincipal === undefined ? undefined : principalsOf(notPrincipal, `${path}.NotPrincipal`, raw, resolve),
    actions: action === undefined ? [] : stringList(action, `${path}.Action`, raw, resolve),
    notActions: notAction === undefined ? undefined : stringList(notAction, `${path}.NotAction`, raw, resolve),
    conditions: condition === undefined ? [] : conditionsOf(condition, `${path}.Condition`, raw, resolve),
    node: raw,
  };
}

/**
 * True when `value` looks like a policy document: an object with a Statement element. Found in any
 * case, so that a miscased `statement` is reported (by {@link normalizeTrustPolicy}) rather than
 * the file passing as "no trust policy found".
 */
export function hasStatementElement(value: unknown): value is JsonObject {
  return isJsonObject(value) && (Object.hasOwn(value, "Statement") || miscasedElement(value, "Statement") !== undefined);
}

export function normalizeTrustPolicy(document: JsonObject, resolve?: ValueResolver): NormalizeResult {
  const unknown = unknownElementOf(document, DOCUMENT_ELEMENTS);
  if (unknown !== undefined)
    return {
      problem: {
        path: unknown.name,
        reason: `${describeUnknownElement(unknown)}: IAM element names are case-sensitive and IAM refuses the policy`,
        node: document,
      },
    };
  const raw = element(document, "Statement");
  // IAM accepts a single statement object as well as a list.
  const list = Array.isArray(raw) ? raw : [raw];
  try {
    if (!Array.isArray(raw) && !isJsonObject(raw)) {
      throw new ShapeError({ path: "Statement", reason: "must be a statement object or a list of them", node: document });
    }
    const container: object = Array.isArray(raw) ? raw : document;
    return { policy: { statements: list.map((item, index) => statementOf(item, index, `Statement[${index}]`, resolve, container)) } };
  } catch (error) {
    if (error instanceof ShapeError) return { problem: error.problem };
    throw error;
  }
}
