/**
 * A session → an AWS console sign-in URL, through the federation endpoint, as the IAM User Guide's
 * "Enable custom identity broker access to the AWS console" describes: `getSigninToken` with the
 * session as JSON (and an optional console SessionDuration), then a `login` URL carrying the token
 * and the console page to land on (Destination).
 *
 * The pure parts (partition, endpoint, destination, URL) are separate from the one HTTP call, so
 * they are table-tested without a network. The sign-in token is a secret for 15 minutes: it is
 * registered with the caller's secret registry and never put in a child's argv (see open-url.ts).
 */
import { ExitCode, RolecredError, usageError } from "../errors.js";
import type { Env } from "../deps.js";
import type { TemporaryCredentials } from "../credentials/types.js";

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

interface PartitionHosts {
  readonly federation: string;
  readonly console: string;
}

const HOSTS: Readonly<Record<Partition, PartitionHosts>> = {
  aws: { federation: "https://signin.aws.amazon.com/federation", console: "console.aws.amazon.com" },
  "aws-cn": { federation: "https://signin.amazonaws.cn/federation", console: "console.amazonaws.cn" },
  "aws-us-gov": { federation: "https://signin.amazonaws-us-gov.com/federation", console: "console.amazonaws-us-gov.com" },
};

/** Console sessions the federation endpoint grants: 15 minutes to 12 hours (SessionDuration). */
export const CONSOLE_DURATION = { min: 900, max: 43_200 } as const;
/** A console session for a role assumed with temporary credentials (role chaining) lasts at most an hour. */
export const CHAINED_CONSOLE_MAX_SECONDS = 3600;

/** The environment variable that overrides the federation endpoint (tests, proxies, other partitions). */
const FEDERATION_URL_ENV = "ROLECRED_FEDERATION_URL";

export function partitionOfRegion(region: string): Partition {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** `--federation-url` > ROLECRED_FEDERATION_URL > the partition's sign-in endpoint. */
export function federationEndpoint(flag: string | undefined, env: Env, partition: Partition): URL {
  const given = flag ?? env[FEDERATION_URL_ENV];
  if (given === undefined || given === "") return new URL(HOSTS[partition].federation);
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw usageError(`the federation URL "${given}" is not a URL`, "e.g. https://signin.aws.amazon.com/federation");
  }
  // Plain HTTP would carry the session's secret key: only to this machine.
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "localhost" || url.hostname === "[::1]";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw usageError(`the federation URL must be https (http only on loopback): ${given}`);
  }
  return url;
}

const SERVICE_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Where the console opens: a service's home (`s3`), a console path (`/ec2/home#Instances`), or a
 * full console URL of the partition. Anything pointing off the console is refused: a sign-in link
 * that lands elsewhere would hand the session to another site.
 */
export function consoleDestination(service: string | undefined, region: string, partition: Partition): string {
  const host = HOSTS[partition].console;
  const base = `https://${host}`;
  const regionQuery = `region=${encodeURIComponent(region)}`;
  if (service === undefined || service === "") return `${base}/console/home?${regionQuery}`;
  if (SERVICE_NAME.test(service)) return `${base}/${service}/home?${regionQuery}`;
  if (service.startsWith("/") && !service.startsWith("//")) {
    return `${base}${service}${service.includes("?") || service.includes("#") ? "" : `?${regionQuery}`}`;
  }
  let url: URL | undefined;
  try {
    url = new URL(service);
  } catch {
    url = undefined;
  }
  if (url !== undefined && url.protocol === "https:" && (url.hostname === host || url.hostname.endsWith(`.${host}`))) return url.toString();
  throw usageError(`--service "${service}" is neither a service name (s3, ec2), a console path (/s3/home) nor a ${host} URL`);
}

/** The `Session` parameter: the session's three values as JSON, in the endpoint's names. */
export function sessionParameter(credentials: TemporaryCredentials): string {
  return JSON.stringify({ sessionId: credentials.accessKeyId, sessionKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken });
}

export function loginUrl(endpoint: URL, signinToken: string, destination: string, issuer: string): string {
  const url = new URL(endpoint.toString());
  url.search = new URLSearchParams({ Action: "login", Issuer: issuer, Destination: destination, SigninToken: signinToken }).toString();
  return url.toString();
}

export interface SigninTokenRequest {
  readonly endpoint: URL;
  readonly credentials: TemporaryCredentials;
  /** Console session length; undefined leaves it to the endpoint (and must be, for GetFederationToken sessions). */
  readonly sessionDurationSeconds: number | undefined;
  readonly timeoutMs: number;
}

/** Printable, one line, at most 200 characters of an endpoint's error body. */
function firstLine(text: string): string {
  const line =
    text
      .replace(/<[^>]*>/g, " ")
      .split(/\r?\n/)
      .map((part) => part.trim())
      .find((part) => part !== "") ?? "";
  // The body is outside input: no control characters reach the terminal.
  return line.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, 200);
}

/** A SigninToken answer is well under a kilobyte; an endpoint sending more is not read into memory. */
const MAX_FEDERATION_BODY_BYTES = 64 * 1024;

/** The response body as text, refusing one past MAX_FEDERATION_BODY_BYTES or cut off mid-way. */
async function boundedBody(response: Response, endpoint: string): Promise<string> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    if (response.body !== null) {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > MAX_FEDERATION_BODY_BYTES) {
          await response.body.cancel().catch(() => undefined);
          throw new RolecredError(`the federation endpoint ${endpoint} answered more than ${MAX_FEDERATION_BODY_BYTES / 1024} KiB`, {
            exitCode: ExitCode.unavailable,
          });
        }
        chunks.push(chunk);
      }
    }
  } catch (error) {
    if (error instanceof RolecredError) throw error;
    throw new RolecredError(`the federation endpoint ${endpoint} did not finish its answer`, {
      exitCode: ExitCode.unavailable,
      cause: error,
      hint: `check the network, or ${FEDERATION_URL_ENV} / --federation-url`,
    });
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** getSigninToken: the session → a sign-in token (a secret, valid for 15 minutes). */
export async function fetchSigninToken(request: SigninTokenRequest): Promise<string> {
  const url = new URL(request.endpoint.toString());
  url.searchParams.set("Action", "getSigninToken");
  if (request.sessionDurationSeconds !== undefined) url.searchParams.set("SessionDuration", String(request.sessionDurationSeconds));
  url.searchParams.set("Session", sessionParameter(request.credentials));
  // A GET with the session in the query, as the IAM User Guide documents it (the endpoint is
  // HTTPS; rolecred never logs this URL). The error below names the endpoint, not the URL.
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(request.timeoutMs), redirect: "error" });
  } catch (error) {
    throw new RolecredError(`cannot reach the federation endpoint ${url.origin}${url.pathname}`, {
      exitCode: ExitCode.unavailable,
      cause: error,
      hint: `check the network, or ${FEDERATION_URL_ENV} / --federation-url`,
    });
  }
  const body = await boundedBody(response, `${url.origin}${url.pathname}`);
  if (response.status >= 500) {
    throw new RolecredError(`the federation endpoint failed (HTTP ${response.status}): ${firstLine(body)}`, { exitCode: ExitCode.unavailable });
  }
  if (response.status !== 200) {
    throw new RolecredError(`the federation endpoint refused the session (HTTP ${response.status}): ${firstLine(body) || "no reason given"}`, {
      exitCode: ExitCode.denied,
      hint: "console sign-in takes role or federated-user sessions, not GetSessionToken ones; a chained role allows at most --duration 1h",
    });
  }
  let token: unknown;
  try {
    token = (JSON.parse(body) as { SigninToken?: unknown }).SigninToken;
  } catch {
    token = undefined;
  }
  if (typeof token !== "string" || token === "" || /[\u0000-\u0020\u007f]/.test(token)) {
    throw new RolecredError("the federation endpoint answered without a usable SigninToken", { exitCode: ExitCode.unavailable });
  }
  return token;
}
