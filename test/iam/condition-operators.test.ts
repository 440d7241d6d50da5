/**
 * One reading of condition operators for lint/ and policy/ (src/iam/condition-operators.ts).
 * AWS's IAM User Guide, "IAM JSON policy elements: Condition operators": "If the key that you
 * specify in a policy condition is not present in the request context, the values do not match
 * and the condition is false. If the policy condition requires that the key is not matched, such
 * as StringNotLike or ArnNotLike, and the right key is not present, the condition is true."
 * "You can add IfExists to the end of any condition operator name except the Null condition."
 */
import { describe, expect, it } from "vitest";
import { KNOWN_CONDITION_OPERATORS, operatorPolarity, parseConditionOperator } from "../../src/iam/condition-operators.js";
import { isNegatedClause, isPositiveClause } from "../../src/lint/conditions.js";
import { normalizeTrustPolicy } from "../../src/lint/policy.js";
import { evaluatePolicies } from "../../src/policy/evaluate.js";
import { toPolicyDocument } from "../../src/policy/policy-document.js";

/** The evaluator's answer for a request that lacks the key. */
function holdsWithoutKey(operator: string): boolean {
  const document = toPolicyDocument({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { [operator]: { "aws:SourceIp": "1" } } }],
  });
  return evaluatePolicies([document], { action: "s3:GetObject", resource: "*" }).allowed;
}

/** Lint's reading of the same operator in a trust policy. */
function lintClause(operator: string) {
  const result = normalizeTrustPolicy({
    Statement: [{ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { [operator]: { "aws:SourceIp": "1" } } }],
  });
  if (!("policy" in result)) throw new Error("unreadable");
  const clause = result.policy.statements[0]?.conditions[0];
  if (clause === undefined) throw new Error("no clause");
  return clause;
}

describe("condition operator polarity, shared by the evaluator and lint", () => {
  it.each(KNOWN_CONDITION_OPERATORS.filter((name) => name !== "Null"))("%s: lint and the evaluator agree on what a missing key does", (name) => {
    const negated = operatorPolarity(name) === "negated";
    expect(name.includes("Not")).toBe(negated);
    expect(holdsWithoutKey(name)).toBe(negated);
    const clause = lintClause(name);
    expect(isNegatedClause(clause)).toBe(negated);
    expect(isPositiveClause(clause)).toBe(!negated);
  });

  it("Null tests presence and takes no IfExists", () => {
    expect(operatorPolarity("Null")).toBe("presence");
    expect(parseConditionOperator("NullIfExists")).toBeUndefined();
    expect(isPositiveClause(lintClause("NullIfExists"))).toBe(false);
  });

  it("ForAnyValue:/ForAllValues: and IfExists come apart the same way in both", () => {
    expect(parseConditionOperator("ForAnyValue:StringLikeIfExists")).toEqual({ setOperator: "ForAnyValue", baseName: "StringLike", ifExists: true });
    expect(lintClause("ForAnyValue:StringLikeIfExists")).toMatchObject({ qualifier: "foranyvalue", test: "stringlike", ifExists: true, polarity: "positive" });
    expect(lintClause("StringNotEqualsIfExists")).toMatchObject({ qualifier: undefined, test: "stringnotequals", ifExists: true, polarity: "negated" });
  });

  it("an operator IAM does not know has no polarity in lint, and no statement matches in the evaluator", () => {
    expect(lintClause("StringEqualz")).toMatchObject({ polarity: undefined });
    expect(isPositiveClause(lintClause("StringEqualz"))).toBe(false);
    expect(holdsWithoutKey("StringEqualz")).toBe(false);
  });
});
