/**
 * A profile name → the chain of steps that produces its credentials, decided from the AWS files
 * alone (pure: no I/O, no STS). The rules are the AWS CLI's:
 *
 * - a profile's settings are its `[profile NAME]` config section with its credentials-file
 *   section on top (the credentials file wins where both set a key);
 * - `role_arn` + `source_profile` is a hop; the source is resolved the same way, to any depth;
 *   on the first hop `role_arn` beats static keys, on later hops static keys win (so a profile
 *   holding both keys and a role can be both a target and a source, as in the CLI and SDKs);
 * - `mfa_serial` belongs to the hop that uses the user's long-term keys: a role profile without one
 *   inherits its source profile's when that source holds the keys;
 * - every hop after the first runs on temporary credentials, which STS caps at one hour.
 *
 * Loops and missing profiles are errors that name every profile visited.
 */
import { ExitCode, RolecredError } from "../errors.js";
import { isRoleArn } from "../arn.js";
import { parseDuration } from "../duration.js";
import { CHAINED_SESSION_MAX_SECONDS, DURATION_LIMITS, EXTERNAL_ID_PATTERN, MFA_SERIAL_PATTERN, SESSION_NAME_PATTERN } from "../sts/limits.js";
import { CREDENTIAL_SOURCES } from "../sources/registry.js";
import type { CredentialSource, RegisteredSourceBase } from "../sources/source.js";
import { profileSettings, type AwsFiles } from "./aws-files.js";
import { EXPIRY_KEY, ROLE_ARN_KEY, SESSION_ARN_KEY } from "../store/credentials-file.js";

/** Where the chain starts: keys found in a profile. */
export interface StaticSource {
  readonly kind: "keys";
  readonly profile: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Present when the source profile itself holds temporary credentials (e.g. one rolecred wrote). */
  readonly sessionToken: string | undefined;
  /** mfa_serial of this profile: used by GetSessionToken when the chain has no role hop. */
  readonly mfaSerial: string | undefined;
  /**
   * With a session token: what was written beside it, `x_security_token_expires` (rolecred,
   * saml2aws and aws_role_credentials write it) and rolecred's role and session ARNs; undefined
   * when absent or not a date. A profile of temporary keys is handed out as its own session.
   */
  readonly written: WrittenSessionFacts | undefined;
}

/** What a credentials-file section of temporary keys says of its session besides the keys. */
export interface WrittenSessionFacts {
  readonly expiration: Date | undefined;
  readonly roleArn: string | undefined;
  readonly assumedRoleArn: string | undefined;
}

/** One AssumeRole, described by the profile that asks for it. */
export interface RoleHop {
  readonly profile: string;
  readonly roleArn: string;
  readonly sessionName: string | undefined;
  readonly externalId: string | undefined;
  readonly mfaSerial: string | undefined;
  /** The duration to ask for, already capped for chaining. Undefined: STS's default hour. */
  readonly durationSeconds: number | undefined;
  /** Why the duration was capped, if it was: shown to the user. */
  readonly cappedFrom: number | undefined;
  readonly settings: ReadonlyMap<string, string>;
}

export type MfaMode = "direct" | "session";

/**
 * The rolecred_* keys that narrow or label a session (read by src/session/session-extras.ts).
 * Other rolecred_* keys configure a source (rolecred_x509_*, rolecred_keys) or the MFA mode.
 */
export const NARROWING_KEYS: readonly string[] = [
  "rolecred_policy",
  "rolecred_policy_arns",
  "rolecred_scopes",
  "rolecred_tags",
  "rolecred_transitive_tags",
  "rolecred_source_identity",
  "rolecred_strict",
];

/** Where a chain starts: keys in the AWS files, or a profile a registered source claims (src/sources/). */
export type ChainSource = StaticSource | RegisteredSourceBase;

/** Whether the chain's first credentials are an IAM user's long-term keys (MFA and GetSessionToken apply, no chaining cap). */
export function startsFromLongTermKeys(source: ChainSource): boolean {
  return source.kind === "keys" ? source.sessionToken === undefined : source.source.longTermKeys;
}

export interface ResolvedChain {
  readonly target: string;
  readonly source: ChainSource;
  /**
   * Exchange the source keys for a GetSessionToken session first (with this MFA device, if any):
   * in `session` MFA mode, and always for a profile that is only keys (never hand out the
   * long-term keys themselves).
   */
  readonly sessionToken: { readonly mfaSerial: string | undefined } | undefined;
  /** In order: the first hop uses the source's keys, each next one the previous session. */
  readonly hops: readonly RoleHop[];
  /** region of the target profile, else of the profiles below it. */
  readonly region: string | undefined;
  /** The target profile's own settings (rolecred_* keys are read from here). */
  readonly targetSettings: ReadonlyMap<string, string>;
}

function fail(message: string, hint?: string): RolecredError {
  return new RolecredError(message, { exitCode: ExitCode.badInput, ...(hint === undefined ? {} : { hint }) });
}

function optional(settings: ReadonlyMap<string, string>, key: string): string | undefined {
  const value = settings.get(key);
  return value === undefined || value === "" ? undefined : value;
}

const UNSUPPORTED_SOURCES: ReadonlyArray<readonly [string, string]> = [
  ["credential_source", "credential_source (EC2 instance, ECS container or environment credentials) is out of rolecred's scope; use source_profile"],
  ["web_identity_token_file", "web identity (web_identity_token_file) profiles are not supported as a source yet"],
];

export interface ResolveOptions {
  /** --mfa-session / --mfa-direct; else `rolecred_mfa_mode` of the target profile; else direct. */
  readonly mfaMode?: MfaMode | undefined;
  /** --duration: replaces the target profile's duration_seconds (and is capped like it). */
  readonly durationSeconds?: number | undefined;
  /** The registered credential sources, asked in order (default: src/sources/registry.ts). */
  readonly sources?: readonly CredentialSource[] | undefined;
}

export function resolveProfileChain(target: string, files: AwsFiles, options: ResolveOptions = {}): ResolvedChain {
  const visited: string[] = [];
  const hopsFromTarget: RoleHop[] = [];
  let name = target;
  let regionFromChain: string | undefined;
  for (;;) {
    if (visited.includes(name)) {
      throw fail(`profile chain loops: ${[...visited, name].join(" → ")}`, "fix source_profile in ~/.aws/config");
    }
    visited.push(name);
    const settings = profileSettings(files, name);
    if (settings === undefined) {
      const whose = visited.length > 1 ? ` (source_profile of ${visited[visited.length - 2]})` : "";
      throw fail(
        `profile "${name}"${whose} is not in ${files.configPath} or ${files.credentialsPath}`,
        visited.length > 1 ? `chain so far: ${visited.join(" → ")}` : "`rolecred profiles` lists the profiles there are",
      );
    }
    regionFromChain ??= optional(settings, "region");
    const firstHop = visited.length === 1;
    const keys = staticKeys(name, settings);
    const roleArn = optional(settings, "role_arn");
    const sourceProfile = optional(settings, "source_profile");
    // A registered source (certificate, keyring, Identity Center, credential_process) may use
    // role_arn itself (Roles Anywhere does): it is a hop only when source_profile says so.
    const registered = sourceProfile === undefined ? (options.sources ?? CREDENTIAL_SOURCES).find((source) => source.applies(settings)) : undefined;
    if (roleArn !== undefined && registered === undefined && (firstHop || keys === undefined)) {
      hopsFromTarget.push(roleHop(name, roleArn, settings));
      if (sourceProfile === undefined) {
        const other = UNSUPPORTED_SOURCES.find(([key]) => settings.has(key));
        throw fail(
          other?.[0] === "credential_source" ? `profile "${name}": ${other[1]}` : `profile "${name}" has role_arn but no source_profile`,
          "add source_profile = <the profile holding your keys>",
        );
      }
      name = sourceProfile;
      continue;
    }
    const base: ChainSource | undefined = registered !== undefined ? registeredBase(name, settings, registered) : keys;
    if (base !== undefined) {
      const targetSettings = profileSettings(files, target) ?? new Map<string, string>();
      const mode = options.mfaMode ?? mfaModeOf(target, targetSettings);
      const hops = [...hopsFromTarget].reverse();
      const last = hops.at(-1);
      if (last !== undefined && options.durationSeconds !== undefined) hops[hops.length - 1] = { ...last, durationSeconds: options.durationSeconds };
      return assemble(target, base, hops, mode, regionFromChain, targetSettings);
    }
    const unsupported = UNSUPPORTED_SOURCES.find(([key]) => settings.has(key));
    if (unsupported !== undefined) throw fail(`profile "${name}": ${unsupported[1]}`);
    throw fail(
      `profile "${name}" holds no credentials: no role_arn and no aws_access_key_id`,
      "put the IAM user's keys in ~/.aws/credentials under that name, or give it role_arn and source_profile",
    );
  }
}

function staticKeys(profile: string, settings: ReadonlyMap<string, string>): StaticSource | undefined {
  const accessKeyId = optional(settings, "aws_access_key_id");
  const secretAccessKey = optional(settings, "aws_secret_access_key");
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  const mfaSerial = optional(settings, "mfa_serial");
  const sessionToken = optional(settings, "aws_session_token") ?? optional(settings, "aws_security_token");
  return {
    kind: "keys",
    profile,
    accessKeyId,
    secretAccessKey,
    sessionToken,
    mfaSerial: mfaSerial === undefined ? undefined : requirePattern(mfaSerial, MFA_SERIAL_PATTERN, profile, "mfa_serial"),
    written: sessionToken === undefined ? undefined : writtenSessionFacts(settings),
  };
}

function writtenSessionFacts(settings: ReadonlyMap<string, string>): WrittenSessionFacts {
  const expires = optional(settings, EXPIRY_KEY);
  const expiration = expires === undefined ? undefined : new Date(expires);
  const roleArn = optional(settings, ROLE_ARN_KEY);
  return {
    expiration: expiration === undefined || Number.isNaN(expiration.getTime()) ? undefined : expiration,
    roleArn: roleArn !== undefined && isRoleArn(roleArn) ? roleArn : undefined,
    assumedRoleArn: optional(settings, SESSION_ARN_KEY),
  };
}

function registeredBase(profile: string, settings: ReadonlyMap<string, string>, source: RegisteredSourceBase["source"]): RegisteredSourceBase {
  source.validate(profile, settings);
  const mfaSerial = optional(settings, "mfa_serial");
  return {
    kind: "registered",
    source,
    profile,
    settings,
    mfaSerial: mfaSerial === undefined || !source.longTermKeys ? undefined : requirePattern(mfaSerial, MFA_SERIAL_PATTERN, profile, "mfa_serial"),
  };
}

function requirePattern(value: string, pattern: RegExp, profile: string, key: string): string {
  if (!pattern.test(value)) throw fail(`profile "${profile}": ${key} "${value}" is not valid`);
  return value;
}

function roleHop(profile: string, roleArn: string, settings: ReadonlyMap<string, string>): RoleHop {
  if (!isRoleArn(roleArn)) throw fail(`profile "${profile}": role_arn "${roleArn}" is not a role ARN`, "expected arn:aws:iam::123456789012:role/NAME");
  const sessionName = optional(settings, "role_session_name");
  const externalId = optional(settings, "external_id");
  const mfaSerial = optional(settings, "mfa_serial");
  const durationText = optional(settings, "duration_seconds");
  const duration = durationText === undefined ? undefined : parseDuration(durationText);
  if (durationText !== undefined && (duration === undefined || duration < DURATION_LIMITS.assumeRole.min || duration > DURATION_LIMITS.assumeRole.max)) {
    throw fail(`profile "${profile}": duration_seconds "${durationText}" must be ${DURATION_LIMITS.assumeRole.min}-${DURATION_LIMITS.assumeRole.max}`);
  }
  return {
    profile,
    roleArn,
    sessionName: sessionName === undefined ? undefined : requirePattern(sessionName, SESSION_NAME_PATTERN, profile, "role_session_name"),
    externalId: externalId === undefined ? undefined : requirePattern(externalId, EXTERNAL_ID_PATTERN, profile, "external_id"),
    mfaSerial: mfaSerial === undefined ? undefined : requirePattern(mfaSerial, MFA_SERIAL_PATTERN, profile, "mfa_serial"),
    durationSeconds: duration,
    cappedFrom: undefined,
    settings,
  };
}

function mfaModeOf(profile: string, settings: ReadonlyMap<string, string>): MfaMode {
  const mode = optional(settings, "rolecred_mfa_mode") ?? "direct";
  if (mode !== "direct" && mode !== "session") throw fail(`profile "${profile}": rolecred_mfa_mode must be direct or session, not "${mode}"`);
  return mode;
}

/**
 * The chain's final shape. The first hop, which uses the long-term keys, takes the key profile's
 * mfa_serial when it has none. In session mode that MFA moves to a GetSessionToken step in front,
 * and from then on every hop runs on temporary credentials. STS refuses more than an hour for a
 * role assumed with temporary credentials: such hops are capped here, visibly, instead of failing
 * with a ValidationError.
 */
function assemble(
  target: string,
  source: ChainSource,
  hops: RoleHop[],
  mode: MfaMode,
  region: string | undefined,
  targetSettings: ReadonlyMap<string, string>,
): ResolvedChain {
  const usesKeys = startsFromLongTermKeys(source);
  const [first, ...rest] = hops;
  const firstMfa = first?.mfaSerial ?? (usesKeys ? source.mfaSerial : undefined);
  let sessionToken: ResolvedChain["sessionToken"];
  let shaped = hops;
  if (first === undefined) {
    // A profile of keys only: hand out a GetSessionToken session, never the keys.
    sessionToken = usesKeys ? { mfaSerial: source.mfaSerial } : undefined;
  } else if (mode === "session" && usesKeys) {
    sessionToken = { mfaSerial: firstMfa };
    shaped = [{ ...first, mfaSerial: undefined }, ...rest];
  } else {
    shaped = [{ ...first, mfaSerial: firstMfa }, ...rest];
  }
  const chainedFromStart = !usesKeys || sessionToken !== undefined;
  return {
    target,
    source,
    sessionToken,
    hops: shaped.map((hop, index) => capChained(hop, index > 0 || chainedFromStart)),
    region,
    targetSettings,
  };
}

function capChained(hop: RoleHop, chained: boolean): RoleHop {
  if (!chained || hop.durationSeconds === undefined || hop.durationSeconds <= CHAINED_SESSION_MAX_SECONDS) return hop;
  return { ...hop, durationSeconds: CHAINED_SESSION_MAX_SECONDS, cappedFrom: hop.durationSeconds };
}
