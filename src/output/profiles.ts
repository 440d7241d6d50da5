/** The `rolecred profiles` listing: names, a table or JSON, from the AWS files (no STS, no secrets). */
import { escapeControl } from "../log.js";
import type { ProfileListing } from "../profiles/aws-files.js";
import type { SectionSettings, WantedSettings } from "../store/section-settings.js";
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

/**
 * The listing as text, from a listing read with {@link settingsShownBy} this format. The bundled
 * fast path (src/cli/fast-path.ts) prints it without starting the full command line, which alone
 * costs about 3 × a bare Node start.
 */
export function renderProfiles(listing: ProfileListing, format: ProfilesFormat): string {
  const { names } = listing;
  // Escaped like every name rolecred shows: a section such as [profile c\x1b[31m] must not drive the terminal.
  if (format === "names") return names.map((name) => `${escapeControl(name, false)}\n`).join("");
  const rows = names.map((name) => {
    const settings = listing.settings(name);
    const kind = profileKind(settings);
    return {
      profile: name,
      kind,
      roleArn: settings.get("role_arn") ?? null,
      sourceProfile: settings.get("source_profile") ?? null,
      mfaSerial: settings.get("mfa_serial") ?? null,
      region: settings.get("region") ?? null,
      managedByRolecred: settings.get("x_rolecred_managed") === "true",
    };
  });
  if (format === "json") return `${JSON.stringify(rows, null, 2)}\n`;
  const header = ["PROFILE", "KIND", "ROLE", "SOURCE", "MFA", "REGION"];
  const cells = rows.map((row) =>
    [
      row.profile,
      row.managedByRolecred ? `${row.kind} (rolecred)` : row.kind,
      row.roleArn ?? "",
      row.sourceProfile ?? "",
      row.mfaSerial ?? "",
      row.region ?? "",
    ].map((cell) => escapeControl(cell, false)),
  );
  // Widths in one pass: spreading 10,000 cells into Math.max per column costs more than the rows.
  const widths = header.map((title) => title.length);
  for (const row of cells) row.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  return `${[header, ...cells]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n")}\n`;
}
