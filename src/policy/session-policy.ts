/**
 * The inline session policy: where it comes from (--policy FILE | - | JSON), and the checks STS
 * would otherwise make after the MFA code has been spent: valid JSON, STS's character set, and
 * the 2,048-character plaintext limit, measured on the minified text that is actually sent.
 */
import { errnoCode, inputError, usageError } from "../errors.js";
import { BoundedReadError, READ_LIMITS, readRegularTextSync } from "../store/bounded-read.js";
import { MAX_POLICY_ARNS, MAX_POLICY_CHARACTERS, POLICY_CHARACTERS } from "../sts/limits.js";
import { parseArn } from "../arn.js";
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson } from "../json-parse.js";

export type PolicySource = { readonly kind: "inline"; readonly json: string } | { readonly kind: "file"; readonly path: string } | { readonly kind: "stdin" };

/** `-` is stdin, text starting with `{` is the policy itself, anything else a file path. */
export function policySourceOf(flagValue: string): PolicySource {
  if (flagValue === "-") return { kind: "stdin" };
  if (flagValue.trimStart().startsWith("{")) return { kind: "inline", json: flagValue };
  return { kind: "file", path: flagValue };
}

export function describePolicySource(source: PolicySource): string {
  switch (source.kind) {
    case "inline":
      return "the --policy JSON";
    case "stdin":
      return "the policy on stdin";
    case "file":
      return source.path;
  }
}

export async function readPolicyText(source: PolicySource, readStdin: () => Promise<string>): Promise<string> {
  switch (source.kind) {
    case "inline":
      return source.json;
    case "stdin":
      return readStdin();
    case "file":
      // Bounded and regular files only: `--policy /dev/zero` or a FIFO must not hang or exhaust memory.
      try {
        return readRegularTextSync(source.path, { maxBytes: READ_LIMITS.policy, what: "the policy file" });
      } catch (error) {
        if (!(error instanceof BoundedReadError) || (error.reason !== "missing" && error.reason !== "unreadable")) throw error;
        const code = errnoCode(error.cause);
        const why = code === "ENOENT" || code === "ENOTDIR" ? "no such file" : code === "EACCES" ? "permission denied" : (code ?? error.message);
        throw inputError(`cannot read policy file ${source.path}: ${why}`);
      }
  }
}

/** Parse policy JSON, saying where it breaks (line and column) when it does. */
export function parsePolicyJson(text: string, origin: string): unknown {
  try {
    return parseJson(text).value;
  } catch (error) {
    if (error instanceof JsonDuplicateKeyError) {
      throw inputError(
        `${origin} gives the key ${JSON.stringify(error.key)} twice in one object, at line ${error.firstPosition.line}, column ${error.firstPosition.column} and at line ${error.position.line}, column ${error.position.column}`,
        "IAM refuses a policy that repeats a key; keep the one you mean",
      );
    }
    if (!(error instanceof JsonSyntaxError)) throw error;
    throw inputError(`${origin} is not valid JSON: ${error.reason} at line ${error.position.line}, column ${error.position.column}`);
  }
}

/** Whitespace-free JSON: what is sent and what the 2,048 limit is measured on. */
export function minifyPolicy(policy: unknown): string {
  return JSON.stringify(policy);
}

/** The minified policy must fit STS's limit and character set; say by how much it does not. */
export function requirePolicyFits(minified: string, origin: string): string {
  if (minified.length > MAX_POLICY_CHARACTERS) {
    throw inputError(
      `${origin} is ${minified.length} characters minified, ${minified.length - MAX_POLICY_CHARACTERS} over STS's ${MAX_POLICY_CHARACTERS}-character limit for session policies`,
      "narrow it, or move part of it into a managed policy passed with --policy-arn",
    );
  }
  if (!POLICY_CHARACTERS.test(minified)) {
    throw inputError(`${origin} contains characters STS does not accept in a policy (only tab, newline and U+0020 to U+00FF)`);
  }
  return minified;
}

/** Managed policy ARNs: at most 10, each an IAM policy ARN. */
export function requirePolicyArns(arns: readonly string[]): string[] {
  if (arns.length > MAX_POLICY_ARNS) throw usageError(`at most ${MAX_POLICY_ARNS} --policy-arn are allowed, got ${arns.length}`);
  for (const arn of arns) {
    const parsed = parseArn(arn);
    if (parsed === undefined || parsed.service !== "iam" || !/^(aws|\d{12})$/.test(parsed.account) || !parsed.resource.startsWith("policy/")) {
      throw usageError(`invalid --policy-arn "${arn}"`, "expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME");
    }
  }
  return [...arns];
}
