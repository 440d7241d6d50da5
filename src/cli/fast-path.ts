/**
 * `rolecred process PROFILE` and `rolecred env PROFILE [--shell SHELL]` answered straight from
 * the session cache: the paths a shell alias or an SDK's credential_process takes many times a
 * day. Only the modules needed to resolve the profile and read one cache file are loaded; not
 * commander, not the AWS SDK, not inquirer.
 *
 * `rolecred profiles` (`--names`, `--json`) is answered here too (see listProfiles).
 *
 * Anything out of the ordinary (another flag, --verbose, a narrowed profile, a cache miss, any
 * error) returns undefined, and the full command line handles it, including the error message.
 */
import type { Env } from "../deps.js";
import { cacheDirectory } from "../paths.js";
import { accountAliases, readAwsFiles } from "../profiles/aws-files.js";
import { renderProfiles, type ProfilesFormat } from "../output/profiles.js";
import { NARROWING_KEYS, resolveProfileChain } from "../profiles/resolve.js";
import { targetLinkKey } from "../credentials/link-keys.js";
import { readCachedSession } from "../store/session-cache.js";
import { renderProcessJson } from "../output/process-json.js";
import { renderExports, shellFromEnvironment, SHELLS, type Shell } from "../output/exports.js";
import { describeAssumed } from "../output/summary.js";
import { escapeControl } from "../log.js";
import { recordProfileUse } from "../store/recent-profiles.js";
import { deliveryRegion, isRegionCode } from "../profiles/delivery-region.js";

const PLAIN_PROFILE = /^[\w.@+=,-]+$/;

type FastRequest =
  | { readonly kind: "process"; readonly profile: string }
  /** `assume` (the shell function) also says what it switched to and notes the profile as used. */
  | { readonly kind: "env"; readonly profile: string; readonly shell: Shell; readonly assume: boolean };

/** What the fast path answers: stdout, and for `assume` the one line for stderr. */
export interface FastAnswer {
  readonly stdout: string;
  readonly stderr: string | undefined;
}

function fastRequest(args: readonly string[], env: Env): FastRequest | undefined {
  const [command, profile, ...rest] = args;
  if (profile === undefined || !PLAIN_PROFILE.test(profile) || profile.startsWith("-")) return undefined;
  if (command === "process" && rest.length === 0) return { kind: "process", profile };
  if (command !== "env" && command !== "assume") return undefined;
  const assume = command === "assume";
  if (rest.length === 0) return { kind: "env", profile, shell: shellFromEnvironment(env.SHELL), assume };
  const shell = rest.length === 2 && rest[0] === "--shell" ? rest[1] : rest.length === 1 ? /^--shell=(.+)$/.exec(rest[0] ?? "")?.[1] : undefined;
  return shell !== undefined && (SHELLS as readonly string[]).includes(shell) ? { kind: "env", profile, shell: shell as Shell, assume } : undefined;
}

/**
 * `rolecred profiles [--names | --json]` (shell completion runs `--names` on every TAB): the
 * listing needs only the two AWS files, which this bundle already reads. Any error goes to the
 * full command line, which says what is wrong.
 */
function listProfiles(format: ProfilesFormat, env: Env): Promise<FastAnswer | undefined> {
  return readAwsFiles(env).then(
    (files) => ({ stdout: renderProfiles(files, format), stderr: undefined }),
    () => undefined,
  );
}

const PROFILES_FORMATS: ReadonlyMap<string | undefined, ProfilesFormat> = new Map([
  [undefined, "table"],
  ["--names", "names"],
  ["--json", "json"],
]);

export async function serveFromCache(args: readonly string[], env: Env, now: Date, stdoutIsTerminal: boolean): Promise<FastAnswer | undefined> {
  const profilesFormat = args[0] === "profiles" && args.length <= 2 ? PROFILES_FORMATS.get(args[1]) : undefined;
  if (profilesFormat !== undefined) return listProfiles(profilesFormat, env);
  const request = fastRequest(args, env);
  if (request === undefined) return undefined;
  // Exports are never printed to a terminal by default: the full command line explains why.
  if (request.kind === "env" && stdoutIsTerminal) return undefined;
  try {
    const files = await readAwsFiles(env);
    const chain = resolveProfileChain(request.profile, files);
    // Session narrowing from rolecred_* keys (of the target or of any profile down its chain)
    // needs the policy modules to compute the cache key: full path.
    const narrowed = (settings: ReadonlyMap<string, string>) => NARROWING_KEYS.some((key) => settings.has(key));
    if (narrowed(chain.targetSettings) || chain.hops.some((hop) => narrowed(hop.settings))) return undefined;
    const directory = cacheDirectory(env);
    const { session } = await readCachedSession(directory, targetLinkKey(chain, {}), now);
    if (session === undefined) return undefined;
    if (request.kind === "process") return { stdout: renderProcessJson(session.credentials), stderr: undefined };
    // The region of this call (environment, then profile), not the one the session was made in.
    const region = deliveryRegion(undefined, env, chain.region);
    if (region !== undefined && !isRegionCode(region)) return undefined;
    const stdout = renderExports({ credentials: session.credentials, region, label: request.profile }, request.shell);
    if (!request.assume) return { stdout, stderr: undefined };
    recordProfileUse(directory, request.profile);
    // An account alias comes from the config file: outside text, escaped like every message.
    return { stdout, stderr: `${escapeControl(describeAssumed(request.profile, { ...session, region }, accountAliases(files), now), false)}\n` };
  } catch {
    return undefined;
  }
}
