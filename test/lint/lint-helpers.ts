/** Shared helpers for the lint tests: policies in, rule ids out. */
import { lintText, type FileReport, type LintSettings } from "../../src/lint/lint.js";
import { mergeKnownAccounts, type KnownAccount } from "../../src/lint/known-accounts.js";
import type { RuleId } from "../../src/lint/rule-ids.js";

export type Json = Record<string, unknown>;

export function trustPolicy(...statements: Json[]): Json {
  return { Version: "2012-10-17", Statement: statements };
}

export function allow(principal: unknown, action: unknown = "sts:AssumeRole", condition?: Json): Json {
  return { Effect: "Allow", Principal: principal, Action: action, ...(condition === undefined ? {} : { Condition: condition }) };
}

export function deny(principal: unknown, action: unknown = "sts:AssumeRole", condition?: Json): Json {
  return { Effect: "Deny", Principal: principal, Action: action, ...(condition === undefined ? {} : { Condition: condition }) };
}

/** An `aws iam get-role` answer around a policy, for rules that need the role's own account. */
export function getRoleAnswer(policy: Json, roleArn = "arn:aws:iam::111111111111:role/Developer", tags?: Json[]): Json {
  const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
  return {
    Role: {
      Path: "/",
      RoleName: roleName,
      RoleId: "AROAEXAMPLEID",
      Arn: roleArn,
      CreateDate: "2024-01-01T00:00:00Z",
      AssumeRolePolicyDocument: policy,
      ...(tags === undefined ? {} : { Tags: tags }),
    },
  };
}

export const OWN = "111111111111";
export const OTHER = "222222222222";
export const VENDOR = "464622532012";
export const AWS_SERVICE_ACCOUNT = "127311923021";

export const KNOWN: readonly KnownAccount[] = [
  { id: OWN, name: "prod", thirdParty: false, awsService: false },
  { id: "333333333333", name: "staging", thirdParty: false, awsService: false },
  { id: VENDOR, name: "Datadog", thirdParty: true, awsService: false },
  { id: AWS_SERVICE_ACCOUNT, name: "ELB logs", thirdParty: true, awsService: true },
];

export interface LintInputOptions {
  readonly known?: readonly KnownAccount[];
  readonly ignore?: readonly RuleId[];
}

export function lintValue(value: unknown, options: LintInputOptions = {}, file = "policy.json"): FileReport {
  const settings: LintSettings = {
    ignore: new Set(options.ignore ?? []),
    knownAccounts: options.known === undefined ? undefined : mergeKnownAccounts([options.known]),
  };
  return lintText(file, JSON.stringify(value, null, 2), settings);
}

/** The rule ids a value triggers, sorted, each once. */
export function ruleIdsOf(value: unknown, options: LintInputOptions = {}): string[] {
  const report = lintValue(value, options);
  if (report.problems.length > 0) throw new Error(`unexpected problems: ${report.problems.map((problem) => problem.message).join("; ")}`);
  return [...new Set(report.findings.map((finding) => finding.ruleId))].sort();
}
