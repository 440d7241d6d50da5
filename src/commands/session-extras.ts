/**
 * What narrows a profile's session: the flags, else the profile's own rolecred_* keys in
 * ~/.aws/config (documented in docs/profiles.md). A flag replaces the profile's value of the same
 * kind; it never silently adds to it.
 *
 *   rolecred_policy = FILE or JSON          rolecred_policy_arns = ARN, ARN
 *   rolecred_scopes = deny-iam; region=eu-west-1,eu-central-1
 *   rolecred_tags = Project=blue, Team=data rolecred_transitive_tags = Project
 *   rolecred_source_identity = auto | NAME  rolecred_strict = true
 */
import type { Deps } from "../deps.js";
import type { SessionIdentityOptions, SessionRequestOptions } from "../cli/session-flags.js";
import type { ResolvedChain } from "../profiles/resolve.js";
import type { SessionExtras } from "../credentials/link-keys.js";
import { policySourceOf, requirePolicyArns } from "../policy/session-policy.js";
import { prepareSessionPolicy, type ComposedSessionPolicy } from "../policy/compose.js";
import { parseScope } from "../policy/scopes.js";
import { parseSessionTag, requireSessionTags } from "../sts/session-tags.js";
import { requireSourceIdentity } from "../sts/limits.js";
import { readStdinText } from "../stdin.js";
import { inputError } from "../errors.js";

/** A separated config value as a list. */
export function configList(value: string | undefined, separator: string | RegExp = ","): string[] {
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

export async function profileNarrowing(flags: SessionRequestOptions, identity: SessionIdentityOptions, chain: ResolvedChain, deps: Deps): Promise<ProfileNarrowing> {
  const settings = chain.targetSettings;
  const where = (key: string) => `${key} of profile ${chain.target}`;
  const configuredPolicy = settings.get("rolecred_policy");
  const policy = flags.policy ?? (configuredPolicy === undefined || configuredPolicy === "" ? undefined : policySourceOf(configuredPolicy));
  if (flags.policy === undefined && policy?.kind === "stdin") throw inputError(`${where("rolecred_policy")} cannot be - (stdin)`);
  const policyArns = flags.policyArns.length > 0 ? flags.policyArns : requirePolicyArns(configList(settings.get("rolecred_policy_arns")));
  const scopes = flags.scopes.length > 0 ? flags.scopes : configList(settings.get("rolecred_scopes"), ";").map(parseScope);
  const composed = await prepareSessionPolicy({ policy, policyArns, scopes }, () => readStdinText(deps.stdin, 64 * 1024, "the policy on stdin"));

  const fromConfig = identity.tags.length === 0 && identity.transitiveTagKeys.length === 0;
  const tags = fromConfig ? configList(settings.get("rolecred_tags")).map((text) => parseSessionTag(text, where("rolecred_tags"))) : identity.tags;
  const transitiveTagKeys = fromConfig ? configList(settings.get("rolecred_transitive_tags")) : identity.transitiveTagKeys;
  if (fromConfig) requireSessionTags(tags, transitiveTagKeys, where("rolecred_tags"));
  const configuredIdentity = settings.get("rolecred_source_identity");
  const sourceIdentity =
    identity.sourceIdentity ?? (configuredIdentity === undefined || configuredIdentity === "" || configuredIdentity === "auto" ? configuredIdentity || undefined : requireSourceIdentity(configuredIdentity));

  const extras: SessionExtras = {
    ...(composed.policy === undefined ? {} : { policy: composed.policy }),
    ...(composed.policyArns.length === 0 ? {} : { policyArns: composed.policyArns }),
    ...(tags.length === 0 ? {} : { tags }),
    ...(transitiveTagKeys.length === 0 ? {} : { transitiveTagKeys }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
  };
  return { extras, composed, strict: identity.strict || settings.get("rolecred_strict") === "true" };
}
