/**
 * Session tags and transitive tag keys, checked as STS checks them (patterns, lengths, at most
 * 50, keys unique ignoring case, transitive keys among the tags) so a mistake costs no MFA code.
 */
import { usageError } from "../errors.js";
import type { SessionTag } from "./api.js";
import { MAX_TAGS, TAG_KEY_PATTERN, TAG_VALUE_PATTERN } from "./limits.js";

/** `KEY=VALUE` (the value may be empty or contain `=`). */
export function parseSessionTag(text: string, where = "--tag"): SessionTag {
  const equals = text.indexOf("=");
  if (equals <= 0) throw usageError(`${where} "${text}" is not KEY=VALUE`);
  const key = text.slice(0, equals).trim();
  const value = text.slice(equals + 1).trim();
  if (!TAG_KEY_PATTERN.test(key)) throw usageError(`${where}: tag key "${key}" must be 1-128 letters, digits, spaces or _.:/=+-@`);
  if (!TAG_VALUE_PATTERN.test(value)) throw usageError(`${where}: value of tag ${key} must be at most 256 letters, digits, spaces or _.:/=+-@`);
  return { key, value };
}

export function requireSessionTags(tags: readonly SessionTag[], transitiveTagKeys: readonly string[], where = "--tag"): void {
  if (tags.length > MAX_TAGS) throw usageError(`at most ${MAX_TAGS} session tags are allowed, got ${tags.length}`);
  const seen = new Map<string, string>();
  for (const { key } of tags) {
    const earlier = seen.get(key.toLowerCase());
    if (earlier !== undefined) throw usageError(`${where}: tag keys ${earlier} and ${key} are the same to STS (keys ignore case)`);
    seen.set(key.toLowerCase(), key);
  }
  for (const key of transitiveTagKeys) {
    if (!seen.has(key.toLowerCase())) throw usageError(`transitive tag key "${key}" is not the key of a session tag`, `add --tag ${key}=VALUE`);
  }
}
