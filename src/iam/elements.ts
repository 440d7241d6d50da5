/**
 * IAM's policy element names, decided once for lint/ and policy/.
 *
 * They are case-sensitive. The IAM User Guide's "Grammar of the IAM JSON policy language" writes
 * every element name as a literal string (`"Effect" : ("Allow" | "Deny")`: "Elements that must be
 * literal strings are enclosed in double quotes"), and "IAM JSON policy elements: Effect" says
 * "The Effect value is case sensitive". So `effect` is not `Effect`: IAM refuses the policy, and a
 * checker that read it anyway would judge a policy that never takes effect. Both lint/ and
 * policy/ therefore refuse a miscased element, and say which spelling was meant.
 */

/** Elements of a policy document. */
export const DOCUMENT_ELEMENTS: readonly string[] = ["Version", "Id", "Statement"];

/** Elements of a statement. */
export const STATEMENT_ELEMENTS: readonly string[] = [
  "Sid",
  "Effect",
  "Principal",
  "NotPrincipal",
  "Action",
  "NotAction",
  "Resource",
  "NotResource",
  "Condition",
];

/** A name that is not one of `known`; `meant` is the known name it differs from only in case. */
export interface UnknownElement {
  readonly name: string;
  readonly meant: string | undefined;
}

/** The first key of `object` that is not one of `known` (exact case), if any. */
export function unknownElementOf(object: Readonly<Record<string, unknown>>, known: readonly string[]): UnknownElement | undefined {
  for (const name of Object.keys(object)) {
    if (known.includes(name)) continue;
    return { name, meant: known.find((candidate) => candidate.toLowerCase() === name.toLowerCase()) };
  }
  return undefined;
}

/** `unknown policy element "effect" (did you mean "Effect"?)`. */
export function describeUnknownElement(element: UnknownElement): string {
  return element.meant === undefined
    ? `unknown policy element "${element.name}"`
    : `unknown policy element "${element.name}" (did you mean "${element.meant}"?)`;
}

/** A key of `object` that differs from `name` only in case, to say "did you mean" about it. */
export function miscasedElement(object: Readonly<Record<string, unknown>>, name: string): string | undefined {
  if (name in object) return undefined;
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower);
}
