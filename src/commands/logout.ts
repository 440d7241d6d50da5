/**
 * `rolecred logout [PROFILE | --all]`: forget temporary sessions, in the cache and in the
 * credentials file. Only what rolecred wrote is touched (the managed marker), never long-term keys.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { listCachedSessions, removeCacheFile } from "../store/session-cache.js";
import { removeManagedProfiles } from "../store/credentials-file.js";

export interface LogoutOptions {
  /** undefined with `all`: everything rolecred holds. */
  readonly profile: string | undefined;
  readonly all: boolean;
  /** Also remove sections rolecred marked as its own that now hold long-term keys. */
  readonly force?: boolean | undefined;
}

export async function runLogout(options: LogoutOptions, deps: Deps): Promise<Outcome> {
  const matches = (profile: string) => options.all || profile === options.profile;
  const cached = (await listCachedSessions(cacheDirectory(deps.env))).filter(({ session }) => matches(session.profile));
  for (const { file } of cached) await removeCacheFile(file);
  const path = credentialsFilePath(deps.env);
  const { removed, kept } = await removeManagedProfiles(path, (profile) => matches(profile.profile), {
    force: options.force === true,
    onLockWait: (message) => deps.log.info(message),
  });
  for (const profile of kept) deps.log.warn(`kept [${profile}] in ${path}: it holds long-term access keys (pass --force to remove it)`);
  const what = [
    `${cached.length} cached session${cached.length === 1 ? "" : "s"}`,
    removed.length === 0 ? undefined : `${removed.map((profile) => `[${profile}]`).join(", ")} from ${path}`,
  ].filter((part) => part !== undefined);
  deps.log.info(`removed ${what.join(" and ")}`);
  return SUCCESS;
}
