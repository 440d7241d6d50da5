/**
 * The CreateSession call: POST /sessions with a JSON body, signed with the certificate's key
 * (./sign.ts), over node:http(s) so that every signed header goes on the wire exactly as signed.
 * Roles Anywhere's errors (AccessDeniedException, ValidationException, ResourceNotFoundException:
 * x-amzn-ErrorType and a JSON `message`) become one line and an exit code, as STS's do.
 */
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { roleNameOf } from "../arn.js";
import type { RoleSession } from "../credentials/types.js";
import { describeNetworkError, errnoCode, ExitCode, RolecredError, type ExitCodeValue } from "../errors.js";
import type { SigningAlgorithm } from "./checks.js";
import type { RolesAnywhereEndpoint } from "./endpoint.js";
import type { SigningMaterial } from "./material.js";
import { signRolesAnywhereRequest } from "./sign.js";

export interface CreateSessionParams {
  readonly trustAnchorArn: string;
  readonly profileArn: string;
  readonly roleArn: string;
  readonly durationSeconds: number;
  readonly roleSessionName?: string | undefined;
}

/** What Roles Anywhere refused, kept apart so the duration fallback can recognise it. */
export class RolesAnywhereRefusal extends RolecredError {
  constructor(
    readonly errorType: string,
    readonly serviceMessage: string,
    message: string,
    exitCode: ExitCodeValue,
    hint: string | undefined,
  ) {
    super(message, { exitCode, ...(hint === undefined ? {} : { hint }) });
  }
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

const MAX_ANSWER_BYTES = 1024 * 1024;

function send(url: URL, headers: Record<string, string>, body: string, timeoutMs: number): Promise<HttpAnswer> {
  const request = url.protocol === "http:" ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(body)) }, timeout: timeoutMs },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_ANSWER_BYTES) chunks.push(chunk);
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    outgoing.on("timeout", () => outgoing.destroy(Object.assign(new Error("timed out"), { code: "ETIMEDOUT" })));
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function refusal(answer: HttpAnswer, endpoint: string, params: CreateSessionParams): RolesAnywhereRefusal {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = undefined;
  }
  const headerType = answer.headers["x-amzn-errortype"];
  const type =
    (typeof headerType === "string" ? headerType : undefined)?.split(":")[0] ??
    (isRecord(parsed) ? (text(parsed, "__type") ?? text(parsed, "code")) : undefined) ??
    `HTTP ${answer.status}`;
  const message = (isRecord(parsed) ? (text(parsed, "message") ?? text(parsed, "Message")) : undefined) ?? answer.body.slice(0, 200).replace(/\s+/g, " ");
  const role = `${roleNameOf(params.roleArn)} (${params.roleArn})`;
  switch (type) {
    case "AccessDeniedException":
      return new RolesAnywhereRefusal(
        type,
        message,
        `Roles Anywhere refused a session for ${role}: ${message}`,
        ExitCode.denied,
        "the trust anchor must hold your CA, the profile must be enabled and list the role, and the role's trust policy must accept the certificate: `rolecred x509 --inspect` shows what it carries",
      );
    case "ValidationException":
      return new RolesAnywhereRefusal(type, message, `Roles Anywhere rejected the request: ${message}`, ExitCode.usage, undefined);
    case "ResourceNotFoundException":
      return new RolesAnywhereRefusal(
        type,
        message,
        `Roles Anywhere does not know the trust anchor or profile: ${message}`,
        ExitCode.denied,
        "check --trust-anchor-arn, --profile-arn and the region",
      );
    case "ThrottlingException":
    case "InternalServerException":
      return new RolesAnywhereRefusal(
        type,
        message,
        `Roles Anywhere at ${endpoint} is unavailable (${type}): ${message}`,
        ExitCode.unavailable,
        "try again in a moment",
      );
    default:
      return new RolesAnywhereRefusal(
        type,
        message,
        `Roles Anywhere CreateSession failed: ${type}: ${message}`,
        answer.status >= 500 ? ExitCode.unavailable : ExitCode.failure,
        undefined,
      );
  }
}

function sessionOf(answer: HttpAnswer, params: CreateSessionParams, region: string, endpoint: string): RoleSession {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.body);
  } catch {
    parsed = undefined;
  }
  const set = isRecord(parsed) && Array.isArray(parsed.credentialSet) ? (parsed.credentialSet as unknown[])[0] : undefined;
  const credentials = isRecord(set) && isRecord(set.credentials) ? set.credentials : undefined;
  const user = isRecord(set) && isRecord(set.assumedRoleUser) ? set.assumedRoleUser : undefined;
  const accessKeyId = credentials && text(credentials, "accessKeyId");
  const secretAccessKey = credentials && text(credentials, "secretAccessKey");
  const sessionToken = credentials && text(credentials, "sessionToken");
  const expiration = new Date(credentials ? (text(credentials, "expiration") ?? "") : "");
  if (!isRecord(set) || accessKeyId === undefined || secretAccessKey === undefined || sessionToken === undefined || Number.isNaN(expiration.getTime())) {
    throw new RolecredError(`Roles Anywhere at ${endpoint} answered without a usable credentialSet`, { exitCode: ExitCode.unavailable });
  }
  // Unknown when Roles Anywhere does not name the assumed-role user: never an invented "".
  const assumedRoleArn = user && text(user, "arn");
  return {
    credentials: { accessKeyId, secretAccessKey, sessionToken, expiration },
    roleArn: text(set, "roleArn") ?? params.roleArn,
    assumedRoleArn,
    sessionName: assumedRoleArn?.slice(assumedRoleArn.lastIndexOf("/") + 1),
    sourceIdentity: text(set, "sourceIdentity"),
    region,
  };
}

export async function createSession(
  endpoint: RolesAnywhereEndpoint,
  params: CreateSessionParams,
  material: SigningMaterial,
  algorithm: SigningAlgorithm,
  now: Date,
): Promise<RoleSession> {
  const base = new URL(endpoint.url);
  const url = new URL(`${base.pathname.replace(/\/+$/, "")}/sessions`, base);
  const body = JSON.stringify({
    durationSeconds: params.durationSeconds,
    profileArn: params.profileArn,
    roleArn: params.roleArn,
    trustAnchorArn: params.trustAnchorArn,
    ...(params.roleSessionName === undefined ? {} : { roleSessionName: params.roleSessionName }),
  });
  const headers = signRolesAnywhereRequest(
    { method: "POST", url, body, headers: { "content-type": "application/json" } },
    material,
    algorithm,
    endpoint.region,
    now,
  );
  let answer: HttpAnswer;
  try {
    answer = await send(url, headers, body, endpoint.timeoutMs);
  } catch (error) {
    const code = errnoCode(error) ?? "";
    if (code === "ETIMEDOUT")
      throw new RolecredError(`Roles Anywhere at ${endpoint.url} did not answer in time`, {
        exitCode: ExitCode.unavailable,
        hint: "check your network or proxy; ROLECRED_STS_TIMEOUT sets the wait in seconds",
      });
    throw new RolecredError(`cannot reach Roles Anywhere at ${endpoint.url}: ${describeNetworkError(code) ?? code}`, {
      exitCode: ExitCode.unavailable,
      hint: "check --region, --endpoint, AWS_ENDPOINT_URL_ROLESANYWHERE and your network or proxy",
    });
  }
  if (answer.status < 200 || answer.status >= 300) throw refusal(answer, endpoint.url, params);
  return sessionOf(answer, params, endpoint.region, endpoint.url);
}
