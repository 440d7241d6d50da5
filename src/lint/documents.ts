/** A trust policy found in an input file, with what the file says about its role. */
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson } from "../json-parse.js";
import { hasStatementElement, type ValueResolver } from "./policy.js";

export interface TrustDocument {
  /** Which role in the file: "" for a bare policy, `role Developer`, `Resources.DevRole`, `aws_iam_role.dev`. */
  readonly label: string;
  readonly policy: Record<string, unknown>;
  /** How to read CloudFormation intrinsic functions where strings belong. */
  readonly resolve: ValueResolver | undefined;
  /** The policy came from inside a string (URL-encoded, Terraform's JSON): its positions are not the file's. */
  readonly embedded: boolean;
  /** The object in the file the role comes from; its position stands in when a statement's is unknown. */
  readonly anchor: object;
  readonly roleArn: string | undefined;
  readonly ownAccount: string | undefined;
  /** Words of the role's `rolecred:ignore` tag or CloudFormation Metadata. */
  readonly ignoreTokens: readonly string[];
}

/** Something about one role in a file that rolecred could not check, or chose not to. */
export interface ExtractionIssue {
  readonly label: string;
  readonly message: string;
  readonly node: object | undefined;
}

export type InputKind = "trust policy" | "IAM API answer" | "CloudFormation template" | "Terraform plan" | "unrecognised";

export interface Extraction {
  readonly kind: InputKind;
  readonly documents: readonly TrustDocument[];
  /** The role's policy is broken: the run fails. */
  readonly problems: readonly ExtractionIssue[];
  /** The role could not be checked for a reason that is not an error (a value known only after apply). */
  readonly notes: readonly ExtractionIssue[];
}

export type EmbeddedPolicy = { readonly policy: Record<string, unknown> } | { readonly error: string };

/**
 * A policy held in a string: plain JSON (Terraform), or URL-encoded JSON (the raw IAM API, and
 * tools that pass its answer through).
 */
export function decodeEmbeddedPolicy(text: string): EmbeddedPolicy {
  let json = text.trim();
  if (!json.startsWith("{")) {
    try {
      json = decodeURIComponent(json).trim();
    } catch {
      return { error: "is neither JSON nor URL-encoded JSON" };
    }
  }
  let value: unknown;
  try {
    value = parseJson(json).value;
  } catch (error) {
    if (error instanceof JsonDuplicateKeyError) return { error: `repeats a key, which IAM refuses (${error.message} of the policy text)` };
    if (error instanceof JsonSyntaxError) return { error: `is not valid JSON (${error.message} of the policy text)` };
    throw error;
  }
  return hasStatementElement(value) ? { policy: value } : { error: "has no Statement element" };
}
