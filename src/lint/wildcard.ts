/** IAM's `*` and `?` wildcards, as used in actions, ARNs and the Like condition operators. */

const patternCache = new Map<string, RegExp>();

/** Does `pattern` (with `*` and `?`) match `value`? Case-insensitive, as IAM is for actions and keys. */
export function wildcardMatches(pattern: string, value: string): boolean {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    regex = new RegExp(`^${source}$`, "is");
    patternCache.set(pattern, regex);
  }
  return regex.test(value);
}

/** A Like pattern that matches anything: `*`, `**`, `?*` ... (or nothing at all). */
export function isMatchAnything(pattern: string): boolean {
  return /^[*?]*$/.test(pattern) && pattern.includes("*");
}
