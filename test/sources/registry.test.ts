/**
 * A profile a registered credential source claims is the base of a chain: the resolver asks the
 * source, hops stack on top of it, and what it yields (keys or a session) decides the MFA and
 * chaining rules exactly as for keys in the credentials file.
 */
import { describe, expect, it } from "vitest";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import type { CredentialSource } from "../../src/sources/source.js";
import { inputError } from "../../src/errors.js";
import { readIniSections } from "../../src/store/ini-document.js";

function testSource(name: string, longTermKeys: boolean): CredentialSource {
  const key = `rolecred_${name}`;
  return {
    name,
    longTermKeys,
    applies: (settings) => settings.has(key),
    validate: (profile, settings) => {
      if (settings.get(key) === "") throw inputError(`profile "${profile}": ${key} is empty`);
    },
    cacheKey: (base) => JSON.stringify({ kind: name, value: base.settings.get(key) }),
    link: () => {
      throw new Error("not called: resolution is pure");
    },
    describe: (base) => `${key} ${base.settings.get(key) ?? ""}`,
  };
}

const session = testSource("cert", false);
const keyring = testSource("keys", true);
const sources = [session, keyring];

function files(config: string): AwsFiles {
  return { configPath: "config", credentialsPath: "credentials", config: readIniSections(config), credentials: readIniSections("") };
}

const config = files(`
[profile ra]
rolecred_cert = me.pem
role_arn = arn:aws:iam::111111111111:role/pipeline
duration_seconds = 7200
[profile ra-admin]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = ra
duration_seconds = 7200
[profile jo]
rolecred_keys = jo
mfa_serial = arn:aws:iam::111111111111:mfa/jo
[profile dev]
role_arn = arn:aws:iam::111111111111:role/Developer
source_profile = jo
duration_seconds = 7200
[profile broken]
rolecred_cert =
`);

describe("resolveProfileChain with registered sources", () => {
  it("lets a session source keep its own role_arn: no hop, no source_profile needed", () => {
    const chain = resolveProfileChain("ra", config, { sources });
    expect(chain.source).toMatchObject({ kind: "registered", profile: "ra" });
    expect(chain.source.kind === "registered" && chain.source.source.name).toBe("cert");
    expect(chain.hops).toEqual([]);
    expect(chain.sessionToken).toBeUndefined();
  });

  it("caps a hop on a session source at one hour: it is role chaining", () => {
    const chain = resolveProfileChain("ra-admin", config, { sources });
    expect(chain.hops.map((hop) => [hop.roleArn, hop.durationSeconds, hop.cappedFrom])).toEqual([["arn:aws:iam::111111111111:role/admin", 3600, 7200]]);
  });

  it("treats a long-term-keys source like keys in the file: MFA on the first hop, no cap", () => {
    const chain = resolveProfileChain("dev", config, { sources });
    expect(chain.hops).toMatchObject([{ profile: "dev", mfaSerial: "arn:aws:iam::111111111111:mfa/jo", durationSeconds: 7200, cappedFrom: undefined }]);
    expect(resolveProfileChain("jo", config, { sources }).sessionToken).toEqual({ mfaSerial: "arn:aws:iam::111111111111:mfa/jo" });
  });

  it("asks the source to validate, naming the profile", () => {
    expect(() => resolveProfileChain("broken", config, { sources })).toThrow('profile "broken": rolecred_cert is empty');
  });

  it("keys the target's cache by the source's own key", () => {
    expect(targetLinkKey(resolveProfileChain("ra", config, { sources }), {})).toBe(JSON.stringify({ kind: "cert", value: "me.pem" }));
  });

  it("without the source registered, such a profile is refused as holding no credentials", () => {
    expect(() => resolveProfileChain("jo", config, { sources: [] })).toThrow('profile "jo" holds no credentials');
  });
});
