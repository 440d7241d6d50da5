/**
 * Where the AWS files and rolecred's own cache live, resolved the way the AWS SDKs do it so that
 * rolecred writes exactly the file the SDK and the AWS CLI read.
 */
import { homedir } from "./lazy-builtins.js"; // not node:os: see there
import { join } from "node:path";
import type { Env } from "./deps.js";

/**
 * The home directory as the AWS SDK for JavaScript resolves it: HOME, then USERPROFILE, then
 * HOMEDRIVE+HOMEPATH, then the OS answer. Matching the SDK here is what keeps a Windows user's
 * profile where the SDK looks for it.
 */
export function homeDirectory(env: Env): string {
  if (env.HOME) return env.HOME;
  if (env.USERPROFILE) return env.USERPROFILE;
  if (env.HOMEPATH) return `${env.HOMEDRIVE ?? "C:"}${env.HOMEPATH}`;
  return homedir();
}

/** `~/` at the start of a path from the environment, expanded as the SDK does. */
function expandHome(path: string, env: Env): string {
  return path.startsWith("~/") ? join(homeDirectory(env), path.slice(2)) : path;
}

/** AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
export function credentialsFilePath(env: Env): string {
  const fromEnv = env.AWS_SHARED_CREDENTIALS_FILE;
  return fromEnv ? expandHome(fromEnv, env) : join(homeDirectory(env), ".aws", "credentials");
}

/** AWS_CONFIG_FILE, else ~/.aws/config. */
export function configFilePath(env: Env): string {
  const fromEnv = env.AWS_CONFIG_FILE;
  return fromEnv ? expandHome(fromEnv, env) : join(homeDirectory(env), ".aws", "config");
}

/** ROLECRED_CACHE_DIR, else $XDG_CACHE_HOME/rolecred, else ~/.cache/rolecred. */
export function cacheDirectory(env: Env): string {
  if (env.ROLECRED_CACHE_DIR) return expandHome(env.ROLECRED_CACHE_DIR, env);
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, "rolecred");
  return join(homeDirectory(env), ".cache", "rolecred");
}
