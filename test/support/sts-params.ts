/**
 * Each action's request members, read from the Query parameters and checked against the limits
 * STS documents (sts-limits.ts). Every broken constraint is collected and reported in one
 * ValidationError, in AWS's words: "1 validation error detected: Value '…' at 'roleSessionName'
 * failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*".
 */
import { StsError } from "./sts-protocol.js";
import {
  DURATION_SECONDS,
  MAX_POLICY_ARNS,
  MAX_SESSION_TAGS,
  MAX_TRANSITIVE_TAG_KEYS,
  STRING_LIMITS,
  type IntegerLimit,
  type StringLimit,
} from "./sts-limits.js";
import type { SessionTag } from "./sts-types.js";

const compiledPatterns = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    // Java's \w and JavaScript's (with the u flag, without i) are both [A-Za-z0-9_].
    regex = new RegExp(`^(?:${pattern})$`, "u");
    compiledPatterns.set(pattern, regex);
  }
  return regex.test(value);
}

/**
 * A string's length as STS's limits count it: in characters (Unicode code points), as the
 * documentation says ("can't exceed 128 characters") and as Smithy's length trait defines it, not
 * in JavaScript's UTF-16 units, which count a character outside the Basic Multilingual Plane
 * (𠀀, a letter a tag key may hold) twice.
 */
export function characterCount(value: string): number {
  return Array.from(value).length;
}

/** Collects every constraint a request breaks, then reports them in one ValidationError. */
export class Violations {
  private readonly found: string[] = [];

  private add(path: string, shown: string | undefined, constraint: string): void {
    const value = shown === undefined ? "Value" : `Value ${shown}`;
    this.found.push(`${value} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  required(path: string, value: string | undefined): value is string {
    if (value === undefined) this.add(path, "null", "Member must not be null");
    return value !== undefined;
  }

  string(path: string, value: string | undefined, shape: StringLimit): void {
    if (value === undefined) return;
    const shown = shape.sensitive ? undefined : `'${value}'`;
    const length = characterCount(value);
    if (length < shape.min) this.add(path, shown, `Member must have length greater than or equal to ${shape.min}`);
    if (length > shape.max) this.add(path, shown, `Member must have length less than or equal to ${shape.max}`);
    if (shape.pattern !== undefined && !fullMatch(shape.pattern, value)) {
      this.add(path, shown, `Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
  }

  integer(path: string, text: string | undefined, shape: IntegerLimit): number | undefined {
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) {
      this.add(path, `'${text}'`, "Member must be an integer"); // (local) wording
      return undefined;
    }
    const value = Number(text);
    if (value < shape.min) this.add(path, `'${text}'`, `Member must have value greater than or equal to ${shape.min}`);
    if (value > shape.max) this.add(path, `'${text}'`, `Member must have value less than or equal to ${shape.max}`);
    return value;
  }

  listSize(path: string, items: readonly string[], max: number): void {
    if (items.length > max) this.add(path, `'[${items.join(", ")}]'`, `Member must have length less than or equal to ${max}`);
  }

  throwIfAny(): void {
    const count = this.found.length;
    if (count === 0) return;
    const summary = `${count} validation error${count === 1 ? "" : "s"} detected: `;
    throw new StsError("ValidationError", summary + this.found.join("; "));
  }
}

/** Reads the Query protocol's flattened members: `Name`, `Name.member.N[.Field]`. */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** The values of `{list}.member.N{suffix}`, in N order; holes (missing N) are skipped. */
  list(list: string, suffix = ""): Array<{ index: number; value: string }> {
    const pattern = new RegExp(`^${list}\\.member\\.(\\d+)${suffix.replace(/\./g, "\\.")}$`);
    const found: Array<{ index: number; value: string }> = [];
    for (const [name, value] of this.params) {
      const match = pattern.exec(name);
      if (match) found.push({ index: Number(match[1]), value });
    }
    return found.sort((a, b) => a.index - b.index);
  }

  tagIndexes(): number[] {
    const indexes = new Set([...this.list("Tags", ".Key"), ...this.list("Tags", ".Value")].map((item) => item.index));
    return [...indexes].sort((a, b) => a - b);
  }
}

/** PolicyArns.member.N.arn, validated; returns the ARNs. */
function readPolicyArns(query: QueryParams, violations: Violations): string[] {
  const arns = query.list("PolicyArns", ".arn");
  arns.forEach(({ value }, position) => violations.string(`policyArns.${position + 1}.member.arn`, value, STRING_LIMITS.arn));
  const values = arns.map((item) => item.value);
  violations.listSize("policyArns", values, MAX_POLICY_ARNS);
  return values;
}

function readTags(query: QueryParams, violations: Violations): SessionTag[] {
  const tags: SessionTag[] = [];
  query.tagIndexes().forEach((index, position) => {
    const path = `tags.${position + 1}.member`;
    const key = query.get(`Tags.member.${index}.Key`);
    const value = query.get(`Tags.member.${index}.Value`);
    const hasKey = violations.required(`${path}.key`, key);
    const hasValue = violations.required(`${path}.value`, value);
    violations.string(`${path}.key`, key, STRING_LIMITS.tagKey);
    violations.string(`${path}.value`, value, STRING_LIMITS.tagValue);
    if (hasKey && hasValue) tags.push({ key, value });
  });
  violations.listSize(
    "tags",
    tags.map((tag) => `{Key: ${tag.key},Value: ${tag.value}}`),
    MAX_SESSION_TAGS,
  );
  return tags;
}

function readTransitiveTagKeys(query: QueryParams, violations: Violations): string[] {
  const keys = query.list("TransitiveTagKeys").map((item) => item.value);
  keys.forEach((key, position) => violations.string(`transitiveTagKeys.${position + 1}.member`, key, STRING_LIMITS.tagKey));
  violations.listSize("transitiveTagKeys", keys, MAX_TRANSITIVE_TAG_KEYS);
  return keys;
}

export interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  policy?: string;
  policyArns: string[];
  durationSeconds?: number;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  externalId?: string;
  serial?: string;
  code?: string;
  sourceIdentity?: string;
}

export function readAssumeRoleParams(query: QueryParams): AssumeRoleParams {
  const violations = new Violations();
  const roleArn = query.get("RoleArn");
  const sessionName = query.get("RoleSessionName");
  const hasRoleArn = violations.required("roleArn", roleArn);
  const hasSessionName = violations.required("roleSessionName", sessionName);
  violations.string("roleArn", roleArn, STRING_LIMITS.arn);
  violations.string("roleSessionName", sessionName, STRING_LIMITS.roleSessionName);
  const policyArns = readPolicyArns(query, violations);
  const policy = query.get("Policy");
  violations.string("policy", policy, STRING_LIMITS.policy);
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), DURATION_SECONDS.assumeRole);
  const tags = readTags(query, violations);
  const transitiveTagKeys = readTransitiveTagKeys(query, violations);
  const externalId = query.get("ExternalId");
  violations.string("externalId", externalId, STRING_LIMITS.externalId);
  const serial = query.get("SerialNumber");
  const code = query.get("TokenCode");
  violations.string("serialNumber", serial, STRING_LIMITS.serialNumber);
  violations.string("tokenCode", code, STRING_LIMITS.tokenCode);
  const sourceIdentity = query.get("SourceIdentity");
  // The pattern has no ':', so it also refuses the reserved "aws:" prefix.
  violations.string("sourceIdentity", sourceIdentity, STRING_LIMITS.sourceIdentity);
  violations.throwIfAny();
  if (!hasRoleArn || !hasSessionName) throw new Error("unreachable: throwIfAny reports missing members");
  return {
    roleArn,
    sessionName,
    policyArns,
    tags,
    transitiveTagKeys,
    policy,
    durationSeconds,
    externalId,
    serial,
    code,
    sourceIdentity,
  };
}

export interface SamlParams {
  roleArn: string;
  principalArn: string;
  assertion: string;
  policy?: string;
  policyArns: string[];
  durationSeconds?: number;
}

export function readSamlParams(query: QueryParams): SamlParams {
  const violations = new Violations();
  const roleArn = query.get("RoleArn");
  const principalArn = query.get("PrincipalArn");
  const assertion = query.get("SAMLAssertion");
  const hasRoleArn = violations.required("roleArn", roleArn);
  const hasPrincipalArn = violations.required("principalArn", principalArn);
  const hasAssertion = violations.required("sAMLAssertion", assertion);
  violations.string("roleArn", roleArn, STRING_LIMITS.arn);
  violations.string("principalArn", principalArn, STRING_LIMITS.arn);
  violations.string("sAMLAssertion", assertion, STRING_LIMITS.samlAssertion);
  const policyArns = readPolicyArns(query, violations);
  const policy = query.get("Policy");
  violations.string("policy", policy, STRING_LIMITS.policy);
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), DURATION_SECONDS.assumeRoleWithSaml);
  violations.throwIfAny();
  if (!hasRoleArn || !hasPrincipalArn || !hasAssertion) {
    throw new Error("unreachable: throwIfAny reports missing members");
  }
  return { roleArn, principalArn, assertion, policy, policyArns, durationSeconds };
}

export interface SessionTokenParams {
  durationSeconds?: number;
  serial?: string;
  code?: string;
}

export function readSessionTokenParams(query: QueryParams): SessionTokenParams {
  const violations = new Violations();
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), DURATION_SECONDS.getSessionToken);
  const serial = query.get("SerialNumber");
  const code = query.get("TokenCode");
  violations.string("serialNumber", serial, STRING_LIMITS.serialNumber);
  violations.string("tokenCode", code, STRING_LIMITS.tokenCode);
  violations.throwIfAny();
  return { durationSeconds, serial, code };
}

export interface FederationTokenParams {
  name: string;
  durationSeconds?: number;
  policy?: string;
  policyArns: string[];
  tags: SessionTag[];
}

export function readFederationTokenParams(query: QueryParams): FederationTokenParams {
  const violations = new Violations();
  const name = query.get("Name");
  const hasName = violations.required("name", name);
  violations.string("name", name, STRING_LIMITS.federatedUserName);
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), DURATION_SECONDS.getFederationToken);
  const policy = query.get("Policy");
  violations.string("policy", policy, STRING_LIMITS.policy);
  const policyArns = readPolicyArns(query, violations);
  const tags = readTags(query, violations);
  violations.throwIfAny();
  if (!hasName) throw new Error("unreachable: throwIfAny reports missing members");
  return { name, durationSeconds, policy, policyArns, tags };
}

/** Whether a value keeps a documented string limit (length and pattern): what STS accepts. */
export function withinLimit(limit: StringLimit, value: string): boolean {
  const length = characterCount(value);
  return length >= limit.min && length <= limit.max && (limit.pattern === undefined || fullMatch(limit.pattern, value));
}
