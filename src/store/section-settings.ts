/**
 * A few chosen settings of every section of an AWS INI file, read in one pass over its lines:
 * what `rolecred profiles` shows of 10,000 profiles (each profile's kind, role, source, MFA
 * device, region, managed marker) without building the whole parse's map of every key and value.
 * A line whose key is not wanted is passed over from its bytes, without a string made of it: a
 * credentials file of 10,000 sessions is ≈ 10 MB, most of it session-token values (docs/bench-history.md).
 *
 * It answers exactly what the whole tolerant parse (`readIniSections` in ini-document.ts) answers
 * for those keys: the same classifier (LineClassifier) decides every line that does not begin
 * with a letter, digit or underscore (headers, blank lines, comments, indented lines, whatever is
 * odd), with the same state, so continuation lines, repeated sections (merged, later values win),
 * CRLF or lone CR line ends and bytes that are not UTF-8 read as they do there. A line that does
 * begin so is an entry or nothing, whatever precedes it (the classifier tests it as nothing
 * else), and is read here from its bytes; so is a line that is exactly `[name]` with a plain
 * ASCII name, a header whatever precedes it.
 *
 * A wanted key never has a dot: the parse names a continuation's keys `parent.child`, so those
 * lines can never set one, and they are left to the classifier only for its state.
 */
import { LineClassifier, type IniLine } from "./ini-document.js";
import { byteOrderMarkLength, plainHeaderName } from "./section-scan.js";

/** For each wanted key (lower case, no dot): whether its value is read, or only whether it is set. */
export type WantedSettings = ReadonlyMap<string, "value" | "presence">;

/**
 * A section's wanted keys: `get` gives the value where it was asked for, null where only the key's
 * presence was, undefined where the key is not set. A section's Map from the whole parse fits too
 * (a value where this gives null): the tests compare the two listings through it.
 */
export interface SectionSettings {
  has(key: string): boolean;
  get(key: string): string | null | undefined;
}

/** Each wanted list's places (a key's slot), made once per list: every section read for one list shares them. */
const placesByWanted = new WeakMap<WantedSettings, ReadonlyMap<string, number>>();

/** The place of each wanted key in a section's slots: its place in the wanted list. */
export function placesOf(wanted: WantedSettings): ReadonlyMap<string, number> {
  let places = placesByWanted.get(wanted);
  if (places === undefined) {
    places = new Map([...wanted.keys()].map((key, place) => [key, place]));
    placesByWanted.set(wanted, places);
  }
  return places;
}

/**
 * One section's wanted settings, in one small array by the key's place in the wanted list (10,000
 * Maps cost their garbage collection). A listing reads them by place (slotsFor), without a call
 * per key: 10,000 rows of a dozen lookups through `get` were a tenth of a `profiles` run.
 */
export class SlotSettings implements SectionSettings {
  readonly #slots: Array<string | null | undefined>;
  readonly #places: ReadonlyMap<string, number>;
  /** The wanted list whose order the slots are in. */
  readonly wanted: WantedSettings;

  constructor(wanted: WantedSettings, slots: Array<string | null | undefined> = []) {
    this.wanted = wanted;
    this.#places = placesOf(wanted);
    this.#slots = slots;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get(key: string): string | null | undefined {
    const place = this.#places.get(key);
    return place === undefined ? undefined : this.#slots[place];
  }

  set(place: number, value: string | null): void {
    this.#slots[place] = value;
  }

  /** The wanted keys' settings in the wanted list's order (a shorter array: the rest are not set). */
  get slots(): ReadonlyArray<string | null | undefined> {
    return this.#slots;
  }
}

/** A scanned section's settings in the wanted list's order, when `settings` came from the scanner: what a record of them keeps. */
export function slotsOf(settings: SectionSettings): ReadonlyArray<string | null | undefined> | undefined {
  return settings instanceof SlotSettings ? settings.slots : undefined;
}

/** The slots of `settings` when they are slots in the order of exactly this wanted list (the same Map), else undefined. */
export function slotsFor(settings: SectionSettings, wanted: WantedSettings): ReadonlyArray<string | null | undefined> | undefined {
  return settings instanceof SlotSettings && settings.wanted === wanted ? settings.slots : undefined;
}

/**
 * Layers of settings as one (the first layer that sets a key wins, as a lookup in each in turn
 * answers), when every layer is slots of the same wanted list; else undefined.
 */
export function mergedSlots(layers: readonly SectionSettings[]): SlotSettings | undefined {
  const first = layers[0];
  if (!(first instanceof SlotSettings)) return undefined;
  const merged = [...first.slots];
  for (let layer = 1; layer < layers.length; layer++) {
    const next = layers[layer];
    if (!(next instanceof SlotSettings) || next.wanted !== first.wanted) return undefined;
    const slots = next.slots;
    for (let place = 0; place < slots.length; place++) if (merged[place] === undefined) merged[place] = slots[place];
  }
  return new SlotSettings(first.wanted, merged);
}

const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const EQUALS = 0x3d;
const COLON = 0x3a;
const SPACE = 0x20;
const OPEN_BRACKET = 0x5b;

/** `\w` (ASCII letters, digits, underscore): the classifier's test for a line that can only be an entry. */
function isWordByte(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f;
}

/** A byte a key may hold for its bytes to be its lower-case name as they stand: a-z, 0-9, `_`, `.`, `-`. */
function isPlainKeyByte(byte: number): boolean {
  return (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte === 0x2e || byte === 0x2d;
}

/** What a byte is to a key being walked: part of a plain key, a space, `=` or `:`, or anything else. */
const KEY_BYTE_OTHER = 0;
const KEY_BYTE_PLAIN = 1;
const KEY_BYTE_SPACE = 2;
const KEY_BYTE_DELIMITER = 3;
/** Made by the first scanner, not when the bundle loads: the warm fast path loads this module and never scans. */
let keyByteKinds: Uint8Array | undefined;
function keyByteKindsTable(): Uint8Array {
  keyByteKinds ??= new Uint8Array(256).map((_, byte) =>
    byte === EQUALS || byte === COLON ? KEY_BYTE_DELIMITER : byte === SPACE ? KEY_BYTE_SPACE : isPlainKeyByte(byte) ? KEY_BYTE_PLAIN : KEY_BYTE_OTHER,
  );
  return keyByteKinds;
}

interface WantedKey {
  readonly name: string;
  readonly bytes: Buffer;
  readonly readValue: boolean;
  /** Its slot in a section's settings. */
  readonly place: number;
  /** The bytes of the last value read for it (a copy: the pieces' buffer is reused), and that value. */
  lastBytes: Buffer | undefined;
  lastValue: string;
}

/**
 * Reads pieces of one file in order, each made of whole lines (a piece ends after a line break,
 * or at the end of the file), and keeps every section's wanted settings in `sections` (by name,
 * in the order of first appearance, as the whole parse's map).
 */
export class SectionSettingsScanner {
  readonly #sections = new Map<string, SlotSettings>();
  /** Wanted keys by their length in bytes: a key is compared with the few of its length. */
  readonly #byLength: WantedKey[][] = [];
  readonly #byName = new Map<string, WantedKey>();
  readonly #classifier = new LineClassifier();
  readonly #line: IniLine = { text: "", eol: "\n", kind: "blank" };
  readonly #wanted: WantedSettings;
  readonly #keyByteKinds = keyByteKindsTable();
  /** A section's slots before any key is read, copied for each section. */
  readonly #noSlots: Array<string | null | undefined>;
  #current: SlotSettings | undefined;
  #atFileStart = true;

  constructor(wanted: WantedSettings) {
    for (const [name, mode] of wanted) {
      if (!/^[a-z0-9_-]+$/.test(name)) throw new Error(`not a plain lower-case key without a dot: ${name}`);
      const key: WantedKey = {
        name,
        bytes: Buffer.from(name, "latin1"),
        readValue: mode === "value",
        place: this.#byName.size,
        lastBytes: undefined,
        lastValue: "",
      };
      (this.#byLength[name.length] ??= []).push(key);
      this.#byName.set(name, key);
    }
    this.#wanted = wanted;
    this.#noSlots = Array.from({ length: wanted.size }, () => undefined);
  }

  /** Every section's wanted settings, by name in the order of first appearance (the whole parse's key order). */
  get sections(): ReadonlyMap<string, SectionSettings> {
    return this.#sections;
  }

  /** Reads `piece`: whole lines of the file, after the pieces before it. */
  scan(piece: Buffer): void {
    let at = 0;
    if (this.#atFileStart) {
      at = byteOrderMarkLength(piece);
      this.#atFileStart = false;
    }
    // The next \r, searched again only once passed: most files have none.
    let nextReturn = piece.indexOf(CARRIAGE_RETURN, at);
    while (at < piece.length) {
      if (nextReturn !== -1 && nextReturn < at) nextReturn = piece.indexOf(CARRIAGE_RETURN, at);
      const feed = piece.indexOf(LINE_FEED, at);
      let end = feed === -1 ? piece.length : feed;
      if (nextReturn !== -1 && nextReturn < end) end = nextReturn;
      // An empty line (or the empty one between \r and \n) is blank: the classifier's state stays.
      if (end > at) {
        const first = piece[at] ?? 0;
        if (isWordByte(first)) this.#plainLine(piece, at, end);
        else if (first !== OPEN_BRACKET || !this.#plainHeader(piece, at, end)) this.#otherLine(piece, at, end);
      }
      at = end + 1;
    }
  }

  /** A line that begins with `\w`: an entry when it has `=` or `:` inside a section, else nothing. */
  #plainLine(bytes: Buffer, start: number, end: number): void {
    let delimiter = start;
    let keyEnd = start; // after the key's last byte that is not a space
    let plain = true;
    // One table lookup a byte, not a chain of comparisons: every entry line's key is walked so.
    const kinds = this.#keyByteKinds;
    for (; delimiter < end; delimiter++) {
      const kind = kinds[bytes[delimiter] ?? 0];
      if (kind === KEY_BYTE_PLAIN) {
        keyEnd = delimiter + 1;
      } else if (kind === KEY_BYTE_DELIMITER) {
        break;
      } else if (kind !== KEY_BYTE_SPACE) {
        keyEnd = delimiter + 1;
        plain = false;
      }
    }
    const classifier = this.#classifier;
    // Neither delimiter, or no section yet: the classifier calls it invalid and keeps its state.
    if (delimiter === end || classifier.currentSection === undefined) return;
    classifier.previousContent = "entry";
    const wanted = plain ? this.#wantedByBytes(bytes, start, keyEnd) : this.#wantedByText(bytes, start, delimiter);
    if (wanted === undefined) return;
    this.#current?.set(wanted.place, wanted.readValue ? this.#value(wanted, bytes, delimiter + 1, end) : null);
  }

  /**
   * A value as the parse reads it (decoded, trimmed). The same bytes as this key's last value give
   * the same string, without decoding it again: 10,000 sessions' `x_rolecred_managed = true`, one region.
   */
  #value(key: WantedKey, bytes: Buffer, start: number, end: number): string {
    const last = key.lastBytes;
    if (last !== undefined && last.length === end - start) {
      let offset = 0;
      while (offset < last.length && last[offset] === bytes[start + offset]) offset++;
      if (offset === last.length) return key.lastValue;
    }
    const value = bytes.toString("utf8", start, end).trim();
    // Only short values are kept to compare with (a role ARN is rarely the same twice).
    if (end - start <= 32) {
      key.lastBytes = Buffer.from(bytes.subarray(start, end));
      key.lastValue = value;
    }
    return value;
  }

  /** A key of plain bytes (already its lower-case name): the wanted key it is, if any. */
  #wantedByBytes(bytes: Buffer, start: number, end: number): WantedKey | undefined {
    const candidates = this.#byLength[end - start];
    if (candidates === undefined) return undefined;
    // Compared byte by byte: a key is a few bytes, and Buffer#compare's checks cost more than the loop.
    for (const candidate of candidates) {
      let offset = 0;
      while (offset < candidate.bytes.length && candidate.bytes[offset] === bytes[start + offset]) offset++;
      if (offset === candidate.bytes.length) return candidate;
    }
    return undefined;
  }

  /** Any other key (capitals, tabs, non-ASCII): as the parse names it, decoded, trimmed, lower-cased. */
  #wantedByText(bytes: Buffer, start: number, delimiter: number): WantedKey | undefined {
    return this.#wantedByName(bytes.toString("utf8", start, delimiter).trim().toLowerCase());
  }

  #wantedByName(name: string): WantedKey | undefined {
    return this.#byName.get(name);
  }

  /**
   * A line that is exactly `[name]`, the name printable ASCII without `]` and without a space at
   * either end: a header in any state (nothing but a `\s` first makes the classifier read a line
   * otherwise), read without decoding it or matching the pattern. False for any other line.
   */
  #plainHeader(bytes: Buffer, start: number, end: number): boolean {
    const name = plainHeaderName(bytes, start, end);
    if (name === undefined) return false;
    // The classifier's state after a header (its record of repeated sections and keys only feeds the strict parse's problems).
    this.#classifier.currentSection = name;
    this.#classifier.previousContent = "section";
    this.#enterSection(name);
    return true;
  }

  /** A section header: later keys go to its settings, merged with those of an earlier header of the same name. */
  #enterSection(name: string): void {
    let settings = this.#sections.get(name);
    if (settings === undefined) {
      // Every slot made at once: an array grown slot by slot leaves its smaller copies to the garbage collector.
      settings = new SlotSettings(this.#wanted, this.#noSlots.slice());
      this.#sections.set(name, settings);
    }
    this.#current = settings;
  }

  /** Every other line, decided by the parse's own classifier. */
  #otherLine(bytes: Buffer, start: number, end: number): void {
    const line = this.#line;
    line.text = bytes.toString("utf8", start, end);
    line.section = undefined;
    line.key = undefined;
    line.value = undefined;
    // The line number only numbers the problems a strict parse reports, which nobody reads here.
    this.#classifier.classify(line, 0);
    if (line.kind === "section" && line.section !== undefined) {
      this.#enterSection(line.section);
    } else if (line.kind === "entry" && line.key !== undefined) {
      const wanted = this.#wantedByName(line.key);
      if (wanted !== undefined) this.#current?.set(wanted.place, wanted.readValue ? (line.value ?? "") : null);
    }
  }
}

/** The wanted settings of every section of `bytes`, a whole file. */
export function scanSectionSettings(bytes: Buffer, wanted: WantedSettings): ReadonlyMap<string, SectionSettings> {
  const scanner = new SectionSettingsScanner(wanted);
  scanner.scan(bytes);
  return scanner.sections;
}
