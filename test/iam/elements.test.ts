/**
 * One rule for element names, used by lint/ and policy/ alike. From AWS's IAM User Guide:
 * "Grammar of the IAM JSON policy language" writes element names as literal strings
 * (`<effect_block> = "Effect" : ("Allow" | "Deny")`), and "IAM JSON policy elements: Effect"
 * says "The Effect value is case sensitive." Before, lint read `effect` as Effect ("IAM does")
 * while policy/ refused it.
 */
import { describe, expect, it } from "vitest";
import { normalizeTrustPolicy } from "../../src/lint/policy.js";
import { PolicyShapeError, toPolicyDocument } from "../../src/policy/policy-document.js";

function policyProblem(json: unknown): string | undefined {
  try {
    toPolicyDocument(json);
    return undefined;
  } catch (error) {
    if (error instanceof PolicyShapeError) return error.message;
    throw error;
  }
}

function lintProblem(json: Record<string, unknown>): string | undefined {
  const result = normalizeTrustPolicy(json);
  return "problem" in result ? `${result.problem.path}: ${result.problem.reason}` : undefined;
}

const statement = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole", Resource: "*" };

describe("IAM element names and the Effect value are case-sensitive, in lint and in policy", () => {
  it.each([
    [
      "a miscased element name",
      { Statement: [{ ...statement, Effect: undefined, effect: "Allow" }] },
      /effect.*unknown policy element "effect" \(did you mean "Effect"\?\)/,
    ],
    ["a miscased Effect value", { Statement: [{ ...statement, Effect: "allow" }] }, /Effect.*must be "Allow" or "Deny"/],
    ["a miscased Statement", { statement: [statement] }, /unknown policy element "statement" \(did you mean "Statement"\?\)/],
  ])("%s is refused by both", (_name, json, reason) => {
    const cleaned = JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
    expect(policyProblem(cleaned)).toMatch(reason);
    expect(lintProblem(cleaned)).toMatch(reason);
  });

  it("the exact names are read by both", () => {
    expect(policyProblem({ Version: "2012-10-17", Statement: [statement] })).toBeUndefined();
    expect(lintProblem({ Version: "2012-10-17", Statement: [statement] })).toBeUndefined();
  });
});
