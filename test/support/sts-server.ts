/**
 * A local AWS STS endpoint for tests and the demo: the real Query protocol over HTTP on
 * 127.0.0.1, real SigV4 checks, trust policies, MFA (TOTP) codes, session limits, and STS's own
 * error codes and messages, so that rolecred's handling of what AWS says is tested against what
 * AWS says. Wire format and rules: shared/reference/sts-saml-facts.md §2.
 *
 * Where AWS does not document a rule or a message, the choice made here is marked "(local)".
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { deflateRawSync } from "node:zlib";

import { checkSamlForSts, SamlRejection, type SamlForSts } from "./saml-sts-check.js";
import { parseAuthorization, SigV4Rejection, verifySignature, type ReceivedRequest } from "./sigv4-verify.js";
import { encodeBase32, generateTotp, matchTotp } from "./totp.js";

// =============================================================================================
// Public API

export interface LocalStsUser {
  account: string; // 12 digits
  name: string; // IAM user name, e.g. "jo"
  path?: string; // default "/"
  accessKeyId: string; // AKIA...
  secretAccessKey: string;
  mfaDevices?: Array<{ serial: string; secret: string }>; // secret: base32 TOTP seed
}

export interface TrustStatement {
  /** Who may assume: IAM user ARNs; "arn:aws:iam::ACCOUNT:root" (any user or role session of that account);
   *  role ARNs (sessions of that role, i.e. role chaining); SAML provider ARNs (AssumeRoleWithSAML). */
  principals: string[];
  requireMfa?: boolean; // Condition Bool aws:MultiFactorAuthPresent true
  externalId?: string; // StringEquals sts:ExternalId
  sessionNameMustEqualUsername?: boolean; // StringEquals sts:RoleSessionName ${aws:username}
  allowTagSession?: boolean; // sts:TagSession allowed (needed to pass Tags / SAML PrincipalTag)
  allowSetSourceIdentity?: boolean; // sts:SetSourceIdentity allowed
  /** SAML:aud must be one of these. As on AWS, SAML:aud is the assertion's SubjectConfirmationData
   *  Recipient (what STS returns as Audience), not its AudienceRestriction. Unset: no condition. */
  samlAudiences?: string[];
  /** StringEquals aws:PrincipalTag/KEY (keys case-insensitive): the caller's session tags, or the
   *  tags a service derives for it (IAM Roles Anywhere: x509Subject/CN, ...). Unset: no condition. */
  principalTagEquals?: Record<string, string>;
  /** ArnEquals aws:SourceArn: the resource a service acts for (IAM Roles Anywhere: the trust anchor). */
  sourceArns?: string[];
}

export interface LocalStsRole {
  arn: string;
  maxSessionDuration?: number; // seconds, default 3600
  trust: TrustStatement[];
}

export interface LocalStsSamlProvider {
  arn: string;
  certificatePem: string;
}

export interface LocalStsOptions {
  users?: LocalStsUser[];
  roles?: LocalStsRole[];
  samlProviders?: LocalStsSamlProvider[];
  now?: () => Date; // clock for expiry, TOTP and signature dates; default real time
  /** Issue every role session with this lifetime, whatever was asked (a test knob for refresh
   *  tests: real STS never issues less than 900 s). Undefined: the asked duration, as STS does. */
  roleSessionLifetimeSeconds?: number;
  /**
   * A hostile or broken endpoint: rewrite each answer's XML before it is sent (e.g. put a newline
   * into AccessKeyId). Gets the action and the XML the strict endpoint would have sent.
   */
  tamper?: (xml: string, action: string) => string | Buffer;
  /** Another Query service answered on the same endpoint (e.g. IAM, test/support/iam-server.ts). */
  extension?: LocalStsExtension;
  /**
   * The MFA devices' clock, when it must run apart from `now` (default: `now`). A test world that
   * spends many codes moves only this one: moving `now` past the SDK's 5-minute skew threshold
   * would make the SDK correct its clock from the Date header and resend any failed request.
   */
  mfaNow?: () => Date;
}


/**
 * The dispatch hook for another AWS Query service (IAM): requests carrying its API version go to
 * `serve`, after STS has checked their SigV4 signature for `signingService`; and the long-term
 * keys it creates or deletes are the ones STS honours.
 */
export interface LocalStsExtension {
  readonly apiVersion: string;
  readonly signingService: string;
  serve(action: string, params: URLSearchParams, caller: ExtensionCaller, requestId: string): { status: number; xml: string; errorCode?: string };
  /** A long-term key as the extension knows it: its user and secret, "refused" (deleted, or not usable yet), or undefined (not its business). */
  longTermKey(accessKeyId: string): { user: LocalStsUser; secretAccessKey: string } | "refused" | undefined;
}

export interface ExtensionCaller {
  arn: string;
  account: string;
  /** The IAM user behind long-term keys or a GetSessionToken session. */
  user?: LocalStsUser;
  /** Signed with temporary credentials: "session-token" (GetSessionToken) or "assumed-role". */
  temporary?: "session-token" | "assumed-role";
  mfaPresent: boolean;
}

export interface RecordedCall {
  action: string;
  params: Record<string, string>; // every form parameter exactly as received
  callerArn?: string; // who signed it (undefined for unsigned AssumeRoleWithSAML)
  errorCode?: string; // the STS error code returned, if any
}

/** What the server remembers of credentials it issued (a copy: changing it changes nothing). */
export interface LocalStsSession {
  accessKeyId: string;
  kind: "assumed-role" | "session-token" | "federated-user";
  /** Issued to a caller that signed with temporary credentials (role chaining). */
  chained: boolean;
  /** The ARN the credentials act as: the assumed-role session ARN, or the IAM user's ARN. */
  arn: string;
  account: string;
  roleArn?: string;
  sessionName?: string;
  /** The IAM user behind a GetSessionToken session. */
  userName?: string;
  expiration: Date;
  mfaPresent: boolean;
  /** Session tags, inherited transitive tags included; keys as given. */
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArns: string[];
}

/** A role session a service principal asks for on someone's behalf (IAM Roles Anywhere's CreateSession). */
export interface ServiceRoleRequest {
  service: string; // "rolesanywhere.amazonaws.com"
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  tags: SessionTag[];
  sourceIdentity?: string;
  sourceArn?: string;
}

export interface ServiceRoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn: string;
  assumedRoleId: string;
}

/** The STS error a service's request met (AccessDenied, ValidationError), for the service to translate. */
export class LocalStsRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "LocalStsRefusal";
  }
}

export interface LocalSts {
  readonly url: string; // "http://127.0.0.1:PORT/"
  readonly calls: RecordedCall[];
  totp(serial: string, at?: Date): string; // the currently valid code of an MFA device
  /** Make issued temporary credentials expire now (for ExpiredToken tests). */
  expireCredentials(accessKeyId: string): void;
  /** The issued session behind temporary credentials, or undefined if this server did not issue them. */
  session(accessKeyId: string): LocalStsSession | undefined;
  /** The session these exact credentials belong to, if this server issued them and they are unexpired. */
  checkCredentials(accessKeyId: string, secretAccessKey: string, sessionToken: string): LocalStsSession | undefined;
  /**
   * Issue a role session outside STS's own calls, as IAM Identity Center's GetRoleCredentials does
   * (test/support/identity-center-server.ts): the credentials then sign requests here like any.
   */
  issueRoleSession(request: ExternalRoleSessionRequest): ExternalRoleSession;
  /** The role's trust policy judges the service principal; the session is then accepted like any other. */
  assumeRoleForService(request: ServiceRoleRequest): ServiceRoleSession;
  close(): Promise<void>;
}

export interface ExternalRoleSessionRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}

export interface ExternalRoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  const now = options.now ?? (() => new Date());
  const sts = new StsService(options, now);
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    // A client that goes away mid-body leaves nothing to answer.
    serveRequest(sts, calls, now, request, response, options.tamper).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    totp: (serial, at) => generateTotp(sts.mfaDevice(serial).secret, at ?? (options.mfaNow ?? now)()),
    expireCredentials: (accessKeyId) => sts.expire(accessKeyId),
    session: (accessKeyId) => sts.describeSession(accessKeyId),
    checkCredentials: (accessKeyId, secretAccessKey, sessionToken) => sts.checkCredentials(accessKeyId, secretAccessKey, sessionToken),
    issueRoleSession: (request) => sts.issueExternalRoleSession(request),
    assumeRoleForService: (request) => {
      try {
        return sts.assumeRoleForService(request);
      } catch (error) {
        if (error instanceof StsError) throw new LocalStsRefusal(error.code, error.message);
        throw error;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // SDK clients keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// =============================================================================================
// Errors: STS codes, HTTP statuses, messages

const ERROR_STATUS = {
  AccessDenied: 403,
  ExpiredToken: 400,
  ExpiredTokenException: 400,
  IDPRejectedClaim: 403,
  IncompleteSignature: 400,
  InternalFailure: 500,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidIdentityToken: 400,
  InvalidParameterValue: 400,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  PackedPolicyTooLarge: 400,
  RequestEntityTooLarge: 413,
  SignatureDoesNotMatch: 403,
  ValidationError: 400,
} as const;

type StsErrorCode = keyof typeof ERROR_STATUS;

class StsError extends Error {
  constructor(
    readonly code: StsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StsError";
  }
}

const MESSAGES = {
  missingAuthentication: "Request is missing Authentication Token",
  invalidToken: "The security token included in the request is invalid.",
  expiredToken: "The security token included in the request is expired",
  mfaNeedsBoth: "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
  mfaUnknownDevice:
    "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
  mfaInvalidCode: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
  sessionTokenFromSession: "Cannot call GetSessionToken with session credentials",
  federationTokenFromSession: "Cannot call GetFederationToken with session credentials",
  exceedsMaxSessionDuration: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
  exceedsChainingLimit: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
  duplicateTagKeys: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
  samlNotAuthorized: "Not authorized to perform sts:AssumeRoleWithSAML",
} as const;

function notAuthorized(callerArn: string, action: string, resource: string): StsError {
  return new StsError("AccessDenied", `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`);
}

// =============================================================================================
// Parameter validation, as STS's service model constrains each member (facts §2). Messages
// follow AWS's: "1 validation error detected: Value '…' at 'roleSessionName' failed to satisfy
// constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*".

interface StringShape {
  min: number;
  max: number;
  /** The model's (Java) pattern, verbatim: it is also what the message quotes. */
  pattern?: string;
  /** Never echo the value (MFA codes, assertions). */
  sensitive?: boolean;
}

interface IntegerShape {
  min: number;
  max: number;
}

const SHAPES = {
  arn: {
    min: 20,
    max: 2048,
    pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
  },
  roleSessionName: { min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  federatedName: { min: 2, max: 32, pattern: "[\\w+=,.@-]*" },
  externalId: { min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" },
  serialNumber: { min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
  tokenCode: { min: 6, max: 6, pattern: "[\\d]*", sensitive: true },
  sourceIdentity: { min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  policy: { min: 1, max: 2048, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" },
  tagKey: { min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" },
  tagValue: { min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" },
  samlAssertion: { min: 4, max: 100_000, sensitive: true },
} satisfies Record<string, StringShape>;

const ROLE_DURATION: IntegerShape = { min: 900, max: 43_200 };
const SESSION_TOKEN_DURATION: IntegerShape = { min: 900, max: 129_600 };
/** GetFederationToken: 15 minutes to 36 hours, 12 hours by default (API reference). */
const FEDERATION_TOKEN_DURATION: IntegerShape = { min: 900, max: 129_600 };
const MAX_TAGS = 50;
/** Documented in the AssumeRole reference; not a model constraint. */
const MAX_POLICY_ARNS = 10;

const compiledPatterns = new Map<string, RegExp>();

function fullMatch(pattern: string, value: string): boolean {
  let regex = compiledPatterns.get(pattern);
  if (regex === undefined) {
    // Java's \w and JavaScript's (with the u flag, without i) are both [A-Za-z0-9_].
    regex = new RegExp(`^(?:${pattern})$`, "u");
    compiledPatterns.set(pattern, regex);
  }
  return regex.test(value);
}

/** Collects every constraint a request breaks, then reports them in one ValidationError. */
class Violations {
  private readonly found: string[] = [];

  private add(path: string, shown: string | undefined, constraint: string): void {
    const value = shown === undefined ? "Value" : `Value ${shown}`;
    this.found.push(`${value} at '${path}' failed to satisfy constraint: ${constraint}`);
  }

  required(path: string, value: string | undefined): value is string {
    if (value === undefined) this.add(path, "null", "Member must not be null");
    return value !== undefined;
  }

  string(path: string, value: string | undefined, shape: StringShape): void {
    if (value === undefined) return;
    const shown = shape.sensitive ? undefined : `'${value}'`;
    if (value.length < shape.min) this.add(path, shown, `Member must have length greater than or equal to ${shape.min}`);
    if (value.length > shape.max) this.add(path, shown, `Member must have length less than or equal to ${shape.max}`);
    if (shape.pattern !== undefined && !fullMatch(shape.pattern, value)) {
      this.add(path, shown, `Member must satisfy regular expression pattern: ${shape.pattern}`);
    }
  }

  integer(path: string, text: string | undefined, shape: IntegerShape): number | undefined {
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) {
      this.add(path, `'${text}'`, "Member must be an integer"); // (local) wording
      return undefined;
    }
    const value = Number(text);
    if (value < shape.min) this.add(path, `'${text}'`, `Member must have value greater than or equal to ${shape.min}`);
    if (value > shape.max) this.add(path, `'${text}'`, `Member must have value less than or equal to ${shape.max}`);
    return value;
  }

  listSize(path: string, items: readonly string[], max: number): void {
    if (items.length > max) this.add(path, `'[${items.join(", ")}]'`, `Member must have length less than or equal to ${max}`);
  }

  throwIfAny(): void {
    const count = this.found.length;
    if (count === 0) return;
    const summary = `${count} validation error${count === 1 ? "" : "s"} detected: `;
    throw new StsError("ValidationError", summary + this.found.join("; "));
  }
}

export interface SessionTag {
  key: string;
  value: string;
}

/** Reads the Query protocol's flattened members: `Name`, `Name.member.N[.Field]`. */
class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  get(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** The values of `{list}.member.N{suffix}`, in N order; holes (missing N) are skipped. */
  list(list: string, suffix = ""): Array<{ index: number; value: string }> {
    const pattern = new RegExp(`^${list}\\.member\\.(\\d+)${suffix.replace(/\./g, "\\.")}$`);
    const found: Array<{ index: number; value: string }> = [];
    for (const [name, value] of this.params) {
      const match = pattern.exec(name);
      if (match) found.push({ index: Number(match[1]), value });
    }
    return found.sort((a, b) => a.index - b.index);
  }

  tagIndexes(): number[] {
    const indexes = new Set([...this.list("Tags", ".Key"), ...this.list("Tags", ".Value")].map((item) => item.index));
    return [...indexes].sort((a, b) => a - b);
  }
}

/** PolicyArns.member.N.arn, validated; returns the ARNs. */
function readPolicyArns(query: QueryParams, violations: Violations): string[] {
  const arns = query.list("PolicyArns", ".arn");
  arns.forEach(({ value }, position) => violations.string(`policyArns.${position + 1}.member.arn`, value, SHAPES.arn));
  const values = arns.map((item) => item.value);
  violations.listSize("policyArns", values, MAX_POLICY_ARNS);
  return values;
}

function readTags(query: QueryParams, violations: Violations): SessionTag[] {
  const tags: SessionTag[] = [];
  query.tagIndexes().forEach((index, position) => {
    const path = `tags.${position + 1}.member`;
    const key = query.get(`Tags.member.${index}.Key`);
    const value = query.get(`Tags.member.${index}.Value`);
    const hasKey = violations.required(`${path}.key`, key);
    const hasValue = violations.required(`${path}.value`, value);
    violations.string(`${path}.key`, key, SHAPES.tagKey);
    violations.string(`${path}.value`, value, SHAPES.tagValue);
    if (hasKey && hasValue) tags.push({ key, value });
  });
  violations.listSize("tags", tags.map((tag) => `{Key: ${tag.key},Value: ${tag.value}}`), MAX_TAGS);
  return tags;
}

function readTransitiveTagKeys(query: QueryParams, violations: Violations): string[] {
  const keys = query.list("TransitiveTagKeys").map((item) => item.value);
  keys.forEach((key, position) => violations.string(`transitiveTagKeys.${position + 1}.member`, key, SHAPES.tagKey));
  violations.listSize("transitiveTagKeys", keys, MAX_TAGS);
  return keys;
}

interface AssumeRoleParams {
  roleArn: string;
  sessionName: string;
  policy?: string;
  policyArns: string[];
  durationSeconds?: number;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  externalId?: string;
  serial?: string;
  code?: string;
  sourceIdentity?: string;
}

function readAssumeRoleParams(query: QueryParams): AssumeRoleParams {
  const violations = new Violations();
  const roleArn = query.get("RoleArn");
  const sessionName = query.get("RoleSessionName");
  const hasRoleArn = violations.required("roleArn", roleArn);
  const hasSessionName = violations.required("roleSessionName", sessionName);
  violations.string("roleArn", roleArn, SHAPES.arn);
  violations.string("roleSessionName", sessionName, SHAPES.roleSessionName);
  const policyArns = readPolicyArns(query, violations);
  const policy = query.get("Policy");
  violations.string("policy", policy, SHAPES.policy);
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), ROLE_DURATION);
  const tags = readTags(query, violations);
  const transitiveTagKeys = readTransitiveTagKeys(query, violations);
  const externalId = query.get("ExternalId");
  violations.string("externalId", externalId, SHAPES.externalId);
  const serial = query.get("SerialNumber");
  const code = query.get("TokenCode");
  violations.string("serialNumber", serial, SHAPES.serialNumber);
  violations.string("tokenCode", code, SHAPES.tokenCode);
  const sourceIdentity = query.get("SourceIdentity");
  // The pattern has no ':', so it also refuses the reserved "aws:" prefix.
  violations.string("sourceIdentity", sourceIdentity, SHAPES.sourceIdentity);
  violations.throwIfAny();
  if (!hasRoleArn || !hasSessionName) throw new Error("unreachable: throwIfAny reports missing members");
  return {
    roleArn,
    sessionName,
    policyArns,
    tags,
    transitiveTagKeys,
    policy,
    durationSeconds,
    externalId,
    serial,
    code,
    sourceIdentity,
  };
}

interface SamlParams {
  roleArn: string;
  principalArn: string;
  assertion: string;
  policy?: string;
  policyArns: string[];
  durationSeconds?: number;
}

function readSamlParams(query: QueryParams): SamlParams {
  const violations = new Violations();
  const roleArn = query.get("RoleArn");
  const principalArn = query.get("PrincipalArn");
  const assertion = query.get("SAMLAssertion");
  const hasRoleArn = violations.required("roleArn", roleArn);
  const hasPrincipalArn = violations.required("principalArn", principalArn);
  const hasAssertion = violations.required("sAMLAssertion", assertion);
  violations.string("roleArn", roleArn, SHAPES.arn);
  violations.string("principalArn", principalArn, SHAPES.arn);
  violations.string("sAMLAssertion", assertion, SHAPES.samlAssertion);
  const policyArns = readPolicyArns(query, violations);
  const policy = query.get("Policy");
  violations.string("policy", policy, SHAPES.policy);
  const durationSeconds = violations.integer("durationSeconds", query.get("DurationSeconds"), ROLE_DURATION);
  violations.throwIfAny();
  if (!hasRoleArn || !hasPrincipalArn || !hasAssertion) {
    throw new Error("unreachable: throwIfAny reports missing members");
  }
  return { roleArn, principalArn, assertion, policy, policyArns, durationSeconds };
}

// =============================================================================================
// Session policies

const POLICY_VERSIONS = new Set(["2012-10-17", "2008-10-17"]);
const POLICY_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;

function malformed(message: string): StsError {
  return new StsError("MalformedPolicyDocument", message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The grammar checks IAM applies to an identity-based policy; messages are IAM's own. */
function checkSessionPolicy(text: string): void {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (!isObject(document)) throw malformed("Syntax errors in policy.");
  // IAM would default a missing Version to 2008-10-17; sessions made here must name one (local).
  if (typeof document["Version"] !== "string" || !POLICY_VERSIONS.has(document["Version"])) {
    throw malformed("The policy must contain a valid version string");
  }
  const statements = document["Statement"];
  if (statements === undefined) throw malformed("Missing required field Statement");
  for (const statement of Array.isArray(statements) ? statements : [statements]) {
    checkPolicyStatement(statement);
  }
}

function checkPolicyStatement(statement: unknown): void {
  if (!isObject(statement)) throw malformed("Syntax errors in policy.");
  if ("Principal" in statement || "NotPrincipal" in statement) {
    throw malformed("Policy document should not specify a principal.");
  }
  const effect = statement["Effect"];
  if (effect === undefined) throw malformed("Missing required field Effect");
  if (effect !== "Allow" && effect !== "Deny") throw malformed(`Invalid effect: ${String(effect)}`);
  if (!("Action" in statement) && !("NotAction" in statement)) throw malformed("Policy statement must contain actions.");
  if (!("Resource" in statement) && !("NotResource" in statement)) {
    throw malformed("Policy statement must contain resources.");
  }
}

/** Managed session policies must be AWS managed or live in the role's own account. */
function checkPolicyArns(arns: readonly string[], roleAccount: string): void {
  for (const arn of arns) {
    const match = POLICY_ARN.exec(arn);
    if (!match) throw malformed(`Invalid policy ARN: ${arn}`); // (local) wording
    if (match[1] !== "aws" && match[1] !== roleAccount) {
      throw malformed(`Policy ${arn} does not exist or is not attachable.`);
    }
  }
}

/**
 * Packed size. STS packs the session policy, the policy ARNs and the session tags into one
 * compressed binary and reports it as a percentage of a fixed allowance; AWS publishes neither
 * the format nor the allowance. Model (local): raw DEFLATE (level 9) of the texts this request
 * passes, one per line (tags as "key=value"; transitive keys are not counted, as AWS documents;
 * tags inherited through a role chain are not counted either), measured
 * against PACKED_POLICY_BUDGET_BYTES and rounded up. The budget is calibrated (see the test
 * "packed size model") so that, as on AWS, a small policy uses a few percent, a full
 * 2,048-character policy of realistic JSON plus a few tags fits, and 50 tags with 128-character
 * keys and 256-character random values do not.
 */
const PACKED_POLICY_BUDGET_BYTES = 2_048;

export function packedPolicyPercent(policy: string | undefined, policyArns: readonly string[], tags: readonly SessionTag[]): number {
  const lines = [...(policy === undefined ? [] : [policy]), ...policyArns, ...tags.map((tag) => `${tag.key}=${tag.value}`)];
  const packed = deflateRawSync(Buffer.from(lines.join("\n"), "utf8"), { level: 9 });
  return Math.ceil((packed.length * 100) / PACKED_POLICY_BUDGET_BYTES);
}

function packedSizeFor(policy: string | undefined, policyArns: readonly string[], tags: readonly SessionTag[]): number | undefined {
  if (policy === undefined && policyArns.length === 0 && tags.length === 0) return undefined;
  const percent = packedPolicyPercent(policy, policyArns, tags);
  if (percent > 100) {
    throw new StsError(
      "PackedPolicyTooLarge",
      `Packed policy consumes ${percent}% of allotted space, please use smaller policy.`,
    );
  }
  return percent;
}

// =============================================================================================
// ARNs and identifiers

interface RoleArnParts {
  partition: string;
  account: string;
  name: string;
}

function parseRoleArn(arn: string): RoleArnParts | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition = "", account = "", name = ""] = match;
  return { partition, account, name };
}

function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+::(\d{12}):/.exec(arn)?.[1];
}

function partitionOfArn(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? "aws";
}

function userArn(user: LocalStsUser): string {
  return `arn:aws:iam::${user.account}:user${user.path ?? "/"}${user.name}`;
}

function rootArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** Stable IAM-style unique ids (AIDA… for users, AROA… for roles) derived from the ARN. */
function uniqueId(prefix: "AIDA" | "AROA", arn: string): string {
  return prefix + encodeBase32(createHash("sha256").update(arn).digest()).slice(0, 17);
}

function newTemporaryKeyId(): string {
  return "ASIA" + encodeBase32(randomBytes(10)); // 16 characters of [A-Z2-7]
}

/** AWS sends whole seconds: 2019-11-01T20:26:47Z. */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function wholeSeconds(milliseconds: number): Date {
  return new Date(Math.floor(milliseconds / 1000) * 1000);
}

// =============================================================================================
// Identities: who signed a request

interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  arn: string;
  account: string;
  userId: string;
  /** The IAM user behind a GetSessionToken session. */
  user?: LocalStsUser;
  /** Issued to a caller that signed with temporary credentials (role chaining). */
  chained?: boolean;
  /** A GetFederationToken session: a federated user, not a role. */
  federated?: boolean;
  roleArn?: string;
  sessionName?: string;
  mfaPresent: boolean;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArns: string[];
}

interface Caller {
  arn: string;
  account: string;
  userId: string;
  /** The IAM user making the call, with long-term keys or through a GetSessionToken session. */
  user?: LocalStsUser;
  /** Set when the call is signed with temporary credentials this server issued. */
  session?: IssuedSession;
}

function callerOfUser(user: LocalStsUser): Caller {
  const arn = userArn(user);
  return { arn, account: user.account, userId: uniqueId("AIDA", arn), user };
}

function callerOfSession(session: IssuedSession): Caller {
  return {
    arn: session.arn,
    account: session.account,
    userId: session.userId,
    user: session.user,
    session,
  };
}

/** The ARNs a trust policy principal may name to mean this caller. */
function principalNamesOf(caller: Caller): string[] {
  const names = [caller.arn, rootArn(partitionOfArn(caller.arn), caller.account)];
  if (caller.session?.roleArn !== undefined) names.push(caller.session.roleArn);
  return names;
}

/** Trust principals may name an account by its bare 12-digit id. */
function normalisePrincipal(principal: string): string {
  return /^\d{12}$/.test(principal) ? rootArn("aws", principal) : principal;
}

function inheritedTransitiveTags(session: IssuedSession | undefined): SessionTag[] {
  if (session === undefined) return [];
  const transitive = new Set(session.transitiveTagKeys.map((key) => key.toLowerCase()));
  return session.tags.filter((tag) => transitive.has(tag.key.toLowerCase()));
}

// =============================================================================================
// XML

type XmlValue = string | number | XmlElement[] | undefined;
type XmlElement = readonly [name: string, value: XmlValue];

const STS_NAMESPACE = "https://sts.amazonaws.com/doc/2011-06-15/";

function escapeXml(text: string): string {
  return (
    text
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      // Characters XML 1.0 cannot carry at all, even as references (echoed bad input).
      .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, "\uFFFD")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "\uFFFD")
  );
}

function renderXml(elements: readonly XmlElement[]): string {
  return elements
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => {
      const content = Array.isArray(value) ? renderXml(value) : escapeXml(String(value));
      return `<${name}>${content}</${name}>`;
    })
    .join("");
}

function successXml(action: string, result: XmlElement[], requestId: string): string {
  const body = renderXml([
    [`${action}Result`, result],
    ["ResponseMetadata", [["RequestId", requestId]]],
  ]);
  return `<${action}Response xmlns="${STS_NAMESPACE}">${body}</${action}Response>\n`;
}

function errorXml(error: StsError, requestId: string): string {
  const type = ERROR_STATUS[error.code] >= 500 ? "Receiver" : "Sender";
  const body = renderXml([
    ["Error", [["Type", type], ["Code", error.code], ["Message", error.message]]],
    ["RequestId", requestId],
  ]);
  return `<ErrorResponse xmlns="${STS_NAMESPACE}">${body}</ErrorResponse>\n`;
}

function credentialsXml(session: IssuedSession): XmlElement {
  return [
    "Credentials",
    [
      ["AccessKeyId", session.accessKeyId],
      ["SecretAccessKey", session.secretAccessKey],
      ["SessionToken", session.sessionToken],
      ["Expiration", isoSeconds(session.expiration)],
    ],
  ];
}

function assumedRoleUserXml(session: IssuedSession): XmlElement {
  return ["AssumedRoleUser", [["AssumedRoleId", session.userId], ["Arn", session.arn]]];
}

// =============================================================================================
// The service

const ROLE_CHAINING_LIMIT_SECONDS = 3600;
const DEFAULT_ROLE_DURATION_SECONDS = 3600;
const DEFAULT_SESSION_TOKEN_DURATION_SECONDS = 43_200;
const SAML_SUBJECT_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

interface MfaDevice {
  serial: string;
  secret: string;
  user: LocalStsUser;
}

/** Everything an AssumeRole* call asks for, once its parameters are read. */
interface RoleRequest {
  role: LocalStsRole;
  roleParts: RoleArnParts;
  sessionName: string;
  durationSeconds: number;
  policy?: string;
  policyArns: string[];
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  mfaPresent: boolean;
  /** The caller signed with temporary credentials. */
  chained?: boolean;
  /** Latest end of the session (a SAML SessionNotOnOrAfter). */
  notAfter?: Date;
}

class StsService {
  private readonly usersByKey = new Map<string, LocalStsUser>();
  private readonly roles = new Map<string, LocalStsRole>();
  private readonly samlProviders = new Map<string, LocalStsSamlProvider>();
  private readonly mfaDevices = new Map<string, MfaDevice>();
  /** Per device, the time step of the last accepted code: a code is good once (RFC 6238 §5.2). */
  private readonly lastMfaStep = new Map<string, number>();
  private readonly sessions = new Map<string, IssuedSession>();
  readonly extension: LocalStsExtension | undefined;

  private readonly roleSessionLifetimeSeconds: number | undefined;

  private readonly mfaNow: () => Date;

  constructor(
    options: LocalStsOptions,
    private readonly now: () => Date,
  ) {
    this.roleSessionLifetimeSeconds = options.roleSessionLifetimeSeconds;
    this.extension = options.extension;
    this.mfaNow = options.mfaNow ?? now;
    for (const user of options.users ?? []) this.addUser(user);
    for (const role of options.roles ?? []) this.addRole(role);
    for (const provider of options.samlProviders ?? []) this.samlProviders.set(provider.arn, provider);
  }

  private addUser(user: LocalStsUser): void {
    if (!/^\d{12}$/.test(user.account)) throw new Error(`user ${user.name}: account must be 12 digits`);
    if (!/^\w{16,128}$/.test(user.accessKeyId)) throw new Error(`user ${user.name}: accessKeyId must be 16-128 of [A-Za-z0-9_]`);
    if (this.usersByKey.has(user.accessKeyId)) throw new Error(`access key ${user.accessKeyId} is given twice`);
    this.usersByKey.set(user.accessKeyId, user);
    for (const device of user.mfaDevices ?? []) {
      if (this.mfaDevices.has(device.serial)) throw new Error(`MFA serial ${device.serial} is given twice`);
      this.mfaDevices.set(device.serial, { ...device, user });
    }
  }

  private addRole(role: LocalStsRole): void {
    if (parseRoleArn(role.arn) === undefined) throw new Error(`not a role ARN: ${role.arn}`);
    const max = role.maxSessionDuration ?? DEFAULT_ROLE_DURATION_SECONDS;
    if (!(max >= 3600 && max <= 43_200)) throw new Error(`role ${role.arn}: maxSessionDuration must be 3600-43200`);
    this.roles.set(role.arn, role);
  }

  mfaDevice(serial: string): MfaDevice {
    const device = this.mfaDevices.get(serial);
    if (device === undefined) throw new Error(`no MFA device ${serial} is configured`);
    return device;
  }

  expire(accessKeyId: string): void {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined) throw new Error(`no session was issued for ${accessKeyId}`);
    session.expiration = this.now();
  }

  describeSession(accessKeyId: string): LocalStsSession | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined) return undefined;
    return {
      accessKeyId: session.accessKeyId,
      kind: session.federated === true ? "federated-user" : session.roleArn === undefined ? "session-token" : "assumed-role",
      chained: session.chained === true,
      arn: session.arn,
      account: session.account,
      ...(session.roleArn === undefined ? {} : { roleArn: session.roleArn }),
      ...(session.sessionName === undefined ? {} : { sessionName: session.sessionName }),
      ...(session.user === undefined ? {} : { userName: session.user.name }),
      expiration: new Date(session.expiration),
      mfaPresent: session.mfaPresent,
      tags: Object.fromEntries(session.tags.map((tag) => [tag.key, tag.value])),
      transitiveTagKeys: [...session.transitiveTagKeys],
      ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
      ...(session.policy === undefined ? {} : { policy: session.policy }),
      policyArns: [...session.policyArns],
    };
  }

  checkCredentials(accessKeyId: string, secretAccessKey: string, sessionToken: string): LocalStsSession | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined || session.secretAccessKey !== secretAccessKey || session.sessionToken !== sessionToken) return undefined;
    if (this.now().getTime() >= session.expiration.getTime()) return undefined;
    return this.describeSession(accessKeyId);
  }

  issueExternalRoleSession(request: ExternalRoleSessionRequest): ExternalRoleSession {
    const parts = parseRoleArn(request.roleArn);
    if (parts === undefined) throw new Error(`not a role ARN: ${request.roleArn}`);
    const session = this.issue({
      arn: `arn:${parts.partition}:sts::${parts.account}:assumed-role/${parts.name}/${request.sessionName}`,
      account: parts.account,
      userId: `${uniqueId("AROA", request.roleArn)}:${request.sessionName}`,
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      mfaPresent: false,
      tags: [],
      transitiveTagKeys: [],
      policyArns: [],
    });
    return { accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey, sessionToken: session.sessionToken, expiration: new Date(session.expiration) };
  }

  // ----- authentication ---------------------------------------------------------------------

  authenticate(request: ReceivedRequest, service = "sts"): Caller {
    const header = request.headers["authorization"]?.[0];
    if (header === undefined) throw new StsError("MissingAuthenticationToken", MESSAGES.missingAuthentication);
    try {
      const auth = parseAuthorization(header);
      const { caller, secretAccessKey } = this.identityOfKey(auth.accessKeyId, request.headers["x-amz-security-token"]?.[0]);
      verifySignature(request, auth, secretAccessKey, { service, now: this.now() });
      if (caller.session !== undefined && this.now().getTime() >= caller.session.expiration.getTime()) {
        throw new StsError("ExpiredToken", MESSAGES.expiredToken);
      }
      return caller;
    } catch (error) {
      if (error instanceof SigV4Rejection) throw new StsError(error.code, error.message);
      throw error;
    }
  }

  private identityOfKey(accessKeyId: string, securityToken: string | undefined): { caller: Caller; secretAccessKey: string } {
    const extended = securityToken === undefined ? this.extension?.longTermKey(accessKeyId) : undefined;
    if (extended === "refused") throw new StsError("InvalidClientTokenId", MESSAGES.invalidToken);
    if (extended !== undefined) return { caller: callerOfUser(extended.user), secretAccessKey: extended.secretAccessKey };
    const user = this.usersByKey.get(accessKeyId);
    // Long-term keys carry no token; temporary keys are good only with the token issued with them.
    if (user !== undefined && securityToken === undefined) {
      return { caller: callerOfUser(user), secretAccessKey: user.secretAccessKey };
    }
    const session = this.sessions.get(accessKeyId);
    if (session !== undefined && securityToken === session.sessionToken) {
      return { caller: callerOfSession(session), secretAccessKey: session.secretAccessKey };
    }
    throw new StsError("InvalidClientTokenId", MESSAGES.invalidToken);
  }

  // ----- actions ----------------------------------------------------------------------------

  getCallerIdentity(caller: Caller): XmlElement[] {
    return [
      ["UserId", caller.userId],
      ["Account", caller.account],
      ["Arn", caller.arn],
    ];
  }

  getSessionToken(query: QueryParams, caller: Caller): XmlElement[] {
    const violations = new Violations();
    const duration = violations.integer("durationSeconds", query.get("DurationSeconds"), SESSION_TOKEN_DURATION);
    const serial = query.get("SerialNumber");
    const code = query.get("TokenCode");
    violations.string("serialNumber", serial, SHAPES.serialNumber);
    violations.string("tokenCode", code, SHAPES.tokenCode);
    violations.throwIfAny();

    const user = caller.user;
    if (caller.session !== undefined || user === undefined) {
      throw new StsError("AccessDenied", MESSAGES.sessionTokenFromSession);
    }
    const mfaPresent = this.checkMfa(user, serial, code);
    const session = this.issue({
      arn: caller.arn,
      account: caller.account,
      userId: caller.userId,
      user,
      durationSeconds: duration ?? DEFAULT_SESSION_TOKEN_DURATION_SECONDS,
      mfaPresent,
      tags: [],
      transitiveTagKeys: [],
      policyArns: [],
    });
    return [credentialsXml(session)];
  }

  /** GetFederationToken: IAM user long-term keys only; the session is the intersection of the user's permissions and the policies passed. */
  getFederationToken(query: QueryParams, caller: Caller): XmlElement[] {
    const violations = new Violations();
    const name = query.get("Name");
    violations.required("name", name);
    violations.string("name", name, SHAPES.federatedName);
    const duration = violations.integer("durationSeconds", query.get("DurationSeconds"), FEDERATION_TOKEN_DURATION);
    const policy = query.get("Policy");
    violations.string("policy", policy, SHAPES.policy);
    violations.throwIfAny();
    const user = caller.user;
    if (caller.session !== undefined || user === undefined || name === undefined) {
      throw new StsError("AccessDenied", MESSAGES.federationTokenFromSession);
    }
    if (policy !== undefined) checkSessionPolicy(policy);
    const arn = `arn:${partitionOfArn(caller.arn)}:sts::${caller.account}:federated-user/${name}`;
    const session = this.issue({
      arn,
      account: caller.account,
      userId: `${caller.account}:${name}`,
      durationSeconds: duration ?? DEFAULT_SESSION_TOKEN_DURATION_SECONDS,
      mfaPresent: false,
      federated: true,
      tags: [],
      transitiveTagKeys: [],
      policyArns: [],
      ...(policy === undefined ? {} : { policy }),
    });
    return [
      credentialsXml(session),
      ["FederatedUser", [["FederatedUserId", session.userId], ["Arn", arn]]],
      ["PackedPolicySize", packedSizeFor(policy, [], [])],
    ];
  }

  assumeRole(query: QueryParams, caller: Caller): XmlElement[] {
    const { roleArn, sessionName, policy, policyArns, tags, externalId, serial, code, sourceIdentity, ...rest } =
      readAssumeRoleParams(query);
    const sessionTags = mergeSessionTags(tags, rest.transitiveTagKeys, caller.session);
    // The code is checked (and spent) before the role's rules: a request refused afterwards, for
    // trust or for DurationSeconds above MaxSessionDuration, has used it up. AWS does not document
    // the order; this is the cautious reading, and rolecred never resends a code (commands/user.ts).
    const callsWithMfa = caller.user === undefined ? this.refuseMfa(serial, code) : this.checkMfa(caller.user, serial, code);
    if (policy !== undefined) checkSessionPolicy(policy);

    const role = this.roles.get(roleArn);
    const roleParts = parseRoleArn(roleArn);
    if (role === undefined || roleParts === undefined) throw notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
    checkPolicyArns(policyArns, roleParts.account);

    const mfaPresent = callsWithMfa || caller.session?.mfaPresent === true;
    const allowed = role.trust.filter((statement) =>
      trustAllows(statement, {
        principals: principalNamesOf(caller),
        mfaPresent,
        externalId,
        sessionName,
        // aws:username exists only for IAM users (long-term keys or their GetSessionToken sessions).
        username: caller.user?.name,
        principalTags: caller.session?.tags ?? [],
      }),
    );
    if (allowed.length === 0) throw notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
    if (tags.length > 0 && !allowed.some((statement) => statement.allowTagSession)) {
      throw notAuthorized(caller.arn, "sts:TagSession", roleArn);
    }
    const effectiveSourceIdentity = sourceIdentityFor(sourceIdentity, caller.session);
    // With a source identity in the session, every role along the chain must allow setting it
    // (IAM User Guide, "Permissions required to set source identity").
    if (effectiveSourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) {
      throw notAuthorized(caller.arn, "sts:SetSourceIdentity", roleArn);
    }

    const requested = rest.durationSeconds ?? DEFAULT_ROLE_DURATION_SECONDS;
    checkRoleDuration(role, requested);
    // AWS counts any temporary credentials as the first link of a chain, including a
    // GetSessionToken session (facts §0 item 8).
    if (caller.session !== undefined && requested > ROLE_CHAINING_LIMIT_SECONDS) {
      throw new StsError("ValidationError", MESSAGES.exceedsChainingLimit);
    }
    const packedPolicySize = packedSizeFor(policy, policyArns, tags);

    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName,
      durationSeconds: requested,
      policy,
      policyArns,
      tags: sessionTags.tags,
      transitiveTagKeys: sessionTags.transitiveTagKeys,
      sourceIdentity: effectiveSourceIdentity,
      mfaPresent,
      chained: caller.session !== undefined,
    });
    return [
      credentialsXml(session),
      assumedRoleUserXml(session),
      ["PackedPolicySize", packedPolicySize],
      ["SourceIdentity", session.sourceIdentity],
    ];
  }

  assumeRoleWithSaml(query: QueryParams): XmlElement[] {
    const { roleArn, principalArn, assertion, policy, policyArns, durationSeconds } = readSamlParams(query);
    const provider = this.samlProviders.get(principalArn);
    if (provider === undefined) {
      throw new StsError("InvalidIdentityToken", `No SAML provider found for ${principalArn}`); // (local) wording
    }
    const saml = checkedSaml(assertion, provider, this.now());
    if (!saml.roles.some((pair) => pair.roleArn === roleArn && pair.principalArn === principalArn)) {
      throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    }
    if (policy !== undefined) checkSessionPolicy(policy);
    const role = this.roles.get(roleArn);
    const roleParts = parseRoleArn(roleArn);
    if (role === undefined || roleParts === undefined) throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    checkPolicyArns(policyArns, roleParts.account);

    const allowed = role.trust.filter(
      (statement) =>
        statement.principals.includes(principalArn) &&
        (statement.samlAudiences === undefined || statement.samlAudiences.includes(saml.recipient)),
    );
    if (allowed.length === 0) throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    const tags = Object.entries(saml.principalTags).map(([key, value]) => ({ key, value }));
    if (tags.length > 0 && !allowed.some((statement) => statement.allowTagSession)) {
      throw new StsError("AccessDenied", "Not authorized to perform sts:TagSession"); // (local) wording
    }
    if (saml.sourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) {
      throw new StsError("AccessDenied", "Not authorized to perform sts:SetSourceIdentity"); // (local) wording
    }
    const transitiveTagKeys = transitiveKeysAmong(saml.transitiveTagKeys, tags, (key) => {
      return new StsError("InvalidIdentityToken", `TransitiveTagKeys in AuthnResponse names '${key}', which is not a PrincipalTag`);
    });

    // The SessionDuration attribute is for console sign-in; the API session length comes from
    // DurationSeconds, cut short by SessionNotOnOrAfter (AssumeRoleWithSAML API reference).
    const requested = durationSeconds ?? DEFAULT_ROLE_DURATION_SECONDS;
    checkRoleDuration(role, requested);
    const packedPolicySize = packedSizeFor(policy, policyArns, tags);
    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName: saml.sessionName,
      durationSeconds: requested,
      policy,
      policyArns,
      tags,
      transitiveTagKeys,
      sourceIdentity: saml.sourceIdentity,
      mfaPresent: false,
      notAfter: saml.sessionNotOnOrAfter,
    });
    const providerName = principalArn.slice(principalArn.indexOf(":saml-provider/") + ":saml-provider/".length);
    const nameQualifier = createHash("sha1")
      .update(saml.issuer + (accountOfArn(principalArn) ?? "") + "/" + providerName)
      .digest("base64");
    return [
      credentialsXml(session),
      assumedRoleUserXml(session),
      ["PackedPolicySize", packedPolicySize],
      ["Subject", saml.subject],
      ["SubjectType", saml.subjectFormat.replace(SAML_SUBJECT_FORMAT_PREFIX, "")],
      ["Issuer", saml.issuer],
      ["Audience", saml.recipient],
      ["NameQualifier", nameQualifier],
      ["SourceIdentity", session.sourceIdentity],
    ];
  }

  assumeRoleForService(request: ServiceRoleRequest): ServiceRoleSession {
    const role = this.roles.get(request.roleArn);
    const roleParts = parseRoleArn(request.roleArn);
    const denied = () => new StsError("AccessDenied", `${request.service} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`); // (local)
    if (role === undefined || roleParts === undefined) throw denied();
    const allowed = role.trust.filter((statement) =>
      trustAllows(statement, { principals: [request.service], mfaPresent: false, sessionName: request.sessionName, principalTags: request.tags, sourceArn: request.sourceArn }),
    );
    // A service that tags the session and sets its source identity needs both actions trusted.
    if (allowed.length === 0 || (request.tags.length > 0 && !allowed.some((statement) => statement.allowTagSession))) throw denied();
    if (request.sourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) throw denied();
    checkRoleDuration(role, request.durationSeconds);
    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      policyArns: [],
      tags: request.tags,
      transitiveTagKeys: [],
      sourceIdentity: request.sourceIdentity,
      mfaPresent: false,
    });
    return {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
      assumedRoleArn: session.arn,
      assumedRoleId: session.userId,
    };
  }

  // ----- helpers ----------------------------------------------------------------------------

  /** Checks an MFA serial + code pair of an IAM user; true when a valid code was given. */
  private checkMfa(user: LocalStsUser, serial: string | undefined, code: string | undefined): boolean {
    if (serial === undefined && code === undefined) return false;
    if (serial === undefined || code === undefined) throw new StsError("AccessDenied", MESSAGES.mfaNeedsBoth);
    const device = this.mfaDevices.get(serial);
    if (device === undefined || device.user !== user) throw new StsError("AccessDenied", MESSAGES.mfaUnknownDevice);
    const step = matchTotp(device.secret, code, this.mfaNow());
    const lastStep = this.lastMfaStep.get(serial);
    if (step === undefined || (lastStep !== undefined && step <= lastStep)) {
      throw new StsError("AccessDenied", MESSAGES.mfaInvalidCode);
    }
    this.lastMfaStep.set(serial, step);
    return true;
  }

  /** A role session has no MFA devices of its own, so any serial it names cannot be validated. */
  private refuseMfa(serial: string | undefined, code: string | undefined): false {
    if (serial === undefined && code === undefined) return false;
    if (serial === undefined || code === undefined) throw new StsError("AccessDenied", MESSAGES.mfaNeedsBoth);
    throw new StsError("AccessDenied", MESSAGES.mfaUnknownDevice);
  }

  private issueRoleSession(request: RoleRequest): IssuedSession {
    const { roleParts, sessionName } = request;
    return this.issue({
      arn: `arn:${roleParts.partition}:sts::${roleParts.account}:assumed-role/${roleParts.name}/${sessionName}`,
      account: roleParts.account,
      userId: `${uniqueId("AROA", request.role.arn)}:${sessionName}`,
      roleArn: request.role.arn,
      sessionName,
      durationSeconds: this.roleSessionLifetimeSeconds ?? request.durationSeconds,
      notAfter: request.notAfter,
      mfaPresent: request.mfaPresent,
      tags: request.tags,
      transitiveTagKeys: request.transitiveTagKeys,
      sourceIdentity: request.sourceIdentity,
      policy: request.policy,
      policyArns: request.policyArns,
      ...(request.chained === true ? { chained: true } : {}),
    });
  }

  private issue(
    details: Omit<IssuedSession, "accessKeyId" | "secretAccessKey" | "sessionToken" | "expiration"> & {
      durationSeconds: number;
      notAfter?: Date;
    },
  ): IssuedSession {
    const { durationSeconds, notAfter, ...rest } = details;
    const end = Math.min(this.now().getTime() + durationSeconds * 1000, notAfter?.getTime() ?? Number.POSITIVE_INFINITY);
    const session: IssuedSession = {
      ...rest,
      accessKeyId: newTemporaryKeyId(),
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(240).toString("base64"),
      expiration: wholeSeconds(end),
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }
}

// =============================================================================================
// Rules shared by the AssumeRole* actions

interface TrustContext {
  principals: string[];
  mfaPresent: boolean;
  externalId?: string;
  sessionName: string;
  username?: string;
  /** aws:PrincipalTag/*: the caller's session tags, or the tags a service derived. */
  principalTags?: SessionTag[];
  sourceArn?: string;
}

function trustAllows(statement: TrustStatement, context: TrustContext): boolean {
  const trusted = statement.principals.map(normalisePrincipal);
  if (!context.principals.some((principal) => trusted.includes(principal))) return false;
  if (statement.requireMfa && !context.mfaPresent) return false;
  if (statement.externalId !== undefined && statement.externalId !== context.externalId) return false;
  if (statement.sessionNameMustEqualUsername && context.sessionName !== context.username) return false;
  for (const [key, value] of Object.entries(statement.principalTagEquals ?? {})) {
    const tag = context.principalTags?.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (tag?.value !== value) return false;
  }
  if (statement.sourceArns !== undefined && (context.sourceArn === undefined || !statement.sourceArns.includes(context.sourceArn))) return false;
  return true;
}

function checkRoleDuration(role: LocalStsRole, requested: number): void {
  if (requested > (role.maxSessionDuration ?? DEFAULT_ROLE_DURATION_SECONDS)) {
    throw new StsError("ValidationError", MESSAGES.exceedsMaxSessionDuration);
  }
}

/** The keys of `keys` as spelled in `tags`; a key naming no tag is refused with `refuse(key)`. */
function transitiveKeysAmong(keys: readonly string[], tags: readonly SessionTag[], refuse: (key: string) => StsError): string[] {
  return keys.map((key) => {
    const tag = tags.find((candidate) => candidate.key.toLowerCase() === key.toLowerCase());
    if (tag === undefined) throw refuse(key);
    return tag.key;
  });
}

/**
 * The tags of a new session: the caller's transitive tags, which role chaining passes on
 * unchanged, plus the tags of this request.
 */
function mergeSessionTags(
  tags: readonly SessionTag[],
  transitiveTagKeys: readonly string[],
  parent: IssuedSession | undefined,
): { tags: SessionTag[]; transitiveTagKeys: string[] } {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.key.toLowerCase())) throw new StsError("ValidationError", MESSAGES.duplicateTagKeys);
    seen.add(tag.key.toLowerCase());
  }
  const ownTransitive = transitiveKeysAmong(transitiveTagKeys, tags, (key) => {
    return new StsError("InvalidParameterValue", `TransitiveTagKeys names '${key}', which is not the key of a session tag in this request.`);
  });
  const inherited = inheritedTransitiveTags(parent);
  for (const tag of inherited) {
    if (seen.has(tag.key.toLowerCase())) {
      throw new StsError(
        "InvalidParameterValue",
        `Session tag '${tag.key}' is a transitive tag of the calling session and cannot be set again in a role chain.`,
      );
    }
  }
  return {
    tags: [...inherited, ...tags],
    transitiveTagKeys: [...new Set([...inherited.map((tag) => tag.key), ...ownTransitive])],
  };
}

/** A source identity, once set, stays with every session chained from it. */
function sourceIdentityFor(requested: string | undefined, parent: IssuedSession | undefined): string | undefined {
  const inherited = parent?.sourceIdentity;
  if (inherited !== undefined && requested !== undefined && requested !== inherited) {
    throw new StsError(
      "AccessDenied",
      `The source identity of a session cannot be changed: the calling session has source identity '${inherited}', the request asks for '${requested}'.`,
    );
  }
  return inherited ?? requested;
}

function checkedSaml(assertion: string, provider: LocalStsSamlProvider, now: Date): SamlForSts {
  try {
    return checkSamlForSts(assertion, provider.certificatePem, now);
  } catch (error) {
    if (error instanceof SamlRejection) throw new StsError(error.code, error.message);
    throw error;
  }
}

// =============================================================================================
// HTTP

const API_VERSION = "2011-06-15";
/** Room for the largest SAMLAssertion (100,000 characters) after form encoding. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Real STS actions this endpoint does not implement: told apart from unknown ones. */
const UNIMPLEMENTED_ACTIONS = new Set([
  "AssumeRoleWithWebIdentity",
  "AssumeRoot",
  "DecodeAuthorizationMessage",
  "GetAccessKeyInfo",
  "GetDelegatedAccessToken",
  "GetWebIdentityToken",
]);

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    // Keep draining so the client gets an answer rather than a reset connection.
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  return size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks);
}

/** Parameters from the query string and, for a form POST, the body (which wins). */
function requestParams(request: IncomingMessage, body: Buffer): URLSearchParams {
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const params = new URLSearchParams(queryStart < 0 ? "" : target.slice(queryStart + 1));
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params.set(name, value);
  }
  return params;
}

function dispatch(sts: StsService, action: string, query: QueryParams, caller: Caller | undefined): XmlElement[] {
  if (action === "AssumeRoleWithSAML") return sts.assumeRoleWithSaml(query);
  // Only AssumeRoleWithSAML may arrive unsigned, so every other action has a caller here.
  if (caller === undefined) throw new StsError("MissingAuthenticationToken", MESSAGES.missingAuthentication);
  switch (action) {
    case "GetCallerIdentity":
      return sts.getCallerIdentity(caller);
    case "GetSessionToken":
      return sts.getSessionToken(query, caller);
    case "AssumeRole":
      return sts.assumeRole(query, caller);
    case "GetFederationToken":
      return sts.getFederationToken(query, caller);
    default:
      if (UNIMPLEMENTED_ACTIONS.has(action)) {
        throw new StsError("InvalidAction", `The local STS endpoint does not implement ${action}`); // (local)
      }
      throw new StsError("InvalidAction", `Could not find operation ${action} for version ${API_VERSION}`);
  }
}

/** Runs one request through authentication and the action; returns the XML and what to record. */
function answer(
  sts: StsService,
  request: ReceivedRequest,
  params: URLSearchParams,
  call: RecordedCall,
  requestId: string,
): string {
  const action = params.get("Action");
  // AssumeRoleWithSAML is the one action the SDK sends unsigned; signed, it is checked like any.
  const unsignedAllowed = action === "AssumeRoleWithSAML" && request.headers["authorization"] === undefined;
  const caller = unsignedAllowed ? undefined : sts.authenticate(request);
  if (caller !== undefined) call.callerArn = caller.arn;
  if (action === null || action === "") {
    throw new StsError("MissingAction", "The request is missing an action or a required parameter.");
  }
  const version = params.get("Version");
  if (version !== API_VERSION) {
    throw new StsError("InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
  }
  return successXml(action, dispatch(sts, action, new QueryParams(params), caller), requestId);
}

/** A request for the extension's API version, authenticated by STS for the extension's service. */
function extensionAnswer(sts: StsService, request: ReceivedRequest, params: URLSearchParams, call: RecordedCall, requestId: string): { status: number; xml: string } | undefined {
  const extension = sts.extension;
  if (extension === undefined || params.get("Version") !== extension.apiVersion) return undefined;
  const caller = sts.authenticate(request, extension.signingService);
  call.callerArn = caller.arn;
  const temporary = caller.session === undefined ? undefined : caller.session.roleArn === undefined ? "session-token" : "assumed-role";
  const answered = extension.serve(params.get("Action") ?? "", params, { arn: caller.arn, account: caller.account, user: caller.user, temporary, mfaPresent: caller.session?.mfaPresent ?? false }, requestId);
  if (answered.errorCode !== undefined) call.errorCode = answered.errorCode;
  return answered;
}

async function serveRequest(
  sts: StsService,
  calls: RecordedCall[],
  now: () => Date,
  request: IncomingMessage,
  response: ServerResponse,
  tamper?: (xml: string, action: string) => string | Buffer,
): Promise<void> {
  const requestId = randomUUID();
  const body = await readBody(request);
  const params = requestParams(request, body ?? Buffer.alloc(0));
  const call: RecordedCall = { action: params.get("Action") ?? "", params: Object.fromEntries(params) };
  let status = 200;
  let xml: string;
  try {
    if (body === undefined) {
      throw new StsError("RequestEntityTooLarge", `Request body exceeds ${MAX_BODY_BYTES} bytes`); // (local)
    }
    const received: ReceivedRequest = {
      method: request.method ?? "GET",
      target: request.url ?? "/",
      headers: request.headersDistinct,
      body,
    };
    const extended = extensionAnswer(sts, received, params, call, requestId);
    if (extended === undefined) xml = answer(sts, received, params, call, requestId);
    else ({ status, xml } = extended);
  } catch (error) {
    const stsError =
      error instanceof StsError
        ? error
        : new StsError("InternalFailure", `local STS failed: ${error instanceof Error ? error.message : String(error)}`);
    call.errorCode = stsError.code;
    status = ERROR_STATUS[stsError.code];
    xml = errorXml(stsError, requestId);
  }
  calls.push(call);
  const answerBytes: string | Buffer = tamper === undefined ? xml : tamper(xml, call.action);
  response.writeHead(status, {
    "Content-Type": "text/xml",
    "x-amzn-RequestId": requestId,
    // The SDKs correct their clock from this header after a skew error, as they do with AWS.
    Date: now().toUTCString(),
  });
  response.end(answerBytes);
}
