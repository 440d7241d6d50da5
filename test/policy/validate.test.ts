/**
 * validateSessionPolicy: the checks IAM would make after an MFA code or an assertion was spent,
 * made first. Each refusal is one sentence naming where the problem is (the file, the statement
 * number and Sid); "narrows nothing" is only a warning.
 */
import { describe, expect, it } from "vitest";
import { validateSessionPolicy } from "../../src/policy/validate.js";
import { RolecredError } from "../../src/errors.js";

function policy(...statements: unknown[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements };
}

const GET = { Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-data-bucket/123/*" };

function refusal(json: unknown): RolecredError {
  try {
    validateSessionPolicy(json, "policy.json");
  } catch (error) {
    if (error instanceof RolecredError) return error;
    throw error;
  }
  throw new Error("expected validateSessionPolicy to refuse");
}

describe(validateSessionPolicy.name, () => {
  it.each<[string, unknown, string, string?]>([
    [
      "a Principal",
      policy({ ...GET, Principal: { AWS: "arn:aws:iam::111111111111:root" } }),
      "policy.json, statement 1 has a Principal: a session policy cannot name principals (it applies to the session itself)",
      "remove the Principal element",
    ],
    [
      "a NotPrincipal, named by its Sid",
      policy(GET, { Sid: "Others", ...GET, NotPrincipal: { AWS: "*" } }),
      "policy.json, statement 2 (Others) has a Principal: a session policy cannot name principals (it applies to the session itself)",
    ],
    [
      "an unknown condition operator",
      policy({ ...GET, Condition: { StringEqualz: { "aws:username": "jo" } } }),
      'policy.json, statement 1: unknown condition operator "StringEqualz"',
      "e.g. StringEquals, StringLike, ArnLike, Bool, IpAddress, with IfExists / ForAnyValue: / ForAllValues:",
    ],
    [
      "IfExists on Null",
      policy({ ...GET, Condition: { NullIfExists: { "aws:TokenIssueTime": "true" } } }),
      'policy.json, statement 1: unknown condition operator "NullIfExists"',
    ],
    [
      "an unknown set operator",
      policy({ ...GET, Condition: { "ForEachValue:StringEquals": { "aws:TagKeys": "team" } } }),
      'policy.json, statement 1: unknown condition operator "ForEachValue:StringEquals"',
    ],
    [
      "an action without a service",
      policy({ ...GET, Action: "GetObject" }),
      'policy.json, statement 1: "GetObject" is not an action (expected service:Action, e.g. s3:GetObject, or *)',
    ],
    [
      "an action with a space",
      policy({ ...GET, Action: ["s3:GetObject", "s3:Get Object"] }),
      'policy.json, statement 1: "s3:Get Object" is not an action (expected service:Action, e.g. s3:GetObject, or *)',
    ],
    [
      "a bad NotAction",
      policy({ Effect: "Deny", NotAction: "s3::GetObject", Resource: "*" }),
      'policy.json, statement 1: "s3::GetObject" is not an action (expected service:Action, e.g. s3:GetObject, or *)',
    ],
    [
      "a resource that is not an ARN",
      policy({ ...GET, Resource: "my-data-bucket/123/*" }),
      'policy.json, statement 1: "my-data-bucket/123/*" is not a resource ARN (expected arn:partition:service:region:account:resource, or *)',
    ],
    [
      "an ARN with too few parts",
      policy({ ...GET, Resource: "arn:aws:s3:my-data-bucket" }),
      'policy.json, statement 1: "arn:aws:s3:my-data-bucket" is not a resource ARN (expected arn:partition:service:region:account:resource, or *)',
    ],
    [
      "an ARN without a service",
      policy({ ...GET, Resource: "arn:aws::::x" }),
      'policy.json, statement 1: "arn:aws::::x" is not a resource ARN (expected arn:partition:service:region:account:resource, or *)',
    ],
    [
      "a bad NotResource",
      policy({ Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::ok/*", "bucket"] }),
      'policy.json, statement 1: "bucket" is not a resource ARN (expected arn:partition:service:region:account:resource, or *)',
    ],
    ["a missing Effect", policy({ Action: "s3:GetObject", Resource: "*" }), "policy.json is not a valid IAM policy: $.Statement[0].Effect: is missing"],
    [
      "an Effect that is neither",
      policy({ ...GET, Effect: "Permit" }),
      'policy.json is not a valid IAM policy: $.Statement[0].Effect: must be "Allow" or "Deny", not "Permit"',
    ],
    [
      "a miscased element",
      policy({ effect: "Allow", Action: "s3:GetObject", Resource: "*" }),
      'policy.json is not a valid IAM policy: $.Statement[0].effect: unknown policy element "effect" (did you mean "Effect"?)',
    ],
    [
      "no Action",
      policy({ Effect: "Allow", Resource: "*" }),
      "policy.json is not a valid IAM policy: $.Statement[0]: a statement must have Action or NotAction",
    ],
    [
      "Action and NotAction",
      policy({ ...GET, NotAction: "s3:PutObject" }),
      "policy.json is not a valid IAM policy: $.Statement[0]: a statement must not have both Action and NotAction",
    ],
    [
      "no Resource",
      policy({ Effect: "Allow", Action: "s3:GetObject" }),
      "policy.json is not a valid IAM policy: $.Statement[0]: a statement must have Resource or NotResource",
    ],
    ["an empty Action list", policy({ ...GET, Action: [] }), "policy.json is not a valid IAM policy: $.Statement[0].Action: must not be an empty array"],
    [
      "an unknown Version",
      { Version: "2024-01-01", Statement: [GET] },
      'policy.json is not a valid IAM policy: $.Version: must be "2012-10-17" or "2008-10-17", not "2024-01-01"',
    ],
    ["no Statement", { Version: "2012-10-17" }, "policy.json is not a valid IAM policy: $.Statement: is missing"],
    [
      "a top-level element IAM does not know",
      { Version: "2012-10-17", Statement: [GET], Principal: "*" },
      'policy.json is not a valid IAM policy: $.Principal: unknown policy element "Principal"',
    ],
    ["a string", "Allow s3", "policy.json is not a valid IAM policy: $: a policy must be a JSON object, not a string"],
  ])("refuses %s", (_name, json, message, hint) => {
    const error = refusal(json);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(3);
    if (hint !== undefined) expect(error.hint).toBe(hint);
  });

  it.each<[string, unknown]>([
    ["a single statement object", { Version: "2012-10-17", Statement: GET }],
    ["wildcards in actions", policy({ ...GET, Action: ["s3:Get*", "s3:List?ucket", "*"] })],
    ["any case in actions (IAM ignores it)", policy({ ...GET, Action: ["S3:GetObject", "IAM:listaccesskeys"] })],
    [
      "every operator family, with IfExists and set operators",
      policy({
        ...GET,
        Condition: {
          StringLike: { "s3:prefix": "123/*" },
          ArnNotLikeIfExists: { "aws:SourceArn": "arn:aws:sns:*:*:x" },
          Bool: { "aws:SecureTransport": "true" },
          Null: { "aws:TokenIssueTime": "false" },
          NumericLessThanEquals: { "s3:max-keys": 10 },
          DateGreaterThan: { "aws:CurrentTime": "2024-01-01T00:00:00Z" },
          IpAddress: { "aws:SourceIp": "203.0.113.0/24" },
          "ForAnyValue:StringEquals": { "aws:TagKeys": ["team", "project"] },
          "ForAllValues:StringLikeIfExists": { "aws:TagKeys": "team*" },
        },
      }),
    ],
    ["a policy variable in an ARN", policy({ ...GET, Resource: "arn:aws:s3:::my-data-bucket/${aws:username}/*" })],
    ["NotResource with wildcards", policy({ Effect: "Deny", Action: "s3:*", NotResource: ["arn:aws:s3:::my-data-bucket", "arn:aws:s3:::my-data-bucket/*"] })],
    ["the 2008 language version", { Version: "2008-10-17", Statement: [GET] }],
    ["no Version (IAM assumes 2008-10-17)", { Statement: [GET] }],
  ])("accepts %s", (_name, json) => {
    expect(validateSessionPolicy(json, "policy.json").warnings).toEqual([]);
  });

  describe("warns, without refusing, about a statement that narrows nothing", () => {
    it.each<[string, unknown]>([
      ["Action * on Resource *", policy({ Effect: "Allow", Action: "*", Resource: "*" })],
      ["* among other actions and resources", policy({ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["arn:aws:s3:::b/*", "*"] })],
    ])("%s", (_name, json) => {
      expect(validateSessionPolicy(json, "policy.json").warnings).toEqual([
        "policy.json, statement 1 allows every action on every resource: on its own it narrows nothing",
      ]);
    });

    it("names the statement among several", () => {
      expect(validateSessionPolicy(policy(GET, { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }), "policy.json").warnings).toEqual([
        "policy.json, statement 2 (Everything) allows every action on every resource: on its own it narrows nothing",
      ]);
    });

    it.each<[string, unknown]>([
      ["a Deny beside it", policy({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "iam:*", Resource: "*" })],
      ["a Condition on it", policy({ Effect: "Allow", Action: "*", Resource: "*", Condition: { StringEquals: { "aws:RequestedRegion": "eu-west-1" } } })],
      ["every action on one bucket", policy({ Effect: "Allow", Action: "*", Resource: "arn:aws:s3:::b/*" })],
      ["a Deny of everything", policy({ Effect: "Deny", Action: "*", Resource: "*" })],
    ])("but not with %s", (_name, json) => {
      expect(validateSessionPolicy(json, "policy.json").warnings).toEqual([]);
    });
  });
});
