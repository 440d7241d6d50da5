/**
 * `rolecred process PROFILE` and `rolecred env|assume PROFILE [--shell SHELL]` answered straight
 * from the session cache: the paths a shell alias or an SDK's credential_process takes many times
 * a day. This module and what it imports are the whole of the warm bundle
 * (dist/src/cli/main-warm.cjs, built from main-warm.ts), which bin/rolecred loads for these three
 * commands: less than half of main.cjs, whose write, `profiles` listing and their modules a warm
 * `process` would otherwise read, deserialize from the code cache and set up on every call.
 * fast-path.ts (the main bundle) answers the same requests through here.
 *
 * Anything out of the ordinary (another flag, --verbose, a narrowed profile, a cache miss, any
 * error) returns undefined, and the full command line handles it, including the error message.
 */
import type { Env } from "../deps.js";
import { cacheDirectory } from "../paths.js";
import { accountAliases, readAwsFiles, type AwsFiles } from "../profiles/aws-files.js";
import { withRememberedSections, worthRemembering } from "../profiles/remembered-sections.js";
import { NARROWING_KEYS, resolveProfileChain, type ResolvedChain } from "../profiles/resolve.js";
import { targetLinkKey } from "../credentials/link-keys.js";
import { readCachedSession, type CachedSession } from "../store/session-cache.js";
import { renderProcessJson } from "../output/process-json.js";
import { renderExports, shellFromEnvironment, SHELLS, type Shell } from "../output/exports.js";
import { describeAssumed } from "../output/summary.js";
import { escapeControl } from "../log.js";
import { recordProfileUse } from "../store/recent-profiles.js";
import { deliveryRegion, isRegionCode } from "../profiles/delivery-region.js";
import { resolveStsEndpoint } from "../sts/client.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";

export const PLAIN_PROFILE = /^[\w.@+=,-]+$/;

/** What the fast path answers: stdout, and for `assume` and `write` the last line for stderr. */
export interface FastAnswer {
  /** Text, or bytes (a remembered `profiles` listing, written as read). */
  readonly stdout: string | Uint8Array;
  readonly stderr: string | undefined;
  /** `write` refused under the lock (long-term keys put there since the precheck, a lock that never freed): its exit code. */
  readonly exitCode?: number;
}

type WarmRequest =
  | { readonly kind: "process"; readonly profile: string }
  /** `assume` (the shell function) also says what it switched to and notes the profile as used. */
  | { readonly kind: "env"; readonly profile: string; readonly shell: Shell; readonly assume: boolean };

function warmRequest(args: readonly string[], env: Env): WarmRequest | undefined {
  const [command, profile, ...rest] = args;
  if (profile === undefined || !PLAIN_PROFILE.test(profile) || profile.startsWith("-")) return undefined;
  if (command === "process" && rest.length === 0) return { kind: "process", profile };
  if (command !== "env" && command !== "assume") return undefined;
  const assume = command === "assume";
  if (rest.length === 0) return { kind: "env", profile, shell: shellFromEnvironment(env.SHELL), assume };
  const shell = rest.length === 2 && rest[0] === "--shell" ? rest[1] : rest.length === 1 ? /^--shell=(.+)$/.exec(rest[0] ?? "")?.[1] : undefined;
  return shell !== undefined && (SHELLS as readonly string[]).includes(shell) ? { kind: "env", profile, shell: shell as Shell, assume } : undefined;
}

/** A chain's cached session, as the full path would find it; undefined where the full path must decide. */
export interface WarmSession {
  readonly chain: ResolvedChain;
  readonly aliases: ReadonlyMap<string, string> | undefined;
  readonly session: CachedSession;
}

/**
 * The chain of `profile` (and with `aliases`, the account aliases), its cached session, and the
 * full path's checks that come before a cache lookup. `readFiles` given (`write`, which has read
 * the credentials file for its precheck): the files as it reads them; else only the sections
 * remembered from an earlier run when both files are unchanged (profiles/remembered-sections.ts),
 * for files over a megabyte together.
 */
export async function findWarmSession(
  profile: string,
  env: Env,
  directory: string,
  now: Date,
  options: { readonly aliases: boolean; readonly readFiles?: (env: Env) => Promise<AwsFiles> },
): Promise<WarmSession | undefined> {
  const lookup = (files: AwsFiles) => ({ chain: resolveProfileChain(profile, files), aliases: options.aliases ? accountAliases(files) : undefined });
  const { chain, aliases } =
    options.readFiles !== undefined || !worthRemembering(env)
      ? lookup(await (options.readFiles ?? readAwsFiles)(env))
      : withRememberedSections(env, directory, profile, now.getTime(), lookup).value;
  // Session narrowing from rolecred_* keys (of the target or of any profile down its chain)
  // needs the policy modules to compute the cache key: full path.
  const narrowed = (settings: ReadonlyMap<string, string>) => NARROWING_KEYS.some((key) => settings.has(key));
  if (narrowed(chain.targetSettings) || chain.hops.some((hop) => narrowed(hop.settings))) return undefined;
  const { session } = await readCachedSession(directory, targetLinkKey(chain, {}), now);
  if (session === undefined) return undefined;
  // The full path settles the STS endpoint (a region, valid endpoint variables) before it
  // looks in the cache: without one it refuses, so nothing is served from the cache either.
  resolveStsEndpoint({ profile: chain.region }, env);
  return { chain, aliases, session };
}

/**
 * `process`, `env` and `assume` from the cache, or undefined. Nothing is written to stderr or to a
 * file before the answer is certain.
 */
export async function serveWarm(
  args: readonly string[],
  env: Env,
  now: Date,
  /** Asked only where it matters (`env`): the answer can cost a load of node:tty. */
  stdoutIsTerminal: () => Promise<boolean>,
): Promise<FastAnswer | undefined> {
  const request = warmRequest(args, env);
  if (request === undefined) return undefined;
  // Exports are never printed to a terminal by default: the full command line explains why.
  if (request.kind === "env" && (await stdoutIsTerminal())) return undefined;
  try {
    const directory = cacheDirectory(env);
    const assume = request.kind === "env" && request.assume;
    const found = await findWarmSession(request.profile, env, directory, now, { aliases: assume });
    if (found === undefined) return undefined;
    const { session, chain, aliases } = found;
    // A malformed ROLECRED_MFA_TOKEN: the full path's options refuse it (exit 2) before any
    // session is looked up, even one that needs no code. The same check throws here, and the
    // catch below leaves the run to the full path, which says why.
    mfaCodeInput(undefined, env[MFA_CODE_ENV]);
    if (request.kind === "process") return { stdout: renderProcessJson(session.credentials), stderr: undefined };
    // The region of this call (environment, then profile), not the one the session was made in.
    const region = deliveryRegion(undefined, env, chain.region);
    if (region !== undefined && !isRegionCode(region)) return undefined;
    const stdout = renderExports({ credentials: session.credentials, region, label: request.profile }, request.shell);
    if (!request.assume) return { stdout, stderr: undefined };
    recordProfileUse(directory, request.profile);
    // An account alias comes from the config file: outside text, escaped like every message.
    return { stdout, stderr: `${escapeControl(describeAssumed(request.profile, { ...session, region }, aliases ?? new Map(), now), false)}\n` };
  } catch {
    return undefined;
  }
}
