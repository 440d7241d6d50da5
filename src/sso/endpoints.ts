/**
 * Where Identity Center's two services are, for a session's region: the OIDC service (sign-in and
 * tokens) and the access portal (accounts, roles, role credentials). Overrides are read as the AWS
 * SDK reads them: AWS_ENDPOINT_URL_SSO_OIDC / AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, unless
 * AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true.
 */
import type { Env } from "../deps.js";
import { usageError } from "../errors.js";
import { DEFAULT_STS_TIMEOUT_MS } from "../sts/client.js";

export interface SsoEndpoints {
  readonly region: string;
  /** The OIDC service, without a trailing slash: https://oidc.REGION.amazonaws.com or the override. */
  readonly oidcUrl: string;
  /** The access portal: https://portal.sso.REGION.amazonaws.com or the override. */
  readonly portalUrl: string;
  /** Whether each is an override (passed to the SDK) or the SDK's own regional endpoint. */
  readonly oidcOverride: boolean;
  readonly portalOverride: boolean;
  /** Connection and response timeout per attempt (ROLECRED_STS_TIMEOUT, shared with STS). */
  readonly timeoutMs: number;
}

function checked(url: string, variable: string): string {
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw usageError(`invalid endpoint URL "${url}" (from ${variable})`, "expected https://host[:port]");
  return url.replace(/\/+$/, "");
}

export function resolveSsoEndpoints(region: string, env: Env): SsoEndpoints {
  const ignore = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true";
  const pick = (specific: string): { url: string; variable: string } | undefined => {
    if (ignore) return undefined;
    const own = env[specific];
    if (own) return { url: own, variable: specific };
    return env.AWS_ENDPOINT_URL ? { url: env.AWS_ENDPOINT_URL, variable: "AWS_ENDPOINT_URL" } : undefined;
  };
  const suffix = region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const oidc = pick("AWS_ENDPOINT_URL_SSO_OIDC");
  const portal = pick("AWS_ENDPOINT_URL_SSO");
  const timeoutSeconds = env.ROLECRED_STS_TIMEOUT === undefined ? undefined : Number(env.ROLECRED_STS_TIMEOUT);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0))
    throw usageError(`invalid ROLECRED_STS_TIMEOUT "${env.ROLECRED_STS_TIMEOUT}": expected seconds, e.g. 10`);
  return {
    region,
    oidcUrl: oidc === undefined ? `https://oidc.${region}.${suffix}` : checked(oidc.url, oidc.variable),
    portalUrl: portal === undefined ? `https://portal.sso.${region}.${suffix}` : checked(portal.url, portal.variable),
    oidcOverride: oidc !== undefined,
    portalOverride: portal !== undefined,
    timeoutMs: timeoutSeconds === undefined ? DEFAULT_STS_TIMEOUT_MS : timeoutSeconds * 1000,
  };
}
