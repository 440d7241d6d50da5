/**
 * Table-driven tests for the policy evaluator, with cases taken from the IAM User Guide: "Policy
 * evaluation logic", "The difference between explicit and implicit denies", "IAM JSON policy
 * elements: Condition operators" / "NotAction" / "NotResource" / "Resource", "Conditions with
 * multiple context keys or values", and "IAM policy elements: Variables and tags". Policies go
 * through toPolicyDocument, as they do in the CLI, so every row also exercises normalisation.
 */

import { describe, expect, it } from "vitest";

import { KNOWN_CONDITION_OPERATORS, parseConditionOperator } from "../../src/iam/condition-operators.js";
import { evaluatePolicies, type DecisionKind, type RequestToEvaluate } from "../../src/policy/evaluate.js";
import { PolicyShapeError, toPolicyDocument } from "../../src/policy/policy-document.js";

/** A policy in the language version that has policy variables. */
function policy(...statements: Record<string, unknown>[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: statements };
}

const ALLOW_EVERYTHING = { Sid: "AllowEverything", Effect: "Allow", Action: "*", Resource: "*" };

interface EvaluationCase {
  name: string;
  policies: unknown[];
  request: RequestToEvaluate;
  kind: DecisionKind;
  /** [policyIndex, statementIndex] of the deciding statement; absent for implicit-deny. */
  decidedBy?: [number, number];
}

function evaluateRaw(policies: unknown[], request: RequestToEvaluate, label?: string) {
  return evaluatePolicies(policies.map(toPolicyDocument), request, label);
}

function expectDecision({ policies, request, kind, decidedBy }: EvaluationCase): void {
  const decision = evaluateRaw(policies, request);
  expect(decision.kind).toBe(kind);
  expect(decision.allowed).toBe(kind === "allow");
  if (decidedBy === undefined) {
    expect(decision.decidingStatement).toBeUndefined();
  } else {
    expect(decision.decidingStatement).toMatchObject({ policyIndex: decidedBy[0], statementIndex: decidedBy[1] });
  }
}

const S3_OBJECT = "arn:aws:s3:::example-bucket/reports/2024.csv";

// ---------------------------------------------------------------------------------------------
// Evaluation logic: explicit deny, allow, implicit deny

const ALLOW_S3 = { Sid: "AllowS3", Effect: "Allow", Action: "s3:*", Resource: "*" };
const DENY_DELETE = { Sid: "DenyDelete", Effect: "Deny", Action: "s3:DeleteObject", Resource: "*" };

// "The difference between explicit and implicit denies": AllowGetList / DenyReports.
const GET_LIST_NOT_REPORTS = policy(
  { Sid: "AllowGetList", Effect: "Allow", Action: ["iam:Get*", "iam:List*"], Resource: "*" },
  { Sid: "DenyReports", Effect: "Deny", Action: "iam:*Report", Resource: "*" },
);

const evaluationLogicCases: EvaluationCase[] = [
  {
    name: "an explicit Deny in a second policy beats an Allow in the first",
    policies: [policy(ALLOW_S3), policy(DENY_DELETE)],
    request: { action: "s3:DeleteObject", resource: S3_OBJECT },
    kind: "explicit-deny",
    decidedBy: [1, 0],
  },
  {
    name: "an explicit Deny in the first policy beats an Allow in a second",
    policies: [policy(DENY_DELETE), policy(ALLOW_S3)],
    request: { action: "s3:DeleteObject", resource: S3_OBJECT },
    kind: "explicit-deny",
    decidedBy: [0, 0],
  },
  {
    name: "an Allow in one policy allows when no policy denies",
    policies: [policy(ALLOW_S3), policy(DENY_DELETE)],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "no matching Allow is an implicit deny",
    policies: [policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" })],
    request: { action: "s3:PutObject", resource: S3_OBJECT },
    kind: "implicit-deny",
  },
  {
    name: "no policies at all is an implicit deny",
    policies: [],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "implicit-deny",
  },
  {
    name: "a policy with only Deny statements allows nothing",
    policies: [policy(DENY_DELETE)],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "implicit-deny",
  },
  {
    name: "the first of two matching Deny statements decides",
    policies: [policy(ALLOW_EVERYTHING, { ...DENY_DELETE, Sid: "First" }, { ...DENY_DELETE, Sid: "Second" })],
    request: { action: "s3:DeleteObject", resource: S3_OBJECT },
    kind: "explicit-deny",
    decidedBy: [0, 1],
  },
  {
    name: "a Deny after several matching Allows in the same policy still wins",
    policies: [policy(ALLOW_EVERYTHING, ALLOW_S3, DENY_DELETE)],
    request: { action: "s3:DeleteObject", resource: S3_OBJECT },
    kind: "explicit-deny",
    decidedBy: [0, 2],
  },
  {
    name: "the first matching Allow decides, skipping Allows that do not match",
    policies: [policy({ Effect: "Allow", Action: "ec2:*", Resource: "*" }, ALLOW_S3, ALLOW_EVERYTHING)],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 1],
  },
  {
    name: "AllowGetList allows iam:ListUsers",
    policies: [GET_LIST_NOT_REPORTS],
    request: { action: "iam:ListUsers", resource: "*" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "DenyReports explicitly denies iam:GetOrganizationsAccessReport though AllowGetList matches it",
    policies: [GET_LIST_NOT_REPORTS],
    request: { action: "iam:GetOrganizationsAccessReport", resource: "*" },
    kind: "explicit-deny",
    decidedBy: [0, 1],
  },
  {
    name: "DenyReports still denies iam:GenerateCredentialReport when another policy allows it",
    policies: [GET_LIST_NOT_REPORTS, policy({ Effect: "Allow", Action: "iam:GenerateCredentialReport", Resource: "*" })],
    request: { action: "iam:GenerateCredentialReport", resource: "*" },
    kind: "explicit-deny",
    decidedBy: [0, 1],
  },
  {
    name: "iam:CreatePolicy is implicitly denied by AllowGetList/DenyReports",
    policies: [GET_LIST_NOT_REPORTS],
    request: { action: "iam:CreatePolicy", resource: "*" },
    kind: "implicit-deny",
  },
  {
    name: "Principal is ignored by evaluation",
    policies: [policy({ ...ALLOW_S3, Principal: { AWS: "arn:aws:iam::111122223333:root" } })],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
];

// ---------------------------------------------------------------------------------------------
// Action, NotAction, Resource, NotResource

const ALL_BUT_IAM = policy({ Sid: "AllButIam", Effect: "Allow", NotAction: "iam:*", Resource: "*" });
const PAYROLL = ["arn:aws:s3:::HRBucket/Payroll", "arn:aws:s3:::HRBucket/Payroll/*"];
const DENY_OUTSIDE_PAYROLL = policy(ALLOW_S3, { Sid: "DenyOutsidePayroll", Effect: "Deny", Action: "s3:*", NotResource: PAYROLL });
const HOME_DIRECTORY = policy({
  Sid: "HomeDirectory",
  Effect: "Allow",
  Action: "s3:*",
  Resource: "arn:aws:s3:::example-bucket/home/${aws:username}/*",
});

function allowAction(action: string): Record<string, unknown> {
  return policy({ Effect: "Allow", Action: action, Resource: "*" });
}

function allowResource(resource: string | string[]): Record<string, unknown> {
  return policy({ Effect: "Allow", Action: "*", Resource: resource });
}

const actionAndResourceCases: EvaluationCase[] = [
  {
    name: "NotAction with Allow allows a non-IAM action",
    policies: [ALL_BUT_IAM],
    request: { action: "s3:ListAllMyBuckets", resource: "*" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "NotAction with Allow does not allow an IAM action",
    policies: [ALL_BUT_IAM],
    request: { action: "iam:CreateUser", resource: "*" },
    kind: "implicit-deny",
  },
  {
    name: "NotAction compares case-insensitively (IAM:CreateUser is still IAM)",
    policies: [ALL_BUT_IAM],
    request: { action: "IAM:CreateUser", resource: "*" },
    kind: "implicit-deny",
  },
  {
    name: "NotResource with Deny denies a resource outside the listed ones",
    policies: [DENY_OUTSIDE_PAYROLL],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::OtherBucket/file.txt" },
    kind: "explicit-deny",
    decidedBy: [0, 1],
  },
  {
    name: "NotResource with Deny leaves the listed resources to the Allow",
    policies: [DENY_OUTSIDE_PAYROLL],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::HRBucket/Payroll/june.csv" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "NotResource with Allow does not cover the listed resources",
    policies: [policy({ Effect: "Allow", Action: "s3:*", NotResource: PAYROLL })],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::HRBucket/Payroll" },
    kind: "implicit-deny",
  },
  {
    name: "s3:Get* matches s3:GetObject",
    policies: [allowAction("s3:Get*")],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "s3:Get* matches regardless of the request's case (S3:getobjectacl)",
    policies: [allowAction("s3:Get*")],
    request: { action: "S3:getobjectacl", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "the policy's action case does not matter either (S3:GETOBJECT)",
    policies: [allowAction("S3:GETOBJECT")],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "s3:Get* does not match s3:PutObject",
    policies: [allowAction("s3:Get*")],
    request: { action: "s3:PutObject", resource: S3_OBJECT },
    kind: "implicit-deny",
  },
  {
    name: "*Object matches s3:PutObject across the service prefix",
    policies: [allowAction("*Object")],
    request: { action: "s3:PutObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "*Object does not match s3:ListBucket",
    policies: [allowAction("*Object")],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::example-bucket" },
    kind: "implicit-deny",
  },
  {
    name: "? matches exactly one character (s3:?etObject matches s3:GetObject)",
    policies: [allowAction("s3:?etObject")],
    request: { action: "s3:GetObject", resource: S3_OBJECT },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "? does not match a longer action (s3:?etObject vs s3:GetObjectAcl)",
    policies: [allowAction("s3:?etObject")],
    request: { action: "s3:GetObjectAcl", resource: S3_OBJECT },
    kind: "implicit-deny",
  },
  {
    name: "resources compare case-sensitively",
    policies: [allowResource("arn:aws:s3:::example-bucket/*")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::Example-Bucket/file.txt" },
    kind: "implicit-deny",
  },
  {
    name: "* in a resource spans slashes (arn:aws:s3:::* covers nested keys)",
    policies: [allowResource("arn:aws:s3:::*")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/a/b/c.txt" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "* in a resource spans colons (arn:aws:* covers any service)",
    policies: [allowResource("arn:aws:*")],
    request: { action: "dynamodb:GetItem", resource: "arn:aws:dynamodb:us-east-2:123456789012:table/books_table" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "* in the region segment with a table wildcard",
    policies: [allowResource("arn:aws:dynamodb:*:123456789012:table/*")],
    request: { action: "dynamodb:GetItem", resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/magazines_table" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "a resource with another account does not match",
    policies: [allowResource("arn:aws:dynamodb:*:123456789012:table/*")],
    request: { action: "dynamodb:GetItem", resource: "arn:aws:dynamodb:eu-west-1:999999999999:table/books_table" },
    kind: "implicit-deny",
  },
  {
    name: "? in a resource matches one character (bucket-? vs bucket-1)",
    policies: [allowResource("arn:aws:s3:::bucket-?")],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::bucket-1" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "? in a resource does not match two characters (bucket-? vs bucket-10)",
    policies: [allowResource("arn:aws:s3:::bucket-?")],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::bucket-10" },
    kind: "implicit-deny",
  },
  {
    name: "the session-policy scope example: my-data-bucket/123/* does not cover 789/",
    policies: [allowResource("arn:aws:s3:::my-data-bucket/123/*")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::my-data-bucket/789/data.txt" },
    kind: "implicit-deny",
  },
];

// ---------------------------------------------------------------------------------------------
// Policy variables

const policyVariableCases: EvaluationCase[] = [
  {
    name: "${aws:username} in a resource allows the user's own home directory",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/David/notes.txt", context: { "aws:username": "David" } },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "${aws:username} in a resource does not allow another user's home directory",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/Bob/notes.txt", context: { "aws:username": "David" } },
    kind: "implicit-deny",
  },
  {
    name: "the substituted value is compared case-sensitively, like the rest of the ARN",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/david/notes.txt", context: { "aws:username": "David" } },
    kind: "implicit-deny",
  },
  {
    name: "a variable missing from the request context makes the resource not match",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/David/notes.txt" },
    kind: "implicit-deny",
  },
  {
    name: "a variable's key is looked up case-insensitively (AWS:UserName)",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/David/notes.txt", context: { "AWS:UserName": "David" } },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "a substituted * is a literal asterisk, not a wildcard",
    policies: [HOME_DIRECTORY],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/David/notes.txt", context: { "aws:username": "*" } },
    kind: "implicit-deny",
  },
  {
    name: "${aws:PrincipalTag/team} is substituted from the principal tag",
    policies: [allowResource("arn:aws:s3:::team-data/${aws:PrincipalTag/team}/*")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::team-data/blue/plan.md", context: { "aws:PrincipalTag/team": "blue" } },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "a default value stands in for a missing variable (${aws:userid, 'anonymous'})",
    policies: [allowResource("arn:aws:s3:::uploads/${aws:userid, 'anonymous'}/*")],
    request: { action: "s3:PutObject", resource: "arn:aws:s3:::uploads/anonymous/file.bin" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "${*} is a literal asterisk and matches only an asterisk",
    policies: [allowResource("arn:aws:s3:::bucket/${*}")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/*" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "${*} does not act as a wildcard",
    policies: [allowResource("arn:aws:s3:::bucket/${*}")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/anything" },
    kind: "implicit-deny",
  },
  {
    name: "${?} and ${$} are a literal question mark and dollar sign",
    policies: [allowResource("arn:aws:s3:::bucket/why${?}-${$}5")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/why?-$5" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "without Version 2012-10-17 a variable is literal text and is not substituted",
    policies: [{ Statement: { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::example-bucket/home/${aws:username}/*" } }],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/David/notes.txt", context: { "aws:username": "David" } },
    kind: "implicit-deny",
  },
  {
    name: "without Version 2012-10-17 the literal text ${aws:username} matches itself",
    policies: [{ Statement: { Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::example-bucket/home/${aws:username}/*" } }],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/home/${aws:username}/notes.txt" },
    kind: "allow",
    decidedBy: [0, 0],
  },
  {
    name: "a multivalued key cannot be a variable",
    policies: [allowResource("arn:aws:s3:::bucket/${aws:TagKeys}/*")],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/a/x", context: { "aws:TagKeys": ["a", "b"] } },
    kind: "implicit-deny",
  },
];

// ---------------------------------------------------------------------------------------------
// Conditions

function allowWhen(condition: Record<string, unknown>, action = "*"): Record<string, unknown> {
  return policy({ Sid: "AllowWhen", Effect: "Allow", Action: action, Resource: "*", Condition: condition });
}

/** An allow-everything statement followed by a conditional Deny, so "not denied" shows as allow [0,0]. */
function denyWhen(condition: Record<string, unknown>, action = "*"): Record<string, unknown> {
  return policy(ALLOW_EVERYTHING, { Sid: "DenyWhen", Effect: "Deny", Action: action, Resource: "*", Condition: condition });
}

function conditionCase(
  name: string,
  conditionPolicy: Record<string, unknown>,
  context: Record<string, string | string[]>,
  kind: DecisionKind,
  action = "s3:GetObject",
  resource = S3_OBJECT,
): EvaluationCase {
  // allowWhen puts its statement first; denyWhen puts the Deny second, after ALLOW_EVERYTHING.
  const decidedBy: [number, number] | undefined = kind === "implicit-deny" ? undefined : kind === "explicit-deny" ? [0, 1] : [0, 0];
  return decidedBy === undefined
    ? { name, policies: [conditionPolicy], request: { action, resource, context }, kind }
    : { name, policies: [conditionPolicy], request: { action, resource, context }, kind, decidedBy };
}

// The home-directory policy from "String condition operators".
const HOME_DIRECTORY_CONSOLE = policy(
  { Effect: "Allow", Action: ["s3:ListAllMyBuckets", "s3:GetBucketLocation"], Resource: "arn:aws:s3:::*" },
  {
    Effect: "Allow",
    Action: "s3:ListBucket",
    Resource: "arn:aws:s3:::BUCKET-NAME",
    Condition: { StringLike: { "s3:prefix": ["", "home/", "home/${aws:username}/"] } },
  },
  { Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::BUCKET-NAME/home/${aws:username}", "arn:aws:s3:::BUCKET-NAME/home/${aws:username}/*"] },
);

const stringConditionCases: EvaluationCase[] = [
  conditionCase("StringEquals matches the exact value", allowWhen({ StringEquals: { "aws:username": "johndoe" } }), { "aws:username": "johndoe" }, "allow"),
  conditionCase(
    "condition key names are case-insensitive (AWS:UserName)",
    allowWhen({ StringEquals: { "aws:username": "johndoe" } }),
    { "AWS:UserName": "johndoe" },
    "allow",
  ),
  conditionCase(
    "StringEquals values are case-sensitive (JohnDoe is not johndoe)",
    allowWhen({ StringEquals: { "aws:username": "johndoe" } }),
    { "aws:username": "JohnDoe" },
    "implicit-deny",
  ),
  conditionCase("StringEquals does not match when the key is missing", allowWhen({ StringEquals: { "aws:username": "johndoe" } }), {}, "implicit-deny"),
  conditionCase(
    "StringEquals treats * as a literal character",
    allowWhen({ StringEquals: { "s3:prefix": "home/*" } }),
    { "s3:prefix": "home/David" },
    "implicit-deny",
  ),
  conditionCase("StringEquals matches a literal * exactly", allowWhen({ StringEquals: { "s3:prefix": "home/*" } }), { "s3:prefix": "home/*" }, "allow"),
  conditionCase(
    "StringEqualsIgnoreCase ignores case (JohnDoe)",
    allowWhen({ StringEqualsIgnoreCase: { "aws:username": "johndoe" } }),
    { "aws:username": "JohnDoe" },
    "allow",
  ),
  conditionCase(
    "several values for one key are OR-ed (role is audit or security)",
    allowWhen({ StringEquals: { "aws:PrincipalTag/role": ["audit", "security"] } }),
    { "aws:PrincipalTag/role": "security" },
    "allow",
  ),
  conditionCase(
    "StringNotEquals with several values is a NOR: hr is one of them, so no Deny",
    denyWhen({ StringNotEquals: { "aws:PrincipalTag/department": ["hr", "legal"] } }),
    { "aws:PrincipalTag/department": "hr" },
    "allow",
  ),
  conditionCase(
    "StringNotEquals with several values is a NOR: eng is none of them, so Deny",
    denyWhen({ StringNotEquals: { "aws:PrincipalTag/department": ["hr", "legal"] } }),
    { "aws:PrincipalTag/department": "eng" },
    "explicit-deny",
  ),
  conditionCase(
    "StringNotEquals holds when the key is missing",
    denyWhen({ StringNotEquals: { "aws:PrincipalTag/department": ["hr", "legal"] } }),
    {},
    "explicit-deny",
  ),
  conditionCase(
    "StringNotEqualsIgnoreCase: HR equals hr ignoring case, so no Deny",
    denyWhen({ StringNotEqualsIgnoreCase: { "aws:PrincipalTag/department": "hr" } }),
    { "aws:PrincipalTag/department": "HR" },
    "allow",
  ),
  conditionCase(
    "StringLike with wildcards (t2.* matches t2.micro)",
    allowWhen({ StringLike: { "ec2:InstanceType": ["t1.*", "t2.*", "m3.*"] } }),
    { "ec2:InstanceType": "t2.micro" },
    "allow",
  ),
  conditionCase(
    "StringLike is case-sensitive (T2.micro)",
    allowWhen({ StringLike: { "ec2:InstanceType": ["t1.*", "t2.*", "m3.*"] } }),
    { "ec2:InstanceType": "T2.micro" },
    "implicit-deny",
  ),
  conditionCase("StringNotLike holds when the key is missing", denyWhen({ StringNotLike: { "s3:prefix": "home/*" } }), {}, "explicit-deny"),
  conditionCase(
    "StringNotLike does not hold when the value is like the pattern",
    denyWhen({ StringNotLike: { "s3:prefix": "home/*" } }),
    { "s3:prefix": "home/David/" },
    "allow",
  ),
  conditionCase(
    "a variable in a condition value is substituted",
    allowWhen({ StringLike: { "s3:prefix": "${aws:username}/*" } }),
    { "aws:username": "David", "s3:prefix": "David/photos/" },
    "allow",
  ),
  conditionCase(
    "an unresolvable variable makes a positive operator fail",
    allowWhen({ StringLike: { "s3:prefix": "${aws:username}/*" } }),
    { "s3:prefix": "David/photos/" },
    "implicit-deny",
  ),
  conditionCase(
    "an unresolvable variable makes a negated operator fail too",
    denyWhen({ StringNotEquals: { "aws:PrincipalTag/owner": "${aws:username}" } }),
    { "aws:PrincipalTag/owner": "Bob" },
    "allow",
  ),
  {
    name: "home-directory example: listing the user's own prefix is allowed",
    policies: [HOME_DIRECTORY_CONSOLE],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::BUCKET-NAME", context: { "aws:username": "David", "s3:prefix": "home/David/" } },
    kind: "allow",
    decidedBy: [0, 1],
  },
  {
    name: "home-directory example: listing the bucket root (empty prefix) is allowed",
    policies: [HOME_DIRECTORY_CONSOLE],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::BUCKET-NAME", context: { "aws:username": "David", "s3:prefix": "" } },
    kind: "allow",
    decidedBy: [0, 1],
  },
  {
    name: "home-directory example: listing another user's prefix is not allowed",
    policies: [HOME_DIRECTORY_CONSOLE],
    request: { action: "s3:ListBucket", resource: "arn:aws:s3:::BUCKET-NAME", context: { "aws:username": "David", "s3:prefix": "home/Bob/" } },
    kind: "implicit-deny",
  },
  {
    name: "home-directory example: reading an object under the user's home is allowed",
    policies: [HOME_DIRECTORY_CONSOLE],
    request: { action: "s3:GetObject", resource: "arn:aws:s3:::BUCKET-NAME/home/David/cv.pdf", context: { "aws:username": "David" } },
    kind: "allow",
    decidedBy: [0, 2],
  },
];

const numericAndDateCases: EvaluationCase[] = [
  conditionCase(
    "NumericLessThanEquals: max-keys 10 is allowed",
    allowWhen({ NumericLessThanEquals: { "s3:max-keys": "10" } }),
    { "s3:max-keys": "10" },
    "allow",
  ),
  conditionCase(
    "NumericLessThanEquals: max-keys 11 is not",
    allowWhen({ NumericLessThanEquals: { "s3:max-keys": "10" } }),
    { "s3:max-keys": "11" },
    "implicit-deny",
  ),
  conditionCase("NumericLessThanEquals does not match a missing key", allowWhen({ NumericLessThanEquals: { "s3:max-keys": "10" } }), {}, "implicit-deny"),
  conditionCase(
    "a numeric operator does not match a non-number",
    allowWhen({ NumericLessThanEquals: { "s3:max-keys": "10" } }),
    { "s3:max-keys": "ten" },
    "implicit-deny",
  ),
  conditionCase("a JSON number in the policy works like the string", allowWhen({ NumericLessThan: { "s3:max-keys": 10 } }), { "s3:max-keys": "9" }, "allow"),
  conditionCase(
    "NumericEquals compares numbers, not text (5 equals 5.0)",
    allowWhen({ NumericEquals: { "s3:max-keys": "5" } }),
    { "s3:max-keys": "5.0" },
    "allow",
  ),
  conditionCase("NumericGreaterThan: 100 > 10", allowWhen({ NumericGreaterThan: { "s3:max-keys": "10" } }), { "s3:max-keys": "100" }, "allow"),
  conditionCase(
    "NumericGreaterThanEquals: 9.5 is not >= 10",
    allowWhen({ NumericGreaterThanEquals: { "s3:max-keys": "10" } }),
    { "s3:max-keys": "9.5" },
    "implicit-deny",
  ),
  conditionCase("NumericNotEquals holds when the key is missing", denyWhen({ NumericNotEquals: { "s3:max-keys": "5" } }), {}, "explicit-deny"),
  conditionCase("NumericNotEquals does not hold for an equal value", denyWhen({ NumericNotEquals: { "s3:max-keys": "5" } }), { "s3:max-keys": "5" }, "allow"),
  conditionCase(
    "DateGreaterThan: credentials issued in 2020 pass",
    allowWhen({ DateGreaterThan: { "aws:TokenIssueTime": "2020-01-01T00:00:01Z" } }),
    { "aws:TokenIssueTime": "2020-06-01T12:00:00Z" },
    "allow",
  ),
  conditionCase(
    "DateGreaterThan: credentials issued in 2019 do not",
    allowWhen({ DateGreaterThan: { "aws:TokenIssueTime": "2020-01-01T00:00:01Z" } }),
    { "aws:TokenIssueTime": "2019-12-31T23:59:59Z" },
    "implicit-deny",
  ),
  conditionCase(
    "DateGreaterThan: no aws:TokenIssueTime (long-term keys) does not match",
    allowWhen({ DateGreaterThan: { "aws:TokenIssueTime": "2020-01-01T00:00:01Z" } }),
    {},
    "implicit-deny",
  ),
  conditionCase(
    "DateLessThan against epoch seconds (aws:EpochTime)",
    allowWhen({ DateLessThan: { "aws:EpochTime": "2030-01-01T00:00:00Z" } }),
    { "aws:EpochTime": "1700000000" },
    "allow",
  ),
  conditionCase(
    "DateLessThan with an epoch policy value",
    allowWhen({ DateLessThan: { "aws:CurrentTime": "1893456000" } }),
    { "aws:CurrentTime": "2030-01-01T00:00:00Z" },
    "implicit-deny",
  ),
  conditionCase(
    "DateEquals compares instants across time zones",
    allowWhen({ DateEquals: { "aws:CurrentTime": "2020-01-01T01:00:00+01:00" } }),
    { "aws:CurrentTime": "2020-01-01T00:00:00Z" },
    "allow",
  ),
  conditionCase(
    "DateEquals accepts a date without a time (midnight UTC)",
    allowWhen({ DateEquals: { "aws:CurrentTime": "2020-01-01" } }),
    { "aws:CurrentTime": "2020-01-01T00:00:00.000Z" },
    "allow",
  ),
  conditionCase(
    "DateLessThanEquals holds at the boundary",
    allowWhen({ DateLessThanEquals: { "aws:CurrentTime": "2024-02-29T23:59:59Z" } }),
    { "aws:CurrentTime": "2024-02-29T23:59:59Z" },
    "allow",
  ),
  conditionCase(
    "DateGreaterThanEquals with fractional seconds",
    allowWhen({ DateGreaterThanEquals: { "aws:CurrentTime": "2024-01-01T00:00:00.500Z" } }),
    { "aws:CurrentTime": "2024-01-01T00:00:00.250Z" },
    "implicit-deny",
  ),
  conditionCase(
    "a date that does not exist does not match",
    allowWhen({ DateLessThan: { "aws:CurrentTime": "2030-01-01T00:00:00Z" } }),
    { "aws:CurrentTime": "2023-02-29T00:00:00Z" },
    "implicit-deny",
  ),
  conditionCase("DateNotEquals holds when the key is missing", denyWhen({ DateNotEquals: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } }), {}, "explicit-deny"),
];

const boolAndNullCases: EvaluationCase[] = [
  conditionCase(
    "Bool: Deny when aws:SecureTransport is false",
    denyWhen({ Bool: { "aws:SecureTransport": "false" } }, "s3:*"),
    { "aws:SecureTransport": "false" },
    "explicit-deny",
  ),
  conditionCase(
    "Bool: no Deny when aws:SecureTransport is true",
    denyWhen({ Bool: { "aws:SecureTransport": "false" } }, "s3:*"),
    { "aws:SecureTransport": "true" },
    "allow",
  ),
  conditionCase(
    "Bool accepts a JSON boolean in the policy",
    denyWhen({ Bool: { "aws:SecureTransport": false } }, "s3:*"),
    { "aws:SecureTransport": "false" },
    "explicit-deny",
  ),
  conditionCase(
    "Bool compares true/false case-insensitively",
    allowWhen({ Bool: { "aws:MultiFactorAuthPresent": "true" } }),
    { "aws:MultiFactorAuthPresent": "TRUE" },
    "allow",
  ),
  conditionCase("Bool: MFA present allows", allowWhen({ Bool: { "aws:MultiFactorAuthPresent": "true" } }), { "aws:MultiFactorAuthPresent": "true" }, "allow"),
  conditionCase("Bool: MFA key missing (long-term keys) does not allow", allowWhen({ Bool: { "aws:MultiFactorAuthPresent": "true" } }), {}, "implicit-deny"),
  conditionCase("Bool: Deny on MFA false misses requests without the key", denyWhen({ Bool: { "aws:MultiFactorAuthPresent": "false" } }), {}, "allow"),
  conditionCase(
    "BoolIfExists: Deny on MFA false also denies requests without the key",
    denyWhen({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }),
    {},
    "explicit-deny",
  ),
  conditionCase(
    "BoolIfExists: no Deny when MFA is present",
    denyWhen({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }),
    { "aws:MultiFactorAuthPresent": "true" },
    "allow",
  ),
  conditionCase(
    "Null true: allows only without temporary credentials",
    allowWhen({ Null: { "aws:TokenIssueTime": "true" } }, "ec2:*"),
    {},
    "allow",
    "ec2:DescribeInstances",
    "*",
  ),
  conditionCase(
    "Null true: does not allow with temporary credentials",
    allowWhen({ Null: { "aws:TokenIssueTime": "true" } }, "ec2:*"),
    { "aws:TokenIssueTime": "2024-01-01T00:00:00Z" },
    "implicit-deny",
    "ec2:DescribeInstances",
    "*",
  ),
  conditionCase(
    "Null false: holds when the key is present",
    allowWhen({ Null: { "aws:TokenIssueTime": false } }),
    { "aws:TokenIssueTime": "2024-01-01T00:00:00Z" },
    "allow",
  ),
  conditionCase("Null false: does not hold when the key is missing", allowWhen({ Null: { "aws:TokenIssueTime": "false" } }), {}, "implicit-deny"),
  conditionCase(
    "BinaryEquals compares base-64 values",
    allowWhen({ BinaryEquals: { "example:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } }),
    { "example:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" },
    "allow",
  ),
  conditionCase(
    "BinaryEquals does not match other bytes",
    allowWhen({ BinaryEquals: { "example:key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } }),
    { "example:key": "T3RoZXI=" },
    "implicit-deny",
  ),
];

const IPV4_AND_IPV6 = allowWhen({ IpAddress: { "aws:SourceIp": ["203.0.113.0/24", "2001:DB8:1234:5678::/64"] } });

const ipAndArnCases: EvaluationCase[] = [
  conditionCase("IpAddress: an address inside 203.0.113.0/24", IPV4_AND_IPV6, { "aws:SourceIp": "203.0.113.7" }, "allow"),
  conditionCase("IpAddress: an address outside the ranges", IPV4_AND_IPV6, { "aws:SourceIp": "198.51.100.1" }, "implicit-deny"),
  conditionCase("IpAddress: an IPv6 address inside 2001:DB8:1234:5678::/64", IPV4_AND_IPV6, { "aws:SourceIp": "2001:db8:1234:5678:abcd::1" }, "allow"),
  conditionCase("IpAddress: an IPv6 address outside the /64", IPV4_AND_IPV6, { "aws:SourceIp": "2001:db8:1234:5679::1" }, "implicit-deny"),
  conditionCase("IpAddress: no aws:SourceIp (VPC endpoint) does not match", IPV4_AND_IPV6, {}, "implicit-deny"),
  conditionCase(
    "IpAddress without a prefix means /32 (same address)",
    allowWhen({ IpAddress: { "aws:SourceIp": "203.0.113.5" } }),
    { "aws:SourceIp": "203.0.113.5" },
    "allow",
  ),
  conditionCase(
    "IpAddress without a prefix means /32 (next address)",
    allowWhen({ IpAddress: { "aws:SourceIp": "203.0.113.5" } }),
    { "aws:SourceIp": "203.0.113.6" },
    "implicit-deny",
  ),
  conditionCase(
    "IpAddress 0.0.0.0/0 covers every IPv4 address",
    allowWhen({ IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }),
    { "aws:SourceIp": "192.0.2.44" },
    "allow",
  ),
  conditionCase(
    "IpAddress with an IPv4-mapped IPv6 range",
    allowWhen({ IpAddress: { "aws:SourceIp": "::ffff:0:0/96" } }),
    { "aws:SourceIp": "::ffff:192.0.2.1" },
    "allow",
  ),
  conditionCase(
    "NotIpAddress: no Deny from inside the range",
    denyWhen({ NotIpAddress: { "aws:SourceIp": "192.0.2.0/24" } }),
    { "aws:SourceIp": "192.0.2.10" },
    "allow",
  ),
  conditionCase(
    "NotIpAddress: Deny from outside the range",
    denyWhen({ NotIpAddress: { "aws:SourceIp": "192.0.2.0/24" } }),
    { "aws:SourceIp": "198.51.100.1" },
    "explicit-deny",
  ),
  conditionCase(
    "NotIpAddress holds when aws:SourceIp is missing (VPC endpoint)",
    denyWhen({ NotIpAddress: { "aws:SourceIp": "192.0.2.0/24" } }),
    {},
    "explicit-deny",
  ),
  conditionCase(
    "StringLike lets * span colons in an ARN value",
    allowWhen({ StringLike: { "aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*" } }),
    { "aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt" },
    "allow",
  ),
  conditionCase(
    "ArnLike checks each of the six components separately, so the same value fails",
    allowWhen({ ArnLike: { "aws:SourceArn": "arn:aws:someservice:*:111122223333:finance/*" } }),
    { "aws:SourceArn": "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt" },
    "implicit-deny",
  ),
  conditionCase(
    "ArnEquals matches the exact topic",
    allowWhen({ ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic-id" } }),
    { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic-id" },
    "allow",
  ),
  conditionCase(
    "ArnLike with wildcards in region and resource",
    allowWhen({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:*" } }),
    { "aws:SourceArn": "arn:aws:sns:eu-west-1:123456789012:alerts" },
    "allow",
  ),
  conditionCase(
    "ArnLike: the resource component keeps its own colons",
    allowWhen({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:topic:*" } }),
    { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic:sub-1" },
    "allow",
  ),
  conditionCase(
    "ArnLike with a variable in the resource component",
    allowWhen({ ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/${aws:PrincipalTag/team}-*" } }),
    { "aws:PrincipalArn": "arn:aws:iam::123456789012:role/blue-deployer", "aws:PrincipalTag/team": "blue" },
    "allow",
  ),
  conditionCase(
    "ArnLike does not match a value that is not an ARN",
    allowWhen({ ArnLike: { "aws:SourceArn": "arn:aws:sns:*:*:*" } }),
    { "aws:SourceArn": "not-an-arn" },
    "implicit-deny",
  ),
  conditionCase("ArnNotLike holds when the key is missing", denyWhen({ ArnNotLike: { "aws:SourceArn": "arn:aws:sns:*:123456789012:*" } }), {}, "explicit-deny"),
  conditionCase(
    "ArnNotEquals does not hold for the listed ARN",
    denyWhen({ ArnNotEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic-id" } }),
    { "aws:SourceArn": "arn:aws:sns:us-east-1:123456789012:topic-id" },
    "allow",
  ),
];

const RUN_INSTANCES = allowWhen({ StringLikeIfExists: { "ec2:InstanceType": ["t1.*", "t2.*", "m3.*"] } }, "ec2:RunInstances");
const RUN_INSTANCES_WITHOUT_IF_EXISTS = allowWhen({ StringLike: { "ec2:InstanceType": ["t1.*", "t2.*", "m3.*"] } }, "ec2:RunInstances");
const INSTANCE = "arn:aws:ec2:us-east-1:123456789012:instance/*";
const IMAGE = "arn:aws:ec2:us-east-1::image/ami-12345678";
const READABLE_ATTRIBUTES = allowWhen(
  { "ForAllValues:StringLike": { "dynamodb:requestedAttributes": ["PostDateTime", "Message", "Tags"] } },
  "dynamodb:GetItem",
);
const PROTECTED_ATTRIBUTES = denyWhen({ "ForAnyValue:StringLike": { "dynamodb:requestedAttributes": ["ID", "PostDateTime"] } }, "dynamodb:PutItem");
const RESTRICTED_TAGS = denyWhen({ "ForAllValues:StringNotLike": { "aws:TagKeys": "key1*" } }, "iam:Tag*");
const THREAD_TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Thread";

const ifExistsAndSetCases: EvaluationCase[] = [
  conditionCase("StringLikeIfExists: a resource without ec2:InstanceType (an image) is allowed", RUN_INSTANCES, {}, "allow", "ec2:RunInstances", IMAGE),
  conditionCase("StringLikeIfExists: a t2 instance is allowed", RUN_INSTANCES, { "ec2:InstanceType": "t2.micro" }, "allow", "ec2:RunInstances", INSTANCE),
  conditionCase("StringLikeIfExists: an m5 instance is not", RUN_INSTANCES, { "ec2:InstanceType": "m5.large" }, "implicit-deny", "ec2:RunInstances", INSTANCE),
  conditionCase(
    "StringLike without IfExists fails on a resource without the key",
    RUN_INSTANCES_WITHOUT_IF_EXISTS,
    {},
    "implicit-deny",
    "ec2:RunInstances",
    IMAGE,
  ),
  conditionCase("NumericLessThanIfExists: missing key holds", allowWhen({ NumericLessThanIfExists: { "s3:max-keys": "100" } }), {}, "allow"),
  conditionCase(
    "IpAddressIfExists: a present key is still checked",
    allowWhen({ IpAddressIfExists: { "aws:SourceIp": "192.0.2.0/24" } }),
    { "aws:SourceIp": "198.51.100.1" },
    "implicit-deny",
  ),
  conditionCase(
    "ForAllValues: every requested attribute is listed",
    READABLE_ATTRIBUTES,
    { "dynamodb:requestedAttributes": ["PostDateTime", "Message"] },
    "allow",
    "dynamodb:GetItem",
    THREAD_TABLE,
  ),
  conditionCase(
    "ForAllValues: UserName is not listed",
    READABLE_ATTRIBUTES,
    { "dynamodb:requestedAttributes": ["PostDateTime", "UserName"] },
    "implicit-deny",
    "dynamodb:GetItem",
    THREAD_TABLE,
  ),
  conditionCase("ForAllValues holds when the key is missing", READABLE_ATTRIBUTES, {}, "allow", "dynamodb:GetItem", THREAD_TABLE),
  conditionCase(
    "ForAllValues holds for an empty data set (empty string)",
    READABLE_ATTRIBUTES,
    { "dynamodb:requestedAttributes": "" },
    "allow",
    "dynamodb:GetItem",
    THREAD_TABLE,
  ),
  conditionCase(
    "ForAnyValue: PostDateTime is among the protected attributes, so Deny",
    PROTECTED_ATTRIBUTES,
    { "dynamodb:requestedAttributes": ["UserName", "Message", "PostDateTime"] },
    "explicit-deny",
    "dynamodb:PutItem",
    THREAD_TABLE,
  ),
  conditionCase(
    "ForAnyValue: UserName alone is not protected",
    PROTECTED_ATTRIBUTES,
    { "dynamodb:requestedAttributes": ["UserName"] },
    "allow",
    "dynamodb:PutItem",
    THREAD_TABLE,
  ),
  conditionCase("ForAnyValue does not hold when the key is missing", PROTECTED_ATTRIBUTES, {}, "allow", "dynamodb:PutItem", THREAD_TABLE),
  conditionCase(
    "ForAnyValue treats a single string value as a one-member set",
    PROTECTED_ATTRIBUTES,
    { "dynamodb:requestedAttributes": "ID" },
    "explicit-deny",
    "dynamodb:PutItem",
    THREAD_TABLE,
  ),
  conditionCase(
    "ForAllValues:StringNotLike: key1:legal is like key1*, so no Deny",
    RESTRICTED_TAGS,
    { "aws:TagKeys": ["key1:legal"] },
    "allow",
    "iam:TagUser",
    "*",
  ),
  conditionCase(
    "ForAllValues:StringNotLike: key1:hr and key1:personnel, so no Deny",
    RESTRICTED_TAGS,
    { "aws:TagKeys": ["key1:hr", "key1:personnel"] },
    "allow",
    "iam:TagUser",
    "*",
  ),
  conditionCase(
    "ForAllValues:StringNotLike: key2:audit is not like key1*, so Deny",
    RESTRICTED_TAGS,
    { "aws:TagKeys": ["key2:audit"] },
    "explicit-deny",
    "iam:TagUser",
    "*",
  ),
  conditionCase("ForAllValues:StringNotLike: no aws:TagKeys, so Deny", RESTRICTED_TAGS, {}, "explicit-deny", "iam:TagUser", "*"),
  conditionCase(
    "a multivalued key under a single-valued operator does not match",
    allowWhen({ StringEquals: { "aws:TagKeys": "a" } }),
    { "aws:TagKeys": ["a", "b"] },
    "implicit-deny",
  ),
  conditionCase(
    "a one-element array under a single-valued operator is that value",
    allowWhen({ StringEquals: { "aws:TagKeys": "a" } }),
    { "aws:TagKeys": ["a"] },
    "allow",
  ),
];

const conditionLogicCases: EvaluationCase[] = [
  conditionCase(
    "several operators are AND-ed: both hold",
    allowWhen({ StringEquals: { "aws:username": "johndoe" }, IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }),
    { "aws:username": "johndoe", "aws:SourceIp": "203.0.113.9" },
    "allow",
  ),
  conditionCase(
    "several operators are AND-ed: one fails",
    allowWhen({ StringEquals: { "aws:username": "johndoe" }, IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }),
    { "aws:username": "johndoe", "aws:SourceIp": "198.51.100.9" },
    "implicit-deny",
  ),
  conditionCase(
    "several keys under one operator are AND-ed",
    allowWhen({ StringEquals: { "aws:PrincipalTag/department": "finance", "aws:PrincipalTag/role": "audit" } }),
    { "aws:PrincipalTag/department": "finance", "aws:PrincipalTag/role": "developer" },
    "implicit-deny",
  ),
  conditionCase(
    "an unknown operator makes an Allow unable to match",
    allowWhen({ StringEqualz: { "aws:username": "johndoe" } }),
    { "aws:username": "johndoe" },
    "implicit-deny",
  ),
  conditionCase(
    "an unknown operator makes a Deny unable to match",
    denyWhen({ StringEqualz: { "aws:username": "johndoe" } }),
    { "aws:username": "johndoe" },
    "allow",
  ),
  conditionCase("NullIfExists is not an operator", allowWhen({ NullIfExists: { "aws:TokenIssueTime": "true" } }), {}, "implicit-deny"),
  conditionCase(
    "operator names are read case-insensitively",
    allowWhen({ "forallvalues:stringlikeifexists": { "aws:TagKeys": "env*" } }),
    { "aws:TagKeys": ["env", "environment"] },
    "allow",
  ),
  conditionCase(
    "NotAction with Deny and BoolIfExists: deny everything but IAM without MFA",
    policy(ALLOW_EVERYTHING, { Effect: "Deny", NotAction: "iam:*", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } }),
    {},
    "explicit-deny",
  ),
];

describe("evaluatePolicies", () => {
  describe("evaluation logic", () => {
    it.each(evaluationLogicCases)("$name", expectDecision);
  });
  describe("Action, NotAction, Resource, NotResource", () => {
    it.each(actionAndResourceCases)("$name", expectDecision);
  });
  describe("policy variables", () => {
    it.each(policyVariableCases)("$name", expectDecision);
  });
  describe("string conditions", () => {
    it.each(stringConditionCases)("$name", expectDecision);
  });
  describe("numeric and date conditions", () => {
    it.each(numericAndDateCases)("$name", expectDecision);
  });
  describe("Bool, Null and Binary conditions", () => {
    it.each(boolAndNullCases)("$name", expectDecision);
  });
  describe("IP address and ARN conditions", () => {
    it.each(ipAndArnCases)("$name", expectDecision);
  });
  describe("IfExists and set operators", () => {
    it.each(ifExistsAndSetCases)("$name", expectDecision);
  });
  describe("combining conditions", () => {
    it.each(conditionLogicCases)("$name", expectDecision);
  });

  describe("explanations", () => {
    const scoped = policy(
      { Sid: "AllowPrefix", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-data-bucket/*" },
      { Sid: "DenyOtherPrefixes", Effect: "Deny", Action: "s3:*", NotResource: "arn:aws:s3:::my-data-bucket/123/*" },
    );

    it("names the deciding Deny by number and Sid", () => {
      const decision = evaluateRaw([scoped], { action: "s3:GetObject", resource: "arn:aws:s3:::my-data-bucket/789/data.txt" });
      expect(decision).toEqual({
        kind: "explicit-deny",
        allowed: false,
        decidingStatement: { policyIndex: 0, statementIndex: 1, sid: "DenyOtherPrefixes" },
        explanation: "denied by statement 2 (DenyOtherPrefixes) of the session policy",
      });
    });

    it("names the deciding Allow", () => {
      const decision = evaluateRaw([scoped], { action: "s3:GetObject", resource: "arn:aws:s3:::my-data-bucket/123/data.txt" });
      expect(decision.explanation).toBe("allowed by statement 1 (AllowPrefix) of the session policy");
    });

    it("leaves out a missing Sid", () => {
      const decision = evaluateRaw([policy({ Effect: "Allow", Action: "s3:*", Resource: "*" })], { action: "s3:GetObject", resource: S3_OBJECT });
      expect(decision.decidingStatement).toEqual({ policyIndex: 0, statementIndex: 0 });
      expect(decision.explanation).toBe("allowed by statement 1 of the session policy");
    });

    it("says which action on which resource nothing allows", () => {
      const decision = evaluateRaw([allowResource("arn:aws:s3:::my-data-bucket/123/*")], {
        action: "s3:GetObject",
        resource: "arn:aws:s3:::my-data-bucket/789/data.txt",
      });
      expect(decision).toEqual({
        kind: "implicit-deny",
        allowed: false,
        explanation: "no statement of the session policy allows s3:GetObject on arn:aws:s3:::my-data-bucket/789/data.txt",
      });
    });

    it("numbers the policy when there are several, and uses the caller's label", () => {
      const decision = evaluateRaw([policy(ALLOW_S3), policy(DENY_DELETE)], { action: "s3:DeleteObject", resource: S3_OBJECT }, "the session policies");
      expect(decision.explanation).toBe("denied by statement 1 (DenyDelete) of policy 2 of the session policies");
    });
  });
});

describe("parseConditionOperator", () => {
  it.each([
    ["StringEquals", { baseName: "StringEquals", ifExists: false }],
    ["StringLikeIfExists", { baseName: "StringLike", ifExists: true }],
    ["ForAllValues:StringNotLike", { setOperator: "ForAllValues", baseName: "StringNotLike", ifExists: false }],
    ["ForAnyValue:ArnLikeIfExists", { setOperator: "ForAnyValue", baseName: "ArnLike", ifExists: true }],
    ["foranyvalue:stringequals", { setOperator: "ForAnyValue", baseName: "StringEquals", ifExists: false }],
    ["Null", { baseName: "Null", ifExists: false }],
  ])("takes %s apart", (written, expected) => {
    expect(parseConditionOperator(written)).toEqual(expected);
  });

  it.each(["NullIfExists", "StringEqualz", "ForEachValue:StringEquals", "ForAllValues:ForAnyValue:StringEquals", "IfExists", ""])(
    "does not know %j",
    (written) => {
      expect(parseConditionOperator(written)).toBeUndefined();
    },
  );

  it("lists base names only, one per operator", () => {
    expect(KNOWN_CONDITION_OPERATORS).toContain("StringEquals");
    expect(KNOWN_CONDITION_OPERATORS).toContain("NotIpAddress");
    expect(KNOWN_CONDITION_OPERATORS.some((name) => name.includes(":") || name.endsWith("IfExists"))).toBe(false);
    expect(new Set(KNOWN_CONDITION_OPERATORS).size).toBe(KNOWN_CONDITION_OPERATORS.length);
  });
});

describe("toPolicyDocument", () => {
  it("normalises a single statement, string-or-array fields and condition scalars", () => {
    const document = toPolicyDocument({
      Version: "2012-10-17",
      Id: "scope",
      Statement: {
        Sid: "One",
        Effect: "Allow",
        Action: "s3:GetObject",
        Resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"],
        Condition: { Bool: { "aws:SecureTransport": true }, NumericLessThan: { "s3:max-keys": [10, "20"] } },
      },
    });
    expect(document).toEqual({
      version: "2012-10-17",
      id: "scope",
      statements: [
        {
          sid: "One",
          effect: "Allow",
          action: ["s3:GetObject"],
          resource: ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"],
          condition: { Bool: { "aws:SecureTransport": ["true"] }, NumericLessThan: { "s3:max-keys": ["10", "20"] } },
        },
      ],
    });
  });

  it("keeps NotAction, NotResource and Principal", () => {
    const document = toPolicyDocument({
      Statement: [{ Effect: "Deny", NotAction: ["iam:*"], NotResource: "arn:aws:s3:::x", Principal: "*" }],
    });
    expect(document).toEqual({
      statements: [{ effect: "Deny", notAction: ["iam:*"], notResource: ["arn:aws:s3:::x"], principal: "*" }],
    });
  });

  const VALID = { Effect: "Allow", Action: "s3:GetObject", Resource: "*" };

  it.each<[string, unknown, string]>([
    ["an array instead of a policy", [VALID], "$"],
    ["a string instead of a policy", "{}", "$"],
    ["null instead of a policy", null, "$"],
    ["a miscased element", { statement: [VALID] }, "$.statement"],
    ["a missing Statement", { Version: "2012-10-17" }, "$.Statement"],
    ["an unknown Version", { Version: "2012-10-18", Statement: [VALID] }, "$.Version"],
    ["a numeric Version", { Version: 2012, Statement: [VALID] }, "$.Version"],
    ["a non-object statement", { Statement: ["Allow"] }, "$.Statement[0]"],
    ["a non-object second statement", { Statement: [VALID, 42] }, "$.Statement[1]"],
    ["a missing Effect", { Statement: [{ Action: "s3:*", Resource: "*" }] }, "$.Statement[0].Effect"],
    ["Effect in the wrong case", { Statement: [{ ...VALID, Effect: "allow" }] }, "$.Statement[0].Effect"],
    ["Effect on a single-object Statement", { Statement: { ...VALID, Effect: "Maybe" } }, "$.Statement.Effect"],
    ["both Action and NotAction", { Statement: [{ ...VALID, NotAction: "iam:*" }] }, "$.Statement[0]"],
    ["neither Action nor NotAction", { Statement: [{ Effect: "Allow", Resource: "*" }] }, "$.Statement[0]"],
    ["both Resource and NotResource", { Statement: [{ ...VALID, NotResource: "arn:aws:s3:::x" }] }, "$.Statement[0]"],
    ["neither Resource nor NotResource", { Statement: [{ Effect: "Allow", Action: "s3:*" }] }, "$.Statement[0]"],
    ["both Principal and NotPrincipal", { Statement: [{ ...VALID, Principal: "*", NotPrincipal: "*" }] }, "$.Statement[0]"],
    ["an empty Action list", { Statement: [{ ...VALID, Action: [] }] }, "$.Statement[0].Action"],
    ["a non-string action", { Statement: [{ ...VALID, Action: ["s3:GetObject", 3] }] }, "$.Statement[0].Action[1]"],
    ["an object as Resource", { Statement: [{ ...VALID, Resource: {} }] }, "$.Statement[0].Resource"],
    ["a numeric Sid", { Statement: [{ ...VALID, Sid: 1 }] }, "$.Statement[0].Sid"],
    ["an unknown statement element", { Statement: [{ ...VALID, Actions: "s3:*" }] }, "$.Statement[0].Actions"],
    ["a string as Condition", { Statement: [{ ...VALID, Condition: "x" }] }, "$.Statement[0].Condition"],
    ["a string under a condition operator", { Statement: [{ ...VALID, Condition: { StringEquals: "x" } }] }, "$.Statement[0].Condition.StringEquals"],
    ["an empty condition operator", { Statement: [{ ...VALID, Condition: { StringEquals: {} } }] }, "$.Statement[0].Condition.StringEquals"],
    [
      "a null condition value",
      { Statement: [{ ...VALID, Condition: { StringEquals: { "aws:username": null } } }] },
      '$.Statement[0].Condition.StringEquals["aws:username"]',
    ],
    [
      "an object inside a condition value list",
      { Statement: [{ ...VALID, Condition: { "ForAnyValue:StringLike": { "aws:TagKeys": ["a", {}] } } }] },
      '$.Statement[0].Condition["ForAnyValue:StringLike"]["aws:TagKeys"][1]',
    ],
  ])("refuses %s at %s", (_name, json, path) => {
    let thrown: unknown;
    try {
      toPolicyDocument(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PolicyShapeError);
    expect((thrown as PolicyShapeError).path).toBe(path);
    expect((thrown as PolicyShapeError).message.startsWith(`${path}: `)).toBe(true);
  });

  it("suggests the right spelling of a miscased element", () => {
    expect(() => toPolicyDocument({ Statement: [{ ...VALID, effect: "Allow" }] })).toThrow('did you mean "Effect"?');
  });
});
