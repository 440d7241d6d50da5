/**
 * CloudFormation templates (JSON): every `AWS::IAM::Role` and its AssumeRolePolicyDocument.
 *
 * Templates put intrinsic functions where a policy has strings. They are read as text with
 * `${...}` placeholders: `{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}` becomes
 * `arn:aws:iam::${AWS::AccountId}:root`, which the rules know as the stack's own account. A value
 * rolecred cannot follow (Fn::If, Fn::ImportValue, ...) becomes `${?}`: a specific but unknown
 * value, never a wildcard, so it cannot cause a finding by itself.
 */
import { decodeEmbeddedPolicy, type Extraction, type ExtractionIssue, type TrustDocument } from "./documents.js";
import { hasStatementElement, isJsonObject } from "./policy.js";
import { CFN_OWN_ACCOUNT } from "./principals.js";
import { ignoreTokensFromTags } from "./suppressions.js";

const UNKNOWN = "${?}";

/** Pseudo parameters whose value rolecred knows or can stand in for. */
function pseudoParameter(name: string): string {
  if (name === "AWS::Partition") return "aws";
  if (name === "AWS::AccountId") return CFN_OWN_ACCOUNT;
  return `\${${name}}`;
}

function substitute(template: string, variables: Readonly<Record<string, unknown>>): string {
  return template.replace(/\$\{([^}!][^}]*)\}/g, (_whole, name: string) => {
    if (name in variables) return resolveCfnValue(variables[name]) ?? UNKNOWN;
    return pseudoParameter(name);
  });
}

/** A template value as text, or undefined when it is not a string nor an intrinsic function. */
export function resolveCfnValue(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (!isJsonObject(value)) return undefined;
  const keys = Object.keys(value);
  const [name] = keys;
  if (keys.length !== 1 || name === undefined || !(name === "Ref" || name.startsWith("Fn::"))) return undefined;
  const argument = value[name];
  switch (name) {
    case "Ref":
      return typeof argument === "string" ? pseudoParameter(argument) : UNKNOWN;
    case "Fn::Sub":
      if (typeof argument === "string") return substitute(argument, {});
      if (Array.isArray(argument) && typeof argument[0] === "string") return substitute(argument[0], isJsonObject(argument[1]) ? argument[1] : {});
      return UNKNOWN;
    case "Fn::Join": {
      if (!Array.isArray(argument) || typeof argument[0] !== "string" || !Array.isArray(argument[1])) return UNKNOWN;
      const separator = argument[0];
      return argument[1].map((part) => resolveCfnValue(part) ?? UNKNOWN).join(separator);
    }
    case "Fn::GetAtt": {
      const target = Array.isArray(argument) ? argument.join(".") : typeof argument === "string" ? argument : "?";
      return `\${${target}}`;
    }
    default:
      return UNKNOWN;
  }
}

function ignoreTokensOf(resource: Readonly<Record<string, unknown>>, properties: Readonly<Record<string, unknown>>): string[] {
  const tokens = ignoreTokensFromTags(properties.Tags);
  const metadata = isJsonObject(resource.Metadata) ? resource.Metadata.rolecred : undefined;
  const ignore = isJsonObject(metadata) ? metadata.ignore : undefined;
  if (typeof ignore === "string") tokens.push(...ignore.split(/[\s,]+/).filter((word) => word !== ""));
  else if (Array.isArray(ignore)) tokens.push(...ignore.filter((word): word is string => typeof word === "string"));
  return tokens;
}

export function isCloudFormationTemplate(value: unknown): value is { Resources: Record<string, unknown> } {
  return (
    isJsonObject(value) &&
    isJsonObject(value.Resources) &&
    ("AWSTemplateFormatVersion" in value ||
      Object.values(value.Resources).some((resource) => isJsonObject(resource) && typeof resource.Type === "string" && resource.Type.includes("::")))
  );
}

export function extractFromCloudFormation(template: { Resources: Record<string, unknown> }): Extraction {
  const documents: TrustDocument[] = [];
  const problems: ExtractionIssue[] = [];
  const notes: ExtractionIssue[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (!isJsonObject(resource) || resource.Type !== "AWS::IAM::Role") continue;
    const label = `Resources.${logicalId}`;
    const properties = isJsonObject(resource.Properties) ? resource.Properties : {};
    const raw = properties.AssumeRolePolicyDocument;
    const common = {
      label,
      resolve: resolveCfnValue,
      anchor: resource,
      roleArn: undefined,
      ownAccount: CFN_OWN_ACCOUNT,
      ignoreTokens: ignoreTokensOf(resource, properties),
    };
    if (hasStatementElement(raw)) {
      documents.push({ ...common, policy: raw, embedded: false });
    } else if (typeof raw === "string") {
      const decoded = decodeEmbeddedPolicy(raw);
      if ("policy" in decoded) documents.push({ ...common, policy: decoded.policy, embedded: true });
      else problems.push({ label, message: `AssumeRolePolicyDocument ${decoded.error}`, node: resource });
    } else if (raw === undefined) {
      problems.push({ label, message: "AWS::IAM::Role has no AssumeRolePolicyDocument", node: resource });
    } else {
      // Fn::If and friends choose the whole document at deploy time.
      notes.push({
        label,
        message: "AssumeRolePolicyDocument is computed by an intrinsic function; rolecred cannot tell which policy applies, so it was not checked",
        node: resource,
      });
    }
  }
  return { kind: "CloudFormation template", documents, problems, notes };
}
