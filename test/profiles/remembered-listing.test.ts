/**
 * A remembered listing is the text an earlier rolecred printed (src/profiles/remembered-listing.ts):
 * when what `profiles` prints changes, LISTING_VERSION must change with it, or a listing
 * remembered by the older rolecred would still be shown after an upgrade. This pins what version
 * 1 prints for every kind of profile; a change here fails until the version is raised with it.
 */
import { describe, expect, it } from "vitest";
import { renderProfiles, type ProfilesFormat } from "../../src/output/profiles.js";
import { profileNames, profileSettings, type AwsFiles } from "../../src/profiles/aws-files.js";
import { LISTING_VERSION } from "../../src/profiles/remembered-listing.js";
import { readIniSections } from "../../src/store/ini-document.js";

const CONFIG = [
  "[default]\nregion = eu-west-1",
  "[profile cert]\nrolecred_x509_certificate = ~/me.pem\nrole_arn = arn:aws:iam::111111111111:role/Dev",
  "[profile sso]\nsso_session = corp",
  "[profile role]\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = jo\nmfa_serial = arn:aws:iam::111111111111:mfa/jo\nregion = us-east-1",
  "[profile helper]\ncredential_process = op-aws jo",
  "[profile kept]\nrolecred_keys = jo",
  "[profile red\u001b[31m]\nregion = x",
].join("\n");
const CREDENTIALS =
  "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n[written]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true\n";

function rendered(format: ProfilesFormat): string {
  const files: AwsFiles = { configPath: "c", credentialsPath: "k", config: readIniSections(CONFIG), credentials: readIniSections(CREDENTIALS) };
  return renderProfiles({ names: profileNames(files), settings: (name) => profileSettings(files, name) ?? new Map<string, string>() }, format);
}

describe("what a remembered listing's version stands for", () => {
  it("version 1 prints every kind of profile so (a change to what profiles prints raises LISTING_VERSION)", () => {
    expect(LISTING_VERSION).toBe(1);
    expect(rendered("names")).toBe("cert\ndefault\nhelper\njo\nkept\nred\\x1b[31m\nrole\nsso\nwritten\n");
    expect(rendered("table")).toBe(
      [
        "PROFILE      KIND                       ROLE                                SOURCE  MFA                               REGION",
        "cert         certificate                arn:aws:iam::111111111111:role/Dev",
        "default      other                                                                                                    eu-west-1",
        "helper       process",
        "jo           keys",
        "kept         keyring keys",
        "red\\x1b[31m  other                                                                                                    x",
        "role         role                       arn:aws:iam::111111111111:role/Ops  jo      arn:aws:iam::111111111111:mfa/jo  us-east-1",
        "sso          sso",
        "written      temporary keys (rolecred)",
        "",
      ].join("\n"),
    );
    expect(JSON.parse(rendered("json"))).toContainEqual({
      profile: "role",
      kind: "role",
      roleArn: "arn:aws:iam::111111111111:role/Ops",
      sourceProfile: "jo",
      mfaSerial: "arn:aws:iam::111111111111:mfa/jo",
      region: "us-east-1",
      managedByRolecred: false,
    });
    expect(rendered("json")).toMatch(/^\[\n  \{\n    "profile": "cert",\n    "kind": "certificate",/);
  });
});
