/**
 * `rolecred sso logout [--session NAME | PROFILE]`: end the IAM Identity Center sign-in (the
 * portal's Logout) and delete the cached token, as `aws sso logout` does; without a name, every
 * token in ~/.aws/sso/cache. Role sessions rolecred cached from Identity Center go too.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { cacheDirectory } from "../paths.js";
import { listCachedSessions, removeCacheFile } from "../store/session-cache.js";
import { listSsoTokens, readSsoToken, removeSsoToken, tokenCachePath, type SsoToken } from "../sso/token-cache.js";
import { resolveSsoEndpoints } from "../sso/endpoints.js";
import { messageOf } from "../errors.js";
import { profileSettings, readAwsFiles } from "../profiles/aws-files.js";
import { ssoSessionOfSettings } from "../sso/config.js";
import { ssoSessionOf, type SsoTarget } from "./sso-login.js";

export interface SsoLogoutOptions extends SsoTarget {
  /** Neither --session nor PROFILE: every cached token. */
  readonly all: boolean;
}

async function endSignIn(path: string, token: SsoToken, deps: Deps): Promise<void> {
  deps.secrets.add(token.accessToken);
  deps.secrets.add(token.refreshToken);
  deps.secrets.add(token.clientSecret);
  if (token.expiresAt > deps.now()) {
    try {
      const { portalLogout } = await import("../sso/calls.js");
      await portalLogout(resolveSsoEndpoints(token.region, deps.env), token.accessToken);
    } catch (error) {
      // The local token goes anyway: a portal that cannot be reached must not keep you signed in here.
      deps.log.warn(`the portal's Logout failed (${messageOf(error)}); the cached token is deleted anyway`);
    }
  }
  await removeSsoToken(path);
  deps.log.info(`signed out of ${token.startUrl}`);
}

export async function runSsoLogout(options: SsoLogoutOptions, deps: Deps): Promise<Outcome> {
  let cacheIds: Set<string> | undefined; // undefined: every session
  if (options.all) {
    const tokens = await listSsoTokens(deps.env);
    for (const { path, token } of tokens) await endSignIn(path, token, deps);
    if (tokens.length === 0) deps.log.info("no IAM Identity Center sign-in is cached");
  } else {
    const session = await ssoSessionOf(options, deps);
    cacheIds = new Set([session.cacheId]);
    const path = tokenCachePath(deps.env, session.cacheId);
    const token = readSsoToken(path);
    if (token === undefined) deps.log.info(`not signed in for ${session.label}`);
    else await endSignIn(path, token, deps);
  }
  const files = await readAwsFiles(deps.env);
  const signedInWith = (profile: string): string | undefined => {
    try {
      const settings = profileSettings(files, profile);
      return settings === undefined ? undefined : ssoSessionOfSettings(files, profile, settings).cacheId;
    } catch {
      return undefined;
    }
  };
  const sessions = (await listCachedSessions(cacheDirectory(deps.env))).filter(
    ({ session }) => session.kind === "identity-center" && (cacheIds === undefined || cacheIds.has(signedInWith(session.profile) ?? "")),
  );
  for (const { file } of sessions) await removeCacheFile(file);
  if (sessions.length > 0) deps.log.info(`removed ${sessions.length} cached Identity Center role session${sessions.length === 1 ? "" : "s"}`);
  return SUCCESS;
}
