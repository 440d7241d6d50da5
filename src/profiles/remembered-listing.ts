/**
 * The last `rolecred profiles` listing, remembered in the cache folder with the identity of both
 * AWS files (device, inode, size, modification and change times: file-identity.ts). Shell
 * completion runs `profiles --names` on every TAB, against files that rarely change: while both
 * are what they were, the listing is the remembered text, without reading 10 MB of sessions
 * (docs/bench-history.md, issue 16).
 *
 * After a change, each file's part of the listing (its sections' shown settings) is remembered
 * too, by that file's own identity: an edit of one file reads only that file again. After
 * rolecred's own write of the credentials file, not even that: the write left a note of the
 * sections it changed (store/listing-notes.ts), and the notes from the remembered identity to the
 * file's identity now are applied to the remembered part. A refresh of a session that changes
 * nothing shown reuses the remembered text as it is. Any gap in the chain and the file is read,
 * by blocks of whole sections (listing-blocks.ts): after another program's edit only the blocks
 * whose bytes changed are scanned, the rest taken from the last read's remembered blocks.
 *
 * Remembered only when the file (for the text, both files) did not change within the last second
 * (a change within the same timestamp tick could go unseen: file-identity.ts settledLongEnough),
 * and read only from a private cache folder (this user's, mode 0700). Nothing here is secret
 * (names, role ARNs, MFA device ARNs, regions; the files are 0600), and nothing it fails at stops
 * the listing.
 */
import { closeSync, constants, lstatSync, openSync, realpathSync, statSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import type { Env } from "../deps.js";
import { cacheDirectory, configFilePath, credentialsFilePath } from "../paths.js";
import { BoundedReadError, readRegularFileSync } from "../store/bounded-read.js";
import { identityOfStats, settledLongEnough, type FileIdentity } from "../store/file-identity.js";
import { CREDENTIALS_NOTES_FILE, identityKey, notesChain, parseNotes, type NotedSection } from "../store/listing-notes.js";
import { makeDirectorySync, replaceSmallFileSync } from "../store/ownership.js";
import { scanSectionHeaders, sectionNames } from "../store/section-scan.js";
import { SectionSettingsScanner, SlotSettings, slotsOf, type SectionSettings, type WantedSettings } from "../store/section-settings.js";
import { renderProfiles, settingsShownBy, tableCells, type ProfilesFormat } from "../output/profiles.js";
import { listingOfSections, readProfileListing, readSectionNames, readSectionSettings } from "./aws-files.js";
import { blocksRecord, bodyOf, parseBlocksRecord, readByBlocks, type ReadBlocks } from "./listing-blocks.js";
import { changedEntries, entryLines, listedNames, listedOutside, patchNames, patchTable, type RowChange } from "./listing-patch.js";

/**
 * What the remembered text and parts were made by. Raise it with any change to what `profiles`
 * prints (src/output/profiles.ts) or to the records' format: a listing remembered by an older
 * rolecred must not be shown. test/profiles/remembered-listing.test.ts pins what this version
 * prints, and fails on a change.
 */
export const LISTING_VERSION = 1;

/**
 * The names this module gives its records (`profiles-FORMAT.listing`, `profiles-ROLE-VARIANT.part`,
 * `profiles-credentials-VARIANT.same`, `profiles-ROLE-VARIANT.blocks`), and the write's notes file
 * (store/listing-notes.ts): `logout --all` removes them by name.
 */
export function isListingRecordName(name: string): boolean {
  return name === CREDENTIALS_NOTES_FILE || /^profiles-[a-z-]+\.(?:listing|part|same|blocks)$/.test(name);
}

/** A record larger than this is not one of ours (a 10,000-profile table is ≈ 1.5 MB). */
const RECORD_MAX_BYTES = 64 * 1024 * 1024;
/** A file smaller than this has no `.blocks` record (listing-blocks.ts): it is read whole, in a few blocks. */
const BLOCKS_FROM_BYTES = 256 * 1024;
/**
 * A read by blocks that scanned more than this writes its `.blocks` record again. Scanning is the
 * dear part: a run's first scan is cold code, ≈ 0.3 ms a KiB of sessions for the table (30 KiB of
 * profiles appended since the record: 10 ms on every run), while the record (≈ 440 KB at 10,000
 * profiles) is written in ≈ 1–1.5 ms. A stretch of a few profiles is not worth a write.
 */
const REWRITE_BLOCKS_AFTER_BYTES = 16 * 1024;
/** More changed entries than this and the listing is made from the parts rather than patched row by row. */
const PATCH_AT_MOST = 500;
/** The notes file is capped by its writer at 256 KiB (listing-notes.ts), plus a line. */
const NOTES_MAX_BYTES = 1024 * 1024;

interface FileState {
  readonly path: string;
  readonly what: string;
  /** The record's name for this file. */
  readonly role: "config" | "credentials";
  /** "absent" for a missing file. */
  readonly key: string;
  /** Undefined for a missing file. */
  readonly identity: FileIdentity | undefined;
}

/** A file's identity as the records' key, taken before it is read; undefined for one that is not a regular file (the read refuses it). */
function fileState(path: string, what: string, role: FileState["role"]): FileState | undefined {
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (stats === undefined) return { path, what, role, key: "absent", identity: undefined };
  if (!stats.isFile()) return undefined;
  const identity = identityOfStats(stats);
  return { path, what, role, key: identityKey(identity), identity };
}

function settled(state: FileState, now: Date): boolean {
  return state.identity === undefined || settledLongEnough(state.identity, now.getTime());
}

/** The cache folder is fit to be believed: this user's, a real folder, mode 0700 (or it does not exist yet). */
function privateFolder(folder: string): "private" | "missing" | "not private" {
  try {
    const stats = lstatSync(folder);
    return stats.isDirectory() && stats.uid === process.geteuid?.() && (stats.mode & 0o077) === 0 ? "private" : "not private";
  } catch {
    return "missing";
  }
}

/**
 * The `profiles` listing in `format`: the remembered text while both files are unchanged, else
 * made from each file's remembered part (brought up to date by the write's notes) or the file.
 */
export function profilesListingText(env: Env, format: ProfilesFormat, now: Date): string {
  const listing = profilesListing(env, format, now);
  return typeof listing === "string" ? listing : listing.toString("utf8");
}

/**
 * {@link profilesListingText} as UTF-8 bytes, for a caller that writes them (the fast path): a
 * remembered or patched listing is its record's bytes, never decoded and encoded again (≈ 2 ms at
 * 10,000 profiles, docs/bench-history.md).
 */
export function profilesListingBytes(env: Env, format: ProfilesFormat, now: Date): Uint8Array {
  const listing = profilesListing(env, format, now);
  return typeof listing === "string" ? Buffer.from(listing) : listing;
}

/** The listing as text, or as its UTF-8 bytes when that is how it was found. */
function profilesListing(env: Env, format: ProfilesFormat, now: Date): string | Buffer {
  let states: Array<FileState | undefined>;
  try {
    states = [fileState(configFilePath(env), "the config file", "config"), fileState(credentialsFilePath(env), "the credentials file", "credentials")];
  } catch {
    states = [undefined];
  }
  const [config, credentials] = states;
  // Not a regular file: the read says why (exit 3), nothing is remembered.
  if (config === undefined || credentials === undefined) return renderProfiles(readProfileListing(env, settingsShownBy(format)), format);
  const directory = cacheDirectory(env);
  const folder = privateFolder(directory);
  const store = new Records(directory, folder === "private", folder !== "not private");
  return new Listing(store, format, config, credentials, now).text();
}

/** The cache folder's records, read only when it is private, written only when it is private or new. */
class Records {
  #writable: boolean;

  constructor(
    readonly directory: string,
    readonly readable: boolean,
    writable: boolean,
  ) {
    this.#writable = writable;
  }

  /** Whether a record can be written: false once a write failed (a cache folder under a file, read-only), so nothing more is prepared for one. */
  get writable(): boolean {
    return this.#writable;
  }

  #folderMade = false;

  /** Whether a record can be written, the folder made first (0700) when it is missing: nothing is prepared for a folder that cannot be. */
  ready(): boolean {
    if (this.#writable && !this.#folderMade) {
      try {
        makeDirectorySync(this.directory, 0o700);
        this.#folderMade = true;
      } catch {
        this.#writable = false;
      }
    }
    return this.#writable;
  }

  /** Each record as this run first read it (undefined: none), until this run writes it: a record is read once a run. */
  readonly #read = new Map<string, Buffer | undefined>();

  read(name: string, maxBytes = RECORD_MAX_BYTES): Buffer | undefined {
    if (!this.readable) return undefined;
    if (this.#read.has(name)) {
      const record = this.#read.get(name);
      return record === undefined || record.length <= maxBytes ? record : undefined;
    }
    let record: Buffer | undefined;
    try {
      record = readRegularFileSync(join(this.directory, name), { what: "a remembered profile listing", maxBytes });
    } catch (error) {
      if (!(error instanceof BoundedReadError)) throw error;
    }
    this.#read.set(name, record);
    return record;
  }

  write(name: string, contents: string | Uint8Array): void {
    this.#read.delete(name);
    if (!this.#writable) return;
    const path = join(this.directory, name);
    // The old record removed first, then the new one renamed in where none is: a rename over an
    // existing file makes ext4 (auto_da_alloc) start writing the new file's 0.4-1.4 MB back at once,
    // ≈ 2 ms of this run's CPU each (docs/bench-history.md, issue 16). Safe for these records only: each is
    // whole or absent, and a listing running in between that finds none lists from the files (the
    // text from the parts, a part from its file, the blocks all scanned), as on a first run.
    try {
      unlinkSync(path);
    } catch {
      // None yet, or not removable: the rename below replaces it or fails.
    }
    // Written under a temporary name and renamed: a listing running at the same time reads none or the new one, whole.
    if (!replaceSmallFileSync(this.directory, path, contents)) this.#writable = false;
  }

  /** The notes file exists, so the credentials file's writes leave notes in it (an empty one, 0600, made if missing). */
  expectNotes(): void {
    if (!this.writable) return;
    try {
      closeSync(
        // O_NONBLOCK: a FIFO there fails the open (no reader) instead of hanging the listing.
        openSync(
          join(this.directory, CREDENTIALS_NOTES_FILE),
          constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NOFOLLOW | constants.O_NONBLOCK,
          0o600,
        ),
      );
    } catch {
      // A read-only cache folder: no notes, the file is read after each write.
    }
  }
}

/** A record's first line (JSON, so a path with a line break cannot make two keys look alike) and what follows it. */
function splitRecord(record: Buffer): { header: unknown; bodyStart: number } | undefined {
  const end = record.indexOf(0x0a);
  if (end === -1) return undefined;
  try {
    return { header: JSON.parse(record.toString("utf8", 0, end)), bodyStart: end + 1 };
  } catch {
    return undefined;
  }
}

/**
 * A text record's header line: `current` (what the listing is of) with the text's length in bytes
 * last, so a record cut short (renamed in where none was, and not synced: a crash may leave it
 * shorter) is never printed.
 */
function textRecordHeader(current: string, textBytes: number): string {
  return `${current.slice(0, -1)},${textBytes}]`;
}

/** A text record's header gives `textBytes` as its text's length. */
function wholeText(header: unknown, textBytes: number): boolean {
  return Array.isArray(header) && header.at(-1) === textBytes;
}

/** A text record's header (its length aside) is `current`. */
function sameHeader(header: unknown, current: string): boolean {
  return Array.isArray(header) && JSON.stringify(header.slice(0, -1)) === current;
}

const PART_END = Buffer.from("\n]\n");

/** A part record ends as its body does: one searched for a section's line (not parsed whole) was not cut short. */
function wholePart(record: Buffer): boolean {
  return record.length >= PART_END.length && record.compare(PART_END, 0, PART_END.length, record.length - PART_END.length) === 0;
}

/** A part's variant: every section's shown settings, or only the names (`--names`). */
type Variant = "shown" | "names";

/**
 * A slot of a remembered section: 0 for a key not set, 1 for a key set whose value is not read
 * ("presence"), else the value.
 */
type Slot = 0 | 1 | string;
type Entry = [name: string, ...slots: Slot[]];

const NO_SETTINGS: SectionSettings = { has: () => false, get: () => undefined };

/** A section as a part entry: the wanted keys' slots in order. */
function entryOf(name: string, settings: SectionSettings, wanted: readonly string[]): Entry {
  return [
    name,
    ...wanted.map((key): Slot => {
      const value = settings.get(key);
      return value === undefined ? 0 : value === null ? 1 : value;
    }),
  ];
}

/** A noted section (its key names and listed values) as a part entry, undefined for a removed section. */
function entryOfNote(section: NotedSection, wanted: WantedSettings): Entry | undefined {
  const [name, keys, values] = section;
  if (keys === undefined) return undefined;
  const present = new Set(keys);
  const slots = [...wanted].map(([key, mode]): Slot => (!present.has(key) ? 0 : mode === "presence" ? 1 : (values?.[key] ?? "")));
  return [name, ...slots];
}

/** A part entry's settings as slots of `wanted`: a slot of 1 is a key set whose value is not read, a string its value, anything else a key not set. */
function entrySettings(entry: readonly unknown[], wanted: WantedSettings): SlotSettings {
  const slots: Array<string | null | undefined> = [];
  for (let place = 0; place < wanted.size; place++) {
    const slot = entry[place + 1];
    slots.push(slot === 1 ? null : typeof slot === "string" ? slot : undefined);
  }
  return new SlotSettings(wanted, slots);
}

function sameEntry(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.length === b.length && a.every((slot, index) => slot === b[index]);
}

/** One file's part: its sections' entries, by name. */
type Part = Map<string, SectionSettings>;

class Listing {
  readonly #wanted: WantedSettings;
  readonly #variant: Variant;
  readonly #wantedKeys: string[];
  /** A file was read within a second of its change: what was read of it is not remembered. */
  #readUnsettled = false;

  constructor(
    private readonly records: Records,
    private readonly format: ProfilesFormat,
    private readonly config: FileState,
    private readonly credentials: FileState,
    private readonly now: Date,
  ) {
    this.#wanted = settingsShownBy(format);
    this.#variant = this.#wanted.size === 0 ? "names" : "shown";
    this.#wantedKeys = [...this.#wanted.keys()];
  }

  #textHeader(credentialsKey: string): string {
    return JSON.stringify(["rolecred profiles", LISTING_VERSION, this.format, this.config.path, this.credentials.path, this.config.key, credentialsKey]);
  }

  #partName(state: FileState): string {
    return `profiles-${state.role}-${this.#variant}.part`;
  }

  #partHeader(state: FileState, key: string): string {
    return JSON.stringify(["rolecred profiles part", LISTING_VERSION, this.#variant, state.path, key, this.#wantedKeys]);
  }

  /** The listing: a string when made here, the record's bytes when remembered or patched. */
  text(): string | Buffer {
    const textName = `profiles-${this.format}.listing`;
    const record = this.records.read(textName);
    const current = this.#textHeader(this.credentials.key);
    const found = record === undefined ? undefined : splitRecord(record);
    // A text whose length is not the one its header gives was cut short (a crash before its bytes reached the disk): not one.
    const split = found !== undefined && wholeText(found.header, (record?.length ?? 0) - found.bodyStart) ? found : undefined;
    if (record !== undefined && split !== undefined && sameHeader(split.header, current)) return record.subarray(split.bodyStart);
    // rolecred's own writes since: when they changed nothing this listing shows, the remembered text stands. (The
    // notes say what the file renamed in holds, whenever it is listed: no second need be waited for.)
    let credentialsPart: ReadonlyMap<string, SectionSettings> | undefined;
    if (record !== undefined && split !== undefined) {
      const rememberedKey = this.#rememberedCredentialsKey(split.header);
      if (rememberedKey !== undefined) {
        if (this.#sameAs(rememberedKey) || this.#notesChangeNothing(rememberedKey)) return record.subarray(split.bodyStart);
        // Only the credentials file changed since the text was made. No note leads to it (another program's edit: a
        // blank line, a comment, a session token refreshed in place): it is read, and when its part is the one the
        // text was made from, the remembered text stands (no config part parsed, no row rendered).
        // When it differs in a few sections, the remembered text is patched row by row (listing-patch.ts).
        credentialsPart = this.#rememberedPart(this.credentials);
        if (credentialsPart === undefined) {
          const read = this.#readPart(this.credentials, rememberedKey, () => record.subarray(split.bodyStart));
          if (read === "as remembered") return record.subarray(split.bodyStart);
          if ("patched" in read) {
            // The record and the text joined in one copy, written as bytes: no string of the whole table is split, joined or encoded.
            let length = 0;
            for (const piece of read.patched) length += piece.length;
            const head = Buffer.from(`${textRecordHeader(current, length)}\n`);
            const patched = Buffer.concat([head, ...read.patched]);
            if (!this.#readUnsettled) this.records.write(textName, patched);
            return patched.subarray(head.length);
          }
          credentialsPart = read;
        }
      }
    }
    const text = renderProfiles(listingOfSections(this.#part(this.config), credentialsPart ?? this.#part(this.credentials)), this.format);
    if (!this.#readUnsettled) this.records.write(textName, `${textRecordHeader(current, Buffer.byteLength(text))}\n${text}`);
    return text;
  }

  /** The credentials file's key a text record was remembered with, when all else in its header is as now. */
  #rememberedCredentialsKey(header: unknown): string | undefined {
    if (!Array.isArray(header) || header.length !== 8 || typeof header[6] !== "string") return undefined;
    return JSON.stringify([...header.slice(0, 6), this.credentials.key]) === this.#textHeader(this.credentials.key) ? header[6] : undefined;
  }

  #sameName(): string {
    return `profiles-credentials-${this.#variant}.same`;
  }

  /**
   * The credentials file's key whose listing (of this variant) the file now lists the same as, by
   * the record a run that applied notes which changed nothing shown left: one small file, not the
   * remembered text and part written again under the new key.
   */
  #sameRecord(): { readonly base: string; readonly equivalent: string } | undefined {
    if (this.#same === undefined) this.#same = { found: this.#readSameRecord() };
    return this.#same.found;
  }

  #same: { readonly found: { readonly base: string; readonly equivalent: string } | undefined } | undefined;

  #readSameRecord(): { readonly base: string; readonly equivalent: string } | undefined {
    const record = this.records.read(this.#sameName(), 64 * 1024);
    const split = record === undefined ? undefined : splitRecord(record);
    const header = split?.header;
    if (!Array.isArray(header) || header.length !== 6 || typeof header[4] !== "string" || typeof header[5] !== "string") return undefined;
    const expected = JSON.stringify(["rolecred profiles same", LISTING_VERSION, this.#variant, this.credentials.path, header[4], header[5]]);
    return JSON.stringify(header) === expected ? { base: header[4], equivalent: header[5] } : undefined;
  }

  /** The credentials file now lists as it did at `base`. */
  #sameAs(base: string): boolean {
    const same = this.#sameRecord();
    return same !== undefined && same.base === base && same.equivalent === this.credentials.key;
  }

  /** Where the notes to the credentials file now start from, for a part remembered at `base`: the file it was last found the same as, else `base`. */
  #chainStart(base: string): string {
    const same = this.#sameRecord();
    return same !== undefined && same.base === base ? same.equivalent : base;
  }

  /** The notes from `rememberedKey` to the credentials file now, when they change no section of the remembered part; then noted as the same. */
  #notesChangeNothing(rememberedKey: string): boolean {
    const state = this.credentials;
    const name = this.#partName(state);
    const record = this.records.read(name);
    const split = record === undefined ? undefined : splitRecord(record);
    if (record === undefined || split === undefined || !wholePart(record) || JSON.stringify(split.header) !== this.#partHeader(state, rememberedKey))
      return false;
    const chain = this.#chain(this.#chainStart(rememberedKey)) ?? this.#chain(rememberedKey);
    if (chain === undefined) return false;
    // Each noted section's entry after every note, against the remembered one, found by its line (no parse of the whole part).
    const after = new Map<string, Entry | undefined>();
    for (const note of chain) for (const section of note.sections) after.set(section[0], entryOfNote(section, this.#wanted));
    for (const [section, entry] of after) {
      const remembered = rememberedEntry(record, split.bodyStart, section);
      if (remembered === "unknown") return false;
      if (this.#variant === "names" ? (remembered === undefined) !== (entry === undefined) : !sameEntry(remembered, entry)) return false;
    }
    this.#noteSame(rememberedKey);
    return true;
  }

  /** That the credentials file now lists as it did at `base` (a small record, not the text and part written again). */
  #noteSame(base: string): void {
    const state = this.credentials;
    this.records.write(this.#sameName(), `${JSON.stringify(["rolecred profiles same", LISTING_VERSION, this.#variant, state.path, base, state.key])}\n`);
  }

  /** The notes leading the credentials file from `from` to its identity now. */
  #chain(from: string): ReturnType<typeof notesChain> {
    const notes = this.records.read(CREDENTIALS_NOTES_FILE, NOTES_MAX_BYTES);
    return notes === undefined ? undefined : notesChain(parseNotes(notes.toString("utf8")), notedPath(this.credentials.path), from, this.credentials.key);
  }

  /** A file's sections: its remembered part (brought up to date by the notes, for the credentials file), else read from it. */
  #part(state: FileState): ReadonlyMap<string, SectionSettings> {
    return this.#rememberedPart(state) ?? this.#readPart(state);
  }

  #rememberedPart(state: FileState): Part | undefined {
    const name = this.#partName(state);
    const record = this.records.read(name);
    const split = record === undefined ? undefined : splitRecord(record);
    if (record === undefined || split === undefined) return undefined;
    const header = JSON.stringify(split.header);
    if (header === this.#partHeader(state, state.key)) return this.#parsePart(record, split.bodyStart);
    if (state.role !== "credentials" || !Array.isArray(split.header) || typeof split.header[4] !== "string") return undefined;
    const from = split.header[4];
    if (header !== this.#partHeader(state, from)) return undefined;
    if (this.#sameAs(from)) return this.#parsePart(record, split.bodyStart);
    const chain = this.#chain(this.#chainStart(from)) ?? this.#chain(from);
    const part = chain === undefined ? undefined : this.#parsePart(record, split.bodyStart);
    if (chain === undefined || part === undefined) return undefined;
    for (const note of chain) {
      for (const section of note.sections) {
        const entry = entryOfNote(section, this.#wanted);
        if (entry === undefined) part.delete(section[0]);
        else part.set(section[0], this.#variant === "names" ? NO_SETTINGS : entrySettings(entry, this.#wanted));
      }
    }
    this.#remember(state, part);
    return part;
  }

  /** A section's line in a part record: its entry as JSON. */
  #line(name: string, settings: SectionSettings): string {
    if (this.#variant === "names") return `[${JSON.stringify(name)}]`;
    const slots = slotsOf(settings);
    if (slots === undefined) return JSON.stringify(entryOf(name, settings, this.#wantedKeys));
    let line = `[${JSON.stringify(name)}`;
    for (let place = 0; place < this.#wantedKeys.length; place++) {
      const slot = slots[place];
      line += slot === undefined ? ",0" : slot === null ? ",1" : `,${JSON.stringify(slot)}`;
    }
    return `${line}]`;
  }

  /** A part record's entries, by name; undefined when it is not one. */
  #parsePart(record: Buffer, bodyStart: number): Part | undefined {
    return this.#parseBody(record.toString("utf8", bodyStart));
  }

  /** A part body's entries, by name; undefined when it is not one, or lists a name twice (a section in two blocks). */
  #parseBody(body: string): Part | undefined {
    let entries: unknown;
    try {
      entries = JSON.parse(body);
    } catch {
      return undefined;
    }
    if (!Array.isArray(entries)) return undefined;
    const part: Part = new Map();
    for (const entry of entries as unknown[]) {
      if (!Array.isArray(entry) || typeof entry[0] !== "string" || part.has(entry[0])) return undefined;
      part.set(entry[0], this.#variant === "names" ? NO_SETTINGS : entrySettings(entry, this.#wanted));
    }
    return part;
  }

  /**
   * A file's sections, read from it by blocks (listing-blocks.ts: only the blocks that changed
   * since the last read are scanned). With `rememberedKey` (the credentials file's key the
   * remembered text was made at): "as remembered" when the part read is the part remembered at
   * that key, whose text then stands.
   */
  #readPart(state: FileState): ReadonlyMap<string, SectionSettings>;
  #readPart(
    state: FileState,
    rememberedKey: string,
    rememberedText: () => Buffer,
  ): ReadonlyMap<string, SectionSettings> | "as remembered" | { readonly patched: Buffer[] };
  #readPart(
    state: FileState,
    rememberedKey?: string,
    rememberedText?: () => Buffer,
  ): ReadonlyMap<string, SectionSettings> | "as remembered" | { readonly patched: Buffer[] } {
    const readSettled = settled(state, this.now);
    if (!readSettled) this.#readUnsettled = true;
    const rememberedBody = rememberedKey === undefined ? undefined : this.#rememberedBody(state, rememberedKey);
    const remembers = readSettled && state.identity !== undefined && this.records.ready();
    // The sections of the blocks scanned, as they are scanned: the part itself when no block was remembered.
    const scanned: Part = new Map();
    let scannedTwice = false;
    const read = this.#readBlocks(state, rememberedBody !== undefined, (name, settings) => {
      if (scanned.has(name)) scannedTwice = true;
      else scanned.set(name, settings);
    });
    // Nothing to compare with and no blocks remembered (a first listing): the file read whole, as fast as it reads.
    if (read === "whole") {
      const part = this.#readWhole(state);
      if (remembers) this.#writePart(state, this.#partBody(part));
      return part;
    }
    // The body is compared first: the same bytes, and no part is made of it (and it lists each name once, as the remembered one does).
    // It is made as the part record to write (its header line first): the segments joined once, never decoded whole.
    const head = Buffer.from(`${this.#partHeader(state, state.key)}\n`);
    const record = bodyOf(read?.segments ?? [], head);
    const body = record.subarray(head.length);
    if (rememberedBody !== undefined && body.equals(rememberedBody)) return this.#asRemembered(state, rememberedKey, readSettled);
    const patched = rememberedBody === undefined || rememberedText === undefined ? undefined : this.#patched(rememberedText(), rememberedBody, body);
    if (patched !== undefined) {
      if (remembers) this.#writePartRecord(state, record);
      return { patched };
    }
    let part: ReadonlyMap<string, SectionSettings> | undefined =
      read === undefined || (read.reused === 0 && !scannedTwice) ? scanned : this.#parseBody(body.toString("utf8"));
    if (part === undefined) {
      // A section whose name is in two blocks: the whole file read, its sections merged as the whole parse merges them.
      part = this.#readWhole(state);
      const wholeBody = this.#partBody(part);
      if (rememberedBody !== undefined && rememberedBody.equals(Buffer.from(wholeBody))) return this.#asRemembered(state, rememberedKey, readSettled);
      if (remembers) this.#writePart(state, wholeBody);
      return part;
    }
    // Remembered only once the file settled: it may change again unseen within the second.
    if (remembers) this.#writePartRecord(state, record);
    return part;
  }

  /**
   * The remembered text (made from the credentials part `before`; its bytes) with the rows of the sections
   * whose entries differ in `after` made again, as pieces to be joined; undefined when only a listing from the parts can
   * tell (listing-patch.ts's refusals, a section gone that the config file may still list, many
   * changes, `--json`).
   */
  #patched(text: Buffer, before: Buffer, after: Buffer): Buffer[] | undefined {
    if (this.format === "json") return undefined;
    const changed = changedEntries(before, after);
    if (changed === undefined || changed.before.length + changed.after.length > PATCH_AT_MOST) return undefined;
    const was = new Map(changed.before.map((entry) => [entry[0] as string, entry]));
    const now = new Map(changed.after.map((entry) => [entry[0] as string, entry]));
    if (was.size !== changed.before.length || now.size !== changed.after.length) return undefined;
    // Whether a name has a row in the remembered text: every name of the unchanged lines and of the config file has one
    // (the text was made from both), so a name without a row needs neither search below.
    const listed = listedNames(text, this.#variant === "shown");
    if (listed === undefined) return undefined;
    // A name also listed elsewhere in the body made by blocks: a section in two blocks, which only the whole file merges.
    // (The unchanged lines are the remembered part's, which lists a name once: a name in the old changed lines is not among them.)
    for (const name of now.keys()) if (!was.has(name) && listed(name) && listedOutside(after, name, changed.afterFrom, changed.afterTo)) return undefined;
    const config = this.#configEntries();
    const changes: RowChange[] = [];
    for (const name of new Set([...was.keys(), ...now.keys()])) {
      const entry = now.get(name);
      if (sameEntry(was.get(name), entry)) continue;
      // The profile's sections in the config file, found by their lines in its remembered part (none for a name without a row).
      const inText = listed(name);
      const profile = inText ? config(`profile ${name}`) : undefined;
      const bare = inText && name === "default" ? config("default") : undefined;
      if (profile === "unknown" || bare === "unknown") return undefined;
      // Gone from the credentials file: still listed when the config file names it, which a lookup of `[profile NAME]`
      // misses for `[profile  NAME]` (the listing trims the name): then the listing is made from the parts.
      if (entry === undefined && profile === undefined && bare === undefined) {
        if (config.spacedProfiles()) return undefined;
        changes.push({ name, cells: undefined });
        continue;
      }
      if (this.#variant === "names") {
        changes.push({ name, cells: [] });
        continue;
      }
      const configSections = new Map<string, SectionSettings>();
      if (profile !== undefined) configSections.set(`profile ${name}`, entrySettings(profile, this.#wanted));
      if (bare !== undefined) configSections.set("default", entrySettings(bare, this.#wanted));
      const credentialsSections = new Map<string, SectionSettings>();
      if (entry !== undefined) credentialsSections.set(name, entrySettings(entry, this.#wanted));
      changes.push({ name, cells: tableCells(name, listingOfSections(configSections, credentialsSections).settings(name)) });
    }
    return this.#variant === "names" ? patchNames(text, changes) : patchTable(text, changes);
  }

  /**
   * A lookup of the config file's sections in its remembered part ("unknown" when that part is not
   * the file's now), and whether it has a `[profile  NAME]` with more white space than one space
   * after `profile` (listed as NAME, but not found by a lookup of `profile NAME`; true when unknown).
   * The part (≈ 1 MB at 10,000 profiles) is read at the first question: a profile added has no row
   * in the text, so no section in the config file the text was made from, and asks none.
   */
  #configEntries(): ((section: string) => readonly unknown[] | undefined | "unknown") & { spacedProfiles(): boolean } {
    const state = this.config;
    if (state.identity === undefined) return Object.assign(() => undefined, { spacedProfiles: () => false });
    let part: { readonly record: Buffer; readonly bodyStart: number } | null | undefined;
    const remembered = () => {
      if (part === undefined) {
        const record = this.records.read(this.#partName(state));
        const split = record === undefined ? undefined : splitRecord(record);
        part =
          record === undefined || split === undefined || !wholePart(record) || JSON.stringify(split.header) !== this.#partHeader(state, state.key)
            ? null
            : { record, bodyStart: split.bodyStart };
      }
      return part ?? undefined;
    };
    // An entry line's name as JSON: white space after "profile " is a space, a tab (\t) or any other character `trim` removes.
    const spaced = /\n\["profile (?:\s|\\[tnrfbu])/;
    return Object.assign(
      (section: string) => {
        const found = remembered();
        return found === undefined ? "unknown" : rememberedEntry(found.record, found.bodyStart, section);
      },
      {
        spacedProfiles: () => {
          const found = remembered();
          return found === undefined || spaced.test(found.record.toString("utf8", found.bodyStart - 1));
        },
      },
    );
  }

  /** A file's sections from every line of it, as before blocks: for a file that lists a section in two blocks. */
  #readWhole(state: FileState): ReadonlyMap<string, SectionSettings> {
    if (this.#variant === "shown") return readSectionSettings(state.path, state.what, this.#wanted);
    const names: Part = new Map();
    for (const name of readSectionNames(state.path, state.what)) names.set(name, NO_SETTINGS);
    return names;
  }

  #blocksName(state: FileState): string {
    return `profiles-${state.role}-${this.#variant}.blocks`;
  }

  #blocksHeader(state: FileState): string {
    // "bytes": a segment's length is its UTF-8 bytes (an older record counted characters).
    return JSON.stringify(["rolecred profiles blocks", LISTING_VERSION, "bytes", this.#variant, state.path, this.#wantedKeys]);
  }

  /**
   * The file read by blocks, from the blocks its last read remembered (each section scanned handed
   * to `onSection` too); undefined for a missing file; "whole" when there is no record and no body
   * to compare with (`compares`): a first listing reads the file whole, as before blocks, without
   * the cost of cutting and remembering blocks (≈ +25 % of CPU at 10,000 profiles) that only a
   * later outside edit repays. The record is written (for a file of a few blocks or more) when
   * nothing was remembered or more than a few profiles were scanned: those would be scanned again
   * on every run until it is. Written whether or not the file settled: a block's lines
   * are a function of its bytes, whenever they were read.
   */
  #readBlocks(state: FileState, compares: boolean, onSection: (name: string, settings: SectionSettings) => void): ReturnType<typeof readByBlocks> | "whole" {
    const header = this.#blocksHeader(state);
    const record = this.records.read(this.#blocksName(state));
    const remembered: ReadBlocks | undefined = record === undefined ? undefined : parseBlocksRecord(record, header);
    if (remembered === undefined && !compares) return "whole";
    const read = readByBlocks(state.path, state.what, remembered, (block, atFileStart) => this.#blockLines(block, atFileStart, onSection));
    const worth = read !== undefined && read.size >= BLOCKS_FROM_BYTES;
    if (worth && (remembered === undefined || read.scannedBytes > REWRITE_BLOCKS_AFTER_BYTES) && this.records.ready())
      this.records.write(this.#blocksName(state), blocksRecord(header, read));
    return read;
  }

  /** One block's sections as entry lines joined by ",\n" (the block is whole lines; `atFileStart`: it holds the file's start). */
  #blockLines(block: Buffer, atFileStart: boolean, onSection: (name: string, settings: SectionSettings) => void): string {
    let lines = "";
    const add = (line: string) => {
      lines = lines === "" ? line : `${lines},\n${line}`;
    };
    if (this.#variant === "names") {
      const headers = scanSectionHeaders(block, atFileStart);
      // An indented `[` leaves the names to the scan of every line (of this block: it starts with a header that resets every reader).
      const names = headers === undefined ? this.#scanBlock(block, new Map()).keys() : sectionNames(headers);
      for (const name of names) {
        onSection(name, NO_SETTINGS);
        add(this.#line(name, NO_SETTINGS));
      }
      return lines;
    }
    for (const [name, settings] of this.#scanBlock(block, this.#wanted)) {
      onSection(name, settings);
      add(this.#line(name, settings));
    }
    return lines;
  }

  #scanBlock(block: Buffer, wanted: WantedSettings): ReadonlyMap<string, SectionSettings> {
    const scanner = new SectionSettingsScanner(wanted);
    scanner.scan(block);
    return scanner.sections;
  }

  /** The file read lists as it did at `rememberedKey`: noted so once it settled (it may change again unseen within the second). */
  #asRemembered(state: FileState, rememberedKey: string | undefined, readSettled: boolean): "as remembered" {
    if (rememberedKey !== undefined && readSettled && state.identity !== undefined) this.#noteSame(rememberedKey);
    return "as remembered";
  }

  /** The body of the part record remembered for `state`'s file at `key` (its bytes), if there is one. */
  #rememberedBody(state: FileState, key: string): Buffer | undefined {
    const record = this.records.read(this.#partName(state));
    const split = record === undefined ? undefined : splitRecord(record);
    if (record === undefined || split === undefined) return undefined;
    const header = JSON.stringify(split.header);
    // Or the part of a file that the same record says lists as the file at `key` (a text made from that part).
    const same = state.role === "credentials" ? this.#sameRecord() : undefined;
    if (header !== this.#partHeader(state, key) && (same?.equivalent !== key || header !== this.#partHeader(state, same.base))) return undefined;
    return record.subarray(split.bodyStart);
  }

  /** One entry a line, in one JSON array: parsed whole in one call, or one section's line found by a search. */
  #partBody(part: ReadonlyMap<string, SectionSettings>): string {
    const lines: string[] = [];
    for (const [name, settings] of part) lines.push(this.#line(name, settings));
    return `[\n${lines.join(",\n")}\n]\n`;
  }

  /** Remembers a part brought up to date by notes (a noted file need not have settled: the note says what it holds). */
  #remember(state: FileState, part: ReadonlyMap<string, SectionSettings>): void {
    if (state.identity !== undefined && this.records.ready()) this.#writePart(state, this.#partBody(part));
  }

  #writePart(state: FileState, body: string): void {
    this.#writePartRecord(state, `${this.#partHeader(state, state.key)}\n${body}`);
  }

  /** A part record (its header line for the file now, then the body) written. */
  #writePartRecord(state: FileState, record: string | Buffer): void {
    // A missing file is read for nothing.
    if (state.identity === undefined || !this.records.ready()) return;
    this.records.write(this.#partName(state), record);
    // After the write above, which makes the folder when it is missing.
    if (state.role === "credentials") this.records.expectNotes();
  }
}

/**
 * The path a write's notes name for the credentials file at `path`: the file it replaces, links
 * followed (store/atomic-write.ts resolveWriteTarget), so a credentials file linked from a
 * dotfiles folder is brought up to date by its notes too. Asked only when notes are looked at.
 */
function notedPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** One section's entry in a part record, found by its line (`["NAME"` at a line's start); undefined when it has none. */
function rememberedEntry(record: Buffer, bodyStart: number, name: string): readonly unknown[] | undefined | "unknown" {
  for (const at of entryLines(record, name, bodyStart)) {
    const end = record.indexOf(0x0a, at);
    const line = record.toString("utf8", at, end === -1 ? record.length : end).replace(/,$/, "");
    try {
      const entry: unknown = JSON.parse(line);
      return Array.isArray(entry) ? entry : "unknown";
    } catch {
      return "unknown";
    }
  }
  return undefined;
}
