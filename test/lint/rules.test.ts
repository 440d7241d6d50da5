/**
 * Every rule against policies that must trigger it and near misses that must not: a linter that
 * cries wolf gets ignored, so the near misses matter as much as the hits.
 */
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../src/lint/rules.js";
import { RULE_IDS, type RuleId } from "../../src/lint/rule-ids.js";
import type { KnownAccount } from "../../src/lint/known-accounts.js";
import { allow, AWS_SERVICE_ACCOUNT, deny, getRoleAnswer, KNOWN, lintValue, OTHER, OWN, ruleIdsOf, trustPolicy, VENDOR, type Json } from "./lint-helpers.js";

interface Case {
  readonly name: string;
  readonly input: unknown;
  readonly known?: readonly KnownAccount[];
}

const root = (account: string) => ({ AWS: `arn:aws:iam::${account}:root` });
const role = (account: string, name: string) => ({ AWS: `arn:aws:iam::${account}:role/${name}` });
const MFA: Json = { Bool: { "aws:MultiFactorAuthPresent": "true" } };
const GITHUB = "token.actions.githubusercontent.com";
const github = { Federated: `arn:aws:iam::${OWN}:oidc-provider/${GITHUB}` };
const EKS = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";
const eks = { Federated: `arn:aws:iam::${OWN}:oidc-provider/${EKS}` };
const saml = { Federated: `arn:aws:iam::${OWN}:saml-provider/AcmeSaml` };
const rolesAnywhere = { Service: "rolesanywhere.amazonaws.com" };
const RA_ACTIONS = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];
const TRUST_ANCHOR: Json = { ArnEquals: { "aws:SourceArn": `arn:aws:rolesanywhere:eu-west-1:${OWN}:trust-anchor/0b9a1c2d` } };

const cfnRole = (...statements: Json[]) => ({
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: { Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: trustPolicy(...statements) } } },
});

const TRIGGERS: Record<RuleId, readonly Case[]> = {
  "RC-TRUST-001": [
    { name: 'Principal "*"', input: trustPolicy(allow("*")) },
    { name: '{"AWS": "*"}', input: trustPolicy(allow({ AWS: "*" })) },
    {
      name: '{"AWS": ["*"]} with only a tag condition',
      input: trustPolicy(allow({ AWS: ["*"] }, "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" } })),
    },
    { name: "an org condition with a wildcard value", input: trustPolicy(allow("*", "sts:AssumeRole", { StringLike: { "aws:PrincipalOrgID": "*" } })) },
    {
      name: "an org condition with IfExists",
      input: trustPolicy(allow("*", "sts:AssumeRole", { StringEqualsIfExists: { "aws:PrincipalOrgID": "o-exampleorgid" } })),
    },
    {
      name: "aws:PrincipalArn with a wildcard account",
      input: trustPolicy(allow("*", "sts:AssumeRole", { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::*:role/deploy" } })),
    },
    { name: "only sts:ExternalId (not a secret)", input: trustPolicy(allow("*", "sts:AssumeRole", { StringEquals: { "sts:ExternalId": "abc" } })) },
    {
      name: "a Deny that also tests another key",
      input: trustPolicy(
        allow("*"),
        deny("*", "sts:AssumeRole", { StringNotEquals: { "aws:PrincipalOrgID": "o-exampleorgid" }, Bool: { "aws:SecureTransport": "false" } }),
      ),
    },
    { name: "Action sts:* and one statement object", input: { Version: "2012-10-17", Statement: allow("*", "sts:*") } },
  ],
  "RC-TRUST-002": [
    { name: "an account root ARN", input: trustPolicy(allow(root(OWN))) },
    { name: "a bare account id", input: trustPolicy(allow({ AWS: OWN })) },
    { name: "two account roots", input: trustPolicy(allow({ AWS: [`arn:aws:iam::${OWN}:root`, "333333333333"] })) },
    {
      name: 'Bool MultiFactorAuthPresent "false" in the Allow',
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { Bool: { "aws:MultiFactorAuthPresent": "false" } })),
    },
    {
      name: "BoolIfExists true (admits long-term keys without MFA)",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } })),
    },
    {
      name: "NumericLessThanIfExists on the MFA age",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } })),
    },
    {
      name: "a Deny with Bool false (misses requests without the key)",
      input: trustPolicy(allow(root(OWN)), deny("*", "sts:AssumeRole", { Bool: { "aws:MultiFactorAuthPresent": "false" } })),
    },
    {
      name: "a Deny requiring MFA for another action only",
      input: trustPolicy(allow(root(OWN)), deny("*", "sts:TagSession", { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } })),
    },
    { name: "MFA required in another statement only", input: trustPolicy(allow(root(OWN)), allow(root("333333333333"), "sts:AssumeRole", MFA)) },
    { name: 'Action "*"', input: trustPolicy(allow(root(OWN), "*")) },
  ],
  "RC-TRUST-003": [
    { name: "a SAML provider without conditions", input: trustPolicy(allow(saml, "sts:AssumeRoleWithSAML")) },
    { name: "SAML:aud matched with *", input: trustPolicy(allow(saml, "sts:AssumeRoleWithSAML", { StringLike: { "SAML:aud": "*" } })) },
    {
      name: "SAML:aud with IfExists",
      input: trustPolicy(allow(saml, "sts:AssumeRoleWithSAML", { StringEqualsIfExists: { "SAML:aud": "https://signin.aws.amazon.com/saml" } })),
    },
    { name: "another SAML attribute only", input: trustPolicy(allow(saml, "sts:AssumeRoleWithSAML", { StringEquals: { "SAML:sub_type": "persistent" } })) },
  ],
  "RC-TRUST-004": [
    {
      name: "GitHub with the audience only",
      input: trustPolicy(allow(github, "sts:AssumeRoleWithWebIdentity", { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } })),
    },
    {
      name: "GitHub with sub repo:*",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${GITHUB}:sub`]: "repo:*" },
        }),
      ),
    },
    {
      name: "GitHub with a wildcard owner",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringLike: { [`${GITHUB}:sub`]: "repo:*/infra:ref:refs/heads/main", [`${GITHUB}:aud`]: "sts.amazonaws.com" },
        }),
      ),
    },
    {
      name: "GitHub sub under ForAllValues (true without the key)",
      input: trustPolicy(allow(github, "sts:AssumeRoleWithWebIdentity", { "ForAllValues:StringLike": { [`${GITHUB}:sub`]: "repo:octo-org/octo-repo:*" } })),
    },
    { name: "an EKS cluster with no conditions", input: trustPolicy(allow(eks, "sts:AssumeRoleWithWebIdentity")) },
    {
      name: "a sub condition for another provider",
      input: trustPolicy(allow(eks, "sts:AssumeRoleWithWebIdentity", { StringEquals: { [`${GITHUB}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main" } })),
    },
    {
      name: "Cognito identity pools without aud",
      input: trustPolicy(
        allow({ Federated: "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity", {
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        }),
      ),
    },
    {
      name: "a CloudFormation provider by Ref, audience only",
      input: cfnRole(
        allow({ Federated: { Ref: "GithubOidc" } }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" } }),
      ),
    },
    {
      name: "Google with sub but no aud",
      input: trustPolicy(
        allow({ Federated: "accounts.google.com" }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "accounts.google.com:sub": "110169484474386276334" } }),
      ),
    },
  ],
  "RC-TRUST-005": [
    {
      name: "GitHub with the subject only",
      input: trustPolicy(allow(github, "sts:AssumeRoleWithWebIdentity", { StringLike: { [`${GITHUB}:sub`]: "repo:octo-org/octo-repo:*" } })),
    },
    {
      name: "EKS with the subject only",
      input: trustPolicy(allow(eks, "sts:AssumeRoleWithWebIdentity", { StringEquals: { [`${EKS}:sub`]: "system:serviceaccount:default:deploy" } })),
    },
  ],
  "RC-TRUST-006": [
    { name: "no conditions", input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS)) },
    { name: "the trust anchor only", input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, TRUST_ANCHOR)) },
    {
      name: "the issuer CN only (the CA, not the workload)",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Issuer/CN": "Acme Issuing CA" }, ...TRUST_ANCHOR })),
    },
    { name: "a subject CN of *", input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringLike: { "aws:PrincipalTag/x509Subject/CN": "*" } })) },
    {
      name: "a subject CN with IfExists",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEqualsIfExists: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" } })),
    },
  ],
  "RC-TRUST-007": [
    {
      name: "two CNs in one condition",
      input: trustPolicy(
        allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/CN": ["pipeline.prod", "backup.prod"] }, ...TRUST_ANCHOR }),
      ),
    },
  ],
  "RC-TRUST-008": [
    {
      name: "an account in the same statement",
      input: trustPolicy(
        allow({ Service: "rolesanywhere.amazonaws.com", AWS: `arn:aws:iam::${OWN}:root` }, RA_ACTIONS, {
          StringEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" },
        }),
      ),
    },
    {
      name: "a role in another statement",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" } }), allow(role(OWN, "ci"))),
    },
  ],
  "RC-TRUST-009": [
    {
      name: "a session name pinned to the user name",
      input: trustPolicy(allow(role(OWN, "jump"), "sts:AssumeRole", { StringLike: { "sts:RoleSessionName": "${aws:username}" } })),
    },
    {
      name: "a session name allowed list for a web identity",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:sub`]: "repo:o/r:ref:refs/heads/main", [`${GITHUB}:aud`]: "sts.amazonaws.com", "sts:RoleSessionName": ["deploy"] },
        }),
      ),
    },
  ],
  "RC-TRUST-010": [
    {
      name: "TagSession in the same statement as the comparison",
      input: trustPolicy(allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:PrincipalTag/team": "platform" } })),
    },
    {
      name: "TagSession in its own statement",
      input: trustPolicy(
        allow(role(OWN, "jump"), "sts:AssumeRole", { StringEquals: { "aws:ResourceTag/env": "${aws:PrincipalTag/env}" } }),
        allow(role(OWN, "jump"), "sts:TagSession"),
      ),
    },
    { name: "sts:* allows TagSession", input: trustPolicy(allow(role(OWN, "jump"), "sts:*", { StringEquals: { "aws:PrincipalTag/team": "platform" } })) },
    {
      name: "tag keys limited, but to the compared one",
      input: trustPolicy(
        allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], {
          StringEquals: { "aws:PrincipalTag/team": "platform" },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "Project"] },
        }),
      ),
    },
  ],
  "RC-TRUST-011": [
    {
      name: "own account root with a principal tag condition",
      input: getRoleAnswer(trustPolicy(allow(root(OWN), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" }, ...MFA }))),
    },
    {
      name: "the role itself with a resource tag condition",
      input: getRoleAnswer(trustPolicy(allow(role(OWN, "Developer"), "sts:AssumeRole", { StringEquals: { "aws:ResourceTag/env": "prod" } }))),
    },
    {
      name: "a CloudFormation role trusting ${AWS::AccountId}",
      input: {
        Resources: {
          TeamRole: {
            Type: "AWS::IAM::Role",
            Properties: {
              AssumeRolePolicyDocument: trustPolicy(
                allow({ AWS: { "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root" } }, "sts:AssumeRole", {
                  StringEquals: { "aws:PrincipalTag/team": "platform" },
                  ...MFA,
                }),
              ),
            },
          },
        },
      },
    },
  ],
  "RC-TRUST-012": [
    { name: "an account not in the list", input: trustPolicy(allow(root(OTHER), "sts:AssumeRole", MFA)), known: KNOWN },
    { name: "a role in an unknown account", input: trustPolicy(allow(role("444444444444", "ci"))), known: KNOWN },
  ],
  "RC-TRUST-013": [
    { name: "a vendor without an external id", input: trustPolicy(allow(root(VENDOR))), known: KNOWN },
    {
      name: "a vendor with a wildcard external id",
      input: trustPolicy(allow(root(VENDOR), "sts:AssumeRole", { StringLike: { "sts:ExternalId": "*" } })),
      known: KNOWN,
    },
    { name: "a vendor role ARN without an external id", input: trustPolicy(allow(role(VENDOR, "DatadogIntegration"))), known: KNOWN },
  ],
  "RC-TRUST-014": [{ name: "NotPrincipal with Allow", input: trustPolicy({ Effect: "Allow", NotPrincipal: root(OTHER), Action: "sts:AssumeRole" }) }],
  "RC-TRUST-015": [{ name: "NotAction with Allow", input: trustPolicy({ Effect: "Allow", Principal: role(OWN, "ci"), NotAction: "sts:TagSession" }) }],
};

const NEAR_MISSES: Record<RuleId, readonly Case[]> = {
  "RC-TRUST-001": [
    { name: "pinned to an organization", input: trustPolicy(allow("*", "sts:AssumeRole", { StringEquals: { "aws:PrincipalOrgID": "o-exampleorgid" } })) },
    {
      name: "pinned to role ARNs in one account",
      input: trustPolicy(allow("*", "sts:AssumeRole", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:role/ci-*` } })),
    },
    { name: "pinned to accounts", input: trustPolicy(allow("*", "sts:AssumeRole", { StringEquals: { "aws:PrincipalAccount": [OWN, "333333333333"] } })) },
    {
      name: "a Deny refuses callers outside the organization",
      input: trustPolicy(allow("*"), deny("*", "sts:AssumeRole", { StringNotEquals: { "aws:PrincipalOrgID": "o-exampleorgid" } })),
    },
    { name: '"*" in a Deny', input: trustPolicy(allow(role(OWN, "ci")), deny("*", "sts:AssumeRole", { Bool: { "aws:SecureTransport": "false" } })) },
    { name: "a named account", input: trustPolicy(allow(root(OWN), "sts:AssumeRole", MFA)) },
  ],
  "RC-TRUST-002": [
    { name: "Bool MultiFactorAuthPresent true", input: trustPolicy(allow(root(OWN), "sts:AssumeRole", MFA)) },
    { name: "Bool written as a JSON boolean", input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { Bool: { "aws:MultiFactorAuthPresent": true } })) },
    {
      name: "NumericLessThan on the MFA age",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } })),
    },
    {
      name: "a Deny with BoolIfExists false",
      input: trustPolicy(allow(root(OWN)), deny("*", "sts:AssumeRole", { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } })),
    },
    {
      name: "a Deny on sts:* with BoolIfExists false",
      input: trustPolicy(allow(root(OWN)), deny({ AWS: "*" }, "sts:*", { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } })),
    },
    {
      name: "Null false in the Allow plus a Deny with Bool false",
      input: trustPolicy(
        allow(root(OWN), "sts:AssumeRole", { Null: { "aws:MultiFactorAuthPresent": "false" } }),
        deny("*", "sts:AssumeRole", { Bool: { "aws:MultiFactorAuthPresent": "false" } }),
      ),
    },
    { name: "a named role, not the account", input: trustPolicy(allow(role(OWN, "ci"))) },
    { name: "an external id (automation)", input: trustPolicy(allow(root(OTHER), "sts:AssumeRole", { StringEquals: { "sts:ExternalId": "d5d8e0c2" } })) },
    {
      name: "callers narrowed to roles",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { ArnLike: { "aws:PrincipalArn": `arn:aws:iam::${OWN}:role/ci-*` } })),
    },
    { name: "a known vendor (RC-TRUST-013's business)", input: trustPolicy(allow(root(VENDOR))), known: KNOWN },
    { name: "a service principal", input: trustPolicy(allow({ Service: "ec2.amazonaws.com" })) },
    { name: "the account only in a Deny", input: trustPolicy(allow(role(OWN, "ci")), deny(root(OTHER))) },
  ],
  "RC-TRUST-003": [
    {
      name: "SAML:aud pinned",
      input: trustPolicy(allow(saml, "sts:AssumeRoleWithSAML", { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } })),
    },
    {
      name: "lower-case key, regional endpoints",
      input: trustPolicy(
        allow(saml, "sts:AssumeRoleWithSAML", {
          StringEquals: { "saml:aud": ["https://signin.aws.amazon.com/saml", "https://eu-west-1.signin.aws.amazon.com/saml"] },
        }),
      ),
    },
    {
      name: "a Deny on other audiences",
      input: trustPolicy(
        allow(saml, "sts:AssumeRoleWithSAML"),
        deny("*", "sts:AssumeRoleWithSAML", { StringNotEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } }),
      ),
    },
  ],
  "RC-TRUST-004": [
    {
      name: "GitHub pinned to a branch",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com", [`${GITHUB}:sub`]: "repo:octo-org/octo-repo:ref:refs/heads/main" },
        }),
      ),
    },
    {
      name: "GitHub pinned to an organization's repos",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${GITHUB}:sub`]: "repo:octo-org/*" },
        }),
      ),
    },
    {
      name: "GitLab pinned to a project",
      input: trustPolicy(
        allow({ Federated: `arn:aws:iam::${OWN}:oidc-provider/gitlab.com` }, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { "gitlab.com:aud": "https://gitlab.com", "gitlab.com:sub": "project_path:mygroup/myproject:ref_type:branch:ref:main" },
        }),
      ),
    },
    {
      name: "a Deny on other subjects",
      input: trustPolicy(
        allow(eks, "sts:AssumeRoleWithWebIdentity", { StringEquals: { [`${EKS}:aud`]: "sts.amazonaws.com" } }),
        deny("*", "sts:AssumeRoleWithWebIdentity", { StringNotLike: { [`${EKS}:sub`]: "system:serviceaccount:payments:*" } }),
      ),
    },
    {
      name: "Login with Amazon pinned to an app",
      input: trustPolicy(
        allow({ Federated: "www.amazon.com" }, "sts:AssumeRoleWithWebIdentity", { StringEquals: { "www.amazon.com:app_id": "amzn1.application.1234" } }),
      ),
    },
    {
      name: "a CloudFormation provider by Ref, subject by Fn::Sub",
      input: cfnRole(
        allow({ Federated: { Ref: "GithubOidc" } }, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com" },
          StringLike: { [`${GITHUB}:sub`]: { "Fn::Sub": "repo:${GitHubOrg}/${RepositoryName}:*" } },
        }),
      ),
    },
  ],
  "RC-TRUST-005": [
    {
      name: "GitHub with audience and subject",
      input: trustPolicy(
        allow(github, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { [`${GITHUB}:aud`]: "sts.amazonaws.com", [`${GITHUB}:sub`]: "repo:octo-org/octo-repo:environment:prod" },
        }),
      ),
    },
    {
      name: "Cognito with the pool id only (app-scoped)",
      input: trustPolicy(
        allow({ Federated: "cognito-identity.amazonaws.com" }, "sts:AssumeRoleWithWebIdentity", {
          StringEquals: { "cognito-identity.amazonaws.com:aud": "us-east-1:12345678-abcd-abcd-abcd-123456789012" },
        }),
      ),
    },
    { name: "GitHub with no subject (RC-TRUST-004 instead)", input: trustPolicy(allow(github, "sts:AssumeRoleWithWebIdentity")) },
  ],
  "RC-TRUST-006": [
    {
      name: "one subject CN",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" }, ...TRUST_ANCHOR })),
    },
    {
      name: "a SAN DNS name",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509SAN/DNS": "pipeline.prod.example.com" } })),
    },
    { name: "a subject OU", input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/OU": "payments" } })) },
    {
      name: "a Deny on other CNs",
      input: trustPolicy(
        allow(rolesAnywhere, RA_ACTIONS),
        deny("*", "sts:AssumeRole", { StringNotEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" } }),
      ),
    },
  ],
  "RC-TRUST-007": [
    { name: "one CN", input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/CN": ["pipeline.prod"] } })) },
    {
      name: "one CN and one OU",
      input: trustPolicy(
        allow(rolesAnywhere, RA_ACTIONS, {
          StringEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod", "aws:PrincipalTag/x509Subject/OU": "payments" },
        }),
      ),
    },
    {
      name: "two CNs outside Roles Anywhere",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/x509Subject/CN": ["a", "b"] }, ...MFA })),
    },
  ],
  "RC-TRUST-008": [
    {
      name: "Roles Anywhere alone",
      input: trustPolicy(allow(rolesAnywhere, RA_ACTIONS, { StringEquals: { "aws:PrincipalTag/x509Subject/CN": "pipeline.prod" } })),
    },
    { name: "other principals without Roles Anywhere", input: trustPolicy(allow(root(OWN), "sts:AssumeRole", MFA), allow({ Service: "ec2.amazonaws.com" })) },
  ],
  "RC-TRUST-009": [
    {
      name: "session name and source identity",
      input: trustPolicy(
        allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:SetSourceIdentity"], {
          StringLike: { "sts:RoleSessionName": "${aws:username}", "sts:SourceIdentity": "${aws:username}" },
        }),
      ),
    },
    {
      name: "SAML (the IdP sets the session name)",
      input: trustPolicy(
        allow(saml, "sts:AssumeRoleWithSAML", {
          StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" },
          StringLike: { "sts:RoleSessionName": "*@example.com" },
        }),
      ),
    },
    {
      name: "a negated session-name test",
      input: trustPolicy(allow(role(OWN, "jump"), "sts:AssumeRole", { StringNotLike: { "sts:RoleSessionName": "admin-*" } })),
    },
  ],
  "RC-TRUST-010": [
    {
      name: "TagSession without tag comparisons",
      input: trustPolicy(allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], { StringLike: { "aws:RequestTag/Project": "*" } })),
    },
    {
      name: "a comparison without TagSession",
      input: trustPolicy(allow(role(OWN, "jump"), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" } })),
    },
    {
      name: "tag keys limited to others",
      input: trustPolicy(
        allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], {
          StringEquals: { "aws:PrincipalTag/team": "platform" },
          "ForAllValues:StringEquals": { "aws:TagKeys": ["Project", "CostCenter"] },
        }),
      ),
    },
    {
      name: "a Deny on TagSession",
      input: trustPolicy(
        allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:PrincipalTag/team": "platform" } }),
        deny("*", "sts:TagSession"),
      ),
    },
    {
      name: "a Deny on passing the compared key",
      input: trustPolicy(
        allow(role(OWN, "jump"), ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:PrincipalTag/team": "platform" } }),
        deny("*", "sts:TagSession", { "ForAnyValue:StringEquals": { "aws:TagKeys": "team" } }),
      ),
    },
    {
      name: "TagSession for a different principal",
      input: trustPolicy(
        allow(role(OWN, "jump"), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" } }),
        allow(role(OWN, "other"), "sts:TagSession"),
      ),
    },
    {
      name: "EKS Pod Identity (the service sets the tags)",
      input: trustPolicy(
        allow({ Service: "pods.eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"], {
          StringEquals: { "aws:PrincipalTag/kubernetes-namespace": "payments" },
        }),
      ),
    },
  ],
  "RC-TRUST-011": [
    {
      name: "a plain policy file (own account unknown)",
      input: trustPolicy(allow(root(OWN), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" }, ...MFA })),
    },
    {
      name: "another account with tag conditions",
      input: getRoleAnswer(trustPolicy(allow(root(OTHER), "sts:AssumeRole", { StringEquals: { "aws:PrincipalTag/team": "platform" }, ...MFA }))),
    },
    { name: "own account without tag conditions", input: getRoleAnswer(trustPolicy(allow(root(OWN), "sts:AssumeRole", MFA))) },
  ],
  "RC-TRUST-012": [
    { name: "no known-accounts file", input: trustPolicy(allow(root(OTHER), "sts:AssumeRole", MFA)) },
    { name: "a first-party account in the list", input: trustPolicy(allow(root("333333333333"), "sts:AssumeRole", MFA)), known: KNOWN },
    {
      name: "the role's own account, not in the list",
      input: getRoleAnswer(trustPolicy(allow(root(OTHER), "sts:AssumeRole", MFA)), `arn:aws:iam::${OTHER}:role/Developer`),
      known: [],
    },
    { name: "a service principal", input: trustPolicy(allow({ Service: "lambda.amazonaws.com" })), known: KNOWN },
  ],
  "RC-TRUST-013": [
    {
      name: "a vendor with an external id",
      input: trustPolicy(allow(root(VENDOR), "sts:AssumeRole", { StringEquals: { "sts:ExternalId": "4a1c0f2e9b" } })),
      known: KNOWN,
    },
    { name: "an AWS-run account (no external id to give)", input: trustPolicy(allow(root(AWS_SERVICE_ACCOUNT))), known: KNOWN },
    { name: "a first-party account", input: trustPolicy(allow(root("333333333333"), "sts:AssumeRole", MFA)), known: KNOWN },
    { name: "a vendor, without a known-accounts file", input: trustPolicy(allow(root(VENDOR))) },
  ],
  "RC-TRUST-014": [
    { name: "NotPrincipal with Deny", input: trustPolicy(allow(role(OWN, "ci")), { Effect: "Deny", NotPrincipal: role(OWN, "ci"), Action: "sts:AssumeRole" }) },
  ],
  "RC-TRUST-015": [
    { name: "NotAction with Deny", input: trustPolicy(allow(role(OWN, "ci")), { Effect: "Deny", Principal: "*", NotAction: "sts:AssumeRole" }) },
    { name: "Action only", input: trustPolicy(allow(role(OWN, "ci"), ["sts:AssumeRole", "sts:TagSession"])) },
  ],
};

describe("the rule list", () => {
  it("holds every id once, in order", () => {
    expect(ALL_RULES.map((rule) => rule.id)).toEqual([...RULE_IDS]);
  });

  it.each(ALL_RULES.map((rule) => [rule.id, rule] as const))("%s says what, why and how to fix", (_id, rule) => {
    expect(rule.name).toMatch(/^[a-z]+(?:-[a-z]+)*$/);
    for (const text of [rule.summary, rule.risk, rule.fix]) expect(text.length).toBeGreaterThan(20);
  });
});

describe.each(RULE_IDS)("%s", (id) => {
  it.each(TRIGGERS[id])("finds: $name", ({ input, known }) => {
    const report = lintValue(input, known === undefined ? {} : { known });
    expect(report.problems).toEqual([]);
    const findings = report.findings.filter((finding) => finding.ruleId === id);
    expect(findings.length).toBeGreaterThan(0);
    for (const finding of findings) {
      expect(finding.severity).toBe(ALL_RULES.find((rule) => rule.id === id)?.severity);
      expect(finding.reason.length).toBeGreaterThan(20);
      expect(finding.fix.length).toBeGreaterThan(10);
    }
  });

  it.each(NEAR_MISSES[id])("stays quiet: $name", ({ input, known }) => {
    expect(ruleIdsOf(input, known === undefined ? {} : { known })).not.toContain(id);
  });
});

describe("findings", () => {
  it("name the statement and point at it", () => {
    const report = lintValue(trustPolicy(allow(role(OWN, "ci")), { Sid: "Everyone", ...allow("*") }));
    expect(report.findings).toEqual([
      expect.objectContaining({ ruleId: "RC-TRUST-001", statementIndex: 1, sid: "Everyone", position: { line: 11, column: 5 }, document: "" }),
    ]);
  });

  it("explain why an MFA-looking condition is not one", () => {
    const [finding] = lintValue(trustPolicy(allow(root(OWN), "sts:AssumeRole", { BoolIfExists: { "aws:MultiFactorAuthPresent": "true" } }))).findings;
    expect(finding?.reason).toContain("BoolIfExists admits callers whose request has no MFA key");
  });

  it("are one per statement, listing every account", () => {
    const findings = lintValue(trustPolicy(allow({ AWS: [`arn:aws:iam::${OWN}:root`, "333333333333"] }))).findings;
    expect(findings).toHaveLength(1);
    expect(findings[0]?.reason).toContain(`${OWN}, 333333333333`);
  });

  it("a clean service role has none", () => {
    expect(
      ruleIdsOf(
        trustPolicy(allow({ Service: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }, "sts:AssumeRole", { StringEquals: { "aws:SourceAccount": OWN } })),
        { known: KNOWN },
      ),
    ).toEqual([]);
  });
});
