/**
 * Whether an Action pattern covers an action, decided once for lint/ and policy/. AWS's IAM User
 * Guide, "IAM JSON policy elements: Action": "The prefix and the action name are case
 * insensitive. For example, iam:ListAccessKeys is the same as IAM:listaccesskeys", and `*` may
 * stand anywhere in the name ("iam:*AccessKey*").
 */
import { globMatches } from "./glob.js";

function actionPatternCovers(pattern: string, action: string): boolean {
  return globMatches(pattern, action, { ignoreCase: true });
}

/** Action / NotAction as a statement has them: NotAction covers what none of its patterns match. */
export function actionElementCovers(
  element: { readonly actions?: readonly string[] | undefined; readonly notActions?: readonly string[] | undefined },
  action: string,
): boolean {
  if (element.notActions !== undefined) return !element.notActions.some((pattern) => actionPatternCovers(pattern, action));
  return element.actions?.some((pattern) => actionPatternCovers(pattern, action)) ?? false;
}
