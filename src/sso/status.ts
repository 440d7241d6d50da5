/**
 * The IAM Identity Center sign-ins `rolecred status` lists: every token in ~/.aws/sso/cache, named
 * `sso:<session>` when an [sso-session] of the config file (or a legacy profile's start URL) is
 * the one it was cached under, else `sso:<start URL>`. Only the expiry is shown, never the token.
 */
import type { Deps } from "../deps.js";
import { readAwsFiles, ssoSessionNames, profileNames, profileSettings } from "../profiles/aws-files.js";
import { listSsoTokens, tokenCachePath } from "./token-cache.js";

export interface SsoSignIn {
  /** `sso:<session name>`, or `sso:<start URL>` for a legacy or unknown one. */
  readonly name: string;
  readonly startUrl: string;
  readonly expiresAt: Date;
  /** A refresh token is cached too: the sign-in outlives the access token. */
  readonly refreshable: boolean;
}

export async function listSsoSignIns(deps: Pick<Deps, "env">): Promise<SsoSignIn[]> {
  const tokens = await listSsoTokens(deps.env);
  if (tokens.length === 0) return [];
  const files = await readAwsFiles(deps.env);
  const names = new Map<string, string>();
  for (const session of ssoSessionNames(files)) names.set(tokenCachePath(deps.env, session), session);
  for (const profile of profileNames(files)) {
    const startUrl = profileSettings(files, profile)?.get("sso_start_url");
    if (startUrl !== undefined && startUrl !== "") names.set(tokenCachePath(deps.env, startUrl), startUrl);
  }
  return tokens.map(({ path, token }) => ({
    name: `sso:${names.get(path) ?? token.startUrl}`,
    startUrl: token.startUrl,
    expiresAt: token.expiresAt,
    refreshable: token.refreshToken !== undefined,
  }));
}
