/** `rolecred sso login|logout|populate`: IAM Identity Center (see docs/sso.md). */
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { defineCommand, type Outcome } from "./command.js";
import { flagValue } from "./session-flags.js";
import type { SsoLoginOptions, SsoTarget } from "../commands/sso-login.js";
import type { SsoLogoutOptions } from "../commands/sso-logout.js";

const SESSION_NAME = /^[^\s\]]+$/;

export function target(command: string, args: readonly string[], flags: Readonly<Record<string, unknown>>, childCommand: readonly string[] | undefined): SsoTarget {
  if (childCommand !== undefined) throw usageError(`sso ${command} runs no command`);
  const session = flagValue.optionalString(flags, "session");
  const profile = args[0];
  if (session !== undefined && profile !== undefined) throw usageError(`give --session NAME or a PROFILE, not both`);
  if (session !== undefined && !SESSION_NAME.test(session)) throw usageError(`invalid --session "${session}"`);
  return { session, profile };
}

export const ssoLoginCommand = defineCommand<SsoLoginOptions>({
  name: "sso login",
  declare(command) {
    command
      .description("sign in to IAM Identity Center; the token is cached where the AWS CLI keeps it (~/.aws/sso/cache)")
      .argument("[profile]", "a profile with sso_session (or legacy sso_start_url); default AWS_PROFILE, else default")
      .option("--session <name>", "an [sso-session NAME] section of ~/.aws/config")
      .option("--use-device-code", "sign in with a device code (open the URL anywhere) instead of a loopback redirect")
      .option("--no-browser", "only print the URL, do not open a browser");
  },
  toOptions(args, flags, context) {
    return { ...target("login", args, flags, context.childCommand), useDeviceCode: flags.useDeviceCode === true, noBrowser: flags.browser === false };
  },
  async run(options: SsoLoginOptions, deps: Deps): Promise<Outcome> {
    const { runSsoLogin } = await import("../commands/sso-login.js");
    return runSsoLogin(options, deps);
  },
});

export const ssoLogoutCommand = defineCommand<SsoLogoutOptions>({
  name: "sso logout",
  declare(command) {
    command
      .description("end the IAM Identity Center sign-in (portal Logout) and delete its cached token; with no name, every cached sign-in")
      .argument("[profile]", "a profile whose sso-session to sign out of")
      .option("--session <name>", "an [sso-session NAME] section of ~/.aws/config");
  },
  toOptions(args, flags, context) {
    const named = target("logout", args, flags, context.childCommand);
    return { ...named, all: named.session === undefined && named.profile === undefined };
  },
  async run(options: SsoLogoutOptions, deps: Deps): Promise<Outcome> {
    const { runSsoLogout } = await import("../commands/sso-logout.js");
    return runSsoLogout(options, deps);
  },
});
