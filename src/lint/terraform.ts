/**
 * Terraform plans and state as `terraform show -json` prints them: every `aws_iam_role` and its
 * `assume_role_policy`, which Terraform keeps as a JSON string.
 *
 * The planned values (or, for state, the values) are what will exist; `resource_changes` is read
 * only when neither is there. A policy built from values known only after apply is absent from
 * the plan: that role is reported as not checked, not as an error.
 */
import { decodeEmbeddedPolicy, type Extraction, type ExtractionIssue, type TrustDocument } from "./documents.js";
import { hasStatementElement, isJsonObject } from "./policy.js";
import { accountOfAwsPrincipal } from "./principals.js";
import { ignoreTokensFromTags } from "./suppressions.js";

interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly mode: string;
  readonly values: Readonly<Record<string, unknown>>;
  readonly node: object;
}

type JsonObject = Record<string, unknown>;

function moduleResources(module: unknown): PlannedResource[] {
  if (!isJsonObject(module)) return [];
  const own = Array.isArray(module.resources) ? module.resources.flatMap(resourceOf) : [];
  const children = Array.isArray(module.child_modules) ? module.child_modules.flatMap(moduleResources) : [];
  return [...own, ...children];
}

function resourceOf(item: unknown): PlannedResource[] {
  if (!isJsonObject(item) || typeof item.type !== "string") return [];
  return [
    {
      address: typeof item.address === "string" ? item.address : item.type,
      type: item.type,
      mode: typeof item.mode === "string" ? item.mode : "managed",
      values: isJsonObject(item.values) ? item.values : {},
      node: item,
    },
  ];
}

function changedResources(changes: readonly unknown[]): PlannedResource[] {
  return changes.flatMap((item) => {
    if (!isJsonObject(item) || typeof item.type !== "string" || !isJsonObject(item.change)) return [];
    const actions = Array.isArray(item.change.actions) ? item.change.actions : [];
    if (actions.length === 1 && actions[0] === "delete") return [];
    const after = item.change.after;
    return isJsonObject(after)
      ? [
          {
            address: typeof item.address === "string" ? item.address : item.type,
            type: item.type,
            mode: typeof item.mode === "string" ? item.mode : "managed",
            values: after,
            node: item,
          },
        ]
      : [];
  });
}

export function isTerraformJson(value: unknown): value is JsonObject {
  return (
    isJsonObject(value) &&
    typeof value.format_version === "string" &&
    ("planned_values" in value || "values" in value || "resource_changes" in value || "terraform_version" in value)
  );
}

function plannedValuesRoot(plan: JsonObject): unknown {
  const planned = plan.planned_values;
  if (isJsonObject(planned)) return planned.root_module;
  const values = plan.values;
  return isJsonObject(values) ? values.root_module : undefined;
}

/** The account of `data.aws_caller_identity`, when the plan or its prior state has one. */
function callerAccount(plan: JsonObject, resources: readonly PlannedResource[]): string | undefined {
  const prior = isJsonObject(plan.prior_state) && isJsonObject(plan.prior_state.values) ? moduleResources(plan.prior_state.values.root_module) : [];
  const caller = [...resources, ...prior].find((resource) => resource.type === "aws_caller_identity" && typeof resource.values.account_id === "string");
  return caller === undefined ? undefined : String(caller.values.account_id);
}

export function extractFromTerraform(plan: JsonObject): Extraction {
  const root = plannedValuesRoot(plan);
  const resources = root !== undefined ? moduleResources(root) : Array.isArray(plan.resource_changes) ? changedResources(plan.resource_changes) : [];
  const planAccount = callerAccount(plan, resources);
  const documents: TrustDocument[] = [];
  const problems: ExtractionIssue[] = [];
  const notes: ExtractionIssue[] = [];
  for (const resource of resources) {
    if (resource.type !== "aws_iam_role" || resource.mode === "data") continue;
    const label = resource.address;
    const raw = resource.values.assume_role_policy;
    const roleArn = typeof resource.values.arn === "string" ? resource.values.arn : undefined;
    const ownAccount = (roleArn === undefined ? undefined : accountOfAwsPrincipal({ kind: "AWS", value: roleArn })?.account) ?? planAccount;
    const tags = resource.values.tags ?? resource.values.tags_all;
    const common = { label, resolve: undefined, anchor: resource.node, roleArn, ownAccount, ignoreTokens: ignoreTokensFromTags(tags) };
    if (typeof raw === "string") {
      const decoded = decodeEmbeddedPolicy(raw);
      if ("policy" in decoded) documents.push({ ...common, policy: decoded.policy, embedded: true });
      else problems.push({ label, message: `assume_role_policy ${decoded.error}`, node: resource.node });
    } else if (hasStatementElement(raw)) {
      documents.push({ ...common, policy: raw, embedded: false });
    } else {
      notes.push({ label, message: "assume_role_policy is not known until apply; it was not checked", node: resource.node });
    }
  }
  return { kind: "Terraform plan", documents, problems, notes };
}
