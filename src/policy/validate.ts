/**
 * Checks a session policy the way IAM will, before an MFA code or an assertion is spent on it:
 * the document shape (policy-document.ts), no Principal (invalid in a session policy), known
 * condition operators, action and ARN shapes. Problems are errors naming where they are;
 * "narrows nothing" is a warning.
 */
import { inputError } from "../errors.js";
import { PolicyShapeError, toPolicyDocument, type PolicyDocument, type PolicyStatement } from "./policy-document.js";
import { parseConditionOperator } from "../iam/condition-operators.js";

export interface PolicyCheck {
  readonly document: PolicyDocument;
  readonly warnings: readonly string[];
}

/** `service:Action` with wildcards, or `*`. "The prefix and the action name are case insensitive." */
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/;

function describeStatement(statement: PolicyStatement, index: number): string {
  return `statement ${index + 1}${statement.sid === undefined ? "" : ` (${statement.sid})`}`;
}

/** `*`, or an ARN with at least the six parts (wildcards allowed), or a policy variable inside one. */
function isResourcePattern(value: string): boolean {
  if (value === "*") return true;
  const parts = value.split(":");
  return parts.length >= 6 && parts[0] === "arn" && parts[1] !== "" && parts[2] !== "";
}

export function validateSessionPolicy(json: unknown, origin: string): PolicyCheck {
  let document: PolicyDocument;
  try {
    document = toPolicyDocument(json);
  } catch (error) {
    if (error instanceof PolicyShapeError) throw inputError(`${origin} is not a valid IAM policy: ${error.message}`);
    throw error;
  }
  const warnings: string[] = [];
  const hasDeny = document.statements.some((statement) => statement.effect === "Deny");
  document.statements.forEach((statement, index) => {
    const where = `${origin}, ${describeStatement(statement, index)}`;
    if (statement.principal !== undefined || statement.notPrincipal !== undefined) {
      throw inputError(`${where} has a Principal: a session policy cannot name principals (it applies to the session itself)`, "remove the Principal element");
    }
    for (const action of [...(statement.action ?? []), ...(statement.notAction ?? [])]) {
      if (!ACTION.test(action)) throw inputError(`${where}: "${action}" is not an action (expected service:Action, e.g. s3:GetObject, or *)`);
    }
    for (const resource of [...(statement.resource ?? []), ...(statement.notResource ?? [])]) {
      if (!isResourcePattern(resource))
        throw inputError(`${where}: "${resource}" is not a resource ARN (expected arn:partition:service:region:account:resource, or *)`);
    }
    for (const operator of Object.keys(statement.condition ?? {})) {
      if (parseConditionOperator(operator) === undefined)
        throw inputError(
          `${where}: unknown condition operator "${operator}"`,
          "e.g. StringEquals, StringLike, ArnLike, Bool, IpAddress, with IfExists / ForAnyValue: / ForAllValues:",
        );
    }
    const everyAction = statement.action?.includes("*") === true;
    const everyResource = statement.resource?.includes("*") === true;
    if (statement.effect === "Allow" && everyAction && everyResource && statement.condition === undefined && !hasDeny) {
      warnings.push(`${where} allows every action on every resource: on its own it narrows nothing`);
    }
  });
  return { document, warnings };
}
