/**
 * IAM Identity Center as the base of a chain: a profile with sso_session (or the legacy
 * sso_start_url + sso_region) plus sso_account_id and sso_role_name gets its session from the
 * portal's GetRoleCredentials, with the access token `rolecred sso login` (or `aws sso login`)
 * cached in ~/.aws/sso/cache, refreshed silently when it is close to expiry.
 *
 * The session is cached like any other (kind "identity-center"); a profile with role_arn +
 * source_profile on top of it is a chained AssumeRole. The settings are read here without I/O;
 * the [sso-session] section, the token and the SDK clients are reached only inside obtain().
 */
import { inputError } from "../errors.js";
import type { Link, LinkContext } from "../credentials/link.js";
import type { CredentialSource, RegisteredSourceBase } from "./source.js";
import { isSsoProfile, ssoRoleOfSettings } from "../sso/config.js";

const ROLE_CREDENTIALS_MODULE = "../sso/role-credentials.js";

function setting(settings: ReadonlyMap<string, string>, key: string): string | null {
  const value = settings.get(key);
  return value === undefined || value === "" ? null : value;
}

export const identityCenterSource: CredentialSource = {
  name: "sso",
  longTermKeys: false,
  applies: isSsoProfile,
  validate(profile, settings) {
    ssoRoleOfSettings(profile, settings);
    if (setting(settings, "sso_session") === null && (setting(settings, "sso_start_url") === null || setting(settings, "sso_region") === null)) {
      throw inputError(
        `profile "${profile}" has sso_account_id and sso_role_name but no sso_session (or legacy sso_start_url and sso_region)`,
        "add sso_session = NAME with an [sso-session NAME] section",
      );
    }
    if (setting(settings, "role_arn") !== null) {
      throw inputError(
        `profile "${profile}" has both Identity Center settings and role_arn without source_profile`,
        "put role_arn in another profile with source_profile = this one",
      );
    }
  },
  cacheKey(base) {
    const { settings } = base;
    return JSON.stringify({
      kind: "identity-center",
      session: setting(settings, "sso_session"),
      startUrl: setting(settings, "sso_session") === null ? setting(settings, "sso_start_url") : null,
      account: setting(settings, "sso_account_id"),
      role: setting(settings, "sso_role_name"),
    });
  },
  link(base: RegisteredSourceBase, context: LinkContext): Link {
    return {
      key: identityCenterSource.cacheKey(base),
      obtain: async () => {
        // A specifier esbuild cannot follow: this file is bundled into the cached fast path
        // (src/cli/main.cjs), which must not carry the SSO clients; both the bundle and the ES
        // modules live one folder below dist/src, so the path resolves the same from either.
        const specifier = ROLE_CREDENTIALS_MODULE;
        const { obtainIdentityCenterSession } = (await import(specifier)) as typeof import("../sso/role-credentials.js");
        return obtainIdentityCenterSession(base, context);
      },
    };
  },
  describe(base) {
    const { settings } = base;
    const via =
      setting(settings, "sso_session") === null
        ? `start URL ${setting(settings, "sso_start_url") ?? "?"}`
        : `sso-session ${setting(settings, "sso_session") ?? "?"}`;
    return `Identity Center role ${setting(settings, "sso_role_name") ?? "?"} in ${setting(settings, "sso_account_id") ?? "?"} (${via})`;
  },
};
