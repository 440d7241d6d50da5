/**
 * Every built-in scope, proved with the policy evaluator: the session policy it produces (through
 * composeSessionPolicy, exactly as `rolecred policy show` and the STS call get it) must allow what
 * the scope promises and deny the rest. Then combinations: whatever the mix of scopes and the
 * user's own policy, a request is allowed exactly when each of them alone would allow it (allow
 * scopes only ever narrow one another; deny scopes only ever take away).
 */
import { describe, expect, it } from "vitest";
import { composeSessionPolicy, type ComposedSessionPolicy, type SessionPolicyInput } from "../../src/policy/compose.js";
import { evaluatePolicies, type RequestToEvaluate } from "../../src/policy/evaluate.js";
import { toPolicyDocument } from "../../src/policy/policy-document.js";
import { describeScopes, parseScope, SCOPE_NAMES } from "../../src/policy/scopes.js";
import { RolecredError } from "../../src/errors.js";

const BUCKET = "my-data-bucket";
const OBJECT = (key: string, bucket = BUCKET) => `arn:aws:s3:::${bucket}/${key}`;
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const TABLE = "arn:aws:dynamodb:eu-west-1:111111111111:table/orders";
const INSTANCE = "arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0";

function compose(scopes: readonly string[], extra: Partial<Omit<SessionPolicyInput, "scopes">> = {}): ComposedSessionPolicy {
  return composeSessionPolicy({ inline: extra.inline, policyArns: extra.policyArns ?? [], scopes: scopes.map(parseScope) });
}

function userPolicy(...statements: Record<string, unknown>[]): SessionPolicyInput["inline"] {
  return { json: { Version: "2012-10-17", Statement: statements }, origin: "the --policy JSON" };
}

/** What the session policy alone decides: the inline document is all the evaluator can read. */
function allows(composed: ComposedSessionPolicy, request: RequestToEvaluate): boolean {
  if (composed.document === undefined) throw new Error("no inline policy to evaluate");
  return evaluatePolicies([toPolicyDocument(composed.document)], request).allowed;
}

type Row = readonly [action: string, resource: string, context?: Record<string, string | string[]>];

function request([action, resource, context]: Row): RequestToEvaluate {
  return context === undefined ? { action, resource } : { action, resource, context };
}

const describeRow = ([action, resource, context]: Row) => `${action} on ${resource}${context === undefined ? "" : ` ${JSON.stringify(context)}`}`;

/** One table per scope: what it must allow, what it must deny. */
const SCOPE_TABLES: ReadonlyArray<{ scope: string; allowed: readonly Row[]; denied: readonly Row[] }> = [
  {
    scope: "services=s3,dynamodb",
    allowed: [
      ["s3:GetObject", OBJECT("789/data.txt")],
      ["s3:ListAllMyBuckets", "*"],
      ["s3:DeleteBucket", BUCKET_ARN],
      ["dynamodb:GetItem", TABLE],
      ["dynamodb:DeleteTable", TABLE],
    ],
    denied: [
      ["ec2:DescribeInstances", "*"],
      ["iam:CreateUser", "arn:aws:iam::111111111111:user/mallory"],
      ["sts:GetCallerIdentity", "*"],
      ["lambda:InvokeFunction", "arn:aws:lambda:eu-west-1:111111111111:function:f"],
      // A service prefix is the whole prefix, not the start of one.
      ["s3express:CreateSession", "*"],
    ],
  },
  {
    scope: `s3-prefix=${BUCKET}/123/`,
    allowed: [
      ["s3:GetObject", OBJECT("123/data.txt")],
      ["s3:GetObject", OBJECT("123/deep/down/data.txt")],
      ["s3:PutObject", OBJECT("123/new.txt")],
      ["s3:DeleteObject", OBJECT("123/old.txt")],
      ["s3:GetObjectVersion", OBJECT("123/data.txt")],
      ["s3:AbortMultipartUpload", OBJECT("123/big.bin")],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "123/x" }],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "123/" }],
      ["s3:GetBucketLocation", BUCKET_ARN],
    ],
    denied: [
      ["s3:GetObject", OBJECT("789/data.txt")],
      ["s3:PutObject", OBJECT("789/data.txt")],
      ["s3:GetObject", OBJECT("1234/data.txt")],
      ["s3:GetObject", OBJECT("data.txt")],
      ["s3:GetObject", OBJECT("123/data.txt", "other-bucket")],
      ["s3:GetObject", "*"],
      ["s3:ListBucket", BUCKET_ARN],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "789/" }],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "" }],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "12" }],
      ["s3:ListBucket", "arn:aws:s3:::other-bucket", { "s3:prefix": "123/x" }],
      ["s3:ListAllMyBuckets", "*"],
      ["s3:DeleteBucket", BUCKET_ARN],
      ["s3:PutBucketPolicy", BUCKET_ARN],
      ["dynamodb:GetItem", TABLE],
      ["ec2:DescribeInstances", "*"],
    ],
  },
  {
    // A whole bucket: every object, and listing it with or without a prefix.
    scope: `s3-prefix=${BUCKET}`,
    allowed: [
      ["s3:GetObject", OBJECT("anything/at/all.txt")],
      ["s3:ListBucket", BUCKET_ARN],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "" }],
      ["s3:ListBucket", BUCKET_ARN, { "s3:prefix": "789/" }],
    ],
    denied: [
      ["s3:GetObject", OBJECT("a.txt", "my-data-bucket-2")],
      ["s3:ListBucket", "arn:aws:s3:::other-bucket"],
      ["s3:DeleteBucket", BUCKET_ARN],
    ],
  },
  {
    scope: "deny-iam",
    allowed: [
      ["s3:GetObject", OBJECT("789/data.txt")],
      ["ec2:DescribeInstances", "*"],
      ["sts:GetCallerIdentity", "*"],
    ],
    denied: [
      ["iam:CreateUser", "arn:aws:iam::111111111111:user/mallory"],
      ["iam:ListRoles", "*"],
      ["iam:PassRole", "arn:aws:iam::111111111111:role/Admin"],
      ["organizations:LeaveOrganization", "*"],
      ["account:PutAlternateContact", "*"],
    ],
  },
  {
    scope: "deny-delete",
    allowed: [
      ["s3:GetObject", OBJECT("123/data.txt")],
      ["s3:PutObject", OBJECT("123/data.txt")],
      ["ec2:DescribeInstances", "*"],
      ["ec2:RunInstances", "*"],
      ["dynamodb:PutItem", TABLE],
    ],
    denied: [
      ["s3:DeleteObject", OBJECT("123/data.txt")],
      ["s3:DeleteBucket", BUCKET_ARN],
      ["ec2:TerminateInstances", INSTANCE],
      ["ec2:DeleteVpc", "*"],
      ["dynamodb:DeleteTable", TABLE],
      ["dynamodb:DeleteItem", TABLE],
      ["ecr:BatchDeleteImage", "*"],
      ["kms:ScheduleKeyDeletion", "*"],
      ["lambda:DeleteFunction", "*"],
      ["rds:DeleteDBInstance", "*"],
      ["autoscaling:TerminateInstanceInAutoScalingGroup", "*"],
      ["apigateway:DELETE", "*"],
    ],
  },
  {
    scope: "region=eu-west-1,eu-central-1",
    allowed: [
      ["ec2:DescribeInstances", "*", { "aws:RequestedRegion": "eu-west-1" }],
      ["ec2:DescribeInstances", "*", { "aws:RequestedRegion": "eu-central-1" }],
      ["s3:GetObject", OBJECT("123/data.txt"), { "aws:RequestedRegion": "eu-west-1" }],
      // Global services answer from us-east-1 whatever the session's region.
      ["iam:ListRoles", "*", { "aws:RequestedRegion": "us-east-1" }],
      ["sts:GetCallerIdentity", "*", { "aws:RequestedRegion": "us-east-1" }],
      ["s3:ListAllMyBuckets", "*", { "aws:RequestedRegion": "us-east-1" }],
      ["cloudfront:ListDistributions", "*", { "aws:RequestedRegion": "us-east-1" }],
      ["route53:ChangeResourceRecordSets", "*", { "aws:RequestedRegion": "us-east-1" }],
    ],
    denied: [
      ["ec2:DescribeInstances", "*", { "aws:RequestedRegion": "us-east-1" }],
      ["ec2:DescribeInstances", "*", { "aws:RequestedRegion": "eu-west-2" }],
      ["s3:GetObject", OBJECT("123/data.txt"), { "aws:RequestedRegion": "us-west-2" }],
      ["dynamodb:GetItem", TABLE, { "aws:RequestedRegion": "ap-southeast-2" }],
    ],
  },
];

describe("each scope allows what it promises and nothing else", () => {
  for (const { scope, allowed, denied } of SCOPE_TABLES) {
    describe(scope, () => {
      const composed = compose([scope]);
      it.each(allowed.map((row) => [describeRow(row), row] as const))("allows %s", (_name, row) => {
        expect(allows(composed, request(row))).toBe(true);
      });
      it.each(denied.map((row) => [describeRow(row), row] as const))("denies %s", (_name, row) => {
        expect(allows(composed, request(row))).toBe(false);
      });
      it("produces a valid session policy with no warning, and no managed policy", () => {
        expect(composed.warnings).toEqual([]);
        expect(composed.policyArns).toEqual([]);
        expect(composed.policy).toBe(JSON.stringify(composed.document));
      });
    });
  }

  it("covers every scope there is", () => {
    const tested = new Set(SCOPE_TABLES.map(({ scope }) => scope.split("=")[0]));
    expect(SCOPE_NAMES.filter((name) => name !== "read-only" && !tested.has(name))).toEqual([]);
  });

  it("read-only is the AWS managed ReadOnlyAccess policy and no inline policy", () => {
    expect(compose(["read-only"])).toEqual({ policy: undefined, document: undefined, policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], warnings: [] });
  });

  it("a deny scope alone is Allow * on * followed by its denies", () => {
    const composed = compose(["deny-iam"]);
    expect(composed.document).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ScopeBaseAllowAll", Effect: "Allow", Action: "*", Resource: "*" },
        { Sid: "ScopeDenyIam", Effect: "Deny", Action: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
      ],
    });
  });

  it("names the deciding statement, or says that none allows the request", () => {
    const document = toPolicyDocument(compose([`s3-prefix=${BUCKET}/123/`, "deny-iam"]).document);
    expect(evaluatePolicies([document], { action: "s3:GetObject", resource: OBJECT("789/data.txt") }).explanation).toBe(
      "no statement of the session policy allows s3:GetObject on arn:aws:s3:::my-data-bucket/789/data.txt",
    );
    expect(evaluatePolicies([document], { action: "s3:GetObject", resource: OBJECT("123/data.txt") }).explanation).toBe(
      "allowed by statement 1 (ScopeS3PrefixObjects) of the session policy",
    );
    expect(evaluatePolicies([document], { action: "iam:CreateUser", resource: "*" }).explanation).toBe(
      "denied by statement 4 (ScopeDenyIam) of the session policy",
    );
  });

  it("lists every scope with an example that parses", () => {
    const listed = describeScopes();
    expect(listed.map(({ name }) => name)).toEqual(SCOPE_NAMES);
    for (const { example } of listed) expect(() => parseScope(example)).not.toThrow();
  });
});

// ---------------------------------------------------------------------------------------------
// Combinations: a request is allowed exactly when every part alone allows it.

const ACTIONS = [
  "s3:GetObject",
  "s3:PutObject",
  "s3:DeleteObject",
  "s3:ListBucket",
  "s3:GetBucketLocation",
  "s3:ListAllMyBuckets",
  "s3:DeleteBucket",
  "dynamodb:GetItem",
  "dynamodb:DeleteTable",
  "ec2:DescribeInstances",
  "ec2:TerminateInstances",
  "iam:CreateUser",
  "iam:ListRoles",
  "organizations:LeaveOrganization",
  "sts:GetCallerIdentity",
  "kms:Decrypt",
  "lambda:InvokeFunction",
];
const RESOURCES = [
  "*",
  OBJECT("123/a.txt"),
  OBJECT("789/a.txt"),
  OBJECT("456/a.txt"),
  BUCKET_ARN,
  OBJECT("123/a.txt", "other-bucket"),
  "arn:aws:s3:::other-bucket",
  TABLE,
  INSTANCE,
];
const CONTEXTS: ReadonlyArray<Record<string, string>> = [
  {},
  { "aws:RequestedRegion": "eu-west-1" },
  { "aws:RequestedRegion": "us-east-1" },
  { "s3:prefix": "123/x", "aws:RequestedRegion": "eu-west-1" },
  { "s3:prefix": "789/", "aws:RequestedRegion": "eu-west-1" },
  { "s3:prefix": "456/", "aws:RequestedRegion": "eu-west-1" },
];
const UNIVERSE: RequestToEvaluate[] = ACTIONS.flatMap((action) => RESOURCES.flatMap((resource) => CONTEXTS.map((context) => ({ action, resource, context }))));

const S3_READ_EVERYWHERE = userPolicy({ Sid: "ReadAllS3", Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" });
const DATA_ACCESS = userPolicy(
  { Sid: "Objects", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: `arn:aws:s3:::${BUCKET}/*` },
  { Sid: "Tables", Effect: "Allow", Action: "dynamodb:*", Resource: TABLE },
  { Sid: "NoDeletesOf456", Effect: "Deny", Action: "s3:DeleteObject", Resource: `arn:aws:s3:::${BUCKET}/456/*` },
);

const COMBINATIONS: ReadonlyArray<{ name: string; scopes: string[]; inline?: SessionPolicyInput["inline"] }> = [
  { name: "services=s3 then s3-prefix", scopes: ["services=s3", `s3-prefix=${BUCKET}/123/`] },
  { name: "s3-prefix then services=s3", scopes: [`s3-prefix=${BUCKET}/123/`, "services=s3"] },
  { name: "two overlapping service lists", scopes: ["services=s3,dynamodb", "services=dynamodb,ec2"] },
  { name: "two prefixes of one bucket (nothing in common)", scopes: [`s3-prefix=${BUCKET}/123/`, `s3-prefix=${BUCKET}/789/`] },
  { name: "a prefix inside a prefix", scopes: [`s3-prefix=${BUCKET}/123/`, `s3-prefix=${BUCKET}/`] },
  { name: "allow scope with deny scopes on top", scopes: ["services=s3,iam,ec2", "deny-iam", "deny-delete"] },
  { name: "two allow scopes and a deny scope", scopes: ["services=s3,ec2,iam", `s3-prefix=${BUCKET}/123/`, "deny-iam"] },
  { name: "a prefix, deny-iam and a region", scopes: [`s3-prefix=${BUCKET}/123/`, "deny-iam", "region=eu-west-1"] },
  { name: "a whole bucket and a prefix in it", scopes: [`s3-prefix=${BUCKET}`, `s3-prefix=${BUCKET}/123/`] },
  { name: "deny scopes only", scopes: ["deny-iam", "deny-delete", "region=eu-west-1"] },
  { name: "the user's policy and a prefix", scopes: [`s3-prefix=${BUCKET}/123/`], inline: S3_READ_EVERYWHERE },
  { name: "the user's policy (with its own Deny), services and deny-delete", scopes: ["services=s3", "deny-delete"], inline: DATA_ACCESS },
  { name: "the user's policy and region", scopes: ["region=eu-west-1"], inline: DATA_ACCESS },
];

describe("combinations only ever narrow: allowed exactly when each part alone allows", () => {
  it.each(COMBINATIONS)("$name", ({ scopes, inline }) => {
    const combined = compose(scopes, { inline });
    const parts = [...scopes.map((scope) => compose([scope])), ...(inline === undefined ? [] : [compose([], { inline })])];
    let allowedSomewhere = 0;
    for (const each of UNIVERSE) {
      const expected = parts.every((part) => allows(part, each));
      expect(allows(combined, each), `${each.action} on ${each.resource} ${JSON.stringify(each.context)}`).toBe(expected);
      if (expected) allowedSomewhere += 1;
    }
    // The property would hold trivially for a combination that allows nothing; say which ones do.
    if (!scopes.includes(`s3-prefix=${BUCKET}/789/`)) expect(allowedSomewhere).toBeGreaterThan(0);
  });

  it("services=s3 + s3-prefix: the prefix, not all of S3", () => {
    const composed = compose(["services=s3", `s3-prefix=${BUCKET}/123/`]);
    expect(allows(composed, { action: "s3:GetObject", resource: OBJECT("123/a.txt") })).toBe(true);
    expect(allows(composed, { action: "s3:GetObject", resource: OBJECT("789/a.txt") })).toBe(false);
    expect(allows(composed, { action: "s3:ListAllMyBuckets", resource: "*" })).toBe(false);
    // The first allow scope is the base; every other one becomes Deny statements.
    const statements = (composed.document?.Statement ?? []) as Array<{ Sid: string; Effect: string }>;
    expect(statements.map(({ Sid, Effect }) => `${Effect} ${Sid}`)).toEqual([
      "Allow ScopeServices",
      "Deny ScopeS3PrefixOnlyActions",
      "Deny ScopeS3PrefixOnlyObjects",
      "Deny ScopeS3PrefixOnlyBucket",
      "Deny ScopeS3PrefixOnlyListing",
    ]);
  });

  it("the user's policy stays the base, first and unchanged; scopes follow as denies", () => {
    const inline = S3_READ_EVERYWHERE;
    const composed = compose([`s3-prefix=${BUCKET}/123/`, "deny-iam"], { inline });
    const statements = (composed.document?.Statement ?? []) as Array<Record<string, unknown>>;
    expect(statements[0]).toEqual({ Sid: "ReadAllS3", Effect: "Allow", Action: ["s3:Get*", "s3:List*"], Resource: "*" });
    expect(statements.slice(1).every((statement) => statement.Effect === "Deny")).toBe(true);
    expect(allows(composed, { action: "s3:GetObject", resource: OBJECT("123/a.txt") })).toBe(true);
    expect(allows(composed, { action: "s3:PutObject", resource: OBJECT("123/a.txt") })).toBe(false); // the user's policy does not allow it
    expect(allows(composed, { action: "s3:GetObject", resource: OBJECT("789/a.txt") })).toBe(false); // the scope does not
  });

  it("read-only with deny scopes: the managed ARN, and an inline policy of denies only", () => {
    const composed = compose(["read-only", "deny-iam", "region=eu-west-1"]);
    expect(composed.policyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    const statements = (composed.document?.Statement ?? []) as Array<Record<string, unknown>>;
    expect(statements.map((statement) => statement.Effect)).toEqual(["Deny", "Deny"]);
    // The managed policy supplies the allows, which the evaluator cannot read offline: the inline
    // part alone allows nothing, and denies what the deny scopes deny.
    expect(evaluatePolicies([toPolicyDocument(composed.document)], { action: "iam:ListRoles", resource: "*" }).kind).toBe("explicit-deny");
    expect(
      evaluatePolicies([toPolicyDocument(composed.document)], {
        action: "s3:GetObject",
        resource: OBJECT("a"),
        context: { "aws:RequestedRegion": "eu-west-1" },
      }).kind,
    ).toBe("implicit-deny");
  });

  it("read-only with an allow scope: the scope becomes denies around the managed policy", () => {
    const composed = compose(["read-only", "services=s3"]);
    expect(composed.policyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect(composed.document?.Statement).toEqual([{ Sid: "ScopeServicesOnly", Effect: "Deny", NotAction: ["s3:*"], Resource: "*" }]);
  });

  it("several scopes can outgrow STS's limit: the error says by how much", () => {
    expect(() => compose(["services=s3,ec2,iam", `s3-prefix=${BUCKET}/123/`, "deny-iam", "deny-delete", "region=eu-west-1"])).toThrow(
      /^the combined session policy is 2\d{3} characters minified, \d+ over STS's 2048-character limit for session policies$/,
    );
  });

  it("read-only twice is one managed ARN", () => {
    expect(compose(["read-only", "read-only"]).policyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it.each([
    ["--policy", { inline: userPolicy({ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }) }],
    ["--policy-arn", { policyArns: ["arn:aws:iam::111111111111:policy/Mine"] }],
  ])("read-only with %s is a usage error that says why", (_flag, extra) => {
    const attempt = () => compose(["read-only"], extra);
    expect(attempt).toThrow(RolecredError);
    expect(attempt).toThrow(/^--scope read-only cannot be narrowed together with --policy or --policy-arn: session policies add up/);
    try {
      attempt();
    } catch (error) {
      expect((error as RolecredError).exitCode).toBe(2);
      expect((error as RolecredError).hint).toBe("use --scope services=... or s3-prefix=... with your policy, or read-only with deny-type scopes only");
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Arguments

describe(parseScope.name, () => {
  it.each([
    ["deny-iam", "deny-iam", undefined],
    [" deny-delete ", "deny-delete", undefined],
    ["services= s3 , dynamodb ", "services", "s3 , dynamodb"],
    ["region=us-gov-west-1", "region", "us-gov-west-1"],
    ["s3-prefix=my.data-bucket/a/b/", "s3-prefix", "my.data-bucket/a/b/"],
  ])("%j → %s", (text, name, argument) => {
    expect(parseScope(text)).toMatchObject({ name, argument });
  });

  it("trims the items of a list", () => {
    expect(compose(["services= s3 , dynamodb "]).document?.Statement).toEqual([
      { Sid: "ScopeServices", Effect: "Allow", Action: ["s3:*", "dynamodb:*"], Resource: "*" },
    ]);
  });

  it.each<[string, string, string?]>([
    ["readonly", 'unknown --scope "readonly"', "scopes: read-only, services, s3-prefix, deny-iam, deny-delete, region"],
    ["", 'unknown --scope ""'],
    ["deny-iam=yes", "--scope deny-iam takes no value"],
    ["read-only=", "--scope read-only takes no value"],
    ["services", "--scope services needs a value, e.g. --scope services=s3,dynamodb"],
    ["region=", "--scope region needs a value, e.g. --scope region=eu-west-1"],
    ["s3-prefix", "--scope s3-prefix needs a value, e.g. --scope s3-prefix=my-data-bucket/123/"],
    ["services=,", "--scope services needs one or more service prefixes, e.g. --scope services=s3,dynamodb"],
    ["services=S3", '--scope services: "S3" is not a service prefix'],
    ["services=s3:GetObject", '--scope services: "s3:GetObject" is not a service prefix'],
    ["services=s3,*", '--scope services: "*" is not a service prefix'],
    ["region=eu-west-1,mars", '--scope region: "mars" is not a region code'],
    ["region=EU-WEST-1", '--scope region: "EU-WEST-1" is not a region code'],
    ["region=eu-west", '--scope region: "eu-west" is not a region code'],
    ["s3-prefix=My_Bucket/123/", '--scope s3-prefix: "My_Bucket" is not an S3 bucket name', "e.g. --scope s3-prefix=my-data-bucket/123/"],
    ["s3-prefix=/123/", '--scope s3-prefix: "" is not an S3 bucket name', "e.g. --scope s3-prefix=my-data-bucket/123/"],
    ["s3-prefix=ab/123/", '--scope s3-prefix: "ab" is not an S3 bucket name', "e.g. --scope s3-prefix=my-data-bucket/123/"],
    [`s3-prefix=${"b".repeat(64)}/x`, `--scope s3-prefix: "${"b".repeat(64)}" is not an S3 bucket name`, "e.g. --scope s3-prefix=my-data-bucket/123/"],
    ["s3-prefix=my-data-bucket/12*/", "--scope s3-prefix: the prefix cannot contain * or ?"],
    ["s3-prefix=my-data-bucket/12?/", "--scope s3-prefix: the prefix cannot contain * or ?"],
  ])("refuses %j: %s", (text, message, hint) => {
    let caught: unknown;
    try {
      parseScope(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RolecredError);
    expect((caught as RolecredError).message).toBe(message);
    expect((caught as RolecredError).exitCode).toBe(2);
    if (hint !== undefined) expect((caught as RolecredError).hint).toBe(hint);
  });
});
