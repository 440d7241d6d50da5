/** The status table shows names and tags from files escaped, while its own colours still work. */
import { describe, expect, it } from "vitest";
import { renderStatusTable, type SessionStatus } from "../../src/output/status.js";
import { formatExpiry } from "../../src/output/summary.js";
import { formatDuration } from "../../src/duration.js";
import { escapeControl } from "../../src/log.js";

const now = new Date("2030-01-01T00:00:00Z");
const session: SessionStatus = {
  profile: "evil\u001b]0;owned\u0007",
  where: "cache",
  roleArn: "arn:aws:iam::123456789012:role/Developer",
  expiration: new Date("2030-01-01T02:00:00Z"),
  sourceIdentity: undefined,
  policyCharacters: undefined,
  policyArns: [],
  tags: { Project: "blue\u009b2J" },
  packedPolicySize: undefined,
};

describe("renderStatusTable", () => {
  it("escapes control characters in the profile name and tags", () => {
    const table = renderStatusTable([session], now, false);
    expect(table).toContain("evil\\x1b]0;owned\\x07");
    expect(table).toContain("tags Project=blue\\x9b2J");
    expect(table).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it("keeps its own colour codes on a terminal", () => {
    expect(renderStatusTable([session], now, true)).toContain("\u001b[32m2h");
  });
});

describe("the EXPIRES column", () => {
  const at = (expiration: string, today: Date) =>
    renderStatusTable([{ ...session, profile: "dev", tags: {}, expiration: new Date(expiration) }], today, false).split("\n")[1];
  it("shows the time alone today, and the date on the same day of another month or year", () => {
    const today = new Date(2030, 5, 15, 8, 0);
    expect(at(new Date(2030, 5, 15, 9, 30).toISOString(), today)).toMatch(/ 09:30 +1h 30m/);
    expect(at(new Date(2030, 6, 15, 9, 30).toISOString(), today)).toContain(" 2030-07-15 09:30 ");
    expect(at(new Date(2031, 5, 15, 9, 30).toISOString(), today)).toContain(" 2031-06-15 09:30 ");
  });
});

/**
 * The table as it was built before it was built by column (cells padded, joined by two spaces,
 * the line trimmed): the faster build must give the same bytes, trailing white space included.
 */
function referenceTable(sessions: readonly SessionStatus[], now: Date, color: boolean): string {
  const rows = sessions.map((entry) => {
    const left = entry.expiration === undefined ? undefined : (entry.expiration.getTime() - now.getTime()) / 1000;
    const paint = !color || left === undefined ? "" : left <= 0 ? "\u001b[31m" : left < 900 ? "\u001b[33m" : "\u001b[32m";
    const tags = Object.entries(entry.tags).map(([key, value]) => `${key}=${value}`);
    const narrowedBy = [
      ...(entry.policyCharacters === undefined ? [] : [`policy ${entry.policyCharacters} chars`]),
      ...(entry.policyArns.length > 0 ? [`${entry.policyArns.length} policy ARN${entry.policyArns.length > 1 ? "s" : ""}`] : []),
      ...(tags.length > 0 ? [`tags ${tags.join(",")}`] : []),
      ...(entry.sourceIdentity === undefined ? [] : [`source identity ${entry.sourceIdentity}`]),
      ...(entry.packedPolicySize === undefined ? [] : [`packed ${entry.packedPolicySize}%`]),
    ].join("; ");
    const cells = [
      entry.profile,
      entry.where,
      entry.roleArn ?? entry.description ?? "(session of the user's keys)",
      entry.expiration === undefined ? "" : formatExpiry(entry.expiration, now),
      left === undefined ? "unknown" : left <= 0 ? "expired" : formatDuration(left),
      narrowedBy,
    ].map((cell) => escapeControl(cell, false));
    return { cells, paint };
  });
  const header = ["PROFILE", "WHERE", "ROLE", "EXPIRES", "LEFT", "NARROWED BY"];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row.cells[column] ?? "").length)));
  const line = (cells: readonly string[], paint = "") =>
    cells
      .map((cell, column) => {
        const padded = cell.padEnd(widths[column] ?? 0);
        return column === 4 && paint !== "" ? `${paint}${padded}\u001b[0m` : padded;
      })
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map((row) => line(row.cells, row.paint))].join("\n")}\n`;
}

describe("the table built by column", () => {
  it("gives the bytes the cell-by-cell build gave, on generated rows with blank, spaced and escaped cells", () => {
    const now = new Date("2030-01-01T00:00:00Z");
    const texts = ["", " ", "dev", "dev ", "a\u00a0", "\u001b[31m", "prod  x", "é", "\t"];
    let seed = 5;
    const pick = <T>(items: readonly T[]): T => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return items[seed % items.length] as T;
    };
    for (let table = 0; table < 300; table++) {
      const sessions: SessionStatus[] = Array.from({ length: 1 + (table % 7) }, () => ({
        profile: pick(texts),
        where: pick(["cache", "credentials file", "", "SSO sign-in"]),
        roleArn: pick([undefined, "arn:aws:iam::1:role/R", " "]),
        expiration: pick([undefined, new Date("2030-01-01T00:05:00Z"), new Date("2029-12-31T00:00:00Z"), new Date("2030-01-02T10:00:00Z")]),
        sourceIdentity: pick([undefined, "jo", "jo "]),
        policyCharacters: pick([undefined, 12]),
        policyArns: pick([[], ["a"], ["a", "b"]]),
        tags: pick<Record<string, string>>([{}, { team: "a " }, { k: "" }]),
        packedPolicySize: pick([undefined, 40]),
        ...pick([{}, { description: pick(texts) }]),
      }));
      for (const color of [false, true]) expect(renderStatusTable(sessions, now, color)).toBe(referenceTable(sessions, now, color));
    }
  });
});
