import { describe, expect, it } from "vitest";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { readIniSections } from "../../src/store/ini-document.js";
import { RolecredError } from "../../src/errors.js";

const DEV = "arn:aws:iam::111111111111:role/Developer";
const PROD = "arn:aws:iam::333333333333:role/ReadOnly";
const MFA = "arn:aws:iam::111111111111:mfa/jo";

function files(config: string, credentials = "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n"): AwsFiles {
  return { configPath: "~/.aws/config", credentialsPath: "~/.aws/credentials", config: readIniSections(config), credentials: readIniSections(credentials) };
}

const BASE = `[profile jo]\nmfa_serial = ${MFA}\nregion = eu-west-1\n[profile dev]\nrole_arn = ${DEV}\nsource_profile = jo\nduration_seconds = 28800\n[profile prod]\nrole_arn = ${PROD}\nsource_profile = dev\nduration_seconds = 14400\n`;

describe(resolveProfileChain.name, () => {
  it("resolves a role profile to the keys below it, inheriting mfa_serial from the profile holding the keys", () => {
    const chain = resolveProfileChain("dev", files(BASE));
    expect(chain.source).toMatchObject({ profile: "jo", accessKeyId: "AKIAJO", sessionToken: undefined, mfaSerial: MFA });
    expect(chain.sessionToken).toBeUndefined();
    expect(chain.hops).toMatchObject([{ profile: "dev", roleArn: DEV, mfaSerial: MFA, durationSeconds: 28800, cappedFrom: undefined }]);
    expect(chain.region).toBe("eu-west-1");
  });

  it("caps every chained hop at one hour and says from what", () => {
    const chain = resolveProfileChain("prod", files(BASE));
    expect(chain.hops.map((hop) => [hop.profile, hop.durationSeconds, hop.cappedFrom, hop.mfaSerial])).toEqual([
      ["dev", 28800, undefined, MFA],
      ["prod", 3600, 14400, undefined],
    ]);
  });

  it("session MFA mode: GetSessionToken with the device first, then every hop is chained", () => {
    const chain = resolveProfileChain("dev", files(BASE), { mfaMode: "session" });
    expect(chain.sessionToken).toEqual({ mfaSerial: MFA });
    expect(chain.hops).toMatchObject([{ profile: "dev", mfaSerial: undefined, durationSeconds: 3600, cappedFrom: 28800 }]);
  });

  it("takes the MFA mode from rolecred_mfa_mode, and a --duration override for the target hop", () => {
    const chain = resolveProfileChain(
      "dev",
      files(`${BASE}[profile dev-s]\nrole_arn = ${DEV}\nsource_profile = jo\nrolecred_mfa_mode = session\n`.replace("[profile dev-s]", "[profile dev-s]")),
      { durationSeconds: 900 },
    );
    expect(chain.hops[0]?.durationSeconds).toBe(900);
    const session = resolveProfileChain("dev-s", files(`${BASE}[profile dev-s]\nrole_arn = ${DEV}\nsource_profile = jo\nrolecred_mfa_mode = session\n`));
    expect(session.sessionToken).toEqual({ mfaSerial: MFA });
  });

  it("a profile of keys only becomes a GetSessionToken session (never the keys themselves)", () => {
    const chain = resolveProfileChain("jo", files(BASE));
    expect(chain.hops).toEqual([]);
    expect(chain.sessionToken).toEqual({ mfaSerial: MFA });
  });

  it("on the first hop role_arn beats static keys; as a source, static keys win", () => {
    const config = `[profile both]\nrole_arn = ${DEV}\nsource_profile = jo\n[profile top]\nrole_arn = ${PROD}\nsource_profile = both\n`;
    const credentials = "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n[both]\naws_access_key_id = AKIABOTH\naws_secret_access_key = b\n";
    expect(resolveProfileChain("both", files(config, credentials)).hops.map((hop) => hop.roleArn)).toEqual([DEV]);
    const top = resolveProfileChain("top", files(config, credentials));
    expect(top.source.profile).toBe("both");
    expect(top.hops.map((hop) => hop.roleArn)).toEqual([PROD]);
  });

  it("temporary keys as the source make even the first hop chained (1h) and take no MFA", () => {
    const credentials = "[tmp]\naws_access_key_id = ASIATMP\naws_secret_access_key = s\naws_session_token = t\n";
    const chain = resolveProfileChain(
      "dev2",
      files(`[profile tmp]\nmfa_serial = ${MFA}\n[profile dev2]\nrole_arn = ${DEV}\nsource_profile = tmp\nduration_seconds = 7200\n`, credentials),
    );
    expect(chain.hops).toMatchObject([{ durationSeconds: 3600, cappedFrom: 7200, mfaSerial: undefined }]);
  });

  it("[default] counts as the profile named default; [profile default] too", () => {
    const chain = resolveProfileChain(
      "dev3",
      files(
        `[default]\nregion = us-west-2\n[profile dev3]\nrole_arn = ${DEV}\nsource_profile = default\n`,
        "[default]\naws_access_key_id = AKIAD\naws_secret_access_key = d\n",
      ),
    );
    expect(chain.source.profile).toBe("default");
    expect(chain.region).toBe("us-west-2");
  });

  it.each<[string, string, string, RegExp]>([
    [
      "a loop",
      `[profile a]\nrole_arn = ${DEV}\nsource_profile = b\n[profile b]\nrole_arn = ${DEV}\nsource_profile = a\n`,
      "a",
      /^profile chain loops: a → b → a$/,
    ],
    ["a self loop", `[profile a]\nrole_arn = ${DEV}\nsource_profile = a\n`, "a", /^profile chain loops: a → a$/],
    ["a missing source", `[profile a]\nrole_arn = ${DEV}\nsource_profile = nope\n`, "a", /^profile "nope" \(source_profile of a\) is not in/],
    ["a missing profile", "", "nope", /^profile "nope" is not in/],
    ["role_arn without a source", `[profile a]\nrole_arn = ${DEV}\n`, "a", /^profile "a" has role_arn but no source_profile$/],
    [
      "credential_source",
      `[profile a]\nrole_arn = ${DEV}\ncredential_source = Environment\n`,
      "a",
      /^profile "a": credential_source .* is out of rolecred's scope/,
    ],
    ["an SSO profile without an account", "[profile a]\nsso_session = corp\n", "a", /^profile "a" has no sso_account_id/],
    ["no credentials at all", "[profile a]\nregion = eu-west-1\n", "a", /^profile "a" holds no credentials/],
    ["a bad role_arn", "[profile a]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = jo\n", "a", /^profile "a": role_arn .* is not a role ARN$/],
    [
      "a bad duration",
      `[profile a]\nrole_arn = ${DEV}\nsource_profile = jo\nduration_seconds = 60\n`,
      "a",
      /^profile "a": duration_seconds "60" must be 900-43200$/,
    ],
    [
      "a bad mfa mode",
      `[profile a]\nrole_arn = ${DEV}\nsource_profile = jo\nrolecred_mfa_mode = sometimes\n`,
      "a",
      /rolecred_mfa_mode must be direct or session/,
    ],
  ])("refuses %s", (_name, config, profile, message) => {
    let caught: unknown;
    try {
      resolveProfileChain(profile, files(config));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RolecredError);
    expect((caught as RolecredError).message).toMatch(message);
  });
});
