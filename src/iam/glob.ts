/**
 * IAM's wildcards, once: `*` matches any run of characters (none included, colons and slashes
 * included), `?` exactly one character. IAM uses them in Action, Resource, the Like and Arn
 * condition operators, and rolecred uses the same rules for `saml --role`.
 *
 * The match is the classic greedy two-pointer walk with one backtrack point (the last `*` seen):
 * when a later literal fails, only that `*` takes one more character. Earlier stars never need to
 * be revisited, because whatever the last star can absorb, an earlier one could too. So a match
 * costs at most (pattern length + 1) × (subject length + 1) steps and usually about the subject's
 * length, where a regular expression built from the glob (`.*a.*a.*b`) backtracks
 * polynomially-to-exponentially: `--role '*a*a*a*a*a*b'` took seconds to forever.
 *
 * Characters are code points (an emoji is one `?`), as IAM counts them.
 */

/** A wildcard in a pattern; every other unit is one literal code point. */
export const ANY_RUN: unique symbol = Symbol("*");
export const ANY_CHAR: unique symbol = Symbol("?");

/** One code point of literal text, or a wildcard. */
export type GlobUnit = string | typeof ANY_RUN | typeof ANY_CHAR;

export interface GlobOptions {
  /**
   * Compare letters without regard to case. IAM does for action names ("case insensitive") and
   * StringEqualsIgnoreCase; it does not for resource ARNs or StringLike values.
   */
  readonly ignoreCase?: boolean;
}

/** `*` and `?` as wildcards, everything else literal. */
export function globUnits(pattern: string): GlobUnit[] {
  return Array.from(pattern, (char): GlobUnit => (char === "*" ? ANY_RUN : char === "?" ? ANY_CHAR : char));
}

/** Literal text as units: no character in it is a wildcard (a policy variable's value, `${*}`). */
export function literalUnits(text: string): GlobUnit[] {
  return Array.from(text);
}

/** Lower-cases the literal units; a code point may lower-case to several (U+0130 → i + U+0307). */
function lowerCaseUnits(units: readonly GlobUnit[]): GlobUnit[] {
  return units.flatMap((unit): GlobUnit[] => (typeof unit === "string" ? Array.from(unit.toLowerCase()) : [unit]));
}

/** The work one match took, for tests that prove the bound; `steps` counts loop turns. */
export interface MatchCost {
  steps: number;
}

/**
 * Does `pattern` match the whole of `subject` (code points)? Case as given: callers that ignore
 * case lower-case both sides first ({@link globMatches} does).
 */
export function unitsMatch(pattern: readonly GlobUnit[], subject: readonly string[], cost?: MatchCost): boolean {
  let p = 0;
  let s = 0;
  // The last `*` seen and the subject position it currently stops at; -1: no star yet.
  let starAt = -1;
  let starEnd = 0;
  let steps = 0;
  while (s < subject.length) {
    steps += 1;
    const unit = pattern[p];
    if (unit === ANY_RUN) {
      starAt = p;
      starEnd = s;
      p += 1;
    } else if (unit !== undefined && (unit === ANY_CHAR || unit === subject[s])) {
      p += 1;
      s += 1;
    } else if (starAt !== -1) {
      // Let the last star take one more character and retry what follows it.
      p = starAt + 1;
      starEnd += 1;
      s = starEnd;
    } else {
      if (cost !== undefined) cost.steps += steps;
      return false;
    }
  }
  while (pattern[p] === ANY_RUN) p += 1;
  if (cost !== undefined) cost.steps += steps;
  return p === pattern.length;
}

/** Patterns already taken apart, per case mode: lint and the evaluator test few patterns many times. */
const compiled = { exact: new Map<string, readonly GlobUnit[]>(), ignoreCase: new Map<string, readonly GlobUnit[]>() };
/** Past this many patterns a cache starts over, so a hostile input cannot grow it without bound. */
const MAX_CACHED_PATTERNS = 4096;

function compile(pattern: string, ignoreCase: boolean): readonly GlobUnit[] {
  const cache = ignoreCase ? compiled.ignoreCase : compiled.exact;
  let units = cache.get(pattern);
  if (units === undefined) {
    units = ignoreCase ? lowerCaseUnits(globUnits(pattern)) : globUnits(pattern);
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    cache.set(pattern, units);
  }
  return units;
}

/** Does the glob `pattern` (`*`, `?`) match the whole of `subject`? */
export function globMatches(pattern: string, subject: string, options: GlobOptions = {}): boolean {
  const ignoreCase = options.ignoreCase === true;
  return unitsMatch(compile(pattern, ignoreCase), Array.from(ignoreCase ? subject.toLowerCase() : subject));
}

/**
 * A pattern that admits every caller: `*`, `**`, `?*`, `*?` ... At least one `*`; a `?` only
 * demands that the value be non-empty, which narrows nobody.
 */
export function matchesEverything(pattern: string): boolean {
  return /^[*?]*$/.test(pattern) && pattern.includes("*");
}
