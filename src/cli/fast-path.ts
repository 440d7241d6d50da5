/**
 * The bundled fast path of the main bundle (dist/src/cli/main.cjs): `process`/`env`/`assume`
 * (warm-path.ts, which is also the whole of the warm bundle bin/rolecred loads for those three),
 * `rolecred profiles` (`--names`, `--json`; see listProfiles), `rolecred write PROFILE [--to NAME]`
 * with a fresh cached session (fast-write.ts) and `status` (fast-status.ts, loaded when asked).
 * Only the modules needed are loaded; not commander, not the AWS SDK, not inquirer.
 *
 * Anything out of the ordinary (another flag, --verbose, a narrowed profile, a cache miss, any
 * error) returns undefined, and the full command line handles it, including the error message.
 */
import type { Env } from "../deps.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { readAwsFiles } from "../profiles/aws-files.js";
import type { ProfilesFormat } from "../output/profiles.js";
import { profilesListingBytes } from "../profiles/remembered-listing.js";
import { precheckProfileWrites } from "../store/credentials-file.js";
import { MFA_CODE_ENV } from "../mfa/code.js";
import { writeFromCache, type FastWriteRequest } from "./fast-write.js";
import { findWarmSession, PLAIN_PROFILE, serveWarm, type FastAnswer } from "./warm-path.js";

/** `write PROFILE`, `write PROFILE --to NAME` or `--to=NAME`: any other flag needs the full command line. */
function writeRequest(args: readonly string[]): FastWriteRequest | undefined {
  const [command, profile, ...rest] = args;
  if (command !== "write" || profile === undefined || !PLAIN_PROFILE.test(profile) || profile.startsWith("-")) return undefined;
  const to =
    rest.length === 0 ? profile : rest.length === 2 && rest[0] === "--to" ? rest[1] : rest.length === 1 ? /^--to=(.+)$/.exec(rest[0] ?? "")?.[1] : undefined;
  if (to === undefined || !PLAIN_PROFILE.test(to) || to.startsWith("-")) return undefined;
  return { profile, to };
}

/**
 * `rolecred profiles [--names | --json]` (shell completion runs `--names` on every TAB): the
 * listing needs only the two AWS files, which this bundle already reads. Any error goes to the
 * full command line, which says what is wrong.
 */
function listProfiles(format: ProfilesFormat, env: Env, now: Date): FastAnswer | undefined {
  try {
    return { stdout: profilesListingBytes(env, format, now), stderr: undefined };
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
 * `writeErr`: lines `write` says before it ends (a warning, a lock wait), as they happen. Nothing
 * is written to stderr or to a file before the answer is certain, except by `write` once its
 * precheck passed and its session was found: then it answers itself, errors included.
 */
export async function serveFromCache(
  args: readonly string[],
  env: Env,
  now: Date,
  /** Asked only where it matters (`env`, `status`): the answer can cost a load of node:tty. */
  stdoutIsTerminal: () => Promise<boolean>,
  writeErr: (text: string) => void = () => undefined,
): Promise<FastAnswer | undefined> {
  const profilesFormat = args[0] === "profiles" && args.length <= 2 ? PROFILES_FORMATS.get(args[1]) : undefined;
  if (profilesFormat !== undefined) return listProfiles(profilesFormat, env, now);
  if (args[0] === "status") return serveStatusLazily(args, env, now, await stdoutIsTerminal());
  const request = writeRequest(args);
  if (request === undefined) return serveWarm(args, env, now, stdoutIsTerminal);
  try {
    // As the full path does, the write's checks come first: they read the credentials file, whose
    // bytes readAwsFiles then gets again without a second copy (bounded-read's kept bytes).
    await precheckProfileWrites(credentialsFilePath(env), [request.to], { force: false, cacheDirectory: cacheDirectory(env) });
    const directory = cacheDirectory(env);
    const found = await findWarmSession(request.profile, env, directory, now, { aliases: false, readFiles: readAwsFiles });
    if (found === undefined) return undefined;
    // A code in the environment is checked by the full path's options (a malformed one is
    // refused there, exit 2); whichever it is, the full path decides.
    if ((env[MFA_CODE_ENV] ?? "") !== "") return undefined;
    const written = await writeFromCache(request, credentialsFilePath(env), found.chain, found.session, now, writeErr, directory);
    return { stdout: "", stderr: written.stderr, exitCode: written.exitCode };
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
