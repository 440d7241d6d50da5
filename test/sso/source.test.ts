/** Identity Center profiles in the resolver: the base of a chain, keyed by their settings alone. */
import { describe, expect, it } from "vitest";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import type { AwsFiles } from "../../src/profiles/aws-files.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import { readIniSections } from "../../src/store/ini-document.js";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { LinkContext } from "../../src/credentials/link.js";
import { REPO_ROOT } from "../support/run-cli.js";

function files(config: string): AwsFiles {
  return { configPath: "config", credentialsPath: "credentials", config: readIniSections(config), credentials: readIniSections("") };
}

const CONFIG = files(`
[sso-session corp]
sso_start_url = https://d-1.awsapps.com/start
sso_region = us-east-1
[profile admin]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
[profile legacy]
sso_start_url = https://d-1.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
[profile deploy]
role_arn = arn:aws:iam::222222222222:role/Deploy
source_profile = admin
duration_seconds = 7200
[profile mixed]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = AdministratorAccess
role_arn = arn:aws:iam::222222222222:role/Deploy
`);

describe("Identity Center profiles in the resolver (the registered source)", () => {
  it("start a chain with no hop and key the cache by session, account and role", () => {
    const chain = resolveProfileChain("admin", CONFIG);
    expect(chain.source.kind === "registered" && chain.source.source.name).toBe("sso");
    expect(chain.hops).toEqual([]);
    expect(chain.sessionToken).toBeUndefined();
    expect(targetLinkKey(chain, {})).toBe(
      JSON.stringify({ kind: "identity-center", session: "corp", startUrl: null, account: "111111111111", role: "AdministratorAccess" }),
    );
    expect(targetLinkKey(resolveProfileChain("legacy", CONFIG), {})).toBe(
      JSON.stringify({
        kind: "identity-center",
        session: null,
        startUrl: "https://d-1.awsapps.com/start",
        account: "111111111111",
        role: "AdministratorAccess",
      }),
    );
  });

  it("give the fast path the key of the link the full path caches under", () => {
    const chain = resolveProfileChain("admin", CONFIG);
    if (chain.source.kind !== "registered") throw new Error("admin starts from the SSO source");
    expect(chain.source.source.link(chain.source, {} as LinkContext).key).toBe(targetLinkKey(chain, {}));
  });

  it("keep the SSO clients out of the cached fast path's bundle", () => {
    const bundle = join(REPO_ROOT, "dist", "src", "cli", "main.cjs");
    if (!existsSync(bundle)) throw new Error("build first: npm run build");
    const text = readFileSync(bundle, "utf8");
    expect(text).toContain("identity-center"); // the source itself is there (it answers applies/cacheKey)
    expect(text).not.toContain("@aws-sdk/client-sso");
    expect(text).not.toContain("src/sso/role-credentials.ts");
  });

  it("carry a role hop, capped at one hour as role chaining", () => {
    const chain = resolveProfileChain("deploy", CONFIG);
    expect(chain.source.profile).toBe("admin");
    expect(chain.hops.map((hop) => [hop.roleArn, hop.durationSeconds, hop.cappedFrom])).toEqual([["arn:aws:iam::222222222222:role/Deploy", 3600, 7200]]);
  });

  it("refuse role_arn beside the SSO settings without source_profile", () => {
    expect(() => resolveProfileChain("mixed", CONFIG)).toThrow('profile "mixed" has both Identity Center settings and role_arn without source_profile');
  });
});
