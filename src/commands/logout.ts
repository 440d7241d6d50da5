/**
 * `rolecred logout [PROFILE | --all]`: forget temporary sessions, in the cache and in the
 * credentials file. Only what rolecred wrote is touched (the managed marker), never long-term keys.
 *
 * `--all` also removes the records rolecred keeps beside the sessions in the cache folder (the
 * status index and memo, the remembered `profiles` listings, chain-sections.json, temporaries of
 * killed runs): none holds a secret, but "log out of everything" should leave nothing that
 * describes sessions or profiles behind. A logout of one profile leaves them: each is checked
 * against the files it describes before it is used (the status index against the cache folder's
 * identity, which removing a session changes; the listings and chain sections against both AWS
 * files' identities), so what it says of the removed session is never shown. The recent-profiles
 * file (the `assume` picker's order: profile names, no session) stays in both cases.
 */
import { readdirSync, rmdirSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { listCachedSessions, removeCacheFile } from "../store/session-cache.js";
import { removeManagedProfiles } from "../store/credentials-file.js";
import { removeStaleTemporariesSync, TEMPORARY_FOLDER } from "../store/ownership.js";
import { SESSION_INDEX_FILE, statusIndexFolder } from "../store/session-index.js";
import { WRITTEN_SESSIONS_MEMO_FILE } from "../store/written-sessions.js";
import { CHAIN_RECORD_FILE } from "../profiles/remembered-sections.js";
import { isListingRecordName } from "../profiles/remembered-listing.js";
import { SCAN_RECORD_NAME } from "../store/remembered-scan.js";

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
  if (options.all) forgetCacheRecords(cacheDirectory(deps.env), deps.now().getTime());
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

/**
 * What killed writes leave in the cache folder itself and in status-index/: atomic-write.ts's
 * `.NAME.rolecred-PID-RANDOM.tmp` beside a session file (its credentials, a secret) or the index,
 * and the records' `NAME.PID.tmp` of rolecred before the records had a temporary folder.
 */
const LEFT_BY_WRITES =
  /^(?:\.(?:[0-9a-f]{16}\.json|sessions-index\.json|credentials-sessions\.json)\.rolecred-(\d+)-[a-z0-9]*|(?:chain-sections\.json|profiles-[a-z]+\.listing|recent-profiles)\.(\d+))\.tmp$/;
/** The writer's pid of a {@link LEFT_BY_WRITES} name, whichever form it has. */
function writerOfLeftover(name: string): number | undefined {
  const found = LEFT_BY_WRITES.exec(name);
  const pid = found?.[1] ?? found?.[2];
  return pid === undefined ? undefined : Number(pid);
}

/**
 * Remove rolecred's records from the cache folder `directory`, by their names only (a cache
 * folder set to a shared place keeps everything else), and their folders once empty. A
 * temporary a live run is writing right now is left to it (ownership.ts).
 */
function forgetCacheRecords(directory: string, nowMs: number): void {
  const index = statusIndexFolder(directory);
  const temporaries = join(directory, TEMPORARY_FOLDER);
  let names: string[] = [];
  try {
    names = readdirSync(directory);
  } catch {
    return; // no cache folder: nothing recorded
  }
  const records = names.filter((name) => name === CHAIN_RECORD_FILE || name === SESSION_INDEX_FILE || isListingRecordName(name) || SCAN_RECORD_NAME.test(name));
  for (const path of [...records.map((name) => join(directory, name)), join(index, SESSION_INDEX_FILE), join(index, WRITTEN_SESSIONS_MEMO_FILE)]) {
    removeQuietly(() => unlinkSync(path));
  }
  removeStaleTemporariesSync(temporaries, nowMs);
  removeStaleTemporariesSync(directory, nowMs, writerOfLeftover);
  removeStaleTemporariesSync(index, nowMs, writerOfLeftover);
  for (const folder of [index, temporaries]) removeQuietly(() => rmdirSync(folder));
}

/**
 * Gone already, or not empty (a write landed meanwhile, a live run's temporary), or not
 * removable: left as it is. Never a reason to fail the logout: no record holds a secret, and
 * every reader checks a record before it uses it.
 */
function removeQuietly(remove: () => void): void {
  try {
    remove();
  } catch {
    // left as it is
  }
}
