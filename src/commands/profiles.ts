/** `rolecred profiles`: what each profile is, read from the AWS files (no STS, no secrets). */
import type { Deps } from "../deps.js";
import { escapeControl } from "../log.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { profileNames, profileSettings, readAwsFiles } from "../profiles/aws-files.js";

export interface ProfilesOptions {
  readonly format: "names" | "json" | "table";
}

export async function runProfiles(options: ProfilesOptions, deps: Deps): Promise<Outcome> {
  const files = await readAwsFiles(deps.env);
  const names = profileNames(files);
  if (options.format === "names") {
    deps.stdout.write(names.map((name) => `${name}\n`).join(""));
    return SUCCESS;
  }
  const rows = names.map((name) => {
    const settings = profileSettings(files, name) ?? new Map<string, string>();
    const kind = settings.has("role_arn") ? "role" : settings.has("aws_session_token") ? "temporary keys" : settings.has("aws_access_key_id") ? "keys" : "other";
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
  if (options.format === "json") {
    deps.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return SUCCESS;
  }
  const header = ["PROFILE", "KIND", "ROLE", "SOURCE", "MFA", "REGION"];
  const cells = rows.map((row) =>
    [row.profile, row.managedByRolecred ? `${row.kind} (rolecred)` : row.kind, row.roleArn ?? "", row.sourceProfile ?? "", row.mfaSerial ?? "", row.region ?? ""].map((cell) => escapeControl(cell, false)),
  );
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => (row[column] ?? "").length)));
  deps.stdout.write(`${[header, ...cells].map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd()).join("\n")}\n`);
  return SUCCESS;
}
