/**
 * The AWS Query protocol as STS speaks it: the request's parameters (query string and form body),
 * the XML of an answer and of an error, and STS's error codes with their HTTP statuses and
 * messages. Wire format: shared/reference/sts-saml-facts.md §2.1-2.2.
 *
 * Where AWS does not document a message, the choice made here is marked "(local)".
 */
import type { IncomingMessage } from "node:http";

// =============================================================================================
// Errors: STS codes, HTTP statuses, messages

export const ERROR_STATUS = {
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

export type StsErrorCode = keyof typeof ERROR_STATUS;

export class StsError extends Error {
  constructor(
    readonly code: StsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "StsError";
  }
}

export const MESSAGES = {
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

export function notAuthorized(callerArn: string, action: string, resource: string): StsError {
  return new StsError("AccessDenied", `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`);
}

// =============================================================================================
// Requests

export const API_VERSION = "2011-06-15";
/** Room for the largest SAMLAssertion (100,000 characters) after form encoding. (local) */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The body, or undefined when it is larger than MAX_BODY_BYTES. */
export async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
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
export function requestParams(request: IncomingMessage, body: Buffer): URLSearchParams {
  const target = request.url ?? "/";
  const queryStart = target.indexOf("?");
  const params = new URLSearchParams(queryStart < 0 ? "" : target.slice(queryStart + 1));
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    for (const [name, value] of new URLSearchParams(body.toString("utf8"))) params.set(name, value);
  }
  return params;
}

// =============================================================================================
// XML

export type XmlValue = string | number | XmlElement[] | undefined;
export type XmlElement = readonly [name: string, value: XmlValue];

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

export function successXml(action: string, result: XmlElement[], requestId: string): string {
  const body = renderXml([
    [`${action}Result`, result],
    ["ResponseMetadata", [["RequestId", requestId]]],
  ]);
  return `<${action}Response xmlns="${STS_NAMESPACE}">${body}</${action}Response>\n`;
}

export function errorXml(error: StsError, requestId: string): string {
  const type = ERROR_STATUS[error.code] >= 500 ? "Receiver" : "Sender";
  const body = renderXml([
    [
      "Error",
      [
        ["Type", type],
        ["Code", error.code],
        ["Message", error.message],
      ],
    ],
    ["RequestId", requestId],
  ]);
  return `<ErrorResponse xmlns="${STS_NAMESPACE}">${body}</ErrorResponse>\n`;
}

/** AWS sends whole seconds: 2019-11-01T20:26:47Z. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}
