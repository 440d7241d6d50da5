/**
 * Finds the trust policies in a parsed input file, whatever its shape:
 *
 * - a trust policy document itself (an object with Statement);
 * - an IAM API answer: `aws iam get-role` ({Role}), `list-roles` ({Roles: [...]}),
 *   `get-account-authorization-details` ({RoleDetailList: [...]}), with AssumeRolePolicyDocument
 *   as an object (the AWS CLI decodes it) or a URL-encoded string (the raw API);
 * - a CloudFormation template (JSON);
 * - a Terraform plan or state from `terraform show -json`.
 */
import { extractFromCloudFormation, isCloudFormationTemplate } from "./cloudformation.js";
import { decodeEmbeddedPolicy, type Extraction, type ExtractionIssue, type TrustDocument } from "./documents.js";
import { hasStatementElement, isJsonObject } from "./policy.js";
import { accountOfAwsPrincipal } from "./principals.js";
import { ignoreTokensFromTags } from "./suppressions.js";
import { extractFromTerraform, isTerraformJson } from "./terraform.js";

type JsonObject = Record<string, unknown>;

function isIamRole(value: unknown): value is JsonObject {
  return isJsonObject(value) && "AssumeRolePolicyDocument" in value;
}

function extractFromIamRoles(roles: readonly unknown[]): Extraction {
  const documents: TrustDocument[] = [];
  const problems: ExtractionIssue[] = [];
  roles.forEach((role, index) => {
    if (!isIamRole(role)) return;
    const name = typeof role.RoleName === "string" ? role.RoleName : `#${index + 1}`;
    const label = `role ${name}`;
    const roleArn = typeof role.Arn === "string" ? role.Arn : undefined;
    const common = {
      label,
      resolve: undefined,
      anchor: role,
      roleArn,
      ownAccount: roleArn === undefined ? undefined : accountOfAwsPrincipal({ kind: "AWS", value: roleArn })?.account,
      ignoreTokens: ignoreTokensFromTags(role.Tags),
    };
    const raw = role.AssumeRolePolicyDocument;
    if (hasStatementElement(raw)) {
      documents.push({ ...common, policy: raw, embedded: false });
    } else if (typeof raw === "string") {
      const decoded = decodeEmbeddedPolicy(raw);
      if ("policy" in decoded) documents.push({ ...common, policy: decoded.policy, embedded: true });
      else problems.push({ label, message: `AssumeRolePolicyDocument ${decoded.error}`, node: role });
    } else {
      problems.push({ label, message: "AssumeRolePolicyDocument is not a policy document", node: role });
    }
  });
  return { kind: "IAM API answer", documents, problems, notes: [] };
}

/** The IAM role list of an API answer, if `value` is one. */
function iamRolesOf(value: JsonObject): readonly unknown[] | undefined {
  if (isIamRole(value.Role)) return [value.Role];
  if (Array.isArray(value.Roles)) return value.Roles;
  if (Array.isArray(value.RoleDetailList)) return value.RoleDetailList;
  if (isIamRole(value)) return [value];
  return undefined;
}

export function extractTrustDocuments(value: unknown): Extraction {
  if (hasStatementElement(value)) {
    const document: TrustDocument = {
      label: "",
      policy: value,
      resolve: undefined,
      embedded: false,
      anchor: value,
      roleArn: undefined,
      ownAccount: undefined,
      ignoreTokens: [],
    };
    return { kind: "trust policy", documents: [document], problems: [], notes: [] };
  }
  if (!isJsonObject(value)) return { kind: "unrecognised", documents: [], problems: [], notes: [] };
  const roles = iamRolesOf(value);
  if (roles !== undefined) return extractFromIamRoles(roles);
  if (isCloudFormationTemplate(value)) return extractFromCloudFormation(value);
  if (isTerraformJson(value)) return extractFromTerraform(value);
  return { kind: "unrecognised", documents: [], problems: [], notes: [] };
}
