/**
 * Trust policies as AWS's (and GitHub's) documentation shows them, with placeholders filled in.
 * Where a documented example is itself incomplete, the expected finding says why.
 */
import { describe, expect, it } from "vitest";
import { KNOWN, ruleIdsOf, VENDOR } from "./lint-helpers.js";

const EXAMPLES: ReadonlyArray<readonly [name: string, policy: unknown, expected: readonly string[]]> = [
  [
    "IAM user guide: cross-account role requiring MFA",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:root" },
          Action: "sts:AssumeRole",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
      ],
    },
    [],
  ],
  [
    "IAM user guide: third-party access with an external ID (Statement as one object, bare account id)",
    {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Principal: { AWS: VENDOR },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": "Unique ID Assigned by Example Corp" } },
      },
    },
    [],
  ],
  [
    "IAM user guide: SAML 2.0 federation role",
    {
      Version: "2012-10-17",
      Statement: {
        Effect: "Allow",
        Action: "sts:AssumeRoleWithSAML",
        Principal: { Federated: "arn:aws:iam::123456789012:saml-provider/ExampleOrgSSOProvider" },
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
      },
    },
    [],
  ],
  [
    "GitHub docs: OIDC role for GitHub Actions",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": "repo:octo-org/octo-repo:ref:refs/heads/octo-branch",
            },
          },
        },
      ],
    },
    [],
  ],
  [
    "EKS user guide: IAM role for a service account",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:sub": "system:serviceaccount:default:my-service-account",
              "oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE:aud": "sts.amazonaws.com",
            },
          },
        },
      ],
    },
    [],
  ],
  [
    "Cognito developer guide: unauthenticated identity pool role",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "",
          Effect: "Allow",
          Principal: { Federated: "cognito-identity.amazonaws.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:12345678-corner-cafe-123456790ab" },
            "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "unauthenticated" },
          },
        },
      ],
    },
    [],
  ],
  [
    "EKS user guide: Pod Identity role (the service sets the session tags)",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowEksAuthToAssumeRoleForPodIdentity",
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    },
    [],
  ],
  [
    "IAM Roles Anywhere user guide: trust anchor and issuer CN only — the issuer is the CA, any certificate it signed gets in",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "rolesanywhere.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
          Condition: {
            StringEquals: { "aws:PrincipalTag/x509Issuer/CN": "Bob" },
            ArnEquals: { "aws:SourceArn": ["arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/TA_ID"] },
          },
        },
      ],
    },
    ["RC-TRUST-006"],
  ],
  [
    "IAM user guide: session tags for an IAM user (tags passed, none compared)",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowIamUserAssumeRole",
          Effect: "Allow",
          Action: "sts:AssumeRole",
          Principal: { AWS: "arn:aws:iam::123456789012:user/test-session-tags" },
          Condition: { StringLike: { "aws:RequestTag/Project": "*", "aws:RequestTag/CostCenter": "*" } },
        },
        {
          Sid: "AllowPassSessionTagsAndTransitive",
          Effect: "Allow",
          Action: "sts:TagSession",
          Principal: { AWS: "arn:aws:iam::123456789012:user/test-session-tags" },
          Condition: {
            StringLike: { "aws:RequestTag/Project": "*", "aws:RequestTag/CostCenter": "*" },
            StringEquals: { "aws:RequestTag/Department": ["Engineering", "Marketing"] },
            "ForAllValues:StringEquals": { "sts:TransitiveTagKeys": ["Project", "Department"] },
          },
        },
      ],
    },
    [],
  ],
  [
    "IAM user guide: require a source identity equal to the user name",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::123456789012:user/Alice" },
          Action: ["sts:AssumeRole", "sts:SetSourceIdentity"],
          Condition: { StringLike: { "sts:SourceIdentity": "${aws:username}" } },
        },
      ],
    },
    [],
  ],
  [
    "service role with confused-deputy conditions",
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "personalize.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { ArnLike: { "aws:SourceArn": "arn:aws:personalize:us-west-2:111122223333:*" }, StringEquals: { "aws:SourceAccount": "111122223333" } },
        },
      ],
    },
    [],
  ],
  [
    "IAM guardrails: the anti-pattern of Principal * without conditions",
    { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] },
    ["RC-TRUST-001"],
  ],
];

/** The documentation's example accounts, vouched for so the account rules judge only vendors. */
const KNOWN_WITH_EXAMPLES = [...KNOWN, ...["123456789012", "111122223333"].map((id) => ({ id, name: "example", thirdParty: false, awsService: false }))];

describe("documented trust policies", () => {
  it.each(EXAMPLES)("%s", (_name, policy, expected) => {
    expect(ruleIdsOf(policy, { known: KNOWN_WITH_EXAMPLES })).toEqual(expected);
  });
});
