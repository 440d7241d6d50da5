/**
 * The shared credentials file (~/.aws/credentials): rolecred's only writer of it.
 *
 * Every write takes the lock, re-reads the file under it, changes only the sections it means to,
 * and replaces the file atomically at mode 0600. A file that cannot be parsed is never written,
 * and a section that holds the user's own long-term keys is never overwritten without --force.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { ExitCode, errnoCode, RolecredError } from "../errors.js";
import type { TemporaryCredentials } from "../credentials/types.js";
import { IniDocument, IniSyntaxError } from "./ini-document.js";
import { resolveWriteTarget, writeFileAtomic } from "./atomic-write.js";
import { withFileLock } from "./lock.js";

/** Marks a section as rolecred's: safe to overwrite on refresh and to delete on logout. */
export const MANAGED_MARKER_KEY = "x_rolecred_managed";
/** The expiry key saml2aws and gimme-aws-creds also write, so other tools can read it. */
export const EXPIRY_KEY = "x_security_token_expires";
export const ROLE_ARN_KEY = "x_rolecred_role_arn";
export const SESSION_ARN_KEY = "x_rolecred_session_arn";
export const SOURCE_IDENTITY_KEY = "x_rolecred_source_identity";

/**
 * Keys a refresh must not leave behind. `aws_security_token` matters most: botocore (the AWS CLI)
 * prefers it over aws_session_token, so a stale one left by another tool would shadow the new
 * session.
 */
const REPLACED_KEYS = new Set([
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_security_token",
  EXPIRY_KEY,
  MANAGED_MARKER_KEY,
  ROLE_ARN_KEY,
  SESSION_ARN_KEY,
  SOURCE_IDENTITY_KEY,
]);

/** What a profile section records: the credentials, and who they act as when known. */
export interface WritableSession {
  readonly credentials: TemporaryCredentials;
  readonly roleArn?: string | undefined;
  readonly assumedRoleArn?: string | undefined;
  readonly sourceIdentity?: string | undefined;
}

export interface ProfileWrite {
  readonly profile: string;
  readonly session: WritableSession;
}

export interface WriteOptions {
  /** Overwrite a section that holds long-term keys (the user's own). */
  readonly force: boolean;
}

/** A section rolecred wrote, as `status` and `logout` see it. */
export interface ManagedProfile {
  readonly profile: string;
  readonly roleArn: string | undefined;
  readonly sessionArn: string | undefined;
  readonly expiration: Date | undefined;
  readonly sourceIdentity: string | undefined;
}

/** Read and parse; a missing file is an empty document, an unparseable one an error naming the line. */
async function loadDocument(path: string): Promise<IniDocument> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return IniDocument.empty();
    throw new RolecredError(`cannot read ${path}: ${errnoCode(error) ?? String(error)}`, { exitCode: ExitCode.badInput, cause: error });
  }
  try {
    return IniDocument.parse(text);
  } catch (error) {
    if (error instanceof IniSyntaxError) {
      throw new RolecredError(`cannot parse ${path}, ${error.message}`, {
        exitCode: ExitCode.badInput,
        hint: "fix that line; rolecred has left the file untouched",
        cause: error,
      });
    }
    throw error;
  }
}

/** True when the section holds keys rolecred did not write and that are not temporary. */
export function holdsLongTermKeys(section: ReadonlyMap<string, string>): boolean {
  if (section.get(MANAGED_MARKER_KEY) === "true") return false;
  if (!section.has("aws_access_key_id")) return false;
  return !section.has("aws_session_token") && !section.has("aws_security_token");
}

function sessionEntries(session: WritableSession): Array<[string, string]> {
  const { credentials } = session;
  const optional: Array<[string, string | undefined]> = [
    [ROLE_ARN_KEY, session.roleArn],
    [SESSION_ARN_KEY, session.assumedRoleArn],
    [SOURCE_IDENTITY_KEY, session.sourceIdentity],
  ];
  return [
    ["aws_access_key_id", credentials.accessKeyId],
    ["aws_secret_access_key", credentials.secretAccessKey],
    ["aws_session_token", credentials.sessionToken],
    [EXPIRY_KEY, credentials.expiration.toISOString()],
    [MANAGED_MARKER_KEY, "true"],
    ...optional.filter((entry): entry is [string, string] => entry[1] !== undefined),
  ];
}

/** Change the file under its lock: read, let `edit` change the document, write back if it did. */
async function editCredentialsFile<T>(path: string, edit: (document: IniDocument) => { result: T; changed: boolean }): Promise<T> {
  const target = await resolveWriteTarget(path);
  await ensureDirectory(target);
  return withFileLock(target, async () => {
    const document = await loadDocument(target);
    const { result, changed } = edit(document);
    if (changed) await writeFileAtomic(target, document.toString(), { mode: 0o600, directoryMode: 0o700 });
    return result;
  });
}

/** ~/.aws may not exist yet: create it private, as the AWS CLI does. */
async function ensureDirectory(target: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true, mode: 0o700 });
}

/**
 * Write one or more role sessions as profiles, all in one locked write: either every profile is
 * written or (a guard refused one) none is.
 */
export async function writeProfiles(path: string, writes: readonly ProfileWrite[], options: WriteOptions): Promise<void> {
  await editCredentialsFile(path, (document) => {
    assertWritable(document, path, writes.map((write) => write.profile), options);
    for (const { profile, session } of writes) document.upsertSection(profile, sessionEntries(session), REPLACED_KEYS);
    return { result: undefined, changed: writes.length > 0 };
  });
}

function assertWritable(document: IniDocument, path: string, profiles: readonly string[], options: WriteOptions): void {
  for (const profile of profiles) {
    const existing = document.section(profile);
    if (existing !== undefined && !options.force && holdsLongTermKeys(existing)) {
      throw new RolecredError(`profile [${profile}] in ${path} holds long-term access keys; rolecred will not overwrite them`, {
        hint: "choose another --profile name, or pass --force to replace those keys",
      });
    }
  }
}

/**
 * The write's checks, without writing: run before an MFA code or an assertion is spent, so a
 * refused write does not cost the user a login. The write repeats them under the lock.
 */
export async function precheckProfileWrites(path: string, profiles: readonly string[], options: WriteOptions): Promise<void> {
  assertWritable(await loadDocument(await resolveWriteTarget(path)), path, profiles, options);
}

/** Remove rolecred's sections (never others); returns the profiles removed. */
export async function removeManagedProfiles(path: string, select: (profile: ManagedProfile) => boolean): Promise<string[]> {
  // Nothing to remove (or no file at all): no lock, no write, no ~/.aws created.
  if (!(await readManagedProfiles(path)).some(select)) return [];
  return editCredentialsFile(path, (document) => {
    const removed = managedProfilesOf(document)
      .filter(select)
      .map((profile) => profile.profile);
    for (const profile of removed) document.removeSection(profile);
    return { result: removed, changed: removed.length > 0 };
  });
}

function managedProfilesOf(document: IniDocument): ManagedProfile[] {
  const profiles: ManagedProfile[] = [];
  for (const name of document.sectionNames()) {
    const section = document.section(name);
    if (section?.get(MANAGED_MARKER_KEY) !== "true") continue;
    const expires = section.get(EXPIRY_KEY);
    const expiration = expires === undefined ? undefined : new Date(expires);
    profiles.push({
      profile: name,
      roleArn: section.get(ROLE_ARN_KEY),
      sessionArn: section.get(SESSION_ARN_KEY),
      expiration: expiration !== undefined && !Number.isNaN(expiration.getTime()) ? expiration : undefined,
      sourceIdentity: section.get(SOURCE_IDENTITY_KEY),
    });
  }
  return profiles;
}

/** The sections rolecred manages, read without the lock (a read never needs one: writes are atomic). */
export async function readManagedProfiles(path: string): Promise<ManagedProfile[]> {
  return managedProfilesOf(await loadDocument(path));
}

/**
 * `rolecred keys import`: every section holding exactly these long-term keys gets `reference`
 * (e.g. `rolecred_keys = jo`) in place of its key lines; its other lines and comments, and the
 * rest of the file, stay. Returns the sections changed. Refuses (changing nothing) when the
 * section `profile` no longer holds `accessKeyId` once the lock is held.
 */
export async function replaceLongTermKeys(path: string, profile: string, accessKeyId: string, reference: readonly [string, string]): Promise<string[]> {
  return editCredentialsFile(path, (document) => {
    if (document.section(profile)?.get("aws_access_key_id") !== accessKeyId) {
      throw new RolecredError(`[${profile}] in ${path} changed while its keys were being moved; the file was left as it is`, { exitCode: ExitCode.badInput });
    }
    const holding = document.sectionNames().filter((name) => {
      const section = document.section(name);
      return section !== undefined && holdsLongTermKeys(section) && section.get("aws_access_key_id") === accessKeyId;
    });
    for (const name of holding) document.upsertSection(name, [reference], new Set(["aws_access_key_id", "aws_secret_access_key"]));
    return { result: holding, changed: holding.length > 0 };
  });
}
