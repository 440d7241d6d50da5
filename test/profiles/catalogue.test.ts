import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { matchesFilter, orderByRecency, profileCatalogue, type ProfileEntry } from "../../src/profiles/catalogue.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { profileLines } from "../../src/prompt/profile-picker.js";
import { readIniSections } from "../../src/store/ini-document.js";
import { recentProfiles, recordProfileUse } from "../../src/store/recent-profiles.js";

const now = new Date("2026-11-24T10:00:00Z");
const files: AwsFiles = {
  configPath: "config",
  credentialsPath: "credentials",
  config: readIniSections(`
[rolecred]
account_aliases =
  111111111111 = acme-dev
[profile dev]
role_arn = arn:aws:iam::111111111111:role/Developer
source_profile = jo
region = eu-west-1
[profile sso-admin]
sso_session = corp
sso_account_id = 333333333333
sso_role_name = Admin
`),
  credentials: readIniSections(`
[jo]
aws_access_key_id = AKIAJO
aws_secret_access_key = s
[written]
aws_access_key_id = ASIAW
aws_secret_access_key = s
aws_session_token = t
x_rolecred_managed = true
x_rolecred_role_arn = arn:aws:iam::222222222222:role/Ops
x_security_token_expires = 2026-11-24T11:30:00.000Z
`),
};

describe(profileCatalogue.name, () => {
  it("describes every profile: role, account and alias, region, time left on a written session", async () => {
    const entries = await profileCatalogue(files, mkdtempSync(join(tmpdir(), "catalogue-")), now);
    expect(entries.map((entry) => [entry.name, entry.roleName, entry.account, entry.alias, entry.region, entry.expiration?.toISOString()])).toEqual([
      ["dev", "Developer", "111111111111", "acme-dev", "eu-west-1", undefined],
      ["jo", undefined, undefined, undefined, undefined, undefined],
      ["sso-admin", "Admin", "333333333333", undefined, undefined, undefined],
      ["written", "Ops", "222222222222", undefined, undefined, "2026-11-24T11:30:00.000Z"],
    ]);
    expect(profileLines(entries, now)).toEqual([
      "dev        Developer  111111111111 (acme-dev)  eu-west-1",
      "jo         (keys)",
      "sso-admin  Admin      333333333333",
      "written    Ops        222222222222                        1h 30m left",
    ]);
  });
});

describe("profileLines with hostile names", () => {
  it("shows control characters of a profile name or region as escapes, never raw to the terminal", () => {
    const hostile: ProfileEntry = {
      name: "evil\u001b]0;owned\u0007\u202e",
      roleName: undefined,
      account: undefined,
      alias: undefined,
      written: false,
      region: "eu-west-1\u001b[2J",
      expiration: undefined,
    };
    const [line] = profileLines([hostile], now);
    expect(line).toBe("evil\\x1b]0;owned\\x07\\u202e  (keys)    eu-west-1\\x1b[2J");
  });
});

describe(matchesFilter.name, () => {
  it.each([
    ["dev  Developer  111111111111 (acme-dev)", "dev", true],
    ["dev  Developer  111111111111 (acme-dev)", "acme dvlpr", true],
    ["dev  Developer  111111111111 (acme-dev)", "DEV 1111", true],
    ["dev  Developer  111111111111 (acme-dev)", "prod", false],
    ["dev  Developer  111111111111 (acme-dev)", "dev prod", false],
    ["anything", "", true],
  ])("%j with %j → %s", (line, filter, expected) => {
    expect(matchesFilter(line, filter)).toBe(expected);
  });
});

describe("recently used profiles", () => {
  it("come first, most recent first, each once; the rest by name", () => {
    const directory = join(mkdtempSync(join(tmpdir(), "recent-")), "cache");
    for (const name of ["b", "c", "b", "d"]) recordProfileUse(directory, name);
    recordProfileUse(directory, "bad\nname");
    expect(recentProfiles(directory)).toEqual(["d", "b", "c"]);
    const entry = (name: string): ProfileEntry => ({
      name,
      roleName: undefined,
      account: undefined,
      alias: undefined,
      region: undefined,
      written: false,
      expiration: undefined,
    });
    expect(orderByRecency(["a", "b", "c", "d", "e"].map(entry), recentProfiles(directory)).map((item) => item.name)).toEqual(["d", "b", "c", "a", "e"]);
  });

  it("stay small: the file is compacted to the last use of each profile", () => {
    const directory = join(mkdtempSync(join(tmpdir(), "recent-")), "cache");
    for (let index = 0; index < 3000; index++) recordProfileUse(directory, `profile-${index % 7}`);
    // The last use was of profile-3 (2999 % 7).
    expect(recentProfiles(directory)).toEqual(["profile-3", "profile-2", "profile-1", "profile-0", "profile-6", "profile-5", "profile-4"]);
    expect(statSync(join(directory, "recent-profiles")).size).toBeLessThan(17 * 1024);
  });
});
