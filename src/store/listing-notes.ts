/**
 * Notes a write of the credentials file leaves for `rolecred profiles` (src/profiles/remembered-listing.ts):
 * "the file that had identity FROM now has identity TO, and these sections changed, to these
 * keys". The listing remembers each file's part (its sections' shown settings) by the file's
 * identity; after rolecred's own write it applies the notes from the identity it remembered to
 * the file's identity now, instead of reading 10 MB of sessions again (docs/bench-history.md, issue 16).
 * Any gap in the chain (a write that left no note, an edit by another program) and the file is
 * read again.
 *
 * The write pays one `open` when nobody lists profiles (no notes file: nothing is written) and one
 * appended line otherwise. A note holds section names, key names and the values of
 * {@link LISTED_VALUE_KEYS} only: never a secret (a session token, a secret key).
 *
 * The notes file lives in the cache folder, 0600; it is appended to under the credentials file's
 * lock, so the notes of one file are in the order of its writes. A line is written with one
 * `write` after the rename succeeded: a write whose rename did not happen leaves no note, and a
 * reader that sees half a line (a write in progress) ignores it. A note is as good as the identity
 * it names: another program's in-place edit within the same timestamp tick as the rename, keeping
 * the size, would go unseen, the same limit every identity check has (file-identity.ts).
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { FileIdentity } from "./file-identity.js";

/** The keys whose values `profiles` shows (src/output/profiles.ts SHOWN_SETTINGS' "value" keys; a test checks they agree). */
export const LISTED_VALUE_KEYS: readonly string[] = ["role_arn", "source_profile", "mfa_serial", "region", "x_rolecred_managed"];

/** The notes file in the cache folder; the listing creates it when it remembers the credentials file's part. */
export const CREDENTIALS_NOTES_FILE = "profiles-credentials.notes";

/** What a note's line format is; raise it with any change to it. */
export const NOTE_VERSION = 1;

/** Past this size the notes start again (the oldest notes are of files long replaced). */
const NOTES_MAX_BYTES = 256 * 1024;

/** A file's identity as the records' key. */
export function identityKey(identity: FileIdentity): string {
  return `${identity.dev}:${identity.ino}:${identity.size}:${identity.mtimeNs}:${identity.ctimeNs}`;
}

/** A changed section as a note carries it: its key names, and the values of the listed keys; a removed section has neither. */
export type NotedSection = readonly [name: string, keys?: readonly string[], values?: Readonly<Record<string, string>>];

/** The note of `section` (a section's keys, lower case, as the parse gives them), or of its removal. */
function notedSection(name: string, section: ReadonlyMap<string, string> | undefined): NotedSection {
  if (section === undefined) return [name];
  const values: Record<string, string> = {};
  for (const key of LISTED_VALUE_KEYS) {
    const value = section.get(key);
    if (value !== undefined) values[key] = value;
  }
  return [name, [...section.keys()], values];
}

/**
 * After a successful write (the new file renamed in): note that `path`, read at identity `from`,
 * is now the file with identity `to`, with `sections` changed (their contents after the write,
 * undefined for a removed one). Best effort and silent: without a note the listing reads the file.
 */
export function noteCredentialsWrite(
  notesDirectory: string,
  path: string,
  from: FileIdentity,
  to: FileIdentity,
  sections: ReadonlyArray<readonly [string, ReadonlyMap<string, string> | undefined]>,
): void {
  let fd: number;
  try {
    // No O_CREAT: no notes file, nobody lists profiles from this cache; O_NOFOLLOW: never through a link;
    // O_NONBLOCK: a FIFO put there fails the open (no reader) instead of holding the write, and its lock, forever.
    fd = openSync(join(notesDirectory, CREDENTIALS_NOTES_FILE), constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return;
    if (stats.size > NOTES_MAX_BYTES) ftruncateSync(fd, 0);
    const note = ["rolecred note", NOTE_VERSION, path, identityKey(from), identityKey(to), sections.map(([name, section]) => notedSection(name, section))];
    writeSync(fd, `${JSON.stringify(note)}\n`);
  } catch {
    // A full disk or a read-only folder: no note, and the listing reads the file.
  } finally {
    closeSync(fd);
  }
}

/** One note read back: the file at `path` went from identity key `from` to `to`, changing `sections`. */
export interface ListingNote {
  readonly path: string;
  readonly from: string;
  readonly to: string;
  readonly sections: readonly NotedSection[];
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function isNotedSection(value: unknown): value is NotedSection {
  if (!Array.isArray(value) || typeof value[0] !== "string") return false;
  if (value.length === 1) return true;
  const values: unknown = value[2];
  return (
    value.length === 3 &&
    isStringArray(value[1]) &&
    typeof values === "object" &&
    values !== null &&
    !Array.isArray(values) &&
    Object.values(values).every((item) => typeof item === "string")
  );
}

/** The complete, well-formed notes of `text` (the notes file), in order; a half-written last line or anything else is left out. */
export function parseNotes(text: string): ListingNote[] {
  const notes: ListingNote[] = [];
  const complete = text.slice(0, text.lastIndexOf("\n") + 1);
  for (const line of complete.split("\n")) {
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(value) || value.length !== 6 || value[0] !== "rolecred note" || value[1] !== NOTE_VERSION) continue;
    const [, , path, from, to, sections] = value as unknown[];
    if (typeof path !== "string" || typeof from !== "string" || typeof to !== "string" || !Array.isArray(sections)) continue;
    if (!sections.every(isNotedSection)) continue;
    notes.push({ path, from, to, sections });
  }
  return notes;
}

/**
 * The notes that lead `path` from identity key `from` to `to`, in order: undefined when there is
 * no such chain, or when a step is ambiguous (two notes from the same identity).
 */
export function notesChain(notes: readonly ListingNote[], path: string, from: string, to: string): ListingNote[] | undefined {
  const byFrom = new Map<string, ListingNote | null>();
  for (const note of notes) {
    if (note.path !== path) continue;
    byFrom.set(note.from, byFrom.has(note.from) ? null : note);
  }
  const chain: ListingNote[] = [];
  for (let at = from; at !== to;) {
    const next = byFrom.get(at);
    if (next === undefined || next === null || chain.length >= byFrom.size) return undefined;
    chain.push(next);
    at = next.to;
  }
  return chain;
}
