/**
 * Where CreateSession goes: --endpoint > AWS_ENDPOINT_URL_ROLESANYWHERE > AWS_ENDPOINT_URL >
 * https://rolesanywhere.REGION.amazonaws.com, the region being the trust anchor's (the one
 * region the trust anchor and profile work in) unless --region says otherwise.
 */
import type { Env } from "../deps.js";
import { usageError } from "../errors.js";
import { DEFAULT_STS_TIMEOUT_MS } from "../sts/client.js";

export interface RolesAnywhereEndpoint {
  readonly region: string;
  /** The base URL; CreateSession is POST {url}/sessions. */
  readonly url: string;
  readonly timeoutMs: number;
  /** Where the URL came from, for --verbose. */
  readonly from: string;
}

export function resolveRolesAnywhereEndpoint(options: { readonly flag: string | undefined; readonly region: string }, env: Env): RolesAnywhereEndpoint {
  const ignoreConfigured = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true";
  const candidates: Array<readonly [string | undefined, string]> = [
    [options.flag, "--endpoint"],
    [ignoreConfigured ? undefined : env.AWS_ENDPOINT_URL_ROLESANYWHERE, "AWS_ENDPOINT_URL_ROLESANYWHERE"],
    [ignoreConfigured ? undefined : env.AWS_ENDPOINT_URL, "AWS_ENDPOINT_URL"],
  ];
  const chosen = candidates.find(([value]) => value !== undefined && value !== "");
  const suffix = options.region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  const [url, from] = chosen ?? [`https://rolesanywhere.${options.region}.${suffix}`, `the region ${options.region}`];
  if (url === undefined || !/^https?:\/\/[^\s/]+/.test(url))
    throw usageError(`invalid Roles Anywhere endpoint "${url ?? ""}" (from ${from})`, "expected https://host[:port]");
  const timeoutSeconds = env.ROLECRED_STS_TIMEOUT === undefined ? undefined : Number(env.ROLECRED_STS_TIMEOUT);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0))
    throw usageError(`invalid ROLECRED_STS_TIMEOUT "${env.ROLECRED_STS_TIMEOUT}": expected seconds, e.g. 10`);
  return { region: options.region, url, timeoutMs: timeoutSeconds === undefined ? DEFAULT_STS_TIMEOUT_MS : timeoutSeconds * 1000, from };
}
