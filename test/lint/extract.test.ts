/** Finding the trust policies in each input shape `rolecred lint` reads. */
import { describe, expect, it } from "vitest";
import { extractTrustDocuments } from "../../src/lint/extract.js";
import { resolveCfnValue } from "../../src/lint/cloudformation.js";
import { normalizeTrustPolicy } from "../../src/lint/policy.js";
import { allow, getRoleAnswer, lintValue, trustPolicy } from "./lint-helpers.js";

const OPEN = trustPolicy(allow("*"));
const CLEAN = trustPolicy(allow({ Service: "ec2.amazonaws.com" }));

function summary(value: unknown) {
  const extraction = extractTrustDocuments(value);
  return {
    kind: extraction.kind,
    documents: extraction.documents.map((document) => ({
      label: document.label,
      embedded: document.embedded,
      ownAccount: document.ownAccount,
      roleArn: document.roleArn,
      ignoreTokens: document.ignoreTokens,
    })),
    problems: extraction.problems.map((issue) => `${issue.label}: ${issue.message}`),
    notes: extraction.notes.map((issue) => `${issue.label}: ${issue.message}`),
  };
}

const terraformRole = (address: string, values: Record<string, unknown>) => ({
  address,
  mode: "managed",
  type: "aws_iam_role",
  name: address.split(".").pop(),
  values,
});

describe(extractTrustDocuments.name, () => {
  it("reads a trust policy document", () => {
    expect(summary(OPEN)).toEqual({
      kind: "trust policy",
      documents: [{ label: "", embedded: false, ownAccount: undefined, roleArn: undefined, ignoreTokens: [] }],
      problems: [],
      notes: [],
    });
  });

  it("reads aws iam get-role, with the role's account and tags", () => {
    expect(
      summary(getRoleAnswer(OPEN, "arn:aws:iam::111111111111:role/team/Developer", [{ Key: "rolecred:ignore", Value: "RC-TRUST-001 RC-TRUST-013" }])),
    ).toMatchObject({
      kind: "IAM API answer",
      documents: [
        {
          label: "role Developer",
          embedded: false,
          ownAccount: "111111111111",
          roleArn: "arn:aws:iam::111111111111:role/team/Developer",
          ignoreTokens: ["RC-TRUST-001", "RC-TRUST-013"],
        },
      ],
    });
  });

  it("reads a URL-encoded AssumeRolePolicyDocument (the raw IAM API)", () => {
    const encoded = encodeURIComponent(JSON.stringify(OPEN));
    const report = lintValue({ Role: { RoleName: "Raw", Arn: "arn:aws:iam::111111111111:role/Raw", AssumeRolePolicyDocument: encoded } });
    expect(report.findings.map((finding) => [finding.ruleId, finding.document, finding.position])).toEqual([
      ["RC-TRUST-001", "role Raw", { line: 2, column: 11 }],
    ]);
  });

  it("reads list-roles and get-account-authorization-details answers", () => {
    const roles = [
      { RoleName: "A", Arn: "arn:aws:iam::111111111111:role/A", AssumeRolePolicyDocument: OPEN },
      { RoleName: "B", Arn: "arn:aws:iam::111111111111:role/B", AssumeRolePolicyDocument: CLEAN },
    ];
    expect(summary({ Roles: roles }).documents.map((document) => document.label)).toEqual(["role A", "role B"]);
    expect(summary({ RoleDetailList: roles, UserDetailList: [], Policies: [] }).documents.map((document) => document.label)).toEqual(["role A", "role B"]);
  });

  it("reports a get-role policy that is not JSON", () => {
    expect(summary({ Role: { RoleName: "Bad", AssumeRolePolicyDocument: "%7B%22Statement%22%3A" } }).problems).toEqual([
      "role Bad: AssumeRolePolicyDocument is not valid JSON (unexpected end of input at line 1 column 14 of the policy text)",
    ]);
  });

  it("reads every AWS::IAM::Role of a CloudFormation template", () => {
    const template = {
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: {
        Bucket: { Type: "AWS::S3::Bucket" },
        Open: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: OPEN, Tags: [{ Key: "rolecred:ignore", Value: "RC-TRUST-001" }] } },
        Reviewed: { Type: "AWS::IAM::Role", Metadata: { rolecred: { ignore: ["RC-TRUST-002"] } }, Properties: { AssumeRolePolicyDocument: CLEAN } },
        Chosen: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: { "Fn::If": ["IsProd", OPEN, CLEAN] } } },
        Missing: { Type: "AWS::IAM::Role", Properties: {} },
      },
    };
    expect(summary(template)).toEqual({
      kind: "CloudFormation template",
      documents: [
        { label: "Resources.Open", embedded: false, ownAccount: "${AWS::AccountId}", roleArn: undefined, ignoreTokens: ["RC-TRUST-001"] },
        { label: "Resources.Reviewed", embedded: false, ownAccount: "${AWS::AccountId}", roleArn: undefined, ignoreTokens: ["RC-TRUST-002"] },
      ],
      problems: ["Resources.Missing: AWS::IAM::Role has no AssumeRolePolicyDocument"],
      notes: [
        "Resources.Chosen: AssumeRolePolicyDocument is computed by an intrinsic function; rolecred cannot tell which policy applies, so it was not checked",
      ],
    });
  });

  it("reads a Terraform plan, child modules included", () => {
    const plan = {
      format_version: "1.2",
      terraform_version: "1.9.0",
      planned_values: {
        root_module: {
          resources: [
            terraformRole("aws_iam_role.open", { name: "open", assume_role_policy: JSON.stringify(OPEN), tags: { "rolecred:ignore": "RC-TRUST-001" } }),
          ],
          child_modules: [
            {
              address: "module.ci",
              resources: [
                terraformRole("module.ci.aws_iam_role.deploy", {
                  name: "deploy",
                  assume_role_policy: JSON.stringify(CLEAN),
                  arn: "arn:aws:iam::222222222222:role/deploy",
                }),
              ],
            },
          ],
        },
      },
      prior_state: {
        values: {
          root_module: {
            resources: [{ address: "data.aws_caller_identity.current", mode: "data", type: "aws_caller_identity", values: { account_id: "111111111111" } }],
          },
        },
      },
    };
    expect(summary(plan)).toEqual({
      kind: "Terraform plan",
      documents: [
        { label: "aws_iam_role.open", embedded: true, ownAccount: "111111111111", roleArn: undefined, ignoreTokens: ["RC-TRUST-001"] },
        {
          label: "module.ci.aws_iam_role.deploy",
          embedded: true,
          ownAccount: "222222222222",
          roleArn: "arn:aws:iam::222222222222:role/deploy",
          ignoreTokens: [],
        },
      ],
      problems: [],
      notes: [],
    });
  });

  it("reads Terraform state (values) and plans with resource_changes only", () => {
    const state = {
      format_version: "1.0",
      values: { root_module: { resources: [terraformRole("aws_iam_role.a", { assume_role_policy: JSON.stringify(OPEN) })] } },
    };
    expect(summary(state).documents.map((document) => document.label)).toEqual(["aws_iam_role.a"]);
    const changes = {
      format_version: "1.2",
      resource_changes: [
        {
          address: "aws_iam_role.kept",
          mode: "managed",
          type: "aws_iam_role",
          change: { actions: ["create"], after: { assume_role_policy: JSON.stringify(OPEN) } },
        },
        { address: "aws_iam_role.gone", mode: "managed", type: "aws_iam_role", change: { actions: ["delete"], after: null } },
      ],
    };
    expect(summary(changes).documents.map((document) => document.label)).toEqual(["aws_iam_role.kept"]);
  });

  it("notes a Terraform policy known only after apply, and reports one that is broken", () => {
    const plan = {
      format_version: "1.2",
      planned_values: {
        root_module: {
          resources: [terraformRole("aws_iam_role.later", { name: "later" }), terraformRole("aws_iam_role.broken", { assume_role_policy: '{"Statement": [' })],
        },
      },
    };
    expect(summary(plan)).toMatchObject({
      documents: [],
      notes: ["aws_iam_role.later: assume_role_policy is not known until apply; it was not checked"],
      problems: ["aws_iam_role.broken: assume_role_policy is not valid JSON (unexpected end of input at line 1 column 16 of the policy text)"],
    });
  });

  it.each([[{ name: "not a policy" }], [[1, 2, 3]], ["text"], [{ Resources: "none" }]])("finds nothing in %j", (value) => {
    expect(summary(value)).toEqual({ kind: "unrecognised", documents: [], problems: [], notes: [] });
  });
});

describe(resolveCfnValue.name, () => {
  it.each([
    [{ "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" }, "arn:aws:iam::${AWS::AccountId}:root"],
    [{ "Fn::Sub": ["arn:aws:iam::${Account}:root", { Account: "222222222222" }] }, "arn:aws:iam::222222222222:root"],
    [{ "Fn::Join": ["", ["arn:aws:iam::", { Ref: "AWS::AccountId" }, ":root"]] }, "arn:aws:iam::${AWS::AccountId}:root"],
    [{ Ref: "TrustedAccount" }, "${TrustedAccount}"],
    [{ "Fn::GetAtt": ["CiRole", "Arn"] }, "${CiRole.Arn}"],
    [{ "Fn::ImportValue": "shared-role" }, "${?}"],
    [{ "Fn::Sub": "${!Literal}" }, "${!Literal}"],
    [{ NotAnIntrinsic: 1 }, undefined],
    [["list"], undefined],
  ])("%j → %s", (value, text) => {
    expect(resolveCfnValue(value)).toBe(text);
  });
});

describe(normalizeTrustPolicy.name, () => {
  it.each([
    [{ Statement: [{ Principal: "*", Action: "sts:AssumeRole" }] }, "Statement[0].Effect", 'missing: say "Allow" or "Deny"'],
    [{ Statement: [{ Effect: "Permit", Principal: "*" }] }, "Statement[0].Effect", 'must be "Allow" or "Deny" (case-sensitive)'],
    // "The Effect value is case sensitive" (IAM JSON policy elements: Effect), and so are element
    // names (Grammar of the IAM JSON policy language): IAM refuses both, so lint does not read them.
    [{ Statement: [{ Effect: "allow", Principal: "*" }] }, "Statement[0].Effect", 'must be "Allow" or "Deny" (case-sensitive)'],
    [
      { Statement: [{ effect: "Allow", Principal: "*" }] },
      "Statement[0].effect",
      'unknown policy element "effect" (did you mean "Effect"?): IAM element names are case-sensitive and IAM refuses the policy',
    ],
    [
      { statement: [allow("*")] },
      "statement",
      'unknown policy element "statement" (did you mean "Statement"?): IAM element names are case-sensitive and IAM refuses the policy',
    ],
    [
      { Statement: [{ ...allow("*"), Resource: "*", Foo: 1 }] },
      "Statement[0].Foo",
      'unknown policy element "Foo": IAM element names are case-sensitive and IAM refuses the policy',
    ],
    [{ Statement: "nope" }, "Statement", "must be a statement object or a list of them"],
    [{ Statement: [allow({ AWS: "*" }), 7] }, "Statement[1]", "a statement must be an object"],
    [{ Statement: [allow("someone")] }, "Statement[0].Principal", 'expected "*" or an object such as {"AWS": "arn:aws:iam::111111111111:root"}'],
    [{ Statement: [allow({ AWS: [{ nested: true }] })] }, "Statement[0].Principal.AWS[0]", "expected a string"],
    [
      { Statement: [allow("*", "sts:AssumeRole", { StringEquals: ["x"] })] },
      "Statement[0].Condition.StringEquals",
      "expected an object of condition keys and values",
    ],
  ])("refuses %j at %s", (policy, path, reason) => {
    expect(normalizeTrustPolicy(policy)).toMatchObject({ problem: { path, reason } });
  });

  it("accepts booleans and numbers as strings, one statement as an object", () => {
    const result = normalizeTrustPolicy({
      Statement: { Effect: "Allow", Principal: { AWS: 111111111111 }, Action: "sts:AssumeRole", Condition: { Bool: { "aws:MultiFactorAuthPresent": true } } },
    });
    expect(result).toMatchObject({
      policy: {
        statements: [
          {
            index: 0,
            effect: "Allow",
            principals: [{ kind: "AWS", value: "111111111111" }],
            conditions: [{ test: "bool", key: "aws:MultiFactorAuthPresent", values: ["true"] }],
          },
        ],
      },
    });
  });

  it("splits operators into set qualifier, test and IfExists", () => {
    const result = normalizeTrustPolicy({ Statement: [allow("*", "sts:AssumeRole", { "ForAllValues:StringLikeIfExists": { "aws:TagKeys": ["a", "b"] } })] });
    expect(result).toMatchObject({
      policy: {
        statements: [
          {
            conditions: [
              {
                operator: "ForAllValues:StringLikeIfExists",
                qualifier: "forallvalues",
                test: "stringlike",
                ifExists: true,
                keyLower: "aws:tagkeys",
                values: ["a", "b"],
              },
            ],
          },
        ],
      },
    });
  });

  it("turns a shape problem into an input problem with the position of the statement", () => {
    const report = lintValue(trustPolicy(allow({ Service: "ec2.amazonaws.com" }), { Principal: "*", Action: "sts:AssumeRole" }));
    expect(report.problems).toEqual([
      { file: "policy.json", document: "", position: { line: 11, column: 5 }, message: 'Statement[1].Effect: missing: say "Allow" or "Deny"' },
    ]);
  });
});
