/**
 * A profile of ~/.aws/config → a usable session: resolve the chain, build the links (cached,
 * shared MFA session when asked), and obtain the target. On a warm cache this reads three small
 * files and loads neither the AWS SDK nor the prompt library.
 */
import type { Deps } from "../deps.js";
import type { MfaCodeInput } from "../mfa/code.js";
import { mfaCodeProvider } from "../mfa/code.js";
import { cacheDirectory } from "../paths.js";
import { readAwsFiles } from "../profiles/aws-files.js";
import { resolveProfileChain, type MfaMode, type ResolvedChain, type StaticSource } from "../profiles/resolve.js";
import { resolveStsEndpoint } from "../sts/client.js";
import type { CachedSession } from "../store/session-cache.js";
import type { Link, LinkContext } from "../credentials/link.js";
import { staticLink } from "../credentials/static-keys-link.js";
import { sessionTokenLink } from "../credentials/session-token-link.js";
import { assumeRoleLink } from "../credentials/assume-role-link.js";
import { cachedLink } from "../credentials/cached-link.js";
import { memoizedLink } from "../credentials/memoized-link.js";
import { hopNarrowing, type ProfileNarrowing } from "./session-extras.js";
import { ExitCode, RolecredError } from "../errors.js";

export interface ProfileSessionRequest {
  readonly profile: string;
  readonly mfaCode: MfaCodeInput;
  readonly region: string | undefined;
  readonly durationSeconds: number | undefined;
  readonly mfaMode: MfaMode | undefined;
  /** Ignore the cached target session and ask STS for a new one. */
  readonly refresh: boolean;
  /** Narrowing of the target session, from the flags and the profile's rolecred_* keys. */
  readonly narrowing: (chain: ResolvedChain) => Promise<ProfileNarrowing>;
}

export interface ProfileSession {
  readonly chain: ResolvedChain;
  readonly session: CachedSession;
}

export async function obtainProfileSession(request: ProfileSessionRequest, deps: Deps): Promise<ProfileSession> {
  const files = await readAwsFiles(deps.env);
  const chain = resolveProfileChain(request.profile, files, { mfaMode: request.mfaMode, durationSeconds: request.durationSeconds });
  deps.log.verbose(`profile ${chain.target}: ${describeChain(chain)}`);
  const endpoint = resolveStsEndpoint({ flag: request.region, profile: chain.region }, deps.env);
  const context: LinkContext = { endpoint, mfaCode: mfaCodeProvider(request.mfaCode, deps), mfaCodePrompted: request.mfaCode.from === "prompt", deps };
  const directory = cacheDirectory(deps.env);
  const narrowing = await request.narrowing(chain);
  refuseUnappliedNarrowing(chain, narrowing, request.durationSeconds);
  // Hops below the target are narrowed by their own profiles' rolecred_* keys, never by flags.
  const hopNarrowings = await Promise.all(chain.hops.slice(0, -1).map((hop) => hopNarrowing(hop, deps)));

  let link: Link = baseLink(chain, context, directory, request.refresh && chain.hops.length === 0);
  if (chain.sessionToken !== undefined) {
    const label = `${chain.source.profile} (MFA session)`;
    link = memoizedLink(
      cachedLink(sessionTokenLink(link, chain.source.profile, chain.sessionToken.mfaSerial, context), label, { directory, refresh: false }, deps),
    );
  }
  chain.hops.forEach((hop, index) => {
    const isTarget = index === chain.hops.length - 1;
    const own = isTarget ? narrowing : hopNarrowings[index];
    if (own === undefined) throw new RolecredError(`internal: no narrowing for hop ${hop.profile}`);
    const guard = { strict: own.strict, policyWarnings: own.composed.warnings };
    link = memoizedLink(
      cachedLink(assumeRoleLink(link, hop, own.extras, context, guard), hop.profile, { directory, refresh: isTarget && request.refresh }, deps),
    );
  });
  const { session } = await link.obtain();
  if (session === undefined && chain.source.kind === "registered") {
    // A credential_process that prints long-term keys: usable under a role, never handed out.
    throw new RolecredError(`profile "${chain.target}": its ${chain.source.source.name} source gave long-term keys, and rolecred hands out only sessions`, {
      exitCode: ExitCode.badInput,
      hint: "use the profile as the source_profile of a role, or store the keys with `rolecred keys add` and use rolecred_keys",
    });
  }
  if (session === undefined && chain.source.kind === "keys" && chain.hops.length === 0 && chain.sessionToken === undefined) {
    const written = writtenSession(chain.source, deps.now());
    deps.secrets.add(written.credentials.secretAccessKey);
    deps.secrets.add(written.credentials.sessionToken);
    return { chain, session: written };
  }
  if (session === undefined) throw new RolecredError(`internal: profile ${chain.target} produced no session`);
  return { chain, session };
}

/**
 * A profile of temporary keys and no role (one `rolecred saml --profile dev` wrote): its session
 * is the keys themselves, as the SDK would use them. It is handed out only with a known expiry
 * that has not passed: a sink (credential_process, exports, a refreshing server) needs one.
 */
function writtenSession(source: StaticSource, now: Date): CachedSession {
  const { sessionToken, written } = source;
  if (sessionToken === undefined || written === undefined) throw new RolecredError(`internal: profile ${source.profile} holds no session`);
  const { expiration } = written;
  if (expiration === undefined) {
    throw new RolecredError(`profile "${source.profile}" holds temporary keys with no expiry rolecred can read (no valid x_security_token_expires)`, {
      exitCode: ExitCode.badInput,
      hint: `use the profile as it is (AWS_PROFILE=${source.profile}), or write it again with rolecred, which records the expiry`,
    });
  }
  if (expiration.getTime() <= now.getTime()) {
    throw new RolecredError(`profile "${source.profile}" holds a session that expired at ${expiration.toISOString()}`, {
      hint: "get a new one with the command that wrote it (rolecred saml or user --profile)",
    });
  }
  return {
    kind: "credentials-file",
    profile: source.profile,
    roleArn: written.roleArn,
    assumedRoleArn: written.assumedRoleArn,
    credentials: { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey, sessionToken, expiration },
  };
}

/**
 * A registered session source with no hop on top (a certificate profile) is the target itself:
 * no AssumeRole is made, so a session policy, tags, a source identity or --duration would be
 * dropped without a word. Refused instead, saying where they do apply.
 */
/**
 * Policies, tags and source identity ride on an AssumeRole. A chain without one (a certificate or
 * Identity Center profile, a profile of keys) would hand out its session un-narrowed, and a
 * session source has its own duration: refuse, never drop silently.
 */
function refuseUnappliedNarrowing(chain: ResolvedChain, narrowing: ProfileNarrowing, durationSeconds: number | undefined): void {
  if (chain.hops.length > 0) return;
  const { extras } = narrowing;
  const sessionSource = chain.source.kind === "registered" && !chain.source.source.longTermKeys;
  const dropped = [
    extras.policy !== undefined || (extras.policyArns ?? []).length > 0
      ? "a session policy (--policy, --policy-arn, --scope, rolecred_policy*, rolecred_scopes)"
      : undefined,
    (extras.tags ?? []).length > 0 || (extras.transitiveTagKeys ?? []).length > 0 ? "session tags" : undefined,
    extras.sourceIdentity !== undefined ? "a source identity" : undefined,
    sessionSource && durationSeconds !== undefined ? "--duration (set duration_seconds in the profile)" : undefined,
  ].filter((item): item is string => item !== undefined);
  if (dropped.length === 0) return;
  throw new RolecredError(`profile "${chain.target}" assumes no role, so ${dropped.join(", ")} cannot apply to its session`, {
    exitCode: ExitCode.usage,
    hint: `narrow a profile with role_arn and source_profile = ${chain.target} instead`,
  });
}

/**
 * The link a chain starts from: keys from the file as they are, or a registered source. A source
 * that hands out sessions (a certificate, Identity Center) is cached like any session; one that
 * yields long-term keys (the keyring) is not: its keys are what the next link exchanges.
 */
function baseLink(chain: ResolvedChain, context: LinkContext, directory: string, refresh: boolean): Link {
  const { source } = chain;
  if (source.kind === "keys") return staticLink(source);
  const link = source.source.link(source, context);
  if (source.source.longTermKeys) return memoizedLink(link);
  return memoizedLink(cachedLink(link, `${source.profile} (${source.source.name})`, { directory, refresh }, context.deps));
}

function describeSource(source: ResolvedChain["source"]): string {
  if (source.kind === "keys") return `keys of ${source.profile}${source.sessionToken === undefined ? "" : " (temporary)"}`;
  return `${source.source.name} source of ${source.profile}: ${source.source.describe(source)}`;
}

function describeChain(chain: ResolvedChain): string {
  const steps = [describeSource(chain.source)];
  if (chain.sessionToken !== undefined)
    steps.push(`GetSessionToken${chain.sessionToken.mfaSerial === undefined ? "" : ` with MFA ${chain.sessionToken.mfaSerial}`}`);
  for (const hop of chain.hops)
    steps.push(
      `AssumeRole ${hop.roleArn}${hop.mfaSerial === undefined ? "" : " with MFA"}${hop.durationSeconds === undefined ? "" : ` for ${hop.durationSeconds}s`}`,
    );
  return steps.join(" → ");
}
