/**
 * A usable access token for a session: the cached one while it has more than five minutes left,
 * else a silent refresh with the refresh token (under a lock, re-reading the file once it is held,
 * since refresh tokens are single-use and another rolecred or SDK may have just used it), else an
 * error telling the person to sign in again.
 */
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { EXPIRY_WINDOW_SECONDS } from "../store/session-cache.js";
import { withFileLock } from "../store/lock.js";
import type { SsoSession } from "./config.js";
import { resolveSsoEndpoints } from "./endpoints.js";
import { readSsoToken, tokenCachePath, writeSsoToken, type SsoToken } from "./token-cache.js";

/** The command that signs in again, for hints. */
export function loginCommandFor(session: SsoSession, profile?: string): string {
  return session.name !== undefined ? `rolecred sso login --session ${session.name}` : `rolecred sso login ${profile ?? "PROFILE"}`;
}

function needsRefresh(token: SsoToken, now: Date): boolean {
  return token.expiresAt.getTime() - now.getTime() <= EXPIRY_WINDOW_SECONDS * 1000;
}

function canRefresh(token: SsoToken, now: Date): boolean {
  return (
    token.refreshToken !== undefined &&
    token.clientId !== undefined &&
    token.clientSecret !== undefined &&
    (token.registrationExpiresAt === undefined || token.registrationExpiresAt > now)
  );
}

function remember(token: SsoToken, deps: Deps): SsoToken {
  deps.secrets.add(token.accessToken);
  deps.secrets.add(token.refreshToken);
  deps.secrets.add(token.clientSecret);
  return token;
}

/** The token cache's token for this session, refreshed if it is close to expiry. */
export async function validAccessToken(session: SsoSession, deps: Deps, profile?: string): Promise<SsoToken> {
  const path = tokenCachePath(deps.env, session.cacheId);
  const hint = `run \`${loginCommandFor(session, profile)}\``;
  const cached = readSsoToken(path);
  if (cached === undefined) throw new RolecredError(`not signed in to IAM Identity Center for ${session.label}`, { hint });
  remember(cached, deps);
  if (!needsRefresh(cached, deps.now())) {
    deps.log.verbose(`${session.label}: SSO access token valid until ${cached.expiresAt.toISOString()}`);
    return cached;
  }
  if (!canRefresh(cached, deps.now())) {
    if (cached.expiresAt > deps.now()) return cached; // a few minutes left and no way to refresh: use them
    throw new RolecredError(`the IAM Identity Center sign-in for ${session.label} expired at ${cached.expiresAt.toISOString()}`, {
      exitCode: ExitCode.denied,
      hint,
    });
  }
  return withFileLock(path, async () => {
    const current = readSsoToken(path);
    if (current !== undefined && !needsRefresh(current, deps.now())) return remember(current, deps);
    const base = current ?? cached;
    remember(base, deps);
    const { createToken } = await import("./calls.js");
    deps.log.verbose(`${session.label}: refreshing the SSO access token with the refresh token`);
    const endpoints = resolveSsoEndpoints(session.region, deps.env);
    const answer = await createToken(
      endpoints,
      { clientId: base.clientId ?? "", clientSecret: base.clientSecret ?? "", expiresAt: base.registrationExpiresAt ?? deps.now() },
      { grantType: "refresh_token", refreshToken: base.refreshToken ?? "" },
    );
    if ("refused" in answer) {
      if (base.expiresAt > deps.now()) return base;
      throw new RolecredError(`the IAM Identity Center sign-in for ${session.label} expired and could not be refreshed (${answer.refused})`, {
        exitCode: ExitCode.denied,
        hint,
      });
    }
    const refreshed = remember(
      {
        ...base,
        accessToken: answer.token.accessToken,
        expiresAt: new Date(deps.now().getTime() + answer.token.expiresInSeconds * 1000),
        refreshToken: answer.token.refreshToken ?? base.refreshToken,
      },
      deps,
    );
    await writeSsoToken(path, refreshed);
    return refreshed;
  });
}
