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
  // Most sessions are narrowed by nothing: no array of parts for them.
  let hasTags = false;
  for (const _key in session.tags) {
    hasTags = true;
    break;
  }
  if (
    !hasTags &&
    session.policyCharacters === undefined &&
    session.policyArns.length === 0 &&
    session.sourceIdentity === undefined &&
    session.packedPolicySize === undefined
  )
    return "";
  const parts: string[] = [];
  if (session.policyCharacters !== undefined) parts.push(`policy ${session.policyCharacters} chars`);
  if (session.policyArns.length > 0) parts.push(`${session.policyArns.length} policy ARN${session.policyArns.length > 1 ? "s" : ""}`);
  const tags = Object.entries(session.tags).map(([key, value]) => `${key}=${value}`);
  if (tags.length > 0) parts.push(`tags ${tags.join(",")}`);
  if (session.sourceIdentity !== undefined) parts.push(`source identity ${session.sourceIdentity}`);
  if (session.packedPolicySize !== undefined) parts.push(`packed ${session.packedPolicySize}%`);
  return parts.join("; ");
}

const HEADER = ["PROFILE", "WHERE", "ROLE", "EXPIRES", "LEFT", "NARROWED BY"] as const;
const LEFT_COLUMN = 4;

/**
 * The table, built column by column and line by line with plain concatenation: at 20,000 rows an
 * array of cells per row, a map, a join and a padded copy of every cell were most of its cost.
 */
export function renderStatusTable(sessions: readonly SessionStatus[], now: Date, color: boolean): string {
  if (sessions.length === 0) return "no sessions: rolecred holds none in its cache or the credentials file\n";
  const count = sessions.length;
  const columns: string[][] = HEADER.map(() => []);
  const [profiles, wheres, roles, expiryTexts, lefts, narrowings] = columns as [string[], string[], string[], string[], string[], string[]];
  const paints: string[] = [];
  // Sessions written together expire together: each expiry is formatted once.
  const expiries = new Map<number, string>();
  const nowMs = now.getTime();
  for (const session of sessions) {
    const expiresAt = session.expiration?.getTime();
    const left = expiresAt === undefined ? undefined : (expiresAt - nowMs) / 1000;
    let expires = "";
    if (session.expiration !== undefined && expiresAt !== undefined) {
      expires = expiries.get(expiresAt) ?? formatExpiry(session.expiration, now);
      expiries.set(expiresAt, expires);
    }
    // Names, ARNs and tags come from files and STS: shown escaped. The times and colour codes are ours.
    profiles.push(escapeControl(session.profile, false));
    wheres.push(escapeControl(session.where, false));
    roles.push(escapeControl(session.roleArn ?? session.description ?? "(session of the user's keys)", false));
    expiryTexts.push(expires);
    lefts.push(left === undefined ? "unknown" : left <= 0 ? "expired" : formatDuration(left));
    narrowings.push(escapeControl(narrowing(session), false));
    paints.push(!color || left === undefined ? "" : left <= 0 ? RED : left < WARN_SECONDS ? YELLOW : GREEN);
  }
  const widths = HEADER.map((title, column) => {
    let width = title.length;
    for (const cell of columns[column] as string[]) if (cell.length > width) width = cell.length;
    return width;
  });
  // Cells joined by two spaces, the LEFT cell painted, trailing white space trimmed. What trimEnd
  // of the whole line would give, without padding the cells it would trim away: the line ends
  // with the last cell that is not blank (or the painted LEFT cell, which ends with RESET).
  const line = (cells: readonly string[], paint: string): string => {
    let last = cells.length - 1;
    while (last > 0 && !(last === LEFT_COLUMN && paint !== "") && (cells[last] ?? "").trimEnd() === "") last--;
    let text = "";
    for (let column = 0; column <= last; column++) {
      const cell = cells[column] ?? "";
      if (column > 0) text += "  ";
      if (column === LEFT_COLUMN && paint !== "") text += `${paint}${cell.padEnd(widths[column] ?? 0)}${RESET}`;
      else text += column === last ? cell.trimEnd() : cell.padEnd(widths[column] ?? 0);
    }
    return text;
  };
  let table = `${line(HEADER, "")}\n`;
  const cells: string[] = [];
  for (let row = 0; row < count; row++) {
    for (let column = 0; column < HEADER.length; column++) cells[column] = (columns[column] as string[])[row] ?? "";
    table += `${line(cells, paints[row] ?? "")}\n`;
  }
  return table;
}
