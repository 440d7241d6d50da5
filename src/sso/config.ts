/**
 * IAM Identity Center settings, read from ~/.aws/config the way the AWS CLI reads them (pure: no
 * I/O). Two shapes exist:
 *
 * - an `[sso-session NAME]` section (sso_start_url, sso_region, sso_registration_scopes) that
 *   profiles name with `sso_session = NAME`; its token is cached under the session's name and can
 *   be refreshed;
 * - the legacy shape, sso_start_url and sso_region in the profile itself; its token is cached
 *   under the start URL.
 */
import { inputError } from "../errors.js";
import { profileSettings, ssoSessionNames, ssoSessionSection, type AwsFiles } from "../profiles/aws-files.js";

export interface SsoSession {
  /** The sso-session's name; undefined for a legacy profile-level configuration. */
  readonly name: string | undefined;
  readonly startUrl: string;
  readonly region: string;
  /** sso_registration_scopes; legacy configurations register without scopes, as the AWS CLI does. */
  readonly scopes: readonly string[];
  /** What the token cache file is named after: the session's name, else the start URL. */
  readonly cacheId: string;
  /** For messages: `sso-session "NAME"` or `profile "P" (legacy sso_start_url)`. */
  readonly label: string;
}

/** The scope the AWS CLI registers an sso-session for when sso_registration_scopes is not set. */
const DEFAULT_REGISTRATION_SCOPE = "sso:account:access";

const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

function nonEmpty(settings: ReadonlyMap<string, string>, key: string): string | undefined {
  const value = settings.get(key);
  return value === undefined || value === "" ? undefined : value;
}

function checkStartUrl(value: string, where: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw inputError(`${where}: sso_start_url "${value}" is not a URL`, "expected https://d-1234567890.awsapps.com/start or your own start URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw inputError(`${where}: sso_start_url "${value}" is not an http(s) URL`);
  return value;
}

function checkRegion(value: string | undefined, where: string): string {
  if (value === undefined) throw inputError(`${where} has no sso_region`, "add sso_region = the region of your Identity Center instance");
  if (!REGION_PATTERN.test(value)) throw inputError(`${where}: sso_region "${value}" is not a region`);
  return value;
}

/** The `[sso-session NAME]` section as a session; exit 3 naming what is missing. */
export function ssoSessionByName(files: AwsFiles, name: string): SsoSession {
  const section = ssoSessionSection(files, name);
  const label = `sso-session "${name}"`;
  if (section === undefined) {
    const known = ssoSessionNames(files);
    throw inputError(
      `there is no [sso-session ${name}] in ${files.configPath}`,
      known.length > 0 ? `sessions there: ${known.join(", ")}` : "add one: [sso-session NAME] with sso_start_url and sso_region",
    );
  }
  const startUrl = nonEmpty(section, "sso_start_url");
  if (startUrl === undefined) throw inputError(`${label} has no sso_start_url`);
  const scopes = (nonEmpty(section, "sso_registration_scopes") ?? DEFAULT_REGISTRATION_SCOPE)
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");
  return { name, startUrl: checkStartUrl(startUrl, label), region: checkRegion(nonEmpty(section, "sso_region"), label), scopes, cacheId: name, label };
}

/**
 * The session a profile signs in with: its sso_session, else its own sso_start_url + sso_region.
 * As in the AWS CLI, a profile naming a session may repeat its start URL and region only if they agree.
 */
export function ssoSessionOfSettings(files: AwsFiles, profile: string, settings: ReadonlyMap<string, string>): SsoSession {
  const sessionName = nonEmpty(settings, "sso_session");
  const startUrl = nonEmpty(settings, "sso_start_url");
  const region = nonEmpty(settings, "sso_region");
  if (sessionName !== undefined) {
    const session = ssoSessionByName(files, sessionName);
    if (startUrl !== undefined && startUrl !== session.startUrl)
      throw inputError(`profile "${profile}": sso_start_url differs from the one of sso-session "${sessionName}"`, "remove sso_start_url from the profile");
    if (region !== undefined && region !== session.region)
      throw inputError(`profile "${profile}": sso_region differs from the one of sso-session "${sessionName}"`, "remove sso_region from the profile");
    return session;
  }
  const label = `profile "${profile}"`;
  if (startUrl === undefined)
    throw inputError(`profile "${profile}" has no sso_session and no sso_start_url`, "add sso_session = NAME (see `rolecred help sso login`)");
  return {
    name: undefined,
    startUrl: checkStartUrl(startUrl, label),
    region: checkRegion(region, label),
    scopes: [],
    cacheId: startUrl,
    label: `${label} (legacy sso_start_url)`,
  };
}

/** The session of a named profile; exit 3 when the profile is missing or not an Identity Center profile. */
export function ssoSessionOfProfile(files: AwsFiles, profile: string): SsoSession {
  const settings = profileSettings(files, profile);
  if (settings === undefined) throw inputError(`profile "${profile}" is not in ${files.configPath}`, "`rolecred profiles` lists the profiles there are");
  return ssoSessionOfSettings(files, profile, settings);
}

/** Is this profile an Identity Center profile (the AWS SDK's isSsoProfile question)? */
export function isSsoProfile(settings: ReadonlyMap<string, string>): boolean {
  return ["sso_session", "sso_start_url", "sso_account_id", "sso_role_name"].some((key) => nonEmpty(settings, key) !== undefined);
}

/** The account and permission set a profile uses; exit 3 naming the key that is missing or malformed. */
export function ssoRoleOfSettings(profile: string, settings: ReadonlyMap<string, string>): { readonly accountId: string; readonly roleName: string } {
  const accountId = nonEmpty(settings, "sso_account_id");
  const roleName = nonEmpty(settings, "sso_role_name");
  if (accountId === undefined)
    throw inputError(`profile "${profile}" has no sso_account_id`, "add sso_account_id = the 12-digit account (`rolecred sso populate` writes these profiles)");
  if (!/^\d{12}$/.test(accountId)) throw inputError(`profile "${profile}": sso_account_id "${accountId}" is not a 12-digit account id`);
  if (roleName === undefined) throw inputError(`profile "${profile}" has no sso_role_name`, "add sso_role_name = the permission set's name");
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName)) throw inputError(`profile "${profile}": sso_role_name "${roleName}" is not a role name`);
  return { accountId, roleName };
}
