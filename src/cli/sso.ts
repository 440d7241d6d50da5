/** `rolecred sso login|logout|populate`: IAM Identity Center (see docs/sso.md). */
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import type { Outcome } from "../outcome.js";
import { flagValue } from "./session-flags.js";
import type { SsoLoginOptions, SsoTarget } from "../commands/sso-login.js";
import type { SsoLogoutOptions } from "../commands/sso-logout.js";
import type { SsoPopulateOptions } from "../commands/sso-populate.js";

const SESSION_NAME = /^[^\s\]]+$/;

export function target(
  command: string,
  args: readonly string[],
  flags: Readonly<Record<string, unknown>>,
  childCommand: readonly string[] | undefined,
): SsoTarget {
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
    return runSsoLogin(options, deps, process.platform);
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
  run: lazyRun(
    () => import("../commands/sso-logout.js"),
    (module) => module.runSsoLogout,
  ),
});

const PREFIX = /^[\w.@+=,-]*$/;

export const ssoPopulateCommand = defineCommand<SsoPopulateOptions>({
  name: "sso populate",
  declare(command) {
    command
      .description("write one ~/.aws/config profile per account and role you can use (ListAccounts, ListAccountRoles)")
      .requiredOption("--session <name>", "the [sso-session NAME] to list accounts and roles of")
      .option("--prefix <text>", "put this before every profile name (default: none)")
      .option("--region <region>", "region = for the written profiles (default: the session's sso_region)")
      .option("--dry-run", "print what would change, write nothing");
  },
  toOptions(_args, flags, context) {
    const named = target("populate", [], flags, context.childCommand);
    const prefix = flagValue.optionalString(flags, "prefix") ?? "";
    if (!PREFIX.test(prefix)) throw usageError(`invalid --prefix "${prefix}"`, "letters, digits and _.@+=,- only");
    const region = flagValue.optionalString(flags, "region");
    if (region !== undefined && !/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/.test(region))
      throw usageError(`invalid region "${region}"`, "expected a region code such as us-east-1");
    return { session: named.session ?? "", prefix, region, dryRun: flags.dryRun === true };
  },
  run: lazyRun(
    () => import("../commands/sso-populate.js"),
    (module) => module.runSsoPopulate,
  ),
});
