/**
 * What narrows a profile's session: the flags, else the profile's own rolecred_* keys in
 * ~/.aws/config (documented in docs/profiles.md and docs/session-policies.md). A flag replaces
 * the profile's value of the same kind; it never silently adds to it. Flags narrow the target
 * profile only; each profile further down a chain is narrowed by its own keys (so a first hop can
 * set the source identity and transitive tags that every later hop inherits).
 *
 *   rolecred_policy = FILE or JSON          rolecred_policy_arns = ARN, ARN
 *   rolecred_scopes = deny-iam; region=eu-west-1,eu-central-1
 *   rolecred_tags = Project=blue, Team=data rolecred_transitive_tags = Project
 *   rolecred_source_identity = auto | NAME  rolecred_strict = true
 */
import type { Deps } from "../deps.js";
import type { SessionIdentityOptions, SessionRequestOptions } from "./options.js";
import type { ResolvedChain, RoleHop } from "../profiles/resolve.js";
import type { SessionExtras } from "../credentials/link-keys.js";
import { dirname, join, resolve } from "node:path";
import { policySourceOf, requirePolicyArns, type PolicySource } from "../policy/session-policy.js";
import { configFilePath, homeDirectory } from "../paths.js";
import { prepareSessionPolicy, type ComposedSessionPolicy } from "../policy/compose.js";
import { parseScope } from "../policy/scopes.js";
import { parseSessionTag, requireSessionTags } from "../sts/session-tags.js";
import { requireSourceIdentity } from "../sts/limits.js";
import { inputError, RolecredError } from "../errors.js";

/** A separated config value as a list. */
function configList(value: string | undefined, separator: string | RegExp = ","): string[] {
  return (value ?? "")
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

export interface ProfileNarrowing {
  readonly extras: SessionExtras;
  readonly composed: ComposedSessionPolicy;
  readonly strict: boolean;
}

/** The narrowing of a chain's target: the flags, else the target profile's keys. */
export function profileNarrowing(flags: SessionRequestOptions, identity: SessionIdentityOptions, chain: ResolvedChain, deps: Deps): Promise<ProfileNarrowing> {
  return narrowingOf(flags, identity, chain.targetSettings, chain.target, deps);
}

const NO_FLAGS: SessionRequestOptions = { durationSeconds: undefined, region: undefined, policy: undefined, policyArns: [], scopes: [] };
const NO_IDENTITY_FLAGS: SessionIdentityOptions = { tags: [], transitiveTagKeys: [], sourceIdentity: undefined, strict: false };

/** The narrowing the flags alone ask for, with no profile behind them (a session from the environment). */
export function flagNarrowing(flags: SessionRequestOptions, identity: SessionIdentityOptions, deps: Deps): Promise<ProfileNarrowing> {
  return narrowingOf(flags, identity, new Map<string, string>(), "the command line", deps);
}

/** The narrowing of a hop below the target: its own profile's keys only. */
export function hopNarrowing(hop: RoleHop, deps: Deps): Promise<ProfileNarrowing> {
  return narrowingOf(NO_FLAGS, NO_IDENTITY_FLAGS, hop.settings, hop.profile, deps);
}

/** The flag checks, reused for a config key: the message says which key of which profile. */
function fromConfigKey<T>(where: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof RolecredError)) throw error;
    throw new RolecredError(`${where}: ${error.message}`, {
      exitCode: error.exitCode,
      cause: error,
      ...(error.hint === undefined ? {} : { hint: error.hint }),
    });
  }
}

/**
 * rolecred_policy names a file or holds the JSON. The config is read from whatever folder rolecred
 * runs in (an SDK runs credential_process from the application's folder), so a file path means
 * the same everywhere: `~/` is the home folder, and a relative path is relative to the config
 * file's own folder.
 */
function configuredPolicySource(value: string, deps: Deps): PolicySource {
  const source = policySourceOf(value);
  if (source.kind !== "file") return source;
  const path = value.startsWith("~/") ? join(homeDirectory(deps.env), value.slice(2)) : resolve(dirname(configFilePath(deps.env)), value);
  return { kind: "file", path };
}

async function narrowingOf(
  flags: SessionRequestOptions,
  identity: SessionIdentityOptions,
  settings: ReadonlyMap<string, string>,
  profile: string,
  deps: Deps,
): Promise<ProfileNarrowing> {
  const where = (key: string) => `${key} of profile ${profile}`;
  const configuredPolicy = settings.get("rolecred_policy");
  const policy = flags.policy ?? (configuredPolicy === undefined || configuredPolicy === "" ? undefined : configuredPolicySource(configuredPolicy, deps));
  if (flags.policy === undefined && policy?.kind === "stdin") throw inputError(`${where("rolecred_policy")} cannot be - (stdin)`);
  const policyArns =
    flags.policyArns.length > 0
      ? flags.policyArns
      : fromConfigKey(where("rolecred_policy_arns"), () => requirePolicyArns(configList(settings.get("rolecred_policy_arns"))));
  const scopes =
    flags.scopes.length > 0 ? flags.scopes : fromConfigKey(where("rolecred_scopes"), () => configList(settings.get("rolecred_scopes"), ";").map(parseScope));
  const composed = await prepareSessionPolicy({ policy, policyArns, scopes }, deps.stdin);

  const fromConfig = identity.tags.length === 0 && identity.transitiveTagKeys.length === 0;
  const tags = fromConfig ? configList(settings.get("rolecred_tags")).map((text) => parseSessionTag(text, where("rolecred_tags"))) : identity.tags;
  const transitiveTagKeys = fromConfig ? configList(settings.get("rolecred_transitive_tags")) : identity.transitiveTagKeys;
  if (fromConfig) requireSessionTags(tags, transitiveTagKeys, where("rolecred_tags"));
  const configuredIdentity = settings.get("rolecred_source_identity");
  const sourceIdentity =
    identity.sourceIdentity ??
    (configuredIdentity === undefined || configuredIdentity === "" || configuredIdentity === "auto"
      ? configuredIdentity || undefined
      : requireSourceIdentity(configuredIdentity));

  const extras: SessionExtras = {
    ...(composed.policy === undefined ? {} : { policy: composed.policy }),
    ...(composed.policyArns.length === 0 ? {} : { policyArns: composed.policyArns }),
    ...(tags.length === 0 ? {} : { tags }),
    ...(transitiveTagKeys.length === 0 ? {} : { transitiveTagKeys }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  };
  return { extras, composed, strict: identity.strict || settings.get("rolecred_strict") === "true" };
}
