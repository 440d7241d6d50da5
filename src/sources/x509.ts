/**
 * A ~/.aws/config profile whose source is an X.509 certificate (IAM Roles Anywhere):
 *
 *     [profile ra]
 *     rolecred_x509_certificate = ~/.pki/me.pem
 *     rolecred_x509_private_key = ~/.pki/me.key
 *     rolecred_x509_intermediates = ~/.pki/chain.pem        (optional)
 *     rolecred_x509_trust_anchor_arn = arn:aws:rolesanywhere:…:trust-anchor/…
 *     rolecred_x509_profile_arn = arn:aws:rolesanywhere:…:profile/…
 *     rolecred_x509_endpoint = https://…                   (optional)
 *     role_arn = arn:aws:iam::111111111111:role/pipeline
 *     duration_seconds = 3600                              (optional)
 *
 * The profile's own role_arn is CreateSession's role (not a hop); a profile with
 * source_profile = ra is a chained AssumeRole on top of it. This file stays light (the resolver
 * loads it on every run): the certificate is read and the request signed in src/x509/, imported
 * only when a session is actually needed.
 */
import { RolecredError, inputError } from "../errors.js";
import { parseDuration } from "../duration.js";
import type { Link } from "../credentials/link.js";
import { checkRolesAnywhereArns, X509_DURATION_LIMITS } from "../x509/arns.js";
import { isPkcs12Path } from "../x509/bundle-path.js";
import { X509_KEYS, type X509ProfileSettings } from "../x509/profile-keys.js";
import type { CredentialSource, RegisteredSourceBase } from "./source.js";

export { X509_KEYS };

/**
 * The signing, PEM/PKCS#12 and prompt code, imported only when a certificate session is made. A
 * specifier in a variable, which esbuild does not follow: the cached fast path's bundle holds this
 * file (the resolver asks every source) and must not carry that code (docs/architecture.md).
 */
const X509_SESSION_MODULE = "../x509/profile-session.js";

function value(settings: ReadonlyMap<string, string>, key: string): string | undefined {
  const found = settings.get(key);
  return found === undefined || found === "" ? undefined : found;
}

function x509ProfileSettings(profile: string, settings: ReadonlyMap<string, string>): X509ProfileSettings {
  const required = (key: string): string => {
    const found = value(settings, key);
    if (found === undefined)
      throw inputError(
        `profile "${profile}": ${key} is missing`,
        `a certificate profile needs ${[X509_KEYS.certificate, X509_KEYS.privateKey, X509_KEYS.trustAnchorArn, X509_KEYS.profileArn, "role_arn"].join(", ")}`,
      );
    return found;
  };
  const arns = { trustAnchorArn: required(X509_KEYS.trustAnchorArn), profileArn: required(X509_KEYS.profileArn), roleArn: required("role_arn") };
  try {
    checkRolesAnywhereArns(arns, { trustAnchor: X509_KEYS.trustAnchorArn, profile: X509_KEYS.profileArn, role: "role_arn" });
  } catch (error) {
    if (error instanceof RolecredError) throw inputError(`profile "${profile}": ${error.message}`, error.hint);
    throw error;
  }
  const durationText = value(settings, "duration_seconds");
  const duration = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && (duration === undefined || duration < X509_DURATION_LIMITS.min || duration > X509_DURATION_LIMITS.max)) {
    throw inputError(`profile "${profile}": duration_seconds "${durationText}" must be ${X509_DURATION_LIMITS.min}-${X509_DURATION_LIMITS.max}`);
  }
  return {
    certificate: required(X509_KEYS.certificate),
    privateKey: isPkcs12Path(value(settings, X509_KEYS.certificate) ?? "") ? value(settings, X509_KEYS.privateKey) : required(X509_KEYS.privateKey),
    intermediates: value(settings, X509_KEYS.intermediates),
    ...arns,
    endpoint: value(settings, X509_KEYS.endpoint),
    durationSeconds: duration,
    roleSessionName: value(settings, "role_session_name"),
  };
}

export const x509Source: CredentialSource = {
  name: "x509",
  longTermKeys: false,
  applies: (settings) => settings.has(X509_KEYS.certificate),
  validate: (profile, settings) => void x509ProfileSettings(profile, settings),
  cacheKey: (base: RegisteredSourceBase) => {
    const settings = x509ProfileSettings(base.profile, base.settings);
    return JSON.stringify({
      kind: "roles-anywhere",
      profile: base.profile,
      certificate: settings.certificate,
      trustAnchorArn: settings.trustAnchorArn,
      profileArn: settings.profileArn,
      roleArn: settings.roleArn,
      durationSeconds: settings.durationSeconds ?? null,
      roleSessionName: settings.roleSessionName ?? null,
    });
  },
  link(base, context): Link {
    return {
      key: x509Source.cacheKey(base),
      obtain: async () => {
        const { obtainProfileX509Session } = (await import(/* @vite-ignore */ X509_SESSION_MODULE)) as typeof import("../x509/profile-session.js");
        return obtainProfileX509Session(base.profile, x509ProfileSettings(base.profile, base.settings), context.deps);
      },
    };
  },
  describe: (base) => `certificate ${base.settings.get(X509_KEYS.certificate) ?? ""} through Roles Anywhere, role ${base.settings.get("role_arn") ?? ""}`,
};
