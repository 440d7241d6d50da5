/**
 * IAM's condition operators, decided once for lint/ and policy/: which names exist, how a written
 * operator (`ForAnyValue:StringLikeIfExists`) comes apart, and each operator's polarity.
 *
 * Sources (IAM User Guide): "IAM JSON policy elements: Condition operators" (the operator list;
 * "You can add IfExists to the end of any condition operator name except the Null condition";
 * negated operators such as StringNotEquals "match" when the key is missing: "If the policy
 * condition requires that the key is not matched, such as StringNotLike or ArnNotLike, and the
 * right key is not present, the condition is true"), and "Conditions with multiple context keys or
 * values" (ForAllValues, ForAnyValue).
 */

/**
 * Base names of the condition operators IAM knows, without `ForAllValues:`/`ForAnyValue:` and
 * without the `IfExists` suffix. For the policy validator: an operator not built from one of these
 * makes its statement unable to match here, while IAM would refuse the whole policy.
 */
export const KNOWN_CONDITION_OPERATORS = [
  "StringEquals",
  "StringNotEquals",
  "StringEqualsIgnoreCase",
  "StringNotEqualsIgnoreCase",
  "StringLike",
  "StringNotLike",
  "NumericEquals",
  "NumericNotEquals",
  "NumericLessThan",
  "NumericLessThanEquals",
  "NumericGreaterThan",
  "NumericGreaterThanEquals",
  "DateEquals",
  "DateNotEquals",
  "DateLessThan",
  "DateLessThanEquals",
  "DateGreaterThan",
  "DateGreaterThanEquals",
  "Bool",
  "BinaryEquals",
  "IpAddress",
  "NotIpAddress",
  "ArnEquals",
  "ArnLike",
  "ArnNotEquals",
  "ArnNotLike",
  "Null",
] as const;

export type ConditionOperatorName = (typeof KNOWN_CONDITION_OPERATORS)[number];

/** A condition operator as written (`ForAnyValue:StringLikeIfExists`), taken apart. */
export interface ParsedConditionOperator {
  setOperator?: "ForAllValues" | "ForAnyValue";
  baseName: ConditionOperatorName;
  ifExists: boolean;
}

/**
 * Takes a written condition operator apart, or returns undefined if IAM would not know it. Shared
 * with the validator so that the two never disagree about what an operator is. Matching is
 * case-insensitive: if IAM turns out stricter, it refuses the policy loudly at AssumeRole, which is
 * safer than this evaluator silently ignoring a Deny it could have read.
 */
export function parseConditionOperator(written: string): ParsedConditionOperator | undefined {
  const setOperator = (["ForAllValues", "ForAnyValue"] as const).find((prefix) => written.toLowerCase().startsWith(`${prefix.toLowerCase()}:`));
  let rest = setOperator === undefined ? written : written.slice(setOperator.length + 1);
  const ifExists = rest.toLowerCase().endsWith("ifexists");
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  const baseName = KNOWN_CONDITION_OPERATORS.find((name) => name.toLowerCase() === rest.toLowerCase());
  if (baseName === undefined) return undefined;
  // "You can add IfExists to the end of any condition operator name except the Null condition."
  if (baseName === "Null" && ifExists) return undefined;
  return setOperator === undefined ? { baseName, ifExists } : { setOperator, baseName, ifExists };
}

/**
 * What an operator asks of a request value: "positive" holds only when the key is present and
 * matches; "negated" holds when no policy value matches, and when the key is missing; "presence"
 * (Null) asks only whether the key is there.
 */
export type OperatorPolarity = "positive" | "negated" | "presence";

const NEGATED: ReadonlySet<ConditionOperatorName> = new Set<ConditionOperatorName>([
  "StringNotEquals",
  "StringNotEqualsIgnoreCase",
  "StringNotLike",
  "NumericNotEquals",
  "DateNotEquals",
  "NotIpAddress",
  "ArnNotEquals",
  "ArnNotLike",
]);

export function operatorPolarity(name: ConditionOperatorName): OperatorPolarity {
  if (name === "Null") return "presence";
  return NEGATED.has(name) ? "negated" : "positive";
}
