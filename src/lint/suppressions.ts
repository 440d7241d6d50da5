/**
 * Inline suppressions: ways to say "reviewed, leave it" that live with the policy and survive a
 * round trip through AWS, so `aws iam get-role ... | rolecred lint -` honours them too. JSON has
 * no comments and IAM refuses unknown policy elements, so the marks live in places IAM keeps:
 *
 * - a statement's Sid containing `RolecredIgnore` and rule numbers in threes:
 *   `"Sid": "DatadogRolecredIgnore013"` (IAM allows only letters and digits in a Sid);
 *   `RolecredIgnore002013` names two rules. Scope: that statement.
 * - a role tag `rolecred:ignore` listing rule ids separated by spaces or `+`:
 *   `RC-TRUST-002 RC-TRUST-013`. Scope: the whole role. Read from get-role answers,
 *   CloudFormation `Tags` and Terraform `tags`.
 * - CloudFormation only: `Metadata: {rolecred: {ignore: [RC-TRUST-002]}}` on the role resource.
 */
import { isJsonObject } from "./policy.js";
import { isRuleId, type RuleId } from "./rule-ids.js";

const IGNORE_TAG_KEY = "rolecred:ignore";

const SID_MARK = /rolecredignore((?:\d{3})+)/i;

/** Rule ids a statement's Sid suppresses. */
export function ruleIdsFromSid(sid: string | undefined): RuleId[] {
  const digits = sid === undefined ? undefined : SID_MARK.exec(sid)?.[1];
  if (digits === undefined) return [];
  const ids: RuleId[] = [];
  for (let offset = 0; offset < digits.length; offset += 3) {
    const id = `RC-TRUST-${digits.slice(offset, offset + 3)}`;
    if (isRuleId(id)) ids.push(id);
  }
  return ids;
}

/** The raw words of a `rolecred:ignore` tag, from IAM's `[{Key, Value}]` or Terraform's `{key: value}`. */
export function ignoreTokensFromTags(tags: unknown): string[] {
  const values: unknown[] = [];
  if (Array.isArray(tags)) {
    for (const tag of tags) {
      if (isJsonObject(tag) && typeof tag.Key === "string" && tag.Key.toLowerCase() === IGNORE_TAG_KEY) values.push(tag.Value);
    }
  } else if (isJsonObject(tags)) {
    for (const [key, value] of Object.entries(tags)) if (key.toLowerCase() === IGNORE_TAG_KEY) values.push(value);
  }
  return values.flatMap((value) => (typeof value === "string" ? value.split(/[\s+,]+/).filter((word) => word !== "") : []));
}

/** Rule ids among suppression words; anything else is returned apart so it can be reported. */
export function ruleIdsFromTokens(tokens: readonly string[]): { ids: RuleId[]; unknown: string[] } {
  const ids: RuleId[] = [];
  const unknown: string[] = [];
  for (const token of tokens) {
    const id = token.toUpperCase();
    if (isRuleId(id)) ids.push(id);
    else unknown.push(token);
  }
  return { ids, unknown };
}
