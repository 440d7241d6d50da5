/** The `rolecred profiles` listing: names, a table or JSON, from the AWS files (no STS, no secrets). */
import { escapeControl } from "../log.js";
import type { ProfileListing } from "../profiles/aws-files.js";
import { placesOf, slotsFor, type SectionSettings, type WantedSettings } from "../store/section-settings.js";
import { CREDENTIAL_PROCESS_SETTING } from "../sources/credential-process-keys.js";
import { KEYS_SETTING } from "../sources/keyring.js";
import { X509_KEYS } from "../x509/profile-keys.js";

export type ProfilesFormat = "names" | "json" | "table";

/**
 * Where a profile's credentials come from, by the settings that decide it: a certificate or an
 * Identity Center sign-in before role_arn (a certificate profile names the role it assumes too).
 */
function profileKind(settings: SectionSettings): string {
  if (settings.has(X509_KEYS.certificate)) return "certificate";
  if (settings.has("sso_session") || settings.has("sso_start_url")) return "sso";
  if (settings.has("role_arn")) return "role";
  if (settings.has(CREDENTIAL_PROCESS_SETTING)) return "process";
  if (settings.has(KEYS_SETTING)) return "keyring keys";
  if (settings.has("aws_session_token")) return "temporary keys";
  if (settings.has("aws_access_key_id")) return "keys";
  return "other";
}

/**
 * The keys the table and JSON show or decide a profile's kind by: only the values shown are read.
 * A key profileKind or the rows below look at must be here, or it reads as absent (and with a
 * change to what is printed, raise LISTING_VERSION in src/profiles/remembered-listing.ts).
 */
const SHOWN_SETTINGS: WantedSettings = new Map([
  [X509_KEYS.certificate, "presence"],
  ["sso_session", "presence"],
  ["sso_start_url", "presence"],
  ["role_arn", "value"],
  [CREDENTIAL_PROCESS_SETTING, "presence"],
  [KEYS_SETTING, "presence"],
  ["aws_session_token", "presence"],
  ["aws_access_key_id", "presence"],
  ["source_profile", "value"],
  ["mfa_serial", "value"],
  ["region", "value"],
  ["x_rolecred_managed", "value"],
]);

/** What the listing must read of the files for `format`: nothing but the names for `--names`. */
export function settingsShownBy(format: ProfilesFormat): WantedSettings {
  return format === "names" ? new Map() : SHOWN_SETTINGS;
}

/** A key's place in {@link SHOWN_SETTINGS}' slots. */
function shownPlace(key: string): number {
  const place = placesOf(SHOWN_SETTINGS).get(key);
  if (place === undefined) throw new Error(`not a shown setting: ${key}`);
  return place;
}

const AT_CERTIFICATE = shownPlace(X509_KEYS.certificate);
const AT_SSO_SESSION = shownPlace("sso_session");
const AT_SSO_START_URL = shownPlace("sso_start_url");
const AT_ROLE_ARN = shownPlace("role_arn");
const AT_CREDENTIAL_PROCESS = shownPlace(CREDENTIAL_PROCESS_SETTING);
const AT_KEYS = shownPlace(KEYS_SETTING);
const AT_SESSION_TOKEN = shownPlace("aws_session_token");
const AT_ACCESS_KEY_ID = shownPlace("aws_access_key_id");
const AT_SOURCE_PROFILE = shownPlace("source_profile");
const AT_MFA_SERIAL = shownPlace("mfa_serial");
const AT_REGION = shownPlace("region");
const AT_MANAGED = shownPlace("x_rolecred_managed");

/** profileKind, read from slots in SHOWN_SETTINGS' order (a slot is set when not undefined). */
function slotsKind(slots: ReadonlyArray<string | null | undefined>): string {
  if (slots[AT_CERTIFICATE] !== undefined) return "certificate";
  if (slots[AT_SSO_SESSION] !== undefined || slots[AT_SSO_START_URL] !== undefined) return "sso";
  if (slots[AT_ROLE_ARN] !== undefined) return "role";
  if (slots[AT_CREDENTIAL_PROCESS] !== undefined) return "process";
  if (slots[AT_KEYS] !== undefined) return "keyring keys";
  if (slots[AT_SESSION_TOKEN] !== undefined) return "temporary keys";
  if (slots[AT_ACCESS_KEY_ID] !== undefined) return "keys";
  return "other";
}

/** One profile as the table and JSON show it. */
interface ProfileRow {
  readonly profile: string;
  readonly kind: string;
  readonly roleArn: string | null;
  readonly sourceProfile: string | null;
  readonly mfaSerial: string | null;
  readonly region: string | null;
  readonly managedByRolecred: boolean;
}

/** A profile's row: read by place from slots of SHOWN_SETTINGS (the scan's, the remembered parts'), else key by key (a whole parse's Map). */
function rowOf(profile: string, settings: SectionSettings): ProfileRow {
  const slots = slotsFor(settings, SHOWN_SETTINGS);
  if (slots !== undefined) {
    return {
      profile,
      kind: slotsKind(slots),
      roleArn: slots[AT_ROLE_ARN] ?? null,
      sourceProfile: slots[AT_SOURCE_PROFILE] ?? null,
      mfaSerial: slots[AT_MFA_SERIAL] ?? null,
      region: slots[AT_REGION] ?? null,
      managedByRolecred: slots[AT_MANAGED] === "true",
    };
  }
  return {
    profile,
    kind: profileKind(settings),
    roleArn: settings.get("role_arn") ?? null,
    sourceProfile: settings.get("source_profile") ?? null,
    mfaSerial: settings.get("mfa_serial") ?? null,
    region: settings.get("region") ?? null,
    managedByRolecred: settings.get("x_rolecred_managed") === "true",
  };
}

const TABLE_HEADER = ["PROFILE", "KIND", "ROLE", "SOURCE", "MFA", "REGION"] as const;
const COLUMNS = TABLE_HEADER.length;
const GAP = "  ";

/** A row's cells as the table prints them, escaped (into `cells` from `at`). */
function putCells(cells: string[], at: number, row: ProfileRow): void {
  const kind = row.managedByRolecred ? `${row.kind} (rolecred)` : row.kind;
  const roleArn = row.roleArn ?? "";
  const sourceProfile = row.sourceProfile ?? "";
  const mfaSerial = row.mfaSerial ?? "";
  const region = row.region ?? "";
  // One test of the whole row, not six: escapeControl escapes character by character, and gives back the text it was
  // given when no character needs it.
  const raw = row.profile + kind + roleArn + sourceProfile + mfaSerial + region;
  const clean = escapeControl(raw, false) === raw;
  cells[at] = clean ? row.profile : escapeControl(row.profile, false);
  cells[at + 1] = clean ? kind : escapeControl(kind, false);
  cells[at + 2] = clean ? roleArn : escapeControl(roleArn, false);
  cells[at + 3] = clean ? sourceProfile : escapeControl(sourceProfile, false);
  cells[at + 4] = clean ? mfaSerial : escapeControl(mfaSerial, false);
  cells[at + 5] = clean ? region : escapeControl(region, false);
}

/** The table's column titles (its first line, laid out as any row). */
export const TABLE_TITLES: readonly string[] = TABLE_HEADER;

/** A profile's cells as the table prints them (escaped): for a table patched row by row (src/profiles/listing-patch.ts). */
export function tableCells(profile: string, settings: SectionSettings): string[] {
  const cells: string[] = [];
  putCells(cells, 0, rowOf(profile, settings));
  return cells;
}

/** A table line of `cells` in columns of `widths`, laid out as {@link renderProfiles} lays out each line. */
export function tableLine(cells: readonly string[], widths: readonly number[]): string {
  return lineAt(cells, 0, widths);
}

/** The table line of the row whose cells start at `at` in `cells`: each but the last padded to its column's width, then a gap. */
function lineAt(cells: readonly string[], at: number, widths: readonly number[]): string {
  let line = "";
  for (let column = 0; column < COLUMNS - 1; column++) line += (cells[at + column] ?? "").padEnd(widths[column] ?? 0) + GAP;
  return (line + (cells[at + COLUMNS - 1] ?? "")).trimEnd();
}

/**
 * The listing as text, from a listing read with {@link settingsShownBy} this format. The bundled
 * fast path (src/cli/fast-path.ts) prints it without starting the full command line, which alone
 * costs about 3 × a bare Node start.
 */
export function renderProfiles(listing: ProfileListing, format: ProfilesFormat): string {
  const { names } = listing;
  // Escaped like every name rolecred shows: a section such as [profile c\x1b[31m] must not drive the terminal.
  if (format === "names") return names.map((name) => `${escapeControl(name, false)}\n`).join("");
  if (format === "json")
    return `${JSON.stringify(
      names.map((name) => rowOf(name, listing.settings(name))),
      null,
      2,
    )}\n`;
  // The cells in one flat array, the widths in the same pass; then each line padded and joined.
  const cells: string[] = [...TABLE_HEADER];
  cells.length = (names.length + 1) * COLUMNS;
  for (let index = 0; index < names.length; index++) {
    const name = names[index] ?? "";
    putCells(cells, (index + 1) * COLUMNS, rowOf(name, listing.settings(name)));
  }
  const widths: number[] = TABLE_HEADER.map(() => 0);
  for (let at = 0; at < cells.length; at++) {
    const column = at % COLUMNS;
    const length = (cells[at] ?? "").length;
    if (length > (widths[column] ?? 0)) widths[column] = length;
  }
  const lines: string[] = [];
  for (let at = 0; at < cells.length; at += COLUMNS) lines.push(lineAt(cells, at, widths));
  return `${lines.join("\n")}\n`;
}
