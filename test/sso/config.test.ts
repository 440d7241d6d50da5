/** ~/.aws/config's Identity Center settings, read as the AWS CLI reads them. */
import { describe, expect, it } from "vitest";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { ssoSessionNames } from "../../src/profiles/aws-files.js";
import { isSsoProfile, ssoRoleOfSettings, ssoSessionByName, ssoSessionOfProfile } from "../../src/sso/config.js";
import { readIniSections } from "../../src/store/ini-document.js";

function files(config: string): AwsFiles {
  return { configPath: "/h/.aws/config", credentialsPath: "/h/.aws/credentials", config: readIniSections(config), credentials: readIniSections("") };
}

const CONFIG = files(`
[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = sso:account:access, codewhisperer:completions

[sso-session bare]
sso_start_url = https://bare.awsapps.com/start
sso_region = us-east-1

[sso-session broken]
sso_region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Developer

[profile clash]
sso_session = corp
sso_region = us-east-1

[profile legacy]
sso_start_url = https://old.awsapps.com/start
sso_region = us-west-2
sso_account_id = 111111111111
sso_role_name = ReadOnly

[profile plain]
region = us-east-1
`);

describe("Identity Center settings", () => {
  it("reads an [sso-session] with its scopes; the token is cached under the session's name", () => {
    expect(ssoSessionByName(CONFIG, "corp")).toEqual({
      name: "corp",
      startUrl: "https://d-1234567890.awsapps.com/start",
      region: "eu-west-1",
      scopes: ["sso:account:access", "codewhisperer:completions"],
      cacheId: "corp",
      label: 'sso-session "corp"',
    });
    expect(ssoSessionByName(CONFIG, "bare").scopes).toEqual(["sso:account:access"]);
    expect(ssoSessionNames(CONFIG)).toEqual(["bare", "broken", "corp"]);
  });

  it("follows a profile's sso_session, and reads a legacy profile's own start URL (cached under the URL, no scopes)", () => {
    expect(ssoSessionOfProfile(CONFIG, "dev").cacheId).toBe("corp");
    expect(ssoSessionOfProfile(CONFIG, "legacy")).toMatchObject({
      name: undefined,
      startUrl: "https://old.awsapps.com/start",
      region: "us-west-2",
      scopes: [],
      cacheId: "https://old.awsapps.com/start",
    });
  });

  it.each([
    ["a missing session", () => ssoSessionByName(CONFIG, "nope"), "there is no [sso-session nope] in /h/.aws/config"],
    ["a session without a start URL", () => ssoSessionByName(CONFIG, "broken"), 'sso-session "broken" has no sso_start_url'],
    [
      "a profile disagreeing with its session",
      () => ssoSessionOfProfile(CONFIG, "clash"),
      'profile "clash": sso_region differs from the one of sso-session "corp"',
    ],
    ["a profile that is not SSO", () => ssoSessionOfProfile(CONFIG, "plain"), 'profile "plain" has no sso_session and no sso_start_url'],
    [
      "a bad account id",
      () =>
        ssoRoleOfSettings(
          "x",
          new Map([
            ["sso_account_id", "1234"],
            ["sso_role_name", "R"],
          ]),
        ),
      'profile "x": sso_account_id "1234" is not a 12-digit account id',
    ],
    ["no role name", () => ssoRoleOfSettings("x", new Map([["sso_account_id", "111111111111"]])), 'profile "x" has no sso_role_name'],
  ])("refuses %s with exit 3", (_name, read, message) => {
    expect(read).toThrow(message);
    try {
      read();
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(3);
    }
  });

  it("knows an SSO profile by any of its keys, as the SDK does", () => {
    expect(isSsoProfile(new Map([["sso_role_name", "R"]]))).toBe(true);
    expect(
      isSsoProfile(
        new Map([
          ["region", "us-east-1"],
          ["sso_session", ""],
        ]),
      ),
    ).toBe(false);
  });
});
