/**
 * The cached fast path must find exactly the session the full path caches: same key for the same
 * profile. If the two ever disagree, every warm call silently falls back to the slow path.
 */
import { describe, expect, it } from "vitest";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import { assumeRoleLink } from "../../src/credentials/assume-role-link.js";
import { sessionTokenLink } from "../../src/credentials/session-token-link.js";
import { staticLink } from "../../src/credentials/static-keys-link.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { readIniSections } from "../../src/store/ini-document.js";
import type { LinkContext } from "../../src/credentials/link.js";

const files: AwsFiles = {
  configPath: "c",
  credentialsPath: "k",
  config: readIniSections(
    "[profile jo]\nmfa_serial = arn:aws:iam::111111111111:mfa/jo\n[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Developer\nsource_profile = jo\n[profile prod]\nrole_arn = arn:aws:iam::333333333333:role/ReadOnly\nsource_profile = dev\n[profile s]\nrole_arn = arn:aws:iam::111111111111:role/Developer\nsource_profile = jo\nrolecred_mfa_mode = session\n",
  ),
  credentials: readIniSections("[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n"),
};

// Building links does no I/O and calls nothing; only their keys are read here.
const context = {} as LinkContext;

describe(targetLinkKey.name, () => {
  it.each(["dev", "prod", "s", "jo"])("matches the key of the links the full path builds for %s", (profile) => {
    const chain = resolveProfileChain(profile, files);
    if (chain.source.kind !== "keys") throw new Error("these profiles start from keys");
    let link = staticLink(chain.source);
    if (chain.sessionToken !== undefined) link = sessionTokenLink(link, chain.source.profile, chain.sessionToken.mfaSerial, context);
    for (const hop of chain.hops) link = assumeRoleLink(link, hop, {}, context);
    expect(targetLinkKey(chain, {})).toBe(link.key);
  });

  it("changes when anything that shapes the session changes", () => {
    const chain = resolveProfileChain("dev", files);
    if (chain.source.kind !== "keys") throw new Error("dev starts from keys");
    const keys = new Set([
      targetLinkKey(chain, {}),
      targetLinkKey(chain, { policy: "{}" }),
      targetLinkKey(chain, { tags: [{ key: "a", value: "b" }] }),
      targetLinkKey(resolveProfileChain("s", files), {}),
      targetLinkKey({ ...chain, source: { ...chain.source, accessKeyId: "AKIAROTATED" } }, {}),
    ]);
    expect(keys.size).toBe(5);
  });
});
