/**
 * Credential sources that compose, as the AWS SDK's providers and aws-vault's do: a link gets its
 * credentials from the link below it. Static keys → (GetSessionToken) → AssumeRole → AssumeRole…
 * Caching is a wrapper around any temporary link, not a flag inside each one.
 *
 * Each link has a `key` describing exactly what it would produce (its parameters and its parent's
 * key), so a cached session is reused only for the same request, and a changed config, policy or
 * source key never returns a stale session.
 */
import { assumeWithDurationFallback } from "./duration-fallback.js";
import { sessionNameFromCaller } from "./caller-name.js";
import type { Deps } from "../deps.js";
import { maskKeyId } from "../log.js";
import type { MfaCodeProvider } from "../mfa/code.js";
import type { RoleHop, StaticSource } from "../profiles/resolve.js";
import { describeExpiry } from "../output/summary.js";
import type { StsEndpoint } from "../sts/client.js";
import { isFresh, readCachedSession, withCacheLock, writeCachedSession, type CachedSession } from "../store/session-cache.js";
import type { AwsCredentials } from "./types.js";

export interface LinkResult {
  readonly credentials: AwsCredentials;
  /** Undefined for the static keys at the bottom of a chain. */
  readonly session: CachedSession | undefined;
}

export interface Link {
  readonly key: string;
  obtain(): Promise<LinkResult>;
}

import { assumeRoleLinkKey, keysLinkKey, sessionTokenLinkKey, type SessionExtras } from "./link-keys.js";
import { applyGuards, sessionWarnings } from "./guards.js";
import { describePolicySize } from "../policy/compose.js";

export type { SessionExtras } from "./link-keys.js";

export interface LinkContext {
  readonly endpoint: StsEndpoint;
  readonly mfaCode: MfaCodeProvider;
  /** The code is typed at a prompt, so a retry may ask for the next one (duration-fallback.ts). */
  readonly mfaCodePrompted?: boolean;
  readonly deps: Deps;
}

export function staticLink(source: StaticSource): Link {
  return {
    key: keysLinkKey(source),
    obtain: async () => ({
      credentials: { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey, sessionToken: source.sessionToken },
      session: undefined,
    }),
  };
}

/** The caller's own name, for a session name: from the parent session, else GetCallerIdentity. */
async function callerName(parent: LinkResult, context: LinkContext): Promise<string> {
  if (parent.session?.sessionName !== undefined) return parent.session.sessionName;
  const identity = await context.deps.sts.getCallerIdentity(context.endpoint, parent.credentials);
  const name = sessionNameFromCaller(identity.arn, "set role_session_name in the profile");
  context.deps.log.verbose(`session name ${name} (the caller ${identity.arn})`);
  return name;
}

/** GetSessionToken with the source keys (and MFA): up to 12 h, shared by every profile using the same keys and device. */
export function sessionTokenLink(parent: Link, profile: string, mfaSerial: string | undefined, context: LinkContext): Link {
  return {
    key: sessionTokenLinkKey(parent.key, mfaSerial),
    obtain: async () => {
      const below = await parent.obtain();
      const code = mfaSerial === undefined ? undefined : await context.mfaCode(mfaSerial);
      context.deps.log.verbose(`GetSessionToken with ${profile}'s keys ${maskKeyId(below.credentials.accessKeyId)}${mfaSerial === undefined ? "" : ` and MFA device ${mfaSerial}`}`);
      const credentials = await context.deps.sts.getSessionToken(context.endpoint, below.credentials, { mfa: mfaSerial === undefined || code === undefined ? undefined : { serial: mfaSerial, code } });
      context.deps.secrets.add(credentials.secretAccessKey);
      context.deps.secrets.add(credentials.sessionToken);
      const sessionName = await callerName(below, context);
      return { credentials, session: { kind: "session-token", profile, mfaSerial, sessionName, region: context.endpoint.region, credentials } };
    },
  };
}

/** The target hop runs the session guards (credentials/guards.ts) against its parent session. */
export interface HopGuard {
  readonly strict: boolean;
  /** Warnings about the session policy, shown when STS is actually called (not on every cache hit). */
  readonly policyWarnings: readonly string[];
}

export function assumeRoleLink(parent: Link, hop: RoleHop, extras: SessionExtras, context: LinkContext, guard?: HopGuard): Link {
  const { deps } = context;
  return {
    key: assumeRoleLinkKey(parent.key, hop, extras),
    obtain: async () => {
      const below = await parent.obtain();
      let caller: Promise<string> | undefined;
      const callerOnce = () => (caller ??= callerName(below, context)); // one GetCallerIdentity at most
      const sessionName = hop.sessionName ?? (await callerOnce());
      // `auto`: the person behind the chain, who cannot be renamed further down it. A parent
      // session that already carries a source identity passes it on (STS refuses any other), and
      // its session name may be a role_session_name rather than the person's.
      const sourceIdentity = extras.sourceIdentity === "auto" ? (below.session?.sourceIdentity ?? (await callerOnce())) : extras.sourceIdentity;
      if (guard !== undefined) {
        const parentTags = below.session?.tags ?? {};
        const transitive = new Set((below.session?.transitiveTagKeys ?? []).map((key) => key.toLowerCase()));
        const warnings = sessionWarnings({
          callerArn: below.session?.assumedRoleArn,
          roleArn: hop.roleArn,
          sessionName,
          tags: extras.tags ?? [],
          callerTransitiveTags: Object.fromEntries(Object.entries(parentTags).filter(([key]) => transitive.has(key.toLowerCase()))),
        });
        applyGuards(warnings, guard.strict, deps.log);
        for (const warning of guard.policyWarnings) deps.log.warn(warning);
      }
      logNarrowing(hop.profile, extras, sourceIdentity, deps);
      if (hop.cappedFrom !== undefined) {
        deps.log.info(`note: ${hop.profile}: asking for 1h, not ${hop.cappedFrom}s: STS limits a role assumed with temporary credentials (role chaining) to 1 hour`);
      }
      const code = hop.mfaSerial === undefined ? undefined : await context.mfaCode(hop.mfaSerial);
      deps.log.verbose(`${hop.profile}: AssumeRole ${hop.roleArn} as ${sessionName}${hop.mfaSerial === undefined ? "" : ` with MFA device ${hop.mfaSerial}`}`);
      const mfa = hop.mfaSerial === undefined || code === undefined ? undefined : { serial: hop.mfaSerial, code };
      const session = await assumeWithDurationFallback(
        { roleArn: hop.roleArn, durationSeconds: hop.durationSeconds, mfa, nextCode: context.mfaCodePrompted === true ? context.mfaCode : undefined },
        (durationSeconds, retryMfa) =>
          deps.sts.assumeRole(context.endpoint, below.credentials, {
            roleArn: hop.roleArn,
            sessionName,
            durationSeconds,
            externalId: hop.externalId,
            mfa: retryMfa,
            ...extras,
            sourceIdentity,
          }),
        deps,
      );
      deps.secrets.add(session.credentials.secretAccessKey);
      deps.secrets.add(session.credentials.sessionToken);
      return {
        credentials: session.credentials,
        session: {
          kind: "assume-role",
          profile: hop.profile,
          roleArn: session.roleArn,
          assumedRoleArn: session.assumedRoleArn,
          sessionName: session.sessionName,
          sourceIdentity: session.sourceIdentity,
          region: session.region,
          mfaSerial: hop.mfaSerial,
          packedPolicySize: session.packedPolicySize,
          policy: extras.policy,
          policyArns: extras.policyArns,
          ...sessionTagsAfter(below.session, extras),
          credentials: session.credentials,
        },
      };
    },
  };
}

/** --verbose: what narrows and labels the session about to be asked for. */
function logNarrowing(profile: string, extras: SessionExtras, sourceIdentity: string | undefined, deps: Deps): void {
  if (!deps.log.isVerbose) return;
  if (extras.policy !== undefined) deps.log.verbose(`${profile}: session policy, ${describePolicySize(extras.policy)}: ${extras.policy}`);
  if (extras.policyArns !== undefined && extras.policyArns.length > 0) deps.log.verbose(`${profile}: managed session policies: ${extras.policyArns.join(", ")}`);
  const tags = extras.tags ?? [];
  if (tags.length > 0) deps.log.verbose(`${profile}: session tags ${tags.map(({ key, value }) => `${key}=${value}`).join(", ")}; transitive ${extras.transitiveTagKeys?.join(", ") || "(none)"}`);
  if (sourceIdentity !== undefined) deps.log.verbose(`${profile}: source identity ${sourceIdentity}`);
}

export interface CacheSettings {
  readonly directory: string;
  /** Ignore what is cached (but still write the new session): --refresh. */
  readonly refresh: boolean;
}

/**
 * Serve `link` from the cache while its session is fresh; otherwise refresh it under a lock,
 * re-checking the cache once the lock is held (another process may have just refreshed it).
 */
export function cachedLink(link: Link, label: string, cache: CacheSettings, deps: Deps): Link {
  const lookup = async (): Promise<LinkResult | undefined> => {
    if (cache.refresh) return undefined;
    const found = await readCachedSession(cache.directory, link.key, deps.now());
    if (found.rejected !== undefined) deps.log.verbose(`${label}: ${found.rejected}`);
    if (found.session === undefined) return undefined;
    deps.secrets.add(found.session.credentials.secretAccessKey);
    deps.secrets.add(found.session.credentials.sessionToken);
    deps.log.verbose(`${label}: cached session, ${describeExpiry(found.session.credentials.expiration, deps.now())}`);
    return { credentials: found.session.credentials, session: found.session };
  };
  return {
    key: link.key,
    obtain: async () =>
      (await lookup()) ??
      withCacheLock(cache.directory, link.key, async () => {
        const justRefreshed = await lookup();
        if (justRefreshed !== undefined) return justRefreshed;
        const obtained = await link.obtain();
        // Expiry is judged on STS's clock (its Date header) when this machine's is off.
        const { stsClockOffsetMs, takeClockSkewWarning } = await import("../sts/client.js");
        const clockOffsetMs = stsClockOffsetMs();
        const fresh = obtained.session === undefined || clockOffsetMs === undefined ? obtained : { ...obtained, session: { ...obtained.session, clockOffsetMs } };
        const skew = takeClockSkewWarning();
        if (skew !== undefined) deps.log.warn(skew);
        if (fresh.session !== undefined) {
          if (!isFresh(fresh.session, deps.now())) deps.log.warn(`${label}: STS issued a session that expires within 5 minutes`);
          await writeCachedSession(cache.directory, link.key, fresh.session);
        }
        return fresh;
      }, (message) => deps.log.info(message)),
  };
}

/** Concurrent callers in one process share one pending result. */
export function memoizedLink(link: Link): Link {
  let pending: Promise<LinkResult> | undefined;
  return {
    key: link.key,
    obtain: () => {
      pending ??= link.obtain().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}

/**
 * The tags a new session carries, as far as rolecred knows: the transitive tags of the session
 * that assumed it (STS passes them on) plus the ones it set itself.
 */
function sessionTagsAfter(parent: CachedSession | undefined, extras: SessionExtras): Pick<CachedSession, "tags" | "transitiveTagKeys"> {
  const inheritedKeys = parent?.transitiveTagKeys ?? [];
  const inherited = Object.entries(parent?.tags ?? {}).filter(([key]) => inheritedKeys.some((transitive) => transitive.toLowerCase() === key.toLowerCase()));
  const tags = Object.fromEntries([...inherited, ...(extras.tags ?? []).map(({ key, value }) => [key, value] as const)]);
  const transitiveTagKeys = [...new Set([...inheritedKeys, ...(extras.transitiveTagKeys ?? [])])];
  return {
    ...(Object.keys(tags).length === 0 ? {} : { tags }),
    ...(transitiveTagKeys.length === 0 ? {} : { transitiveTagKeys }),
  };
}
