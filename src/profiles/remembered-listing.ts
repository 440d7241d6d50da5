/**
 * The last `rolecred profiles` listing, remembered in the cache folder with the identity of both
 * AWS files (device, inode, size, modification and change times: file-identity.ts). Shell
 * completion runs `profiles --names` on every TAB, against files that rarely change: while both
 * are what they were, the listing is the remembered text, without reading 10 MB of sessions
 * (docs/bench.md, issue 16). Any change to either file (an edit, a `write`, a new file renamed
 * in) changes its identity, and the listing is read from the files again.
 *
 * A listing is remembered only when neither file changed within the last second (a change within
 * the same timestamp tick could go unseen: file-identity.ts settledLongEnough). Nothing here is secret (names, role ARNs, MFA device ARNs, regions;
 * the folder is 0700, the file 0600), and nothing it fails at stops the listing.
 */
import { statSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../deps.js";
import { cacheDirectory, configFilePath, credentialsFilePath } from "../paths.js";
import { BoundedReadError, READ_LIMITS, readRegularFileSync } from "../store/bounded-read.js";
import { identityOfStats, settledLongEnough, type FileIdentity } from "../store/file-identity.js";
import { replaceSmallFileSync } from "../store/ownership.js";
import { renderProfiles, settingsShownBy, type ProfilesFormat } from "../output/profiles.js";
import { readProfileListing } from "./aws-files.js";

/**
 * The `profiles` listing in `format`: the remembered text while both files are unchanged, else
 * read from them (src/store/section-settings.ts) and remembered.
 */
export function profilesListingText(env: Env, format: ProfilesFormat, now: Date): string {
  const remembered = rememberedListing(env, format, now);
  if (remembered.text !== undefined) return remembered.text.toString("utf8");
  const text = renderProfiles(readProfileListing(env, settingsShownBy(format)), format);
  remembered.remember(text);
  return text;
}

/**
 * What the remembered text was rendered by. Raise it with any change to what `profiles` prints
 * (src/output/profiles.ts): a listing remembered by an older rolecred must not be shown.
 * test/profiles/remembered-listing.test.ts pins what this version prints, and fails on a change.
 */
export const LISTING_VERSION = 1;

/** A file's identity as the record's key: "absent" for a missing file, undefined for one that is not a regular file (the read refuses it). */
function identityKey(path: string): { readonly key: string; readonly identity: FileIdentity | undefined } | undefined {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (stats === undefined) return { key: "absent", identity: undefined };
  if (!stats.isFile()) return undefined;
  const identity = identityOfStats(stats);
  return { key: `${identity.dev}:${identity.ino}:${identity.size}:${identity.mtimeNs}:${identity.ctimeNs}`, identity };
}

export interface RememberedListing {
  /** The remembered text when both files are what they were when it was remembered. */
  readonly text: Buffer | undefined;
  /** Remember `text`, read from the files as they were before this run read them. */
  remember(text: string): void;
}

/**
 * The record for `format` (names, table, json), looked up by a `stat` of each file (taken before
 * the files are read, so a change while they are read is seen next time).
 */
export function rememberedListing(env: Env, format: ProfilesFormat, now: Date): RememberedListing {
  const paths = [configFilePath(env), credentialsFilePath(env)];
  let identities: Array<ReturnType<typeof identityKey>>;
  try {
    identities = paths.map(identityKey);
  } catch {
    identities = [undefined];
  }
  const regular = identities.every((found) => found !== undefined);
  if (!regular) return { text: undefined, remember: () => undefined };
  // One line, as JSON: a path with a line break in it cannot make two keys look alike.
  const header = `${JSON.stringify(["rolecred profiles", LISTING_VERSION, format, ...paths, ...identities.map((found) => found?.key)])}\n`;
  const directory = cacheDirectory(env);
  const path = join(directory, `profiles-${format}.listing`);
  return {
    text: rememberedText(path, header),
    remember(text) {
      const settled = identities.every((found) => found?.identity === undefined || settledLongEnough(found.identity, now.getTime()));
      if (settled) writeRecord(directory, path, header + text);
    },
  };
}

function rememberedText(path: string, header: string): Buffer | undefined {
  let record: Buffer;
  try {
    record = readRegularFileSync(path, { what: "the remembered profile listing", maxBytes: READ_LIMITS.awsFile });
  } catch (error) {
    if (error instanceof BoundedReadError) return undefined;
    throw error;
  }
  const expected = Buffer.from(header);
  return record.length >= expected.length && record.compare(expected, 0, expected.length, 0, expected.length) === 0
    ? record.subarray(expected.length)
    : undefined;
}

/** Written beside the last record and renamed over it: a listing running at the same time reads one or the other, whole. A read-only cache folder: the listing is simply not remembered. */
function writeRecord(directory: string, path: string, contents: string): void {
  replaceSmallFileSync(directory, path, contents);
}
