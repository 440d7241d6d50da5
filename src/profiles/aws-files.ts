/**
 * Read-only view of ~/.aws/config and ~/.aws/credentials, for resolving profiles. The parse is
 * tolerant (like the AWS SDK's loader): a line rolecred cannot read is skipped here, because
 * nothing on this path writes the file back.
 */
import type { Env } from "../deps.js";
import { BoundedReadError, READ_LIMITS, readRegularFileSync, readRegularLinesSync } from "../store/bounded-read.js";
import { configFilePath, credentialsFilePath } from "../paths.js";
import { IniSectionIndex } from "../store/ini-document.js";
import { scanSectionHeaders, sectionNames } from "../store/section-scan.js";
import { scannedSectionsOf } from "../store/scanned-sections.js";
import { mergedSlots, SectionSettingsScanner, type SectionSettings, type WantedSettings } from "../store/section-settings.js";

export type IniSections = ReadonlyMap<string, ReadonlyMap<string, string>>;

export interface AwsFiles {
  readonly configPath: string;
  readonly credentialsPath: string;
  readonly config: IniSections;
  readonly credentials: IniSections;
}

/**
 * A file's sections, looked up one at a time (IniSectionIndex); their names come from a scan of
 * the header lines alone (src/store/section-scan.ts), not a parse of every line, unless an
 * indented `[` leaves them to the whole parse. `profiles --names` lists 10,000 profiles this way.
 */
const WHOLE_PARSE_AFTER_LOOKUPS = 16;

class ScannedSections extends IniSectionIndex {
  readonly #bytes: Buffer;
  #names: readonly string[] | undefined;
  #lookups = 0;

  constructor(bytes: Buffer) {
    super(bytes);
    this.#bytes = bytes;
  }

  /**
   * A handful of lookups (a profile chain) search the bytes for each name. A listing that looks
   * up every profile (`profiles`, the picker) would make that quadratic: a lookup after the names
   * were listed, or past a few lookups, parses the whole file once, and it answers the rest.
   */
  override get(name: string): ReadonlyMap<string, string> | undefined {
    if (this.#names !== undefined || ++this.#lookups > WHOLE_PARSE_AFTER_LOOKUPS) void this.size; // size parses the whole file
    return super.get(name);
  }

  override keys(): MapIterator<string> {
    if (this.#names === undefined) {
      const headers = scanSectionHeaders(this.#bytes);
      if (headers === undefined) return super.keys();
      this.#names = sectionNames(headers);
    }
    return this.#names.values();
  }
}

/**
 * Read synchronously on purpose: the promise-based read costs the warm credential_process path
 * more than the read itself. The sections are found when asked for, not parsed up front: the
 * fast path looks up two or three profiles in files that may hold 50,000 (docs/bench-history.md).
 */
function readSections(path: string, what: string, keep = false): IniSections {
  // The credentials file as this run's write scanned it (store/scanned-sections.ts): sections are read where the scan found them.
  const scanned = keep ? scannedSectionsOf(path) : undefined;
  if (scanned !== undefined) return new IniSectionIndex(() => readRegularFileSync(path, { what, maxBytes: READ_LIMITS.awsFile, keep }), scanned);
  let bytes: Buffer;
  try {
    // Bounded and regular-only (exit 3 otherwise): AWS_CONFIG_FILE=/dev/zero or a FIFO must not hang or eat memory.
    bytes = readRegularFileSync(path, { what, maxBytes: READ_LIMITS.awsFile, keep });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return new Map();
    throw error;
  }
  return new ScannedSections(bytes);
}

export async function readAwsFiles(env: Env): Promise<AwsFiles> {
  const configPath = configFilePath(env);
  const credentialsPath = credentialsFilePath(env);
  return {
    configPath,
    credentialsPath,
    config: readSections(configPath, "the config file"),
    // Kept (store/bounded-read.ts): a write later in the run (its precheck, the read under the lock) takes these bytes while the file is unchanged.
    credentials: readSections(credentialsPath, "the credentials file", true),
  };
}

/**
 * A profile's section in the config file: `[profile NAME]`, or `[default]` for "default" (the
 * AWS CLI also accepts `[profile default]`). A bare `[NAME]` in the config file is not a profile.
 */
export function configSection(files: AwsFiles, profile: string): ReadonlyMap<string, string> | undefined {
  return configSectionOf(files.config, profile);
}

type Sections<Value> = ReadonlyMap<string, ReadonlyMap<string, Value>>;

function configSectionOf<Value>(config: Sections<Value>, profile: string): ReadonlyMap<string, Value> | undefined {
  const named = config.get(`profile ${profile}`);
  if (profile !== "default") return named;
  const bare = config.get("default");
  if (bare === undefined) return named;
  return named === undefined ? bare : new Map([...bare, ...named]);
}

/** A profile's keys from both files; the credentials file wins where both set a key, as in the SDK. */
export function profileSettings(files: AwsFiles, profile: string): ReadonlyMap<string, string> | undefined {
  return settingsOf(files.config, files.credentials, profile);
}

function settingsOf<Value>(config: Sections<Value>, credentials: Sections<Value>, profile: string): ReadonlyMap<string, Value> | undefined {
  const fromConfig = configSectionOf(config, profile);
  const fromCredentials = credentials.get(profile);
  if (fromConfig === undefined || fromCredentials === undefined) return fromConfig ?? fromCredentials;
  return new Map([...fromConfig, ...fromCredentials]);
}

/** Every profile name either file defines, sorted. */
export function profileNames(files: AwsFiles): string[] {
  return profileNamesOf(files.config.keys(), files.credentials.keys());
}

/** The profile names of the config file's and the credentials file's section names, sorted (by UTF-16 code units). */
function profileNamesOf(configSections: Iterable<string>, credentialsSections: Iterable<string>): string[] {
  const names = [...credentialsSections];
  for (const section of configSections) {
    if (section === "default") names.push("default");
    else if (section.startsWith("profile ")) names.push(section.slice("profile ".length).trim());
  }
  names.sort();
  // Each name once: sorted, a repeat stands next to the first. (A Set of 20,000 fresh strings, hashing each, cost more than the sort.)
  let kept = 0;
  for (const name of names) if (kept === 0 || names[kept - 1] !== name) names[kept++] = name;
  names.length = kept;
  return names;
}

/**
 * What a listing of every profile needs (`rolecred profiles`): the names, and for each a few
 * chosen settings, the same as {@link profileNames} and {@link profileSettings} restricted to
 * those keys answer from the whole parse.
 */
export interface ProfileListing {
  readonly names: readonly string[];
  /** The profile's wanted settings from both files (the credentials file winning); see section-settings.ts for null. */
  settings(profile: string): SectionSettings;
}

const NO_SETTINGS: SectionSettings = new Map<string, string>();

/**
 * The listing read from both files in one pass each: only section headers when no setting is
 * wanted (`profiles --names`), else every line, without decoding the values nobody shows
 * (src/store/section-settings.ts). Errors are readAwsFiles's (exit 3 for a FIFO, a device, an
 * oversized file).
 */
export function readProfileListing(env: Env, wanted: WantedSettings): ProfileListing {
  const configPath = configFilePath(env);
  const credentialsPath = credentialsFilePath(env);
  if (wanted.size === 0) {
    const names = profileNamesOf(readSectionNames(configPath, "the config file"), readSectionNames(credentialsPath, "the credentials file"));
    return { names, settings: () => NO_SETTINGS };
  }
  return listingOfSections(readSectionSettings(configPath, "the config file", wanted), readSectionSettings(credentialsPath, "the credentials file", wanted));
}

/** The listing of both files' sections (each section's wanted settings), however they were read: from the files, or remembered. */
export function listingOfSections(config: ReadonlyMap<string, SectionSettings>, credentials: ReadonlyMap<string, SectionSettings>): ProfileListing {
  // Each config profile's section by its profile name, made on the first lookup (`--names` makes none): no `profile NAME` string made again per lookup.
  let configProfiles: Map<string, SectionSettings> | undefined;
  const configProfile = (profile: string): SectionSettings | undefined => {
    if (configProfiles === undefined) {
      configProfiles = new Map();
      for (const [section, settings] of config) {
        // Only `[profile NAME]` exactly: `[profile  NAME ]` lists NAME too, but a lookup by name does not find its settings.
        if (section.startsWith("profile ")) configProfiles.set(section.slice("profile ".length), settings);
      }
    }
    return configProfiles.get(profile);
  };
  return {
    names: profileNamesOf(config.keys(), credentials.keys()),
    // As profileSettings merges them: the credentials file first, then [profile NAME], then (for "default") [default].
    settings: (profile) => {
      const fromCredentials = credentials.get(profile);
      const fromConfig = configProfile(profile);
      if (profile === "default") return layered([fromCredentials, fromConfig, config.get("default")]);
      if (fromConfig === undefined) return fromCredentials ?? NO_SETTINGS;
      return fromCredentials === undefined ? fromConfig : layered([fromCredentials, fromConfig]);
    },
  };
}

/**
 * Reads a file in pieces of whole lines (bounded-read.ts readRegularLinesSync: the same checks as
 * every read, no copy of the whole file); false when it does not exist.
 */
function readAwsFileLines(path: string, what: string, onPiece: (piece: Buffer) => void): boolean {
  try {
    readRegularLinesSync(path, { what, maxBytes: READ_LIMITS.awsFile }, onPiece);
    return true;
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return false;
    throw error;
  }
}

/** Every section's wanted settings (none when the file does not exist). */
export function readSectionSettings(path: string, what: string, wanted: WantedSettings): ReadonlyMap<string, SectionSettings> {
  const scanner = new SectionSettingsScanner(wanted);
  return readAwsFileLines(path, what, (piece) => scanner.scan(piece)) ? scanner.sections : new Map();
}

/** A file's section names from its header lines (a repeated one each time), or (an indented `[` declined that) from every line. */
export function readSectionNames(path: string, what: string): Iterable<string> {
  const names: string[] = [];
  let fileStart = true;
  let declined = false;
  readAwsFileLines(path, what, (piece) => {
    const headers = declined ? undefined : scanSectionHeaders(piece, fileStart);
    fileStart = false;
    if (headers === undefined) declined = true;
    else for (const name of headers.names) names.push(name);
  });
  // An indented `[` is a header or not by the lines above it: read again, every line.
  return declined ? readSectionSettings(path, what, new Map()).keys() : names;
}

/**
 * Settings looked up in each layer in turn, the first that sets a key winning: as one array of
 * slots when the layers are slots (the files' scan, the remembered parts), else looked up in each.
 */
function layered(layers: ReadonlyArray<SectionSettings | undefined>): SectionSettings {
  const present = layers.filter((layer) => layer !== undefined);
  if (present.length <= 1) return present[0] ?? NO_SETTINGS;
  const merged = mergedSlots(present);
  if (merged !== undefined) return merged;
  const holding = (key: string) => present.find((layer) => layer.has(key));
  return { has: (key) => holding(key) !== undefined, get: (key) => holding(key)?.get(key) };
}

/**
 * The profile the AWS SDK's default chain takes keys from: AWS_PROFILE, else "default". The SDK
 * does not read the legacy AWS_DEFAULT_PROFILE, so whatever goes with those keys (`user`'s MFA
 * device and region) must not either, or they would belong to another profile.
 */
export function sdkProfileName(env: Env): string {
  return env.AWS_PROFILE || "default";
}

/** The profile AWS_PROFILE (or the legacy AWS_DEFAULT_PROFILE) selects, else "default". */
export function activeProfileName(env: Env): string {
  return env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
}

/**
 * Account aliases for the role picker, from the `[rolecred]` section of ~/.aws/config:
 *
 *     [rolecred]
 *     account_aliases =
 *       111122223333 = sandbox
 *
 * (the AWS config file's own sub-section syntax; the AWS SDKs and CLI ignore the section).
 */
export function accountAliases(files: AwsFiles): ReadonlyMap<string, string> {
  const aliases = new Map<string, string>();
  for (const [key, value] of files.config.get("rolecred") ?? []) {
    const account = /^account_aliases\.(\d{12})$/.exec(key)?.[1];
    if (account !== undefined && value !== "") aliases.set(account, value);
  }
  return aliases;
}

/**
 * An `[sso-session NAME]` section of the config file (sso_start_url, sso_region,
 * sso_registration_scopes), as the AWS CLI reads it; undefined when there is none.
 */
export function ssoSessionSection(files: AwsFiles, name: string): ReadonlyMap<string, string> | undefined {
  return files.config.get(`sso-session ${name}`);
}

/** Every `[sso-session NAME]` of the config file, sorted. */
export function ssoSessionNames(files: AwsFiles): string[] {
  const names: string[] = [];
  for (const section of files.config.keys()) {
    if (section.startsWith("sso-session ")) names.push(section.slice("sso-session ".length).trim());
  }
  return names.sort();
}
