/**
 * The cache keys of a chain's links: what each link would produce, its parameters plus its
 * parent's key. Kept apart from the links themselves so the cached fast path can compute the key
 * of a profile's session without loading anything that talks to STS.
 */
import type { ChainSource, ResolvedChain, RoleHop, StaticSource } from "../profiles/resolve.js";
import type { AssumeRoleParams } from "../sts/api.js";

/** What narrows and labels the target session (session policy, tags, source identity). */
export type SessionExtras = Pick<AssumeRoleParams, "policy" | "policyArns" | "tags" | "transitiveTagKeys" | "sourceIdentity">;

export function keysLinkKey(source: StaticSource): string {
  // The key id is not secret and changes when keys are rotated: sessions from old keys are not reused.
  return JSON.stringify({ kind: "keys", profile: source.profile, accessKeyId: source.accessKeyId });
}

/** The key of what a chain's base produces: keys from the file, or a registered source's output. */
function sourceLinkKey(source: ChainSource): string {
  return source.kind === "keys" ? keysLinkKey(source) : source.source.cacheKey(source);
}

export function sessionTokenLinkKey(parentKey: string, mfaSerial: string | undefined): string {
  return JSON.stringify({ kind: "session-token", mfaSerial: mfaSerial ?? null, parent: parentKey });
}

export function assumeRoleLinkKey(parentKey: string, hop: RoleHop, extras: SessionExtras): string {
  return JSON.stringify({
    kind: "assume-role",
    profile: hop.profile,
    roleArn: hop.roleArn,
    externalId: hop.externalId ?? null,
    mfaSerial: hop.mfaSerial ?? null,
    sessionName: hop.sessionName ?? null,
    extras,
    parent: parentKey,
  });
}

/** The key of the session a chain ends in, with `extras` narrowing its last hop and nothing narrowing the hops below it. */
export function targetLinkKey(chain: ResolvedChain, extras: SessionExtras): string {
  let key = sourceLinkKey(chain.source);
  if (chain.sessionToken !== undefined) key = sessionTokenLinkKey(key, chain.sessionToken.mfaSerial);
  chain.hops.forEach((hop, index) => {
    key = assumeRoleLinkKey(key, hop, index === chain.hops.length - 1 ? extras : {});
  });
  return key;
}
