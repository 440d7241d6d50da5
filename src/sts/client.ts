/**
 * The one STS client factory. Region and endpoint are resolved here, visibly, rather than left to
 * the SDK's own lookup: rolecred must name the endpoint when it cannot be reached, and must never
 * let a missing region send the SDK probing the EC2 metadata service from a laptop.
 *
 * `@aws-sdk/client-sts` is imported lazily: it costs tens of milliseconds to load, and cached paths
 * (credential_process, env from cache) never call STS.
 */
import type { STSClient } from "@aws-sdk/client-sts";
import type { Env } from "../deps.js";
import { usageError } from "../errors.js";
import type { AwsCredentials } from "../credentials/types.js";

export interface StsEndpoint {
  readonly region: string;
  /** An explicit endpoint (AWS_ENDPOINT_URL_STS / AWS_ENDPOINT_URL), else the SDK's regional one. */
  readonly url: string | undefined;
  /** Connection and response timeout for each attempt. */
  readonly timeoutMs: number;
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
export function resolveRegion(sources: RegionSources, env: Env): string {
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
  return { region, url, timeoutMs: timeoutSeconds === undefined ? DEFAULT_STS_TIMEOUT_MS : timeoutSeconds * 1000 };
}

/** What to call the endpoint in messages: the override, or the regional host the SDK will use. */
export function describeEndpoint(endpoint: StsEndpoint): string {
  if (endpoint.url !== undefined) return endpoint.url;
  const suffix = endpoint.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return `https://sts.${endpoint.region}.${suffix}`;
}

/**
 * A client for one call. `credentials` undefined means an unsigned request (AssumeRoleWithSAML),
 * which the SDK models as needing no credentials at all.
 */
export async function createStsClient(endpoint: StsEndpoint, credentials: AwsCredentials | undefined): Promise<STSClient> {
  const { STSClient } = await import("@aws-sdk/client-sts");
  return new STSClient({
    region: endpoint.region,
    ...(endpoint.url === undefined ? {} : { endpoint: endpoint.url }),
    ...(credentials === undefined ? {} : { credentials }),
    // One retry for a dropped connection or throttling; more would re-send a single-use MFA code
    // long after the user typed it.
    maxAttempts: 2,
    // Without throwOnRequestTimeout the SDK only logs a warning and keeps waiting.
    requestHandler: { connectionTimeout: endpoint.timeoutMs, requestTimeout: endpoint.timeoutMs, throwOnRequestTimeout: true },
  });
}
