/**
 * A local IAM Roles Anywhere endpoint (CreateSession) for tests and the demo, beside the local
 * STS one. It is strict where AWS is:
 *
 * - the X.509 variant of SigV4 is verified from the published algorithm against the certificate
 *   in X-Amz-X509 (RSA PKCS#1 v1.5 or ECDSA DER over SHA-256), with the credential scope's serial
 *   number, region and service, and a 5-minute window on X-Amz-Date;
 * - the certificate must chain, through X-Amz-X509-Chain, to a certificate of the trust anchor,
 *   and every certificate on the path must be valid at the time of the request;
 * - the profile must be enabled and list the role, and the duration fit the profile's limit;
 * - the role's trust policy (in the local STS endpoint's IAM world) judges the service principal
 *   rolesanywhere.amazonaws.com with the principal tags derived from the certificate and the
 *   trust anchor as aws:SourceArn; the session it issues is then accepted by that STS endpoint.
 *
 * Errors have Roles Anywhere's shape: an x-amzn-ErrorType header and a JSON body with `message`.
 * Where AWS does not document a message, the wording here is marked "(local)".
 */
import { createHash, randomUUID, verify, X509Certificate } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { canonicalRequest, type ReceivedRequest } from "./sigv4-verify.js";
import { LocalStsRefusal, type LocalSts, type SessionTag } from "./sts-server.js";

export const ROLES_ANYWHERE_PRINCIPAL = "rolesanywhere.amazonaws.com";
/** Roles Anywhere refuses a request signed more than 5 minutes away from its clock. */
export const ROLES_ANYWHERE_CLOCK_WINDOW_MS = 5 * 60 * 1000;

export interface LocalTrustAnchor {
  arn: string;
  /** The CA bundle (PEM, one or more certificates). */
  certificatesPem: string;
  enabled?: boolean; // default true
}

export interface LocalRolesAnywhereProfile {
  arn: string;
  roleArns: string[];
  durationSeconds?: number; // default 3600
  enabled?: boolean; // default true
  acceptRoleSessionName?: boolean; // default false
  /** Leave assumedRoleUser out of the credentialSet (a service that does not name it): rolecred must not invent one. */
  omitAssumedRoleUser?: boolean; // default false
}

export interface LocalRolesAnywhereOptions {
  sts: LocalSts;
  region: string;
  trustAnchors: LocalTrustAnchor[];
  profiles: LocalRolesAnywhereProfile[];
  now?: () => Date;
}

export interface RolesAnywhereCall {
  /** The JSON body, as received. */
  body: Record<string, unknown>;
  algorithm?: string;
  signedHeaders?: string[];
  /** x-amzn-ErrorType of the answer, when it was an error. */
  errorType?: string;
  message?: string;
}

export interface LocalRolesAnywhere {
  readonly url: string;
  readonly calls: RolesAnywhereCall[];
  /** Change a profile (enable/disable it, shorten its duration) between requests. */
  updateProfile(arn: string, change: Partial<LocalRolesAnywhereProfile>): void;
  close(): Promise<void>;
}

type ErrorType = "AccessDeniedException" | "ValidationException" | "ResourceNotFoundException" | "InternalServerException";

const STATUS: Record<ErrorType, number> = {
  AccessDeniedException: 403,
  ValidationException: 400,
  ResourceNotFoundException: 404,
  InternalServerException: 500,
};

class RolesAnywhereError extends Error {
  constructor(
    readonly type: ErrorType,
    message: string,
  ) {
    super(message);
  }
}

const denied = (message: string) => new RolesAnywhereError("AccessDeniedException", message);
const invalid = (message: string) => new RolesAnywhereError("ValidationException", message);

const ALGORITHMS = { "AWS4-X509-RSA-SHA256": "rsa", "AWS4-X509-ECDSA-SHA256": "ec" } as const;
type Algorithm = keyof typeof ALGORITHMS;

const TRUST_ANCHOR_ARN = /^arn:aws:rolesanywhere:[a-z0-9-]+:\d{12}:trust-anchor\/[A-Za-z0-9-]+$/;
const PROFILE_ARN = /^arn:aws:rolesanywhere:[a-z0-9-]+:\d{12}:profile\/[A-Za-z0-9-]+$/;
const ROLE_ARN = /^arn:aws:iam::\d{12}:role\/(?:[\u0021-\u007E]+\/)*[\w+=,.@-]{1,64}$/;

interface Authorization {
  algorithm: Algorithm;
  serial: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

function parseAuthorization(header: string | undefined): Authorization {
  if (header === undefined) throw denied("Missing Authorization header"); // (local)
  const [algorithm = "", ...rest] = header.trim().split(/\s+/);
  if (!(algorithm in ALGORITHMS)) throw denied(`Unsupported signing algorithm: ${algorithm}`); // (local)
  const fields = new Map<string, string>();
  for (const part of rest.join("").split(",")) {
    const equals = part.indexOf("=");
    if (equals > 0) fields.set(part.slice(0, equals), part.slice(equals + 1));
  }
  const [serial = "", scopeDate = "", region = "", service = "", terminator = "", ...extra] = (fields.get("Credential") ?? "").split("/");
  if (!/^\d+$/.test(serial) || !/^\d{8}$/.test(scopeDate) || terminator !== "aws4_request" || extra.length > 0) {
    throw denied("Invalid credential scope: expected SERIAL/YYYYMMDD/REGION/rolesanywhere/aws4_request"); // (local)
  }
  const signature = fields.get("Signature") ?? "";
  if (!/^[0-9a-f]+$/.test(signature)) throw denied("Invalid signature encoding"); // (local)
  return { algorithm: algorithm as Algorithm, serial, scopeDate, region, service, signedHeaders: (fields.get("SignedHeaders") ?? "").split(";"), signature };
}

function parseAmzDate(text: string | undefined): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text ?? "");
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 0, hour ?? 0, minute ?? 0, second ?? 0));
}

function certificateOf(base64: string, what: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(base64, "base64"));
  } catch {
    throw denied(`Unable to parse ${what}`); // (local)
  }
}

function isValidAt(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(certificate.validTo).getTime();
}

function issues(issuer: X509Certificate, subject: X509Certificate): boolean {
  return subject.checkIssued(issuer) && subject.verify(issuer.publicKey);
}

/** Every certificate of a PEM bundle. */
export function certificatesOfPem(pem: string): X509Certificate[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((match) => new X509Certificate(match[0]));
}

/**
 * Principal tags of the default attribute mapping, derived here independently of rolecred's own
 * derivation: each RDN of the subject and issuer (first value of each), the first DNS and URI SAN.
 */
export function principalTagsOf(certificate: X509Certificate): SessionTag[] {
  const rdnTags = (prefix: string, name: string): SessionTag[] => {
    const seen = new Set<string>();
    return name.split("\n").flatMap((line) => {
      const equals = line.indexOf("=");
      const attribute = line.slice(0, equals);
      if (equals <= 0 || seen.has(attribute)) return [];
      seen.add(attribute);
      return [{ key: `${prefix}/${attribute}`, value: line.slice(equals + 1) }];
    });
  };
  const sans = (certificate.subjectAltName ?? "").split(", ").filter((entry) => entry !== "");
  const firstOf = (type: string) => sans.find((entry) => entry.startsWith(`${type}:`))?.slice(type.length + 1);
  const dns = firstOf("DNS");
  const uri = firstOf("URI");
  return [
    ...rdnTags("x509Subject", certificate.subject),
    ...rdnTags("x509Issuer", certificate.issuer),
    ...(dns === undefined ? [] : [{ key: "x509SAN/DNS", value: dns }]),
    ...(uri === undefined ? [] : [{ key: "x509SAN/URI", value: uri }]),
  ];
}

interface CreateSessionBody {
  durationSeconds: number;
  profileArn: string;
  roleArn: string;
  trustAnchorArn: string;
  roleSessionName?: string;
}

function readBody(body: Record<string, unknown>): CreateSessionBody {
  const problems: string[] = [];
  const arn = (name: string, pattern: RegExp): string => {
    const value = body[name];
    if (typeof value !== "string" || !pattern.test(value)) problems.push(`Value at '${name}' failed to satisfy constraint: Member must be a valid ARN`);
    return typeof value === "string" ? value : "";
  };
  const trustAnchorArn = arn("trustAnchorArn", TRUST_ANCHOR_ARN);
  const profileArn = arn("profileArn", PROFILE_ARN);
  const roleArn = arn("roleArn", ROLE_ARN);
  const duration = body.durationSeconds ?? 3600;
  if (typeof duration !== "number" || !Number.isInteger(duration) || duration < 900 || duration > 43_200) {
    problems.push(`Value '${String(duration)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }
  const sessionName = body.roleSessionName;
  if (sessionName !== undefined && (typeof sessionName !== "string" || !/^[\w+=,.@-]{2,64}$/.test(sessionName)))
    problems.push("Value at 'roleSessionName' failed to satisfy constraint");
  if (problems.length > 0) throw invalid(`${problems.length} validation error${problems.length > 1 ? "s" : ""} detected: ${problems.join("; ")}`);
  return {
    trustAnchorArn,
    profileArn,
    roleArn,
    durationSeconds: duration as number,
    ...(typeof sessionName === "string" ? { roleSessionName: sessionName } : {}),
  };
}

class RolesAnywhereService {
  private readonly anchors = new Map<string, LocalTrustAnchor>();
  readonly profiles = new Map<string, LocalRolesAnywhereProfile>();

  constructor(
    private readonly options: LocalRolesAnywhereOptions,
    private readonly now: () => Date,
  ) {
    for (const anchor of options.trustAnchors) this.anchors.set(anchor.arn, anchor);
    for (const profile of options.profiles) this.profiles.set(profile.arn, profile);
  }

  /** The signature, exactly as specified, against the certificate the request carries. */
  authenticate(request: ReceivedRequest, call: RolesAnywhereCall): { leaf: X509Certificate; chain: X509Certificate[] } {
    const auth = parseAuthorization(request.headers["authorization"]?.[0]);
    call.algorithm = auth.algorithm;
    call.signedHeaders = auth.signedHeaders;
    const x509 = request.headers["x-amz-x509"]?.[0];
    if (x509 === undefined) throw denied("Missing X-Amz-X509 header"); // (local)
    for (const required of ["host", "x-amz-date", "x-amz-x509", ...(request.headers["x-amz-x509-chain"] === undefined ? [] : ["x-amz-x509-chain"])]) {
      if (!auth.signedHeaders.includes(required)) throw denied(`Header ${required} must be signed`); // (local)
    }
    if (auth.service !== "rolesanywhere") throw denied(`Credential should be scoped to correct service: 'rolesanywhere'`);
    if (auth.region !== this.options.region) throw denied(`Credential should be scoped to a valid region: '${this.options.region}'`);
    const amzDate = request.headers["x-amz-date"]?.[0];
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined || amzDate?.slice(0, 8) !== auth.scopeDate) throw denied("Invalid X-Amz-Date"); // (local)
    if (Math.abs(signedAt.getTime() - this.now().getTime()) > ROLES_ANYWHERE_CLOCK_WINDOW_MS) {
      throw denied(`Signature expired or not yet valid: ${amzDate} is more than 5 minutes from the current time`); // (local)
    }
    const leaf = certificateOf(x509, "X-Amz-X509");
    if (BigInt(`0x${leaf.serialNumber}`).toString(10) !== auth.serial) throw denied("Credential serial number does not match the signing certificate"); // (local)
    const keyType = leaf.publicKey.asymmetricKeyType;
    if (ALGORITHMS[auth.algorithm] !== keyType)
      throw denied(`Signing algorithm ${auth.algorithm} does not match the certificate's ${keyType ?? "unknown"} key`); // (local)
    if (keyType === "rsa" && (leaf.publicKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw denied("Unsupported key: RSA keys must be at least 2048 bits"); // (local)
    if (keyType === "ec" && !["prime256v1", "secp384r1"].includes(leaf.publicKey.asymmetricKeyDetails?.namedCurve ?? ""))
      throw denied("Unsupported key: EC keys must be P-256 or P-384"); // (local)
    const payloadHash = createHash("sha256").update(request.body).digest("hex");
    const canonical = canonicalRequest(request, auth.signedHeaders, payloadHash);
    const scope = `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
    const stringToSign = [auth.algorithm, amzDate, scope, createHash("sha256").update(canonical).digest("hex")].join("\n");
    if (!verify("sha256", Buffer.from(stringToSign), leaf.publicKey, Buffer.from(auth.signature, "hex"))) {
      throw denied("Unable to verify signature"); // (local)
    }
    const chainHeader = request.headers["x-amz-x509-chain"]?.[0];
    const chain =
      chainHeader === undefined ? [] : chainHeader.split(",").map((part, index) => certificateOf(part.trim(), `X-Amz-X509-Chain certificate ${index + 1}`));
    return { leaf, chain };
  }

  /** A path from the leaf through the given intermediates to a certificate of the trust anchor, all valid now. */
  checkTrust(leaf: X509Certificate, chain: readonly X509Certificate[], anchor: LocalTrustAnchor): void {
    const now = this.now();
    const roots = certificatesOfPem(anchor.certificatesPem);
    let current = leaf;
    for (let depth = 0; depth <= chain.length; depth++) {
      if (!isValidAt(current, now))
        throw denied(depth === 0 ? "Certificate is expired or not yet valid" : "A certificate in the chain is expired or not yet valid"); // (local)
      const root = roots.find((candidate) => issues(candidate, current));
      if (root !== undefined) {
        if (!isValidAt(root, now)) throw denied("The trust anchor's certificate is expired or not yet valid"); // (local)
        return;
      }
      const next = chain.find((candidate) => candidate.ca && issues(candidate, current));
      if (next === undefined) break;
      current = next;
    }
    throw denied("Untrusted signing certificate"); // (local)
  }

  createSession(request: ReceivedRequest, call: RolesAnywhereCall): Record<string, unknown> {
    const { leaf, chain } = this.authenticate(request, call);
    const body = readBody(call.body);
    const anchor = this.anchors.get(body.trustAnchorArn);
    if (anchor === undefined) throw new RolesAnywhereError("ResourceNotFoundException", `Trust anchor ${body.trustAnchorArn} not found`); // (local)
    const profile = this.profiles.get(body.profileArn);
    if (profile === undefined) throw new RolesAnywhereError("ResourceNotFoundException", `Profile ${body.profileArn} not found`); // (local)
    if (anchor.enabled === false) throw denied("Trust anchor is disabled"); // (local)
    if (profile.enabled === false) throw denied("Profile is disabled"); // (local)
    this.checkTrust(leaf, chain, anchor);
    if (!profile.roleArns.includes(body.roleArn)) throw denied(`Role ${body.roleArn} is not in the profile's roles`); // (local)
    const limit = profile.durationSeconds ?? 3600;
    if (body.durationSeconds > limit) throw invalid(`Requested durationSeconds ${body.durationSeconds} exceeds the profile's durationSeconds ${limit}`); // (local)
    if (body.roleSessionName !== undefined && profile.acceptRoleSessionName !== true) throw invalid("The profile does not accept a roleSessionName"); // (local)
    const tags = principalTagsOf(leaf);
    const cn = tags.find((tag) => tag.key === "x509Subject/CN")?.value;
    const sessionName = body.roleSessionName ?? leaf.serialNumber.toLowerCase();
    let session;
    try {
      session = this.options.sts.assumeRoleForService({
        service: ROLES_ANYWHERE_PRINCIPAL,
        roleArn: body.roleArn,
        sessionName,
        durationSeconds: body.durationSeconds,
        tags,
        ...(cn === undefined ? {} : { sourceIdentity: cn }),
        sourceArn: anchor.arn,
      });
    } catch (error) {
      if (error instanceof LocalStsRefusal) {
        if (error.code === "ValidationError") throw invalid(error.message);
        throw denied(`Unable to assume role for arn ${body.roleArn}: ${error.message}`); // (local)
      }
      throw error;
    }
    return {
      credentialSet: [
        {
          ...(profile.omitAssumedRoleUser === true ? {} : { assumedRoleUser: { arn: session.assumedRoleArn, assumedRoleId: session.assumedRoleId } }),
          credentials: {
            accessKeyId: session.accessKeyId,
            secretAccessKey: session.secretAccessKey,
            sessionToken: session.sessionToken,
            expiration: session.expiration.toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
          packedPolicySize: Math.min(99, tags.length * 3),
          roleArn: body.roleArn,
          ...(cn === undefined ? {} : { sourceIdentity: cn }),
        },
      ],
      subjectArn: `arn:aws:rolesanywhere:${this.options.region}:${/:(\d{12}):/.exec(body.profileArn)?.[1] ?? ""}:subject/${randomUUID()}`,
    };
  }
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function serve(service: RolesAnywhereService, calls: RolesAnywhereCall[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readAll(request);
  const call: RolesAnywhereCall = { body: {} };
  let status = 201;
  let answer: Record<string, unknown>;
  try {
    if (request.method !== "POST" || (request.url ?? "").split("?")[0] !== "/sessions")
      throw new RolesAnywhereError("ResourceNotFoundException", "Unknown operation"); // (local)
    try {
      const parsed: unknown = JSON.parse(body.toString("utf8"));
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) call.body = parsed as Record<string, unknown>;
      else throw new Error("not an object");
    } catch {
      throw invalid("Request body is not a JSON object"); // (local)
    }
    answer = service.createSession({ method: request.method, target: request.url ?? "/", headers: request.headersDistinct, body }, call);
  } catch (error) {
    const known =
      error instanceof RolesAnywhereError
        ? error
        : new RolesAnywhereError("InternalServerException", `local Roles Anywhere failed: ${error instanceof Error ? error.message : String(error)}`);
    call.errorType = known.type;
    call.message = known.message;
    status = STATUS[known.type];
    answer = { message: known.message };
    response.setHeader("x-amzn-ErrorType", known.type);
  }
  calls.push(call);
  response.writeHead(status, { "Content-Type": "application/json", "x-amzn-RequestId": randomUUID() });
  response.end(JSON.stringify(answer));
}

export async function startLocalRolesAnywhere(options: LocalRolesAnywhereOptions): Promise<LocalRolesAnywhere> {
  const service = new RolesAnywhereService(options, options.now ?? (() => new Date()));
  const calls: RolesAnywhereCall[] = [];
  const server = createServer((request, response) => {
    serve(service, calls, request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    updateProfile: (arn, change) => {
      const profile = service.profiles.get(arn);
      if (profile === undefined) throw new Error(`no profile ${arn}`);
      service.profiles.set(arn, { ...profile, ...change });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
