/**
 * Which source credentials rolecred takes from its own parse of the shared files, and which it
 * leaves to the AWS SDK's providers: the SDK's order of precedence must hold either way
 * (@aws-sdk/credential-provider-node's default chain, credential-provider-ini's fromIni).
 */
import { describe, expect, it } from "vitest";
import { staticKeysOf } from "../../src/credentials/source-credentials.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";

const KEYS = { aws_access_key_id: "AKIAEXAMPLE000000001", aws_secret_access_key: "abc/Secret+Key/0000000000000000000000001" };

function filesWith(credentials: Record<string, Record<string, string>>, config: Record<string, Record<string, string>> = {}): AwsFiles {
  const sections = (from: Record<string, Record<string, string>>) => new Map(Object.entries(from).map(([name, keys]) => [name, new Map(Object.entries(keys))]));
  return { configPath: "/nowhere/config", credentialsPath: "/nowhere/credentials", config: sections(config), credentials: sections(credentials) };
}

describe(staticKeysOf.name, () => {
  it("takes AWS_PROFILE's keys, else [default]'s (the SDK ignores AWS_DEFAULT_PROFILE)", () => {
    const files = filesWith({ default: KEYS, jo: { ...KEYS, aws_access_key_id: "AKIAJO00000000000001" } });
    expect(staticKeysOf(undefined, files, { AWS_PROFILE: "jo" })?.credentials.accessKeyId).toBe("AKIAJO00000000000001");
    expect(staticKeysOf(undefined, files, {})).toEqual({
      profile: "default",
      credentials: { accessKeyId: KEYS.aws_access_key_id, secretAccessKey: KEYS.aws_secret_access_key },
    });
    expect(staticKeysOf(undefined, files, { AWS_DEFAULT_PROFILE: "jo" })?.profile).toBe("default");
  });

  it("leaves the chain to the SDK when any key is in the environment (fromEnv first; with AWS_PROFILE the SDK warns)", () => {
    const files = filesWith({ default: KEYS, jo: KEYS });
    expect(staticKeysOf(undefined, files, { AWS_ACCESS_KEY_ID: "AKIAENV0000000000001", AWS_SECRET_ACCESS_KEY: "x" })).toBeUndefined();
    expect(staticKeysOf(undefined, files, { AWS_ACCESS_KEY_ID: "AKIAENV0000000000001" })).toBeUndefined();
    expect(staticKeysOf(undefined, files, { AWS_PROFILE: "jo", AWS_SECRET_ACCESS_KEY: "x" })).toBeUndefined();
    // --source-profile is fromIni alone: the environment's keys do not apply.
    expect(staticKeysOf("jo", files, { AWS_ACCESS_KEY_ID: "AKIAENV0000000000001", AWS_SECRET_ACCESS_KEY: "x" })?.profile).toBe("jo");
  });

  it("merges the config file's section under the credentials file's, keeping a session token", () => {
    const files = filesWith(
      { jo: { aws_secret_access_key: "from/credentials" } },
      { "profile jo": { aws_access_key_id: "AKIACONFIG0000000001", aws_secret_access_key: "from/config", aws_session_token: "token/from+config" } },
    );
    expect(staticKeysOf("jo", files, {})?.credentials).toEqual({
      accessKeyId: "AKIACONFIG0000000001",
      secretAccessKey: "from/credentials",
      sessionToken: "token/from+config",
    });
  });

  it.each([
    ["role_arn with source_profile (fromIni assumes the role first)", { ...KEYS, role_arn: "arn:aws:iam::111111111111:role/R", source_profile: "base" }],
    ["role_arn with credential_source", { ...KEYS, role_arn: "arn:aws:iam::111111111111:role/R", credential_source: "Environment" }],
    ["credential_process without keys", { credential_process: "/bin/get-keys" }],
    ["SSO settings without keys", { sso_session: "corp", sso_account_id: "111111111111", sso_role_name: "R" }],
    ["only the key id", { aws_access_key_id: KEYS.aws_access_key_id }],
    ["an empty secret", { ...KEYS, aws_secret_access_key: "" }],
    ["a value with a space (the SDK cuts a comment after one)", { ...KEYS, aws_secret_access_key: "abc ;comment" }],
    ["a value with a comment character", { ...KEYS, aws_secret_access_key: "abc#def" }],
    ["a non-ASCII value", { ...KEYS, aws_secret_access_key: "abcé" }],
    ["a session token with a space", { ...KEYS, aws_session_token: "a b" }],
  ])("leaves a profile with %s to the SDK", (_label, section) => {
    expect(staticKeysOf("p", filesWith({ p: section }), {})).toBeUndefined();
    expect(staticKeysOf(undefined, filesWith({ p: section }), { AWS_PROFILE: "p" })).toBeUndefined();
  });

  it("takes the keys of a profile that also names credential_process or SSO settings (fromIni takes static keys before those)", () => {
    expect(staticKeysOf("p", filesWith({ p: { ...KEYS, credential_process: "/bin/get-keys", sso_session: "corp" } }), {})?.credentials.accessKeyId).toBe(
      KEYS.aws_access_key_id,
    );
  });

  it("leaves a missing profile to the SDK (its error, or the rest of its chain)", () => {
    expect(staticKeysOf("absent", filesWith({}), {})).toBeUndefined();
    expect(staticKeysOf(undefined, filesWith({}), {})).toBeUndefined();
  });
});
