/**
 * An IAM policy document in one normalised shape, so the evaluator never has to ask "string or
 * array?", "one statement or many?" or "was that `true` a boolean or a string?".
 *
 * Parsing is strict about the shapes IAM itself refuses (a statement without Effect, with both
 * Action and NotAction, an element IAM does not know, ...): a session policy IAM would reject
 * fails AssumeRole, so telling the user "this would be allowed" about it would be a lie. Each
 * refusal carries a JSON-path-like location (`$.Statement[1].Condition.StringEquals["aws:username"]`)
 * so the message can point at the offending spot in the user's file.
 *
 * What this module does not judge: whether operator names, action names, ARNs or Sids are valid.
 * That is the policy validator's job; the evaluator treats an unknown operator as a statement that
 * cannot match.
 */

import { describeUnknownElement, DOCUMENT_ELEMENTS, STATEMENT_ELEMENTS, unknownElementOf } from "../iam/elements.js";

export interface PolicyStatement {
  sid?: string;
  effect: "Allow" | "Deny";
  action?: string[];
  notAction?: string[];
  resource?: string[];
  notResource?: string[];
  /** Kept as written; evaluation ignores it (session policies must not have one). */
  principal?: unknown;
  /** Kept as written; evaluation ignores it. */
  notPrincipal?: unknown;
  /** Operator as written → condition key as written → values, every scalar turned into a string. */
  condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  version?: string;
  id?: string;
  statements: PolicyStatement[];
}

/** A policy whose shape IAM would reject; `path` says where, e.g. `$.Statement[2].Effect`. */
export class PolicyShapeError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = "PolicyShapeError";
  }
}

/** The two policy-language versions IAM accepts in `Version`. */
const POLICY_LANGUAGE_VERSIONS: readonly string[] = ["2012-10-17", "2008-10-17"];

type JsonObject = Record<string, unknown>;

function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `$.a`, or `$["aws:username"]` for a key that is not a plain identifier. */
function childPath(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${parent}.${key}` : `${parent}[${JSON.stringify(key)}]`;
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

function rejectUnknownElements(object: JsonObject, known: readonly string[], path: string): void {
  // Element names are case-sensitive (src/iam/elements.ts); saying which spelling was meant saves a round trip.
  const unknown = unknownElementOf(object, known);
  if (unknown !== undefined) throw new PolicyShapeError(childPath(path, unknown.name), describeUnknownElement(unknown));
}

function optionalString(object: JsonObject, key: string, path: string): string | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    throw new PolicyShapeError(childPath(path, key), `must be a string, not ${describeJsonType(value)}`);
  }
  return value;
}

/** Action, NotAction, Resource, NotResource: a string or a non-empty array of non-empty strings. */
function stringOrStringList(value: unknown, path: string): string[] {
  if (typeof value === "string") {
    if (value === "") throw new PolicyShapeError(path, "must not be an empty string");
    return [value];
  }
  if (!Array.isArray(value)) {
    throw new PolicyShapeError(path, `must be a string or an array of strings, not ${describeJsonType(value)}`);
  }
  if (value.length === 0) throw new PolicyShapeError(path, "must not be an empty array");
  return value.map((item: unknown, index) => {
    const itemPath = `${path}[${index}]`;
    if (typeof item !== "string") {
      throw new PolicyShapeError(itemPath, `must be a string, not ${describeJsonType(item)}`);
    }
    if (item === "") throw new PolicyShapeError(itemPath, "must not be an empty string");
    return item;
  });
}

/** A condition value as IAM reads it: JSON `true` and `"true"`, `10` and `"10"` mean the same. */
function conditionScalar(value: unknown, path: string): string {
  if (typeof value === "string") return value;
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  throw new PolicyShapeError(path, `must be a string, number or boolean, not ${describeJsonType(value)}`);
}

function conditionValues(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.map((item: unknown, index) => conditionScalar(item, `${path}[${index}]`));
  return [conditionScalar(value, path)];
}

function toCondition(value: unknown, path: string): Record<string, Record<string, string[]>> {
  if (!isJsonObject(value)) {
    throw new PolicyShapeError(path, `must be an object of condition operators, not ${describeJsonType(value)}`);
  }
  const condition: Record<string, Record<string, string[]>> = {};
  for (const [operator, keys] of Object.entries(value)) {
    const operatorPath = childPath(path, operator);
    if (!isJsonObject(keys)) {
      throw new PolicyShapeError(operatorPath, `must be an object of condition keys, not ${describeJsonType(keys)}`);
    }
    if (Object.keys(keys).length === 0) {
      throw new PolicyShapeError(operatorPath, "must name at least one condition key");
    }
    const valuesByKey: Record<string, string[]> = {};
    for (const [key, values] of Object.entries(keys)) {
      valuesByKey[key] = conditionValues(values, childPath(operatorPath, key));
    }
    condition[operator] = valuesByKey;
  }
  return condition;
}

function toStatement(value: unknown, path: string): PolicyStatement {
  if (!isJsonObject(value)) {
    throw new PolicyShapeError(path, `a statement must be an object, not ${describeJsonType(value)}`);
  }
  rejectUnknownElements(value, STATEMENT_ELEMENTS, path);

  const effect = value["Effect"];
  if (effect === undefined) throw new PolicyShapeError(childPath(path, "Effect"), "is missing");
  if (effect !== "Allow" && effect !== "Deny") {
    throw new PolicyShapeError(childPath(path, "Effect"), `must be "Allow" or "Deny", not ${JSON.stringify(effect)}`);
  }

  if (value["Action"] !== undefined && value["NotAction"] !== undefined) {
    throw new PolicyShapeError(path, "a statement must not have both Action and NotAction");
  }
  if (value["Action"] === undefined && value["NotAction"] === undefined) {
    throw new PolicyShapeError(path, "a statement must have Action or NotAction");
  }
  if (value["Resource"] !== undefined && value["NotResource"] !== undefined) {
    throw new PolicyShapeError(path, "a statement must not have both Resource and NotResource");
  }
  // Identity-based and session policies (what rolecred handles) must name what they cover:
  // "Statements must include either a Resource or a NotResource element."
  if (value["Resource"] === undefined && value["NotResource"] === undefined) {
    throw new PolicyShapeError(path, "a statement must have Resource or NotResource");
  }
  if (value["Principal"] !== undefined && value["NotPrincipal"] !== undefined) {
    throw new PolicyShapeError(path, "a statement must not have both Principal and NotPrincipal");
  }

  const statement: PolicyStatement = { effect };
  const sid = optionalString(value, "Sid", path);
  if (sid !== undefined) statement.sid = sid;
  if (value["Action"] !== undefined) statement.action = stringOrStringList(value["Action"], childPath(path, "Action"));
  if (value["NotAction"] !== undefined) {
    statement.notAction = stringOrStringList(value["NotAction"], childPath(path, "NotAction"));
  }
  if (value["Resource"] !== undefined) {
    statement.resource = stringOrStringList(value["Resource"], childPath(path, "Resource"));
  }
  if (value["NotResource"] !== undefined) {
    statement.notResource = stringOrStringList(value["NotResource"], childPath(path, "NotResource"));
  }
  if (value["Principal"] !== undefined) statement.principal = value["Principal"];
  if (value["NotPrincipal"] !== undefined) statement.notPrincipal = value["NotPrincipal"];
  if (value["Condition"] !== undefined) {
    statement.condition = toCondition(value["Condition"], childPath(path, "Condition"));
  }
  return statement;
}

/**
 * Normalise a parsed JSON policy (single statement object or array; string-or-array fields;
 * condition values of string/boolean/number become strings). Throws PolicyShapeError with a
 * JSON-path-like location for shapes IAM would reject (missing Effect, both Action and NotAction,
 * no Action/NotAction, Effect not Allow/Deny, non-object statement, ...).
 */
export function toPolicyDocument(json: unknown): PolicyDocument {
  const root = "$";
  if (!isJsonObject(json)) {
    throw new PolicyShapeError(root, `a policy must be a JSON object, not ${describeJsonType(json)}`);
  }
  rejectUnknownElements(json, DOCUMENT_ELEMENTS, root);

  const document: PolicyDocument = { statements: [] };
  const version = optionalString(json, "Version", root);
  if (version !== undefined) {
    if (!POLICY_LANGUAGE_VERSIONS.includes(version)) {
      throw new PolicyShapeError(childPath(root, "Version"), `must be "2012-10-17" or "2008-10-17", not ${JSON.stringify(version)}`);
    }
    document.version = version;
  }
  const id = optionalString(json, "Id", root);
  if (id !== undefined) document.id = id;

  const statementPath = childPath(root, "Statement");
  const statements = json["Statement"];
  if (statements === undefined) throw new PolicyShapeError(statementPath, "is missing");
  document.statements = Array.isArray(statements)
    ? statements.map((statement: unknown, index) => toStatement(statement, `${statementPath}[${index}]`))
    : [toStatement(statements, statementPath)];
  return document;
}
