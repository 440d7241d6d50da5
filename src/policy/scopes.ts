/**
 * Built-in session-policy templates: `--scope NAME[=ARG]`. Each scope is either an allow set
 * (what the session may do) or a deny set (what it may never do). An allow scope comes in two
 * forms, so that several can be intersected inside one session policy (session policies are a
 * union when evaluated; only explicit denies intersect):
 *
 * - `allow`: the statements that grant exactly its set, used when it is the policy's base;
 * - `outside`: Deny statements that refuse everything outside its set, used when another policy
 *   is the base. Base ∩ (not outside) = base ∩ scope.
 *
 * The JSON each scope produces is printed by `rolecred policy show --scope NAME` and listed in
 * docs/session-policies.md; test/policy/scopes.test.ts proves each with the policy evaluator.
 */
import { usageError } from "../errors.js";

export interface Statement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export type ScopePart =
  | { readonly kind: "allow"; readonly allow: readonly Statement[]; readonly outside: readonly Statement[] }
  /** An AWS managed policy: can only be the base (its complement cannot be written as denies). */
  | { readonly kind: "managed"; readonly policyArn: string }
  | { readonly kind: "deny"; readonly deny: readonly Statement[] };

export interface Scope {
  readonly name: string;
  readonly argument: string | undefined;
  readonly part: ScopePart;
}

interface ScopeTemplate {
  readonly summary: string;
  readonly argument: "none" | "required";
  readonly example: string;
  build(argument: string | undefined): ScopePart;
}

/** S3 object actions the s3-prefix scope grants under the prefix. */
const S3_OBJECT_ACTIONS = [
  "s3:GetObject",
  "s3:GetObjectVersion",
  "s3:GetObjectAttributes",
  "s3:GetObjectTagging",
  "s3:PutObject",
  "s3:PutObjectTagging",
  "s3:DeleteObject",
  "s3:DeleteObjectVersion",
  "s3:AbortMultipartUpload",
  "s3:ListMultipartUploadParts",
  "s3:RestoreObject",
];
const S3_BUCKET_ACTIONS = ["s3:ListBucket", "s3:GetBucketLocation"];

/**
 * Services whose endpoints are global (or run in us-east-1 whatever the caller asks): a region
 * restriction must not cut them off. The IAM User Guide's example "Denies access to AWS based on
 * the requested Region" names CloudFront, IAM, Route 53 and Support and says to add the other
 * global services you use; this list takes those from the AWS Organizations example SCP of the
 * same name, minus its regional services (kms, config, directconnect), which a region scope must
 * restrict.
 */
const GLOBAL_SERVICE_ACTIONS = [
  "a4b:*",
  "account:*",
  "aws-marketplace-management:*",
  "aws-marketplace:*",
  "aws-portal:*",
  "budgets:*",
  "ce:*",
  "chime:*",
  "cloudfront:*",
  "cur:*",
  "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways",
  "ec2:DescribeVpnGateways",
  "fms:*",
  "globalaccelerator:*",
  "health:*",
  "iam:*",
  "importexport:*",
  "mobileanalytics:*",
  "networkmanager:*",
  "organizations:*",
  "pricing:*",
  "route53:*",
  "route53domains:*",
  "route53-recovery-cluster:*",
  "route53-recovery-control-config:*",
  "route53-recovery-readiness:*",
  "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets",
  "s3:ListMultiRegionAccessPoints",
  "s3:PutAccountPublic*",
  "shield:*",
  "sts:*",
  "support:*",
  "trustedadvisor:*",
  "waf-regional:*",
  "waf:*",
  "wafv2:*",
  "wellarchitected:*",
];

/**
 * Destructive actions of the services people most often run against. IAM does not accept a
 * wildcard in the service prefix ("*:Delete*"), so deny-delete has to name services; the list is
 * in docs/session-policies.md, and anything outside it is not covered.
 */
const DESTRUCTIVE_ACTIONS = [
  "acm:Delete*",
  "apigateway:DELETE",
  "athena:Delete*",
  "autoscaling:Delete*",
  "autoscaling:Terminate*",
  "backup:Delete*",
  "cloudformation:Delete*",
  "cloudfront:Delete*",
  "cloudtrail:Delete*",
  "cloudwatch:Delete*",
  "codecommit:Delete*",
  "dynamodb:Delete*",
  "ec2:Delete*",
  "ec2:Terminate*",
  "ecr:BatchDelete*",
  "ecr:Delete*",
  "ecs:Delete*",
  "efs:Delete*",
  "eks:Delete*",
  "elasticache:Delete*",
  "elasticloadbalancing:Delete*",
  "es:Delete*",
  "events:Delete*",
  "firehose:Delete*",
  "glue:Delete*",
  "iam:Delete*",
  "kinesis:Delete*",
  "kms:Delete*",
  "kms:ScheduleKeyDeletion",
  "lambda:Delete*",
  "logs:Delete*",
  "rds:Delete*",
  "redshift:Delete*",
  "route53:Delete*",
  "s3:Delete*",
  "secretsmanager:Delete*",
  "sns:Delete*",
  "sqs:Delete*",
  "ssm:Delete*",
  "states:Delete*",
];

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const SERVICE = /^[a-z0-9-]{2,}$/;

/** A comma-separated list, each item checked; `item` names one ("a service prefix"), `items` several. */
function listArgument(scope: string, argument: string | undefined, check: RegExp, item: string, items: string): string[] {
  const values = (argument ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter((value) => value !== "");
  if (values.length === 0) throw usageError(`--scope ${scope} needs one or more ${items}, e.g. --scope ${TEMPLATES[scope]?.example ?? scope}`);
  const bad = values.find((value) => !check.test(value));
  if (bad !== undefined) throw usageError(`--scope ${scope}: "${bad}" is not ${item}`);
  return values;
}

const TEMPLATES: Readonly<Record<string, ScopeTemplate>> = {
  "read-only": {
    summary: "the AWS managed ReadOnlyAccess policy",
    argument: "none",
    example: "read-only",
    build: () => ({ kind: "managed", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }),
  },
  services: {
    summary: "only the named services (all their actions)",
    argument: "required",
    example: "services=s3,dynamodb",
    build: (argument) => {
      const actions = listArgument("services", argument, SERVICE, "a service prefix", "service prefixes").map((service) => `${service}:*`);
      return {
        kind: "allow",
        allow: [{ Sid: "ScopeServices", Effect: "Allow", Action: actions, Resource: "*" }],
        outside: [{ Sid: "ScopeServicesOnly", Effect: "Deny", NotAction: actions, Resource: "*" }],
      };
    },
  },
  "s3-prefix": {
    summary: "objects under one S3 prefix, and listing only that prefix",
    argument: "required",
    example: "s3-prefix=my-data-bucket/123/",
    build: (argument) => {
      const text = argument ?? "";
      const slash = text.indexOf("/");
      const bucket = slash === -1 ? text : text.slice(0, slash);
      const prefix = slash === -1 ? "" : text.slice(slash + 1);
      if (!BUCKET_NAME.test(bucket)) throw usageError(`--scope s3-prefix: "${bucket}" is not an S3 bucket name`, "e.g. --scope s3-prefix=my-data-bucket/123/");
      if (/[*?]/.test(prefix)) throw usageError("--scope s3-prefix: the prefix cannot contain * or ?");
      const objects = `arn:aws:s3:::${bucket}/${prefix}*`;
      const bucketArn = `arn:aws:s3:::${bucket}`;
      if (prefix === "") {
        // The whole bucket: listing needs no condition (a listing of the top may send no prefix at all).
        return {
          kind: "allow",
          allow: [
            { Sid: "ScopeS3BucketObjects", Effect: "Allow", Action: S3_OBJECT_ACTIONS, Resource: objects },
            { Sid: "ScopeS3Bucket", Effect: "Allow", Action: S3_BUCKET_ACTIONS, Resource: bucketArn },
          ],
          outside: [
            { Sid: "ScopeS3BucketOnlyActions", Effect: "Deny", NotAction: [...S3_OBJECT_ACTIONS, ...S3_BUCKET_ACTIONS], Resource: "*" },
            { Sid: "ScopeS3BucketOnlyObjects", Effect: "Deny", Action: S3_OBJECT_ACTIONS, NotResource: objects },
            { Sid: "ScopeS3BucketOnlyBucket", Effect: "Deny", Action: S3_BUCKET_ACTIONS, NotResource: bucketArn },
          ],
        };
      }
      const listCondition = { "s3:prefix": [`${prefix}*`] };
      return {
        kind: "allow",
        allow: [
          { Sid: "ScopeS3PrefixObjects", Effect: "Allow", Action: S3_OBJECT_ACTIONS, Resource: objects },
          { Sid: "ScopeS3PrefixList", Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: listCondition } },
          { Sid: "ScopeS3PrefixLocation", Effect: "Allow", Action: "s3:GetBucketLocation", Resource: bucketArn },
        ],
        outside: [
          { Sid: "ScopeS3PrefixOnlyActions", Effect: "Deny", NotAction: [...S3_OBJECT_ACTIONS, ...S3_BUCKET_ACTIONS], Resource: "*" },
          { Sid: "ScopeS3PrefixOnlyObjects", Effect: "Deny", Action: S3_OBJECT_ACTIONS, NotResource: objects },
          { Sid: "ScopeS3PrefixOnlyBucket", Effect: "Deny", Action: S3_BUCKET_ACTIONS, NotResource: bucketArn },
          // A listing without a prefix (or outside it) is refused: the key is absent or does not match.
          { Sid: "ScopeS3PrefixOnlyListing", Effect: "Deny", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringNotLike: listCondition } },
        ],
      };
    },
  },
  "deny-iam": {
    summary: "no IAM, Organizations or account changes",
    argument: "none",
    example: "deny-iam",
    build: () => ({ kind: "deny", deny: [{ Sid: "ScopeDenyIam", Effect: "Deny", Action: ["iam:*", "organizations:*", "account:*"], Resource: "*" }] }),
  },
  "deny-delete": {
    summary: "no Delete*/Terminate* actions of common services",
    argument: "none",
    example: "deny-delete",
    build: () => ({ kind: "deny", deny: [{ Sid: "ScopeDenyDelete", Effect: "Deny", Action: DESTRUCTIVE_ACTIONS, Resource: "*" }] }),
  },
  region: {
    summary: "requests only to the named regions (global services excepted)",
    argument: "required",
    example: "region=eu-west-1",
    build: (argument) => ({
      kind: "deny",
      deny: [
        {
          Sid: "ScopeRegion",
          Effect: "Deny",
          NotAction: GLOBAL_SERVICE_ACTIONS,
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": listArgument("region", argument, REGION, "a region code", "region codes") } },
        },
      ],
    }),
  },
};

export const SCOPE_NAMES = Object.keys(TEMPLATES);

export function describeScopes(): Array<{ name: string; summary: string; example: string }> {
  return Object.entries(TEMPLATES).map(([name, template]) => ({ name, summary: template.summary, example: template.example }));
}

/** `NAME` or `NAME=ARG` → a scope, checked. */
export function parseScope(text: string): Scope {
  const equals = text.indexOf("=");
  const name = (equals === -1 ? text : text.slice(0, equals)).trim();
  const argument = equals === -1 ? undefined : text.slice(equals + 1).trim();
  const template = TEMPLATES[name];
  if (template === undefined) throw usageError(`unknown --scope "${name}"`, `scopes: ${SCOPE_NAMES.join(", ")}`);
  if (template.argument === "none" && argument !== undefined) throw usageError(`--scope ${name} takes no value`);
  if (template.argument === "required" && (argument === undefined || argument === ""))
    throw usageError(`--scope ${name} needs a value, e.g. --scope ${template.example}`);
  return { name, argument, part: template.build(argument) };
}
