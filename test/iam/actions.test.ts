/**
 * Action coverage, one rule for lint/ and policy/ (src/iam/actions.ts). AWS's IAM User Guide, "IAM
 * JSON policy elements: Action": "The prefix and the action name are case insensitive. For
 * example, iam:ListAccessKeys is the same as IAM:listaccesskeys"; "iam:*AccessKey*" applies to
 * CreateAccessKey, DeleteAccessKey, ListAccessKeys and UpdateAccessKey.
 */
import { describe, expect, it } from "vitest";
import { actionElementCovers } from "../../src/iam/actions.js";
import { coversAction } from "../../src/lint/conditions.js";
import { normalizeTrustPolicy } from "../../src/lint/policy.js";
import { evaluatePolicies } from "../../src/policy/evaluate.js";
import { toPolicyDocument } from "../../src/policy/policy-document.js";

const CASES: [string, string, boolean][] = [
  ["IAM:listaccesskeys", "iam:ListAccessKeys", true],
  ["iam:*AccessKey*", "iam:CreateAccessKey", true],
  ["iam:*AccessKey*", "iam:UpdateAccessKey", true],
  ["iam:*AccessKey*", "iam:CreateUser", false],
  ["STS:assumerole*", "sts:AssumeRoleWithSAML", true],
  ["sts:AssumeRole", "sts:AssumeRoleWithSAML", false],
];

describe("action coverage, the same in lint and in the evaluator", () => {
  it.each(CASES)("%s covers %s: %s", (pattern, action, expected) => {
    expect(actionElementCovers({ actions: [pattern] }, action)).toBe(expected);
    expect(actionElementCovers({ notActions: [pattern] }, action)).toBe(!expected);

    const trust = normalizeTrustPolicy({ Statement: [{ Effect: "Allow", Principal: "*", Action: pattern }] });
    if (!("policy" in trust)) throw new Error("unreadable");
    expect(coversAction(trust.policy.statements[0]!, action)).toBe(expected);

    const session = toPolicyDocument({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: pattern, Resource: "*" }] });
    expect(evaluatePolicies([session], { action, resource: "*" }).allowed).toBe(expected);
  });
});
