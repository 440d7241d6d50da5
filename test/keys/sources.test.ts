/**
 * The two sources this area registers, as the resolver sees them (pure: nothing is run or read):
 * which profiles they claim, what they refuse, and the cache keys the fast path computes.
 */
import { describe, expect, it } from "vitest";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import { readIniSections } from "../../src/store/ini-document.js";

const MFA = "arn:aws:iam::111111111111:mfa/jo";

const files: AwsFiles = {
  configPath: "config",
  credentialsPath: "credentials",
  config: readIniSections(`
[profile jo]
rolecred_keys = jo
mfa_serial = ${MFA}
[profile dev]
role_arn = arn:aws:iam::111111111111:role/Developer
source_profile = jo
[profile both]
rolecred_keys = jo
credential_process = rolecred process both
[profile op]
credential_process = op-aws "jo keys"
[profile via-op]
role_arn = arn:aws:iam::111111111111:role/Developer
source_profile = op
[profile role-and-process]
role_arn = arn:aws:iam::111111111111:role/Developer
credential_process = op-aws
[profile bad-name]
rolecred_keys = no/slashes
[profile empty-process]
credential_process =
[profile keys-and-process]
credential_process = op-aws
`),
  credentials: readIniSections("[imported]\nrolecred_keys = jo\n[keys-and-process]\naws_access_key_id = AKIAJOEXAMPLE0000001\naws_secret_access_key = s\n"),
};

const sourceName = (profile: string) => {
  const { source } = resolveProfileChain(profile, files);
  return source.kind === "keys" ? "keys" : source.source.name;
};

describe("the keyring and credential_process sources in the resolver", () => {
  it("rolecred_keys is long-term keys: a keys-only profile gets GetSessionToken with its MFA, a role on top gets the MFA on its hop", () => {
    expect(resolveProfileChain("jo", files)).toMatchObject({ source: { kind: "registered", profile: "jo" }, sessionToken: { mfaSerial: MFA }, hops: [] });
    expect(resolveProfileChain("dev", files)).toMatchObject({ sessionToken: undefined, hops: [{ profile: "dev", mfaSerial: MFA }] });
    expect(sourceName("imported")).toBe("keyring"); // the setting may sit in the credentials file, where `keys import` puts it
  });

  it("the keyring claims a profile holding both: its credential_process line is for the AWS CLI, not a loop", () => {
    expect(sourceName("both")).toBe("keyring");
  });

  it("credential_process is a session source; keys in the profile win over it; role_arn needs source_profile, as in the AWS CLI", () => {
    expect(sourceName("op")).toBe("process");
    expect(sourceName("keys-and-process")).toBe("keys");
    expect(resolveProfileChain("via-op", files).hops[0]).toMatchObject({ mfaSerial: undefined });
    expect(() => resolveProfileChain("role-and-process", files)).toThrow('profile "role-and-process" has role_arn but no source_profile');
  });

  it("refuses bad settings, naming the profile", () => {
    expect(() => resolveProfileChain("bad-name", files)).toThrow('profile "bad-name": rolecred_keys "no/slashes" is not a valid key name');
    expect(() => resolveProfileChain("empty-process", files)).toThrow('profile "empty-process": credential_process is empty');
  });

  it("cache keys name the profile and the store entry (or the command), never a secret or a key id", () => {
    expect(targetLinkKey(resolveProfileChain("op", files), {})).toBe(
      JSON.stringify({ kind: "credential-process", profile: "op", command: 'op-aws "jo keys"' }),
    );
    const jo = targetLinkKey(resolveProfileChain("jo", files), {});
    expect(jo).toBe(JSON.stringify({ kind: "session-token", mfaSerial: MFA, parent: JSON.stringify({ kind: "keyring", profile: "jo", entry: "jo" }) }));
  });
});
