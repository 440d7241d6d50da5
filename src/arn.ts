/** ARNs: parsing and the checks rolecred makes before sending one to STS. */
import { usageError } from "./errors.js";

export interface Arn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  /** Everything after the fifth colon, e.g. `role/path/Developer`. */
  readonly resource: string;
}

/** Partitions STS runs in; an ARN naming another is a typo, not a new region. */
export const PARTITIONS: readonly string[] = ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"];

export function parseArn(text: string): Arn | undefined {
  const parts = text.split(":");
  if (parts.length < 6 || parts[0] !== "arn") return undefined;
  const [, partition = "", service = "", region = "", account = ""] = parts;
  if (!PARTITIONS.includes(partition) || service === "") return undefined;
  return { partition, service, region, account, resource: parts.slice(5).join(":") };
}

/**
 * IAM role names: 1-64 of [\w+=,.@-]; paths: /segments/ of printable ASCII. Any run of segments
 * is one run of printable ASCII ending in "/", so the path is one optional group: a repeated group
 * of segments that may themselves hold "/" backtracks exponentially on a name that fails (a Role
 * value with 40 path segments and a 65-character name never finished).
 */
const ROLE_RESOURCE = /^role\/(?:[\u0021-\u007E]+\/)?[\w+=,.@-]{1,64}$/;
const SAML_PROVIDER_RESOURCE = /^saml-provider\/[\w.-]{1,128}$/;
const ACCOUNT_ID = /^\d{12}$/;

function isIamArn(arn: Arn | undefined, resource: RegExp): arn is Arn {
  return arn !== undefined && arn.service === "iam" && arn.region === "" && ACCOUNT_ID.test(arn.account) && resource.test(arn.resource);
}

export function isRoleArn(text: string): boolean {
  return isIamArn(parseArn(text), ROLE_RESOURCE);
}

export function isSamlProviderArn(text: string): boolean {
  return isIamArn(parseArn(text), SAML_PROVIDER_RESOURCE);
}

/** A role ARN from the command line, or a usage error that shows the expected shape. */
export function requireRoleArn(text: string, what = "role ARN"): string {
  if (!isRoleArn(text)) {
    throw usageError(`invalid ${what} "${text}"`, "expected arn:aws:iam::123456789012:role/NAME (or role/path/NAME)");
  }
  return text;
}

/** The role's name without its path: `Developer` for arn:aws:iam::1:role/team/Developer. */
export function roleNameOf(roleArn: string): string {
  const resource = parseArn(roleArn)?.resource ?? roleArn;
  return resource.slice(resource.lastIndexOf("/") + 1);
}

export function accountOf(arn: string): string {
  return parseArn(arn)?.account ?? "";
}

/**
 * The caller's name from a GetCallerIdentity ARN: the user name of an IAM user
 * (arn:aws:iam::1:user/path/jo → jo), the session name of an assumed role
 * (arn:aws:sts::1:assumed-role/Role/jo → jo), `root` for the account root.
 */
export function callerNameOf(callerArn: string): string | undefined {
  const arn = parseArn(callerArn);
  if (arn === undefined) return undefined;
  if (arn.resource === "root") return "root";
  const segments = arn.resource.split("/");
  return segments[segments.length - 1] || undefined;
}

export type CallerKind = "user" | "assumed-role" | "federated-user" | "root" | "unknown";

export function callerKindOf(callerArn: string): CallerKind {
  const arn = parseArn(callerArn);
  if (arn === undefined) return "unknown";
  if (arn.resource === "root") return "root";
  if (arn.service === "iam" && arn.resource.startsWith("user/")) return "user";
  if (arn.service === "sts" && arn.resource.startsWith("assumed-role/")) return "assumed-role";
  if (arn.service === "sts" && arn.resource.startsWith("federated-user/")) return "federated-user";
  return "unknown";
}

/** For an assumed-role session ARN, the ARN of the role it is a session of (without the role's path, which the session ARN omits). */
export function roleOfAssumedRoleArn(callerArn: string): { account: string; roleName: string } | undefined {
  const arn = parseArn(callerArn);
  if (arn === undefined || arn.service !== "sts" || !arn.resource.startsWith("assumed-role/")) return undefined;
  const roleName = arn.resource.split("/")[1];
  return roleName === undefined ? undefined : { account: arn.account, roleName };
}
