/**
 * Decides one request against a set of policies the way IAM does, and says which statement
 * decided. Pure: no I/O, no clock (time-based keys such as aws:CurrentTime come from the request
 * context like every other key), no environment.
 *
 * Sources, all from the IAM User Guide: "Policy evaluation logic" and "The difference between
 * explicit and implicit denies" (Deny in any policy wins, else an Allow allows, else implicit
 * deny); "IAM JSON policy elements: Condition operators"; "Conditions with multiple context keys
 * or values" and "Single-valued vs. multivalued context keys" (AND/OR/NOR, ForAllValues,
 * ForAnyValue); "IAM policy elements: Variables and tags". Where a judgement call was needed the
 * comment quotes the sentence it follows.
 *
 * Layout: request context → policy variables and wildcard patterns → Action/Resource matching →
 * condition operators → statement and policy evaluation → explanation.
 */

import { operatorPolarity, parseConditionOperator, type ConditionOperatorName, type ParsedConditionOperator } from "../iam/condition-operators.js";
import { actionElementCovers } from "../iam/actions.js";
import { ANY_CHAR, ANY_RUN, globUnits, literalUnits, unitsMatch, type GlobUnit } from "../iam/glob.js";
import type { PolicyDocument, PolicyStatement } from "./policy-document.js";

export interface RequestToEvaluate {
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, or `*` for actions that take no resource. */
  resource: string;
  /** Request context keys (any case) to values; an array for a multivalued key such as aws:TagKeys. */
  context?: Record<string, string | string[]>;
}

export type DecisionKind = "explicit-deny" | "allow" | "implicit-deny";

export interface Decision {
  kind: DecisionKind;
  allowed: boolean;
  /** The statement that decided (the first matching Deny for explicit-deny, the first matching Allow for allow); absent for implicit-deny. */
  decidingStatement?: { policyIndex: number; statementIndex: number; sid?: string };
  /** One sentence, e.g. "denied by statement 2 (DenyOtherPrefixes) of the session policy" / "no statement of the session policy allows s3:GetObject on arn:…". */
  explanation: string;
}

// ---------------------------------------------------------------------------------------------
// Request context

/** Context values by lower-cased key: "Context key names are not case-sensitive." */
type RequestContext = ReadonlyMap<string, readonly string[]>;

function toRequestContext(context: RequestToEvaluate["context"]): RequestContext {
  const byKey = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(context ?? {})) {
    byKey.set(key.toLowerCase(), typeof value === "string" ? [value] : value);
  }
  return byKey;
}

/** What one policy is evaluated with: the request context, and whether `${...}` is a variable. */
interface PolicyScope {
  context: RequestContext;
  /**
   * "If you don't include the Version element and set it to an appropriate version date,
   * variables like ${aws:username} are treated as literal strings in the policy."
   */
  variablesEnabled: boolean;
}

// ---------------------------------------------------------------------------------------------
// Patterns: policy text with variables substituted and wildcards kept apart from literal text

/** `key` or `key, 'default'` inside `${...}`. */
const VARIABLE_BODY = /^\s*([^\s,'][^,']*?)\s*(?:,\s*'([^']*)'\s*)?$/;

/**
 * A variable's value: the key's single value, else the default. Multivalued keys cannot be
 * variables ("you cannot use multivalued context keys as policy variables").
 */
function variableValue(body: string, context: RequestContext): string | undefined {
  const parsed = VARIABLE_BODY.exec(body);
  if (parsed === null || parsed[1] === undefined) return undefined;
  const values = context.get(parsed[1].toLowerCase());
  if (values !== undefined && values.length === 1 && values[0] !== undefined) return values[0];
  return parsed[2];
}

/**
 * Policy text as pattern units, with `${key}` replaced from the request context and `${*}`,
 * `${?}`, `${$}` standing for the literal character. Undefined when a variable cannot be resolved:
 * per the docs such a value "is not in the current request information, and any attempt to match
 * it fails", so every test against it fails (see ValueTest).
 */
function resolvePolicyText(text: string, scope: PolicyScope): GlobUnit[] | undefined {
  if (!scope.variablesEnabled) return globUnits(text);
  const units: GlobUnit[] = [];
  let at = 0;
  while (at < text.length) {
    const start = text.indexOf("${", at);
    const end = start === -1 ? -1 : text.indexOf("}", start + 2);
    if (start === -1 || end === -1) {
      units.push(...globUnits(text.slice(at)));
      break;
    }
    units.push(...globUnits(text.slice(at, start)));
    const body = text.slice(start + 2, end);
    if (body === "*" || body === "?" || body === "$") {
      units.push(body);
    } else {
      const value = variableValue(body, scope.context);
      if (value === undefined) return undefined;
      units.push(...literalUnits(value));
    }
    at = end + 1;
  }
  return units;
}

/** The text a pattern stands for when wildcards are not wildcards (StringEquals, Bool, ...). */
function patternAsText(units: readonly GlobUnit[]): string {
  return units.map((unit) => (unit === ANY_RUN ? "*" : unit === ANY_CHAR ? "?" : unit)).join("");
}

/** `*` matches any run of characters (colons and slashes included), `?` exactly one (src/iam/glob.ts). */
function wildcardMatches(pattern: readonly GlobUnit[], subject: string): boolean {
  return unitsMatch(pattern, Array.from(subject));
}

/**
 * The result of testing one policy value against one request value. "unknown" is a policy value
 * that cannot be read (unresolved variable, not a number/date/IP/ARN) or a request value of the
 * wrong type; it fails the test both ways, so neither a positive nor a negated operator holds on it.
 */
type ValueTest = "match" | "no-match" | "unknown";

function matchOrNot(matches: boolean): ValueTest {
  return matches ? "match" : "no-match";
}

// ---------------------------------------------------------------------------------------------
// Action and Resource

/** Actions take no policy variables; coverage (case-insensitive) is src/iam/actions.ts's, shared with lint. */
function statementCoversAction(statement: PolicyStatement, action: string): boolean {
  return actionElementCovers({ actions: statement.action, notActions: statement.notAction }, action);
}

/**
 * Resource ARNs are case-sensitive, take variables, and `*` may span colons and slashes, so
 * `arn:aws:s3:::*` covers every object of every bucket.
 */
function resourceTest(pattern: string, resource: string, scope: PolicyScope): ValueTest {
  const units = resolvePolicyText(pattern, scope);
  if (units === undefined) return "unknown";
  return matchOrNot(wildcardMatches(units, resource));
}

function statementCoversResource(statement: PolicyStatement, resource: string, scope: PolicyScope): boolean {
  if (statement.resource !== undefined) {
    return statement.resource.some((pattern) => resourceTest(pattern, resource, scope) === "match");
  }
  if (statement.notResource !== undefined) {
    // An entry whose variable cannot be resolved does not quietly widen a NotResource: the
    // statement then "is invalid", i.e. does not apply.
    return statement.notResource.every((pattern) => resourceTest(pattern, resource, scope) === "no-match");
  }
  // toPolicyDocument refuses a statement with neither; a hand-built one covers nothing.
  return false;
}

// ---------------------------------------------------------------------------------------------
// Condition operators: value parsing

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

function parseIamNumber(text: string): number | undefined {
  return DECIMAL.test(text.trim()) ? Number(text.trim()) : undefined;
}

const EPOCH_SECONDS = /^\d+(?:\.\d+)?$/;
/** The W3C profile of ISO 8601 the docs point to: YYYY[-MM[-DD[Thh:mm[:ss[.s+]]TZD]]]. */
const W3C_DATE_TIME = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

function daysInMonth(year: number, month: number): number {
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(year, month, 0);
  return lastDay.getUTCDate();
}

/**
 * Milliseconds since the epoch for "one of the W3C implementations of the ISO 8601 date formats
 * or in epoch (UNIX) time". All digits is read as epoch seconds (aws:EpochTime), so a bare year
 * such as "2020" counts as a second count, not as the year.
 */
function parseIamDate(text: string): number | undefined {
  const trimmed = text.trim();
  if (EPOCH_SECONDS.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = W3C_DATE_TIME.exec(trimmed);
  if (parts === null) return undefined;
  const [, yearText = "", monthText = "1", dayText = "1", hourText = "0", minuteText = "0", secondText = "0"] = parts;
  const fraction = parts[7] ?? "";
  const zone = parts[8] ?? "Z";
  const year = Number(yearText);
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText);
  const second = Number(secondText);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== "Z") {
    const zoneHours = Number(zone.slice(1, 3));
    const zoneMinutes = Number(zone.slice(4, 6));
    if (zoneHours > 23 || zoneMinutes > 59) return undefined;
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  const milliseconds = fraction === "" ? 0 : Number(fraction.padEnd(3, "0").slice(0, 3));
  const instant = new Date(0);
  instant.setUTCFullYear(year, month - 1, day);
  instant.setUTCHours(hour, minute, second, milliseconds);
  return instant.getTime() - offsetMinutes * 60_000;
}

interface IpAddressValue {
  bits: 32 | 128;
  value: bigint;
}

interface IpRange extends IpAddressValue {
  prefixLength: number;
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseIpv4(text: string): bigint | undefined {
  const octets = IPV4.exec(text)?.slice(1).map(Number);
  if (octets === undefined || octets.some((octet) => octet > 255)) return undefined;
  return octets.reduce((value, octet) => (value << 8n) | BigInt(octet), 0n);
}

function parseIpv6Groups(text: string): number[] | undefined {
  if (text === "") return [];
  const groups = text.split(":");
  if (!groups.every((group) => IPV6_GROUP.test(group))) return undefined;
  return groups.map((group) => parseInt(group, 16));
}

/** RFC 4291 text forms: full, `::`-compressed, and with a trailing dotted IPv4 part. */
function parseIpv6(text: string): bigint | undefined {
  let head = text;
  const tail: number[] = [];
  if (text.includes(".")) {
    const lastColon = text.lastIndexOf(":");
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (ipv4 === undefined) return undefined;
    tail.push(Number(ipv4 >> 16n), Number(ipv4 & 0xffffn));
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const halves = head.split("::");
  let groups: number[];
  if (halves.length === 1) {
    const all = parseIpv6Groups(head);
    if (all === undefined) return undefined;
    groups = [...all, ...tail];
  } else if (halves.length === 2) {
    const before = parseIpv6Groups(halves[0] ?? "");
    const after = parseIpv6Groups(halves[1] ?? "");
    if (before === undefined || after === undefined) return undefined;
    const zeros = 8 - before.length - after.length - tail.length;
    if (zeros < 1) return undefined;
    groups = [...before, ...Array.from({ length: zeros }, () => 0), ...after, ...tail];
  } else {
    return undefined;
  }
  if (groups.length !== 8) return undefined;
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

function parseIpAddress(text: string): IpAddressValue | undefined {
  const trimmed = text.trim();
  if (trimmed.includes(":")) {
    const value = parseIpv6(trimmed);
    return value === undefined ? undefined : { bits: 128, value };
  }
  const value = parseIpv4(trimmed);
  return value === undefined ? undefined : { bits: 32, value };
}

/** "If you specify an IP address without the associated routing prefix, IAM uses the default prefix value of /32" (/128 for IPv6). */
function parseIpRange(text: string): IpRange | undefined {
  const [addressText = "", prefixText, ...extra] = text.trim().split("/");
  if (extra.length > 0) return undefined;
  const address = parseIpAddress(addressText);
  if (address === undefined) return undefined;
  if (prefixText === undefined) return { ...address, prefixLength: address.bits };
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > address.bits) return undefined;
  return { ...address, prefixLength: Number(prefixText) };
}

function rangeContains(range: IpRange, address: IpAddressValue): boolean {
  if (range.bits !== address.bits) return false;
  const all = (1n << BigInt(range.bits)) - 1n;
  const mask = all ^ ((1n << BigInt(range.bits - range.prefixLength)) - 1n);
  return (range.value & mask) === (address.value & mask);
}

/**
 * An ARN as its six colon-separated components; the last keeps any further colons
 * (`arn:aws:sns:us-east-1:123456789012:topic:subscription`).
 */
function splitArn<T>(items: readonly T[], isColon: (item: T) => boolean): T[][] | undefined {
  const components: T[][] = [[]];
  for (const item of items) {
    if (components.length < 6 && isColon(item)) components.push([]);
    else components[components.length - 1]?.push(item);
  }
  return components.length === 6 ? components : undefined;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

// ---------------------------------------------------------------------------------------------
// Condition operators: one test per operator family

/** The positive test of an operator family against one policy value and one request value. */
type ValueComparison = (policyValue: string, requestValue: string, scope: PolicyScope) => ValueTest;

function withPolicyText(compare: (policyText: GlobUnit[], requestValue: string) => boolean): ValueComparison {
  return (policyValue, requestValue, scope) => {
    const units = resolvePolicyText(policyValue, scope);
    return units === undefined ? "unknown" : matchOrNot(compare(units, requestValue));
  };
}

const stringEquals = withPolicyText((units, requestValue) => patternAsText(units) === requestValue);
const stringEqualsIgnoreCase = withPolicyText((units, requestValue) => patternAsText(units).toLowerCase() === requestValue.toLowerCase());
const stringLike = withPolicyText((units, requestValue) => wildcardMatches(units, requestValue));

/**
 * "Each of the six colon-delimited components of the ARN is checked separately and each can
 * include multi-character match wildcards (*) or single-character match wildcards (?)." A policy
 * value that is not ARN-shaped cannot be read; a request value that is not an ARN is like no ARN.
 */
const arnLike: ValueComparison = (policyValue, requestValue, scope) => {
  const units = resolvePolicyText(policyValue, scope);
  const patternComponents = units === undefined ? undefined : splitArn(units, (unit) => unit === ":");
  if (patternComponents === undefined) return "unknown";
  const valueComponents = splitArn(Array.from(requestValue), (char) => char === ":");
  if (valueComponents === undefined) return "no-match";
  return matchOrNot(patternComponents.every((component, index) => wildcardMatches(component, (valueComponents[index] ?? []).join(""))));
};

/** Numeric, Date, IP and Binary operators take no policy variables ("You can not use a policy variable with ..."). */
function parsedComparison<T>(parse: (text: string) => T | undefined, compare: (policy: T, request: T) => boolean): ValueComparison {
  return (policyValue, requestValue) => {
    const policy = parse(policyValue);
    const request = parse(requestValue);
    return policy === undefined || request === undefined ? "unknown" : matchOrNot(compare(policy, request));
  };
}

function numeric(compare: (policy: number, request: number) => boolean): ValueComparison {
  return parsedComparison(parseIamNumber, compare);
}

function date(compare: (policy: number, request: number) => boolean): ValueComparison {
  return parsedComparison(parseIamDate, compare);
}

function parseBoolean(text: string): boolean | undefined {
  const lower = text.trim().toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** Bool takes policy variables ("You can use a policy variable with the Boolean condition operator"). */
const bool: ValueComparison = (policyValue, requestValue, scope) => {
  const units = resolvePolicyText(policyValue, scope);
  const policy = units === undefined ? undefined : parseBoolean(patternAsText(units));
  const request = parseBoolean(requestValue);
  return policy === undefined || request === undefined ? "unknown" : matchOrNot(policy === request);
};

/** "compares the value of the specified key byte for byte against a base-64 encoded representation". */
const binaryEquals = parsedComparison(
  (text) => (BASE64.test(text.trim()) ? Buffer.from(text.trim(), "base64") : undefined),
  (policy, request) => policy.equals(request),
);

const ipAddress: ValueComparison = (policyValue, requestValue) => {
  const range = parseIpRange(policyValue);
  const address = parseIpAddress(requestValue);
  return range === undefined || address === undefined ? "unknown" : matchOrNot(rangeContains(range, address));
};

interface OperatorSemantics {
  /** Negated operators hold when no policy value matches, and when the key is missing. */
  negated: boolean;
  /** The positive form's test (for StringNotEquals, "equals"). */
  compare: ValueComparison;
}

/** The positive form's test of every known operator but Null (which tests presence); whether it is negated comes from operatorPolarity. */
const OPERATOR_COMPARISONS: Record<Exclude<ConditionOperatorName, "Null">, ValueComparison> = {
  StringEquals: stringEquals,
  StringNotEquals: stringEquals,
  StringEqualsIgnoreCase: stringEqualsIgnoreCase,
  StringNotEqualsIgnoreCase: stringEqualsIgnoreCase,
  StringLike: stringLike,
  StringNotLike: stringLike,
  NumericEquals: numeric((policy, request) => request === policy),
  NumericNotEquals: numeric((policy, request) => request === policy),
  NumericLessThan: numeric((policy, request) => request < policy),
  NumericLessThanEquals: numeric((policy, request) => request <= policy),
  NumericGreaterThan: numeric((policy, request) => request > policy),
  NumericGreaterThanEquals: numeric((policy, request) => request >= policy),
  DateEquals: date((policy, request) => request === policy),
  DateNotEquals: date((policy, request) => request === policy),
  DateLessThan: date((policy, request) => request < policy),
  DateLessThanEquals: date((policy, request) => request <= policy),
  DateGreaterThan: date((policy, request) => request > policy),
  DateGreaterThanEquals: date((policy, request) => request >= policy),
  Bool: bool,
  BinaryEquals: binaryEquals,
  IpAddress: ipAddress,
  NotIpAddress: ipAddress,
  // "The ArnEquals and ArnLike condition operators behave identically."
  ArnEquals: arnLike,
  ArnLike: arnLike,
  ArnNotEquals: arnLike,
  ArnNotLike: arnLike,
};

// ---------------------------------------------------------------------------------------------
// Condition evaluation

/**
 * One request value against all of a key's policy values. "If a single condition operator
 * includes multiple values for a context key, those values are evaluated using a logical OR. If a
 * single negated matching condition operator includes multiple values for a context key, those
 * values are evaluated using a logical NOR."
 */
function holdsForRequestValue(semantics: OperatorSemantics, policyValues: readonly string[], requestValue: string, scope: PolicyScope): boolean {
  const tests = policyValues.map((policyValue) => semantics.compare(policyValue, requestValue, scope));
  return semantics.negated ? tests.every((test) => test === "no-match") : tests.includes("match");
}

/** Null: `true` holds when the key is absent, `false` when it is present with a value. */
function nullHolds(policyValues: readonly string[], keyIsAbsent: boolean): boolean {
  return policyValues.some((value) => parseBoolean(value) === keyIsAbsent);
}

function conditionKeyHolds(operator: ParsedConditionOperator, key: string, policyValues: readonly string[], scope: PolicyScope): boolean {
  const requestValues = scope.context.get(key.toLowerCase());
  const keyIsAbsent = requestValues === undefined || requestValues.length === 0;
  if (operator.baseName === "Null") return nullHolds(policyValues, keyIsAbsent);
  // Polarity is decided in src/iam/condition-operators.ts, shared with lint.
  const semantics: OperatorSemantics = { negated: operatorPolarity(operator.baseName) === "negated", compare: OPERATOR_COMPARISONS[operator.baseName] };

  if (keyIsAbsent) {
    // "If the key is not present, evaluate the condition element as true." (...IfExists)
    if (operator.ifExists) return true;
    // ForAllValues "also returns true if there are no context keys in the request"; ForAnyValue
    // returns false then.
    if (operator.setOperator !== undefined) return operator.setOperator === "ForAllValues";
    // "If the key that you specify in a policy condition is not present in the request context,
    // the values do not match and the condition is false. If the policy condition requires that the
    // key is not matched, such as StringNotLike or ArnNotLike, and the right key is not present,
    // the condition is true."
    return semantics.negated;
  }

  if (operator.setOperator !== undefined) {
    // "If the key values in the request resolve to an empty data set (for example, an empty
    // string), a condition operator modified by ForAllValues returns true, and a condition
    // operator modified by ForAnyValue returns false."
    const members = requestValues.length === 1 && requestValues[0] === "" ? [] : requestValues;
    const holds = (value: string): boolean => holdsForRequestValue(semantics, policyValues, value, scope);
    return operator.setOperator === "ForAllValues" ? members.every(holds) : members.some(holds);
  }

  // A multivalued key under a single-valued operator: the docs only say "Multivalued context keys
  // require a condition set operator", so this does not guess which values were meant and the
  // condition does not hold (for negated operators too).
  const [onlyValue, ...others] = requestValues;
  if (onlyValue === undefined || others.length > 0) return false;
  return holdsForRequestValue(semantics, policyValues, onlyValue, scope);
}

/**
 * "If your policy statement has multiple condition operators, the condition operators are
 * evaluated using a logical AND. If your policy statement has multiple context keys attached to a
 * single condition operator, the context keys are evaluated using a logical AND."
 */
function conditionHolds(condition: PolicyStatement["condition"], scope: PolicyScope): boolean {
  if (condition === undefined) return true;
  return Object.entries(condition).every(([writtenOperator, valuesByKey]) => {
    const operator = parseConditionOperator(writtenOperator);
    // An unknown operator cannot be evaluated, so its statement cannot match.
    if (operator === undefined) return false;
    return Object.entries(valuesByKey).every(([key, values]) => conditionKeyHolds(operator, key, values, scope));
  });
}

// ---------------------------------------------------------------------------------------------
// Statements and policies

function statementApplies(statement: PolicyStatement, request: RequestToEvaluate, scope: PolicyScope): boolean {
  return (
    statementCoversAction(statement, request.action) &&
    statementCoversResource(statement, request.resource, scope) &&
    conditionHolds(statement.condition, scope)
  );
}

interface StatementLocation {
  policyIndex: number;
  statementIndex: number;
  statement: PolicyStatement;
}

/** "statement 2 (DenyOtherPrefixes) of the session policy"; numbered from 1 for people. */
function describeStatement(location: StatementLocation, policyCount: number, policyLabel: string): string {
  const sid = location.statement.sid;
  const named = sid === undefined || sid === "" ? "" : ` (${sid})`;
  const policy = policyCount > 1 ? `policy ${location.policyIndex + 1} of ` : "";
  return `statement ${location.statementIndex + 1}${named} of ${policy}${policyLabel}`;
}

function decidedBy(kind: "explicit-deny" | "allow", location: StatementLocation, explanation: string): Decision {
  const { policyIndex, statementIndex, statement } = location;
  const decidingStatement = statement.sid === undefined ? { policyIndex, statementIndex } : { policyIndex, statementIndex, sid: statement.sid };
  return { kind, allowed: kind === "allow", decidingStatement, explanation };
}

/** Evaluate policies that apply together (e.g. an inline session policy plus others): explicit Deny in any wins; else an Allow in any allows; else implicit deny. */
export function evaluatePolicies(policies: readonly PolicyDocument[], request: RequestToEvaluate, policyLabel = "the session policy"): Decision {
  const context = toRequestContext(request.context);
  let firstAllow: StatementLocation | undefined;
  for (const [policyIndex, policy] of policies.entries()) {
    const scope: PolicyScope = { context, variablesEnabled: policy.version === "2012-10-17" };
    for (const [statementIndex, statement] of policy.statements.entries()) {
      if (statement.effect === "Allow" && firstAllow !== undefined) continue;
      if (!statementApplies(statement, request, scope)) continue;
      const location = { policyIndex, statementIndex, statement };
      // "If policies that apply to a request include an Allow statement and a Deny statement, the
      // Deny statement trumps the Allow statement." So the first matching Deny ends the search.
      if (statement.effect === "Deny") {
        return decidedBy("explicit-deny", location, `denied by ${describeStatement(location, policies.length, policyLabel)}`);
      }
      firstAllow = location;
    }
  }
  if (firstAllow !== undefined) {
    return decidedBy("allow", firstAllow, `allowed by ${describeStatement(firstAllow, policies.length, policyLabel)}`);
  }
  return {
    kind: "implicit-deny",
    allowed: false,
    explanation: `no statement of ${policyLabel} allows ${request.action} on ${request.resource}`,
  };
}
