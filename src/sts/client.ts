/**
 * The one STS client factory. Region and endpoint are resolved here, visibly, rather than left to
 * the SDK's own lookup: rolecred must name the endpoint when it cannot be reached, and must never
 * let a missing region send the SDK probing the EC2 metadata service from a laptop.
 *
 * `@aws-sdk/client-sts` is imported lazily: it costs tens of milliseconds to load, and cached paths
 * (credential_process, env from cache) never call STS.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { Env } from "../env.js";
import { usageError } from "../errors.js";
import type { AwsCredentials } from "../credentials/types.js";

export interface StsEndpoint {
  readonly region: string;
  /** An explicit endpoint (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL), else the SDK's regional one. */
  readonly url: string | undefined;
  /** Connection and response timeout for each attempt. */
  readonly timeoutMs: number;
  /** AWS_USE_FIPS_ENDPOINT=true: the FIPS endpoint (sts-fips.REGION…). Absent: false. */
  readonly useFipsEndpoint?: boolean | undefined;
  /** AWS_USE_DUALSTACK_ENDPOINT=true: the IPv4+IPv6 endpoint (sts.REGION.api.aws). Absent: false. */
  readonly useDualstackEndpoint?: boolean | undefined;
  /** AWS_DISABLE_CLOCK_SKEW_CORRECTION=true: sign with this machine's clock even after STS said it is off. */
  readonly disableClockSkewCorrection?: boolean | undefined;
  /** AWS_SDK_UA_APP_ID: an application id the SDK adds to its User-Agent. */
  readonly userAgentAppId?: string | undefined;
}

export const DEFAULT_STS_TIMEOUT_MS = 10_000;

export interface RegionSources {
  /** --region */
  readonly flag?: string | undefined;
  /** `region` of the profile in ~/.aws/config, when one applies. */
  readonly profile?: string | undefined;
}

const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Region: --region > AWS_REGION > AWS_DEFAULT_REGION > the profile's region; else an error. */
function resolveRegion(sources: RegionSources, env: Env): string {
  // An empty variable is no choice (`AWS_REGION= aws …` is how one unsets it for a command).
  const region = sources.flag ?? (env.AWS_REGION || undefined) ?? (env.AWS_DEFAULT_REGION || undefined) ?? sources.profile;
  if (region === undefined || region === "") {
    throw usageError("no AWS region: STS is regional and rolecred will not guess one", "pass --region (e.g. --region eu-west-1) or set AWS_REGION");
  }
  if (!REGION_PATTERN.test(region)) throw usageError(`invalid region "${region}"`, "expected a region code such as us-east-1 or eu-west-1");
  return region;
}

/** Endpoint override as the SDKs read it: AWS_ENDPOINT_URL_STS, then AWS_ENDPOINT_URL. */
export function resolveStsEndpoint(sources: RegionSources, env: Env): StsEndpoint {
  const region = resolveRegion(sources, env);
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true";
  const url = ignoreConfigured ? undefined : env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || undefined;
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url)) {
    throw usageError(`invalid STS endpoint URL "${url}" (from AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL)`, "expected https://host[:port]");
  }
  const timeoutSeconds = env.ROLECRED_STS_TIMEOUT === undefined ? undefined : Number(env.ROLECRED_STS_TIMEOUT);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
    throw usageError(`invalid ROLECRED_STS_TIMEOUT "${env.ROLECRED_STS_TIMEOUT}": expected seconds, e.g. 10`);
  }
  return {
    region,
    url,
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_STS_TIMEOUT_MS : timeoutSeconds * 1000,
    useFipsEndpoint: booleanVariable(env, "AWS_USE_FIPS_ENDPOINT"),
    useDualstackEndpoint: booleanVariable(env, "AWS_USE_DUALSTACK_ENDPOINT"),
    disableClockSkewCorrection: booleanVariable(env, "AWS_DISABLE_CLOCK_SKEW_CORRECTION"),
    userAgentAppId: env.AWS_SDK_UA_APP_ID || undefined,
  };
}

/** A variable the SDKs read as a boolean: "true" or "false" (any case), unset or empty is false. */
function booleanVariable(env: Env, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === "") return false;
  if (/^(true|false)$/i.test(value)) return value.toLowerCase() === "true";
  throw usageError(`invalid ${name} "${value}": expected true or false`);
}

/** What to call the endpoint in messages: the override, or the regional host the SDK will use. */
export function describeEndpoint(endpoint: StsEndpoint): string {
  if (endpoint.url !== undefined) return endpoint.url;
  const china = endpoint.region.startsWith("cn-");
  const suffix = endpoint.useDualstackEndpoint === true ? (china ? "api.amazonwebservices.com.cn" : "api.aws") : china ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sts${endpoint.useFipsEndpoint === true ? "-fips" : ""}.${endpoint.region}.${suffix}`;
}

/** Below this, a difference between STS's clock and this machine's is noise (the Date header has 1 s steps). */
const CLOCK_OFFSET_NOISE_MS = 60_000;
/**
 * Above this, the user is told: it is the skew at which AWS refuses requests signed with the
 * local clock (the SDK corrects itself, other tools may not) and far more than the 5 minutes by
 * which sessions are refreshed early. Smaller offsets are still applied, silently.
 */
const CLOCK_SKEW_WARNING_MS = 15 * 60_000;

/** STS's clock minus this machine's (ms), from the Date header of the latest STS answer in this process. */
let observedClockOffsetMs: number | undefined;
let skewWarned = false;

function noteServerDate(response: unknown, receivedAtMs: number): void {
  const headers = (response as { headers?: Record<string, string | undefined> } | undefined)?.headers;
  const date = headers?.date ?? headers?.Date;
  if (date === undefined) return;
  const serverMs = Date.parse(date);
  // The header is truncated to the second: its middle is the best guess of STS's time.
  if (!Number.isNaN(serverMs)) observedClockOffsetMs = serverMs + 500 - receivedAtMs;
}

/**
 * How far STS's clock is from this machine's, when an STS answer in this process said so and the
 * difference is more than noise; else undefined. Expiry is then judged on STS's clock: a laptop
 * clock 2 h ahead must not make every fresh session look expired.
 */
export function stsClockOffsetMs(): number | undefined {
  if (observedClockOffsetMs === undefined || Math.abs(observedClockOffsetMs) < CLOCK_OFFSET_NOISE_MS) return undefined;
  return observedClockOffsetMs;
}

/** The warning about a skewed clock, the first time it is asked for in this process; else undefined. */
export function takeClockSkewWarning(): string | undefined {
  const offset = stsClockOffsetMs();
  if (skewWarned || offset === undefined || Math.abs(offset) < CLOCK_SKEW_WARNING_MS) return undefined;
  skewWarned = true;
  const minutes = Math.round(Math.abs(offset) / 60_000);
  const amount = minutes >= 120 ? `${Math.round(minutes / 60)} hours` : `${minutes} minutes`;
  return `this machine's clock is ${amount} ${offset < 0 ? "ahead of" : "behind"} STS's (its Date header); rolecred judges session expiry by STS's clock, but other tools may not: set the clock right (NTP)`;
}

/**
 * A client for one endpoint and one set of credentials. `credentials` undefined means an unsigned
 * request (AssumeRoleWithSAML), which the SDK models as needing no credentials at all.
 *
 * Every setting the SDK would otherwise look up is given here: its runtime config runs a loader
 * (environment, then ~/.aws/config and ~/.aws/credentials, parsed again each time) for each setting
 * left undefined, for every new client: 14 parses of each file in one cold `user` run. rolecred
 * has read the files and the environment itself (resolveStsEndpoint), so the client reads neither.
 */
export async function createStsClient(endpoint: StsEndpoint, credentials: AwsCredentials | undefined): Promise<STSClient> {
  const { STSClient } = await import("@aws-sdk/client-sts");
  const client = new STSClient({
    region: endpoint.region,
    // No URL: the regional endpoint, and not one from `endpoint_url` in a config file, which
    // rolecred would not name in its messages (AWS_ENDPOINT_URL_STS was read into `url`).
    ...(endpoint.url === undefined ? { ignoreConfiguredEndpointUrls: true } : { endpoint: endpoint.url }),
    ...(credentials === undefined ? {} : { credentials }),
    useFipsEndpoint: endpoint.useFipsEndpoint ?? false,
    useDualstackEndpoint: endpoint.useDualstackEndpoint ?? false,
    disableClockSkewCorrection: endpoint.disableClockSkewCorrection ?? false,
    // A provider, not `undefined`: undefined would send the SDK to its loader.
    userAgentAppId: async () => endpoint.userAgentAppId,
    // STS signs with SigV4 only; no scheme preference, no SigV4a region set to look up.
    authSchemePreference: [],
    sigv4aSigningRegionSet: [],
    defaultsMode: "legacy",
    retryMode: "standard",
    // One retry for a dropped connection or throttling; more would re-send a single-use MFA code
    // long after the user typed it.
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: { connectionTimeout: endpoint.timeoutMs, requestTimeout: endpoint.timeoutMs, throwOnRequestTimeout: true },
  });
  // Every answer's Date header (errors too): STS's clock, to judge expiry by. Measuring the offset
  // of this machine's clock is the point, so this reads the wall clock directly.
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        const result = await next(args);
        noteServerDate(result.response, Date.now());
        return result;
      } catch (error) {
        noteServerDate((error as { $response?: unknown } | undefined)?.$response, Date.now());
        throw error;
      }
    },
    { step: "deserialize", name: "rolecredServerClock" },
  );
  return client;
}

/**
 * The clients of one run, one per endpoint and credentials: a `user` run's GetCallerIdentity and
 * AssumeRole share one, and a chain's hops signed with the same session share theirs.
 */
export class StsClientPool {
  readonly #clients = new Map<string, Promise<STSClient>>();

  client(endpoint: StsEndpoint, credentials: AwsCredentials | undefined): Promise<STSClient> {
    // In memory only, for this process: the secret is part of what makes two credentials the same.
    const key = JSON.stringify([
      endpoint.region,
      endpoint.url,
      endpoint.timeoutMs,
      endpoint.useFipsEndpoint ?? false,
      endpoint.useDualstackEndpoint ?? false,
      endpoint.disableClockSkewCorrection ?? false,
      endpoint.userAgentAppId,
      credentials?.accessKeyId,
      credentials?.secretAccessKey,
      credentials?.sessionToken,
    ]);
    let client = this.#clients.get(key);
    if (client === undefined) {
      client = createStsClient(endpoint, credentials);
      this.#clients.set(key, client);
    }
    return client;
  }
}
