/**
 * The IAM Roles Anywhere signature (the user guide's "authentication signing process"): SigV4's
 * canonical request, signed with the certificate's private key instead of an HMAC chain.
 *
 * - algorithm AWS4-X509-RSA-SHA256 (RSA PKCS#1 v1.5 over SHA-256) or AWS4-X509-ECDSA-SHA256
 *   (ECDSA over SHA-256, the DER-encoded signature);
 * - X-Amz-X509 carries the end-entity certificate (base64 DER) and X-Amz-X509-Chain the
 *   intermediates (comma-separated base64 DER); both are signed headers, with Host, Content-Type
 *   and X-Amz-Date;
 * - the credential scope is SERIAL/DATE/REGION/rolesanywhere/aws4_request, SERIAL being the
 *   certificate's serial number in decimal.
 */
import { createHash, sign } from "node:crypto";
import type { SigningAlgorithm } from "./checks.js";
import type { SigningMaterial } from "./material.js";

export const ROLES_ANYWHERE_SERVICE = "rolesanywhere";

export interface UnsignedRequest {
  readonly method: "POST";
  readonly url: URL;
  readonly body: string;
  /** Headers besides the ones the signature adds; Content-Type at least. */
  readonly headers: Readonly<Record<string, string>>;
}

/** `YYYYMMDDTHHMMSSZ` */
export function amzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

const sha256Hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");

/** RFC 3986 unreserved characters stay; everything else is %XX (upper-case), per path segment. */
function encodePath(path: string): string {
  return path
    .split("/")
    .map((segment) => encodeURIComponent(decodeURIComponent(segment)).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`))
    .join("/");
}

function canonicalQuery(search: URLSearchParams): string {
  const encode = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...search]
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

/** The request's headers with the signature's own: the returned record is what goes on the wire. */
export function signRolesAnywhereRequest(
  request: UnsignedRequest,
  material: SigningMaterial,
  algorithm: SigningAlgorithm,
  region: string,
  now: Date,
): Record<string, string> {
  const date = amzDate(now);
  const headers: Record<string, string> = {
    ...Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
    host: request.url.host,
    "x-amz-date": date,
    "x-amz-x509": material.certificate.raw.toString("base64"),
  };
  if (material.chain.length > 0) headers["x-amz-x509-chain"] = material.chain.map((certificate) => certificate.raw.toString("base64")).join(",");
  const signedNames = Object.keys(headers).sort();
  const canonical = [
    request.method,
    encodePath(request.url.pathname),
    canonicalQuery(request.url.searchParams),
    signedNames.map((name) => `${name}:${(headers[name] ?? "").trim().replace(/\s+/g, " ")}\n`).join(""),
    signedNames.join(";"),
    sha256Hex(request.body),
  ].join("\n");
  const scope = `${date.slice(0, 8)}/${region}/${ROLES_ANYWHERE_SERVICE}/aws4_request`;
  const stringToSign = [algorithm, date, scope, sha256Hex(canonical)].join("\n");
  // RSA: PKCS#1 v1.5 (node's default padding); EC: DER-encoded (node's default dsaEncoding).
  const signature = sign("sha256", Buffer.from(stringToSign, "utf8"), material.privateKey).toString("hex");
  const serial = BigInt(`0x${material.certificate.serialNumber}`).toString(10);
  headers.authorization = `${algorithm} Credential=${serial}/${scope}, SignedHeaders=${signedNames.join(";")}, Signature=${signature}`;
  return headers;
}
