/**
 * `rolecred process PROFILE` and `rolecred env PROFILE [--shell SHELL]` answered straight from
 * the session cache: the paths a shell alias or an SDK's credential_process takes many times a
 * day. Only the modules needed to resolve the profile and read one cache file are loaded; not
 * commander, not the AWS SDK, not inquirer.
 *
 * `rolecred profiles` (`--names`, `--json`) is answered here too (see listProfiles), and
 * `rolecred write PROFILE [--to NAME]` with a fresh cached session (fast-write.ts).
 *
 * Anything out of the ordinary (another flag, --verbose, a narrowed profile, a cache miss, any
 * error) returns undefined, and the full command line handles it, including the error message.
 */
import type { Env } from "../deps.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { accountAliases, readAwsFiles, type AwsFiles } from "../profiles/aws-files.js";
import type { ProfilesFormat } from "../output/profiles.js";
import { profilesListingText } from "../profiles/remembered-listing.js";
import { withRememberedSections, worthRemembering } from "../profiles/remembered-sections.js";
import { NARROWING_KEYS, resolveProfileChain, type ResolvedChain } from "../profiles/resolve.js";
import { targetLinkKey } from "../credentials/link-keys.js";
import { readCachedSession } from "../store/session-cache.js";
import { renderProcessJson } from "../output/process-json.js";
import { renderExports, shellFromEnvironment, SHELLS, type Shell } from "../output/exports.js";
import { describeAssumed } from "../output/summary.js";
import { escapeControl } from "../log.js";
import { recordProfileUse } from "../store/recent-profiles.js";
import { deliveryRegion, isRegionCode } from "../profiles/delivery-region.js";
import { precheckProfileWrites } from "../store/credentials-file.js";
import { resolveStsEndpoint } from "../sts/client.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";
import { writeFromCache, type FastWriteRequest } from "./fast-write.js";

const PLAIN_PROFILE = /^[\w.@+=,-]+$/;

type FastRequest =
  | { readonly kind: "process"; readonly profile: string }
  /** `assume` (the shell function) also says what it switched to and notes the profile as used. */
  | { readonly kind: "env"; readonly profile: string; readonly shell: Shell; readonly assume: boolean }
  | ({ readonly kind: "write" } & FastWriteRequest);

/** What the fast path answers: stdout, and for `assume` and `write` the last line for stderr. */
export interface FastAnswer {
  readonly stdout: string;
  readonly stderr: string | undefined;
  /** `write` refused under the lock (long-term keys put there since the precheck, a lock that never freed): its exit code. */
  readonly exitCode?: number;
}

/** `write PROFILE`, `write PROFILE --to NAME` or `--to=NAME`: any other flag needs the full command line. */
function writeRequest(profile: string, rest: readonly string[]): FastRequest | undefined {
  const to =
    rest.length === 0 ? profile : rest.length === 2 && rest[0] === "--to" ? rest[1] : rest.length === 1 ? /^--to=(.+)$/.exec(rest[0] ?? "")?.[1] : undefined;
  if (to === undefined || !PLAIN_PROFILE.test(to) || to.startsWith("-")) return undefined;
  return { kind: "write", profile, to };
}

function fastRequest(args: readonly string[], env: Env): FastRequest | undefined {
  const [command, profile, ...rest] = args;
  if (profile === undefined || !PLAIN_PROFILE.test(profile) || profile.startsWith("-")) return undefined;
  if (command === "process" && rest.length === 0) return { kind: "process", profile };
  if (command === "write") return writeRequest(profile, rest);
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
function listProfiles(format: ProfilesFormat, env: Env, now: Date): FastAnswer | undefined {
  try {
    return { stdout: profilesListingText(env, format, now), stderr: undefined };
  } catch {
    return undefined;
  }
}

const PROFILES_FORMATS: ReadonlyMap<string | undefined, ProfilesFormat> = new Map([
  [undefined, "table"],
  ["--names", "names"],
  ["--json", "json"],
]);

/**
 * The chain (and for `assume`, the account aliases) from the AWS files. `process`/`env`/`assume`
 * read only the sections remembered from an earlier run when both files are unchanged
 * (profiles/remembered-sections.ts), for files over a megabyte together; `write` has read the
 * credentials file for its precheck already and reads as before.
 */
async function resolveChain(
  request: FastRequest,
  env: Env,
  directory: string,
  now: Date,
): Promise<{ chain: ResolvedChain; aliases: ReadonlyMap<string, string> | undefined }> {
  const assume = request.kind === "env" && request.assume;
  const lookup = (files: AwsFiles) => ({ chain: resolveProfileChain(request.profile, files), aliases: assume ? accountAliases(files) : undefined });
  if (request.kind === "write" || !worthRemembering(env)) return lookup(await readAwsFiles(env));
  return withRememberedSections(env, directory, request.profile, now.getTime(), lookup).value;
}

/**
 * `writeErr`: lines `write` says before it ends (a warning, a lock wait), as they happen. Nothing
 * is written to stderr or to a file before the answer is certain, except by `write` once its
 * precheck passed and its session was found: then it answers itself, errors included.
 */
export async function serveFromCache(
  args: readonly string[],
  env: Env,
  now: Date,
  stdoutIsTerminal: boolean,
  writeErr: (text: string) => void = () => undefined,
): Promise<FastAnswer | undefined> {
  const profilesFormat = args[0] === "profiles" && args.length <= 2 ? PROFILES_FORMATS.get(args[1]) : undefined;
  if (profilesFormat !== undefined) return listProfiles(profilesFormat, env, now);
  if (args[0] === "status") return serveStatusLazily(args, env, now, stdoutIsTerminal);
  const request = fastRequest(args, env);
  if (request === undefined) return undefined;
  // Exports are never printed to a terminal by default: the full command line explains why.
  if (request.kind === "env" && stdoutIsTerminal) return undefined;
  try {
    // As the full path does, the write's checks come first: they read the credentials file, whose
    // bytes readAwsFiles then gets again without a second copy (bounded-read's kept bytes).
    if (request.kind === "write") await precheckProfileWrites(credentialsFilePath(env), [request.to], { force: false });
    const directory = cacheDirectory(env);
    const { chain, aliases } = await resolveChain(request, env, directory, now);
    // Session narrowing from rolecred_* keys (of the target or of any profile down its chain)
    // needs the policy modules to compute the cache key: full path.
    const narrowed = (settings: ReadonlyMap<string, string>) => NARROWING_KEYS.some((key) => settings.has(key));
    if (narrowed(chain.targetSettings) || chain.hops.some((hop) => narrowed(hop.settings))) return undefined;
    const { session } = await readCachedSession(directory, targetLinkKey(chain, {}), now);
    if (session === undefined) return undefined;
    // The full path settles the STS endpoint (a region, valid endpoint variables) before it
    // looks in the cache: without one it refuses, so nothing is served from the cache either.
    resolveStsEndpoint({ profile: chain.region }, env);
    if (request.kind === "write") {
      // A code in the environment is checked by the full path's options (a malformed one is
      // refused there, exit 2); whichever it is, the full path decides.
      if ((env[MFA_CODE_ENV] ?? "") !== "") return undefined;
      const written = await writeFromCache(request, credentialsFilePath(env), chain, session, now, writeErr, directory);
      return { stdout: "", stderr: written.stderr, exitCode: written.exitCode };
    }
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

/** Not bundled (a specifier esbuild does not follow): the warm path's bundle stays the size it was. */
const FAST_STATUS_MODULE = "./fast-status.js";
async function serveStatusLazily(args: readonly string[], env: Env, now: Date, stdoutIsTerminal: boolean): Promise<FastAnswer | undefined> {
  const fast = (await import(FAST_STATUS_MODULE)) as typeof import("./fast-status.js");
  return fast.serveStatus(args, env, now, stdoutIsTerminal);
}
