// Server-side check of AWS Signature Version 4 (header form), written from the published
// algorithm rather than taken from an SDK, so that it is an independent judge of what
// @aws-sdk/client-sts and botocore put on the wire.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const SIGV4_ALGORITHM = "AWS4-HMAC-SHA256";
/** AWS refuses requests signed more than 15 minutes before or after its own clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

/** What a verifier needs of an HTTP request, exactly as it arrived. */
export interface ReceivedRequest {
  method: string;
  /** Path and query string as on the request line (still percent-encoded). */
  target: string;
  /** Lower-cased header names, each with every value received (Node's `headersDistinct`). */
  headers: Record<string, string[] | undefined>;
  body: Buffer;
}

export interface SigV4Authorization {
  accessKeyId: string;
  /** YYYYMMDD of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** A request AWS would refuse, with the error code and message AWS gives. */
export class SigV4Rejection extends Error {
  constructor(
    readonly code: "IncompleteSignature" | "SignatureDoesNotMatch",
    message: string,
  ) {
    super(message);
    this.name = "SigV4Rejection";
  }
}

export const SIGNATURE_MISMATCH_MESSAGE =
  "The request signature we calculated does not match the signature you provided. " +
  "Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

export function parseAuthorization(header: string): SigV4Authorization {
  const [algorithm = "", ...rest] = header.trim().split(/\s+/);
  if (algorithm !== SIGV4_ALGORITHM) {
    throw new SigV4Rejection("IncompleteSignature", `Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const fields = new Map<string, string>();
  for (const part of rest.join("").split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) fields.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const missing = ["Credential", "Signature", "SignedHeaders"].filter((name) => !fields.get(name));
  if (missing.length > 0) {
    const needs = missing.map((name) => `Authorization header requires '${name}' parameter.`).join(" ");
    throw new SigV4Rejection("IncompleteSignature", `${needs} Authorization=${header}`);
  }
  const credential = fields.get("Credential") ?? "";
  const scope = credential.split("/");
  const [accessKeyId, scopeDate, region, service, terminator] = scope;
  if (scope.length !== 5 || !accessKeyId || !scopeDate || !region || !service || terminator !== "aws4_request") {
    throw new SigV4Rejection(
      "IncompleteSignature",
      `Credential should be scoped to a valid region, not '${region ?? ""}'. ` +
        `Expected ACCESS_KEY/YYYYMMDD/REGION/SERVICE/aws4_request, got '${credential}'.`,
    );
  }
  const signedHeaders = (fields.get("SignedHeaders") ?? "").split(";");
  if (!signedHeaders.includes("host")) {
    throw new SigV4Rejection("SignatureDoesNotMatch", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  return { accessKeyId, scopeDate, region, service, signedHeaders, signature: fields.get("Signature") ?? "" };
}

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, upper-case hex. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function uriDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text; // a stray '%' is signed as sent, like any other character
  }
}

/** Non-S3 services encode each path segment twice: once on the wire, once more here. */
function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split("/")) {
    if (segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalised = segments.join("/");
  const encoded = normalised
    .split("/")
    .map((segment) => uriEncode(segment))
    .join("/");
  return encoded.startsWith("/") ? encoded : `/${encoded}`;
}

function canonicalQueryString(query: string): string {
  if (query === "") return "";
  const pairs = query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const equals = pair.indexOf("=");
      const name = equals < 0 ? pair : pair.slice(0, equals);
      const value = equals < 0 ? "" : pair.slice(equals + 1);
      return [uriEncode(uriDecode(name)), uriEncode(uriDecode(value))] as const;
    });
  pairs.sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB));
  return pairs.map(([name, value]) => `${name}=${value}`).join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function canonicalHeaderValue(values: string[] | undefined): string {
  return (values ?? []).map((value) => value.trim().replace(/\s+/g, " ")).join(",");
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function canonicalRequest(request: ReceivedRequest, signedHeaders: string[], payloadHash: string): string {
  const queryStart = request.target.indexOf("?");
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const query = queryStart < 0 ? "" : request.target.slice(queryStart + 1);
  const headerLines = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(request.headers[name])}\n`);
  return [request.method.toUpperCase(), canonicalUri(path), canonicalQueryString(query), headerLines.join(""), signedHeaders.join(";"), payloadHash].join("\n");
}

export function credentialScope(auth: SigV4Authorization): string {
  return `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join("\n");
}

export function signingKey(secretAccessKey: string, scopeDate: string, region: string, service: string): Buffer {
  const hmac = (key: string | Buffer, data: string): Buffer => createHmac("sha256", key).update(data).digest();
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, scopeDate), region), service), "aws4_request");
}

/** `YYYYMMDDTHHMMSSZ`, the form of X-Amz-Date. */
export function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function parseAmzDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const date = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function singleHeader(request: ReceivedRequest, name: string): string | undefined {
  return request.headers[name]?.[0];
}

function checkRequestTime(amzDate: string, now: Date): void {
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt) {
    throw new SigV4Rejection("IncompleteSignature", `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`);
  }
  const skew = signedAt.getTime() - now.getTime();
  if (skew < -MAX_CLOCK_SKEW_MS) {
    const earliest = formatAmzDate(new Date(now.getTime() - MAX_CLOCK_SKEW_MS));
    throw new SigV4Rejection("SignatureDoesNotMatch", `Signature expired: ${amzDate} is now earlier than ${earliest} (${formatAmzDate(now)} - 15 min.)`);
  }
  if (skew > MAX_CLOCK_SKEW_MS) {
    const latest = formatAmzDate(new Date(now.getTime() + MAX_CLOCK_SKEW_MS));
    throw new SigV4Rejection("SignatureDoesNotMatch", `Signature not yet current: ${amzDate} is still later than ${latest} (${formatAmzDate(now)} + 15 min.)`);
  }
}

function payloadHashOf(request: ReceivedRequest): string {
  const actual = sha256Hex(request.body);
  const declared = singleHeader(request, "x-amz-content-sha256");
  // A declared hash is what was signed; it must also be the body's, or a signature over one
  // body would vouch for another.
  if (declared !== undefined && declared !== actual) {
    throw new SigV4Rejection("SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE);
  }
  return declared ?? actual;
}

export interface VerifyOptions {
  /** The service name the credential scope must carry, e.g. "sts". */
  service: string;
  /** The verifier's clock. */
  now: Date;
}

/**
 * Verifies a parsed Authorization header against the request and the secret of its access
 * key. Throws a SigV4Rejection with AWS's code and message when AWS would refuse it.
 */
export function verifySignature(request: ReceivedRequest, auth: SigV4Authorization, secretAccessKey: string, options: VerifyOptions): void {
  const amzDate = singleHeader(request, "x-amz-date");
  if (amzDate === undefined) {
    throw new SigV4Rejection("IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (auth.service !== options.service) {
    throw new SigV4Rejection("SignatureDoesNotMatch", `Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (!amzDate.startsWith(auth.scopeDate)) {
    throw new SigV4Rejection(
      "SignatureDoesNotMatch",
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: " +
        `'${auth.scopeDate}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`,
    );
  }
  checkRequestTime(amzDate, options.now);
  const canonical = canonicalRequest(request, auth.signedHeaders, payloadHashOf(request));
  const key = signingKey(secretAccessKey, auth.scopeDate, auth.region, auth.service);
  const expected = createHmac("sha256", key)
    .update(stringToSign(amzDate, credentialScope(auth), canonical))
    .digest();
  const given = Buffer.from(auth.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SigV4Rejection("SignatureDoesNotMatch", SIGNATURE_MISMATCH_MESSAGE);
  }
}
