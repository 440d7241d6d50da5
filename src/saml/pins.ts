/**
 * What ~/.aws/config lets a SAML run accept. A genuine assertion from someone else's identity
 * provider or account (credential substitution: a login helper, a clipboard or a file swapped for
 * another) offering one role would otherwise be used without a question. Pinning the identity
 * provider's certificate, the accounts and the SAML providers refuses it before anything is sent.
 *
 *     [rolecred]                                   every SAML run
 *     saml_idp_cert = ~/.aws/okta-signing.pem      verify the signature against it (a bundle is fine)
 *     saml_accounts = 111122223333, 444455556666   only roles in these accounts
 *     saml_providers = arn:aws:iam::111122223333:saml-provider/Okta
 *
 *     [profile dev]                                runs that write or use the profile dev
 *     rolecred_saml_idp_cert = ...                 replaces saml_idp_cert for this profile
 *     rolecred_saml_accounts = 111122223333        narrows further: both lists must allow
 *     rolecred_saml_providers = ...
 */
import { dirname, join, resolve } from "node:path";
import type { Env } from "../deps.js";
import { ExitCode, inputError, RolecredError } from "../errors.js";
import { isSamlProviderArn } from "../arn.js";
import { configFilePath, homeDirectory } from "../paths.js";
import { configSection, type AwsFiles } from "../profiles/aws-files.js";
import { describeRole } from "./choose-role.js";
import type { SamlRole } from "./roles.js";

interface AllowList {
  /** Where it was set, for messages: "saml_accounts in [rolecred]". */
  readonly where: string;
  readonly values: ReadonlySet<string>;
}

export interface SamlPins {
  /** Certificate files the signature must verify against (empty: nothing pinned). */
  readonly certificateFiles: readonly string[];
  /** Where the certificate was pinned, for messages. */
  readonly certificateWhere: string | undefined;
  readonly accounts: readonly AllowList[];
  readonly providers: readonly AllowList[];
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

/** `~/` is the home folder; a relative path is relative to the config file's folder (rolecred runs from anywhere). */
function configuredPath(value: string, env: Env): string {
  return value.startsWith("~/") ? join(homeDirectory(env), value.slice(2)) : resolve(dirname(configFilePath(env)), value);
}

function accountsFrom(value: string | undefined, where: string): AllowList | undefined {
  const accounts = list(value);
  if (accounts.length === 0) return undefined;
  const wrong = accounts.find((account) => !/^\d{12}$/.test(account));
  if (wrong !== undefined) throw inputError(`${where} in ~/.aws/config: "${wrong}" is not a 12-digit account id`);
  return { where, values: new Set(accounts) };
}

function providersFrom(value: string | undefined, where: string): AllowList | undefined {
  const providers = list(value);
  if (providers.length === 0) return undefined;
  const wrong = providers.find((provider) => !isSamlProviderArn(provider));
  if (wrong !== undefined) throw inputError(`${where} in ~/.aws/config: "${wrong}" is not a SAML provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME)`);
  return { where, values: new Set(providers) };
}

/** The pins for a run: [rolecred] always, and the profile's own when the run writes a profile. */
export function samlPins(files: AwsFiles, profile: string | undefined, env: Env): SamlPins {
  const global = files.config.get("rolecred") ?? new Map<string, string>();
  const own = profile === undefined ? undefined : configSection(files, profile);
  const ownWhere = (key: string) => `${key} in [profile ${profile ?? ""}]`;
  const ownCertificate = own?.get("rolecred_saml_idp_cert");
  const globalCertificate = global.get("saml_idp_cert");
  const [certificateValue, certificateWhere] =
    ownCertificate !== undefined && ownCertificate !== ""
      ? [ownCertificate, ownWhere("rolecred_saml_idp_cert")]
      : globalCertificate !== undefined && globalCertificate !== ""
        ? [globalCertificate, "saml_idp_cert in [rolecred]"]
        : [undefined, undefined];
  return {
    certificateFiles: list(certificateValue).map((file) => configuredPath(file, env)),
    certificateWhere,
    accounts: [
      accountsFrom(global.get("saml_accounts"), "saml_accounts in [rolecred]"),
      accountsFrom(own?.get("rolecred_saml_accounts"), ownWhere("rolecred_saml_accounts")),
    ].filter((allowed): allowed is AllowList => allowed !== undefined),
    providers: [
      providersFrom(global.get("saml_providers"), "saml_providers in [rolecred]"),
      providersFrom(own?.get("rolecred_saml_providers"), ownWhere("rolecred_saml_providers")),
    ].filter((allowed): allowed is AllowList => allowed !== undefined),
  };
}

function allows(pins: SamlPins, role: SamlRole): boolean {
  return pins.accounts.every((allowed) => allowed.values.has(role.account)) && pins.providers.every((allowed) => allowed.values.has(role.principalArn));
}

/**
 * The roles the pins allow, and a warning naming the ones they do not. When none is allowed the
 * assertion is refused (exit 4, as for an assertion AWS would not trust): nothing is sent.
 */
export function allowedRoles(
  roles: readonly SamlRole[],
  pins: SamlPins,
  aliases: ReadonlyMap<string, string>,
): { roles: SamlRole[]; warning: string | undefined } {
  if (pins.accounts.length === 0 && pins.providers.length === 0) return { roles: [...roles], warning: undefined };
  const allowed = roles.filter((role) => allows(pins, role));
  const refused = roles.filter((role) => !allows(pins, role));
  const named = refused.map((role) => `${describeRole(role, aliases)} via ${role.principalArn}`).join(", ");
  const rules = [...pins.accounts, ...pins.providers].map((rule) => `${rule.where}: ${[...rule.values].join(", ")}`).join("; ");
  if (allowed.length === 0 && roles.length > 0) {
    throw new RolecredError(`the assertion offers no role your ~/.aws/config allows: ${named}`, {
      exitCode: ExitCode.denied,
      hint: `nothing was sent to STS; allowed by ${rules}`,
    });
  }
  return { roles: allowed, warning: refused.length === 0 ? undefined : `ignored ${refused.length} role(s) ~/.aws/config does not allow (${rules}): ${named}` };
}
