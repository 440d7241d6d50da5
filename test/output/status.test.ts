/** The status table shows names and tags from files escaped, while its own colours still work. */
import { describe, expect, it } from "vitest";
import { renderStatusTable, type SessionStatus } from "../../src/output/status.js";

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
