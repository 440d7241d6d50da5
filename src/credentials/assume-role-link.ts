/**
 * AssumeRole on the link below: a hop of the chain, narrowed (session policy, tags, source
 * identity) on the target hop, guarded against abuse patterns, with the duration fallback.
 */
import { assumeWithDurationFallback } from "./duration-fallback.js";
import type { Deps } from "../deps.js";
import type { RoleHop } from "../profiles/resolve.js";
import type { CachedSession } from "../store/session-cache.js";
import type { Link, LinkContext } from "./link.js";
import { callerName } from "./link-caller-name.js";
import { assumeRoleLinkKey, type SessionExtras } from "./link-keys.js";
import { applyGuards, sessionWarnings } from "./guards.js";
import { describePolicySize } from "../policy/compose.js";

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
        deps.log.info(
          `note: ${hop.profile}: asking for 1h, not ${hop.cappedFrom}s: STS limits a role assumed with temporary credentials (role chaining) to 1 hour`,
        );
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
  if (extras.policyArns !== undefined && extras.policyArns.length > 0)
    deps.log.verbose(`${profile}: managed session policies: ${extras.policyArns.join(", ")}`);
  const tags = extras.tags ?? [];
  if (tags.length > 0)
    deps.log.verbose(
      `${profile}: session tags ${tags.map(({ key, value }) => `${key}=${value}`).join(", ")}; transitive ${extras.transitiveTagKeys?.join(", ") || "(none)"}`,
    );
  if (sourceIdentity !== undefined) deps.log.verbose(`${profile}: source identity ${sourceIdentity}`);
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
