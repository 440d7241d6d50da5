/**
 * `rolecred sso login [--session NAME | PROFILE] [--use-device-code] [--no-browser]`: sign in to
 * IAM Identity Center and keep the token where the AWS CLI keeps it (~/.aws/sso/cache), so one
 * sign-in serves rolecred, `aws` and every SDK.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { readAwsFiles, activeProfileName } from "../profiles/aws-files.js";
import { ssoSessionByName, ssoSessionOfProfile, type SsoSession } from "../sso/config.js";
import { resolveSsoEndpoints } from "../sso/endpoints.js";
import { browserCommand, openInBrowser } from "../browser.js";
import { tokenCachePath, writeSsoToken } from "../sso/token-cache.js";
import { describeExpiry } from "../output/summary.js";

export interface SsoTarget {
  /** --session NAME */
  readonly session: string | undefined;
  /** PROFILE; neither: AWS_PROFILE, else "default". */
  readonly profile: string | undefined;
}

export interface SsoLoginOptions extends SsoTarget {
  readonly useDeviceCode: boolean;
  readonly noBrowser: boolean;
}

/** The session a command names: --session NAME, else the profile's (PROFILE, AWS_PROFILE, default). */
export async function ssoSessionOf(target: SsoTarget, deps: Deps): Promise<SsoSession> {
  const files = await readAwsFiles(deps.env);
  if (target.session !== undefined) return ssoSessionByName(files, target.session);
  return ssoSessionOfProfile(files, target.profile ?? activeProfileName(deps.env));
}

/** `platform` decides how a URL is opened; src/cli passes the real one. */
export async function runSsoLogin(options: SsoLoginOptions, deps: Deps, platform: NodeJS.Platform): Promise<Outcome> {
  const session = await ssoSessionOf(options, deps);
  const endpoints = resolveSsoEndpoints(session.region, deps.env);
  const hasBrowser = (url: string) => browserCommand(url, deps.env, platform) !== undefined;
  const useDeviceCode = options.useDeviceCode || !hasBrowser("about:blank");
  if (useDeviceCode && !options.useDeviceCode) deps.log.info("no browser on this machine (no BROWSER, no graphical session): signing in with a device code");
  const open = async (url: string): Promise<boolean> => {
    if (options.noBrowser) return false;
    const command = browserCommand(url, deps.env, platform);
    if (command === undefined) return false;
    const failure = await openInBrowser(command, deps.env);
    if (failure !== undefined) deps.log.warn(`could not start ${command.file}; open the URL above yourself`);
    return failure === undefined;
  };
  const context = { deps, endpoints, open, sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)) };
  deps.log.verbose(`${session.label}: ${useDeviceCode ? "device code" : "authorization code with PKCE"} against ${endpoints.oidcUrl}`);
  const { signInWithAuthorizationCode, signInWithDeviceCode } = await import("../sso/login.js");
  const token = useDeviceCode ? await signInWithDeviceCode(session, context) : await signInWithAuthorizationCode(session, context);
  const path = tokenCachePath(deps.env, session.cacheId);
  await writeSsoToken(path, token);
  deps.log.info(`signed in to ${session.startUrl} (${session.label}); the sign-in ${describeExpiry(token.expiresAt, deps.now())}`);
  deps.log.verbose(`token cached in ${path}`);
  return SUCCESS;
}
