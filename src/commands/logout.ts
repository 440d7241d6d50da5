/**
 * `rolecred logout [PROFILE | --all]`: forget temporary sessions, in the cache and in the
 * credentials file. Only what rolecred wrote is touched (the managed marker), never long-term keys.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../cli/command.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { listCachedSessions, removeCacheFile } from "../store/session-cache.js";
import { removeManagedProfiles } from "../store/credentials-file.js";

export interface LogoutOptions {
  /** undefined with `all`: everything rolecred holds. */
  readonly profile: string | undefined;
  readonly all: boolean;
}

export async function runLogout(options: LogoutOptions, deps: Deps): Promise<Outcome> {
  const matches = (profile: string) => options.all || profile === options.profile;
  const cached = (await listCachedSessions(cacheDirectory(deps.env))).filter(({ session }) => matches(session.profile));
  for (const { file } of cached) await removeCacheFile(file);
  const path = credentialsFilePath(deps.env);
  const removed = await removeManagedProfiles(path, (profile) => matches(profile.profile));
  const what = [
    `${cached.length} cached session${cached.length === 1 ? "" : "s"}`,
    removed.length === 0 ? undefined : `${removed.map((profile) => `[${profile}]`).join(", ")} from ${path}`,
  ].filter((part) => part !== undefined);
  deps.log.info(`removed ${what.join(" and ")}`);
  return SUCCESS;
}
