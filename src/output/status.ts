/** The `rolecred status` table: one line per session, time left coloured when stdout is a terminal. */
import { formatDuration } from "../duration.js";
import { escapeControl } from "../log.js";
import { formatExpiry } from "./summary.js";

export interface SessionStatus {
  readonly profile: string;
  readonly where: string;
  readonly roleArn: string | undefined;
  readonly expiration: Date | undefined;
  readonly sourceIdentity: string | undefined;
  /** Characters of the inline session policy that narrowed it, if one did. */
  readonly policyCharacters: number | undefined;
  readonly policyArns: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  readonly packedPolicySize: number | undefined;
  /** What the ROLE column shows when there is no role ARN (an Identity Center sign-in or session). */
  readonly description?: string | undefined;
}

const GREEN = "\u001b[32m";
const YELLOW = "\u001b[33m";
const RED = "\u001b[31m";
const RESET = "\u001b[0m";
/** Less than this left is shown in yellow: time to refresh soon. */
const WARN_SECONDS = 15 * 60;

function narrowing(session: SessionStatus): string {
  const parts: string[] = [];
  if (session.policyCharacters !== undefined) parts.push(`policy ${session.policyCharacters} chars`);
  if (session.policyArns.length > 0) parts.push(`${session.policyArns.length} policy ARN${session.policyArns.length > 1 ? "s" : ""}`);
  const tags = Object.entries(session.tags).map(([key, value]) => `${key}=${value}`);
  if (tags.length > 0) parts.push(`tags ${tags.join(",")}`);
  if (session.sourceIdentity !== undefined) parts.push(`source identity ${session.sourceIdentity}`);
  if (session.packedPolicySize !== undefined) parts.push(`packed ${session.packedPolicySize}%`);
  return parts.join("; ");
}

export function renderStatusTable(sessions: readonly SessionStatus[], now: Date, color: boolean): string {
  if (sessions.length === 0) return "no sessions: rolecred holds none in its cache or the credentials file\n";
  const rows = sessions.map((session) => {
    const left = session.expiration === undefined ? undefined : (session.expiration.getTime() - now.getTime()) / 1000;
    const leftText = left === undefined ? "unknown" : left <= 0 ? "expired" : formatDuration(left);
    const paint = !color || left === undefined ? "" : left <= 0 ? RED : left < WARN_SECONDS ? YELLOW : GREEN;
    return {
      // Names, ARNs and tags come from files and STS: shown escaped (the colour codes are ours).
      cells: [
        session.profile,
        session.where,
        session.roleArn ?? session.description ?? "(session of the user's keys)",
        session.expiration === undefined ? "" : formatExpiry(session.expiration, now),
        leftText,
        narrowing(session),
      ].map((cell) => escapeControl(cell, false)),
      paint,
    };
  });
  const header = ["PROFILE", "WHERE", "ROLE", "EXPIRES", "LEFT", "NARROWED BY"];
  const widths = header.map((title) => title.length);
  for (const row of rows) row.cells.forEach((cell, column) => (widths[column] = Math.max(widths[column] ?? 0, cell.length)));
  const line = (cells: readonly string[], paint = "") =>
    cells
      .map((cell, column) => {
        const padded = cell.padEnd(widths[column] ?? 0);
        return column === 4 && paint !== "" ? `${paint}${padded}${RESET}` : padded;
      })
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map((row) => line(row.cells, row.paint))].join("\n")}\n`;
}
