/**
 * The cached fast path reads only the sections a chain names (issue 16). With thousands of
 * profiles around them it must still find the same session, and still refuse what it refused:
 * a narrowed profile (even when the narrowing key sits in a repeated section far down the file)
 * and a session within its expiry window.
 */
import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { serveFromCache } from "../../src/cli/fast-path.js";
import { targetLinkKey } from "../../src/credentials/link-keys.js";
import { readAwsFiles } from "../../src/profiles/aws-files.js";
import { resolveProfileChain } from "../../src/profiles/resolve.js";
import { writeCachedSession } from "../../src/store/session-cache.js";

const NOW = new Date("2030-01-01T00:00:00.000Z");
let home: string;
let env: Record<string, string>;

function filler(count: number, header: (index: number) => string, body: string): string {
  return Array.from({ length: count }, (_, index) => `${header(index)}\n${body}\n`).join("\n");
}

async function writeFiles(extraConfig = ""): Promise<void> {
  await mkdir(join(home, ".aws"), { recursive: true });
  const config = `${filler(3000, (index) => `[profile org-${index}]`, "role_arn = arn:aws:iam::111111111111:role/ReadOnly\nsource_profile = jo")}\n[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Ci\nsource_profile = jo\n${extraConfig}`;
  const credentials = `${filler(3000, (index) => `[org-${index}]`, "aws_access_key_id = ASIAX\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true")}\n[jo]\naws_access_key_id = AKIAJOEXAMPLE0000001\naws_secret_access_key = secret\n`;
  await writeFile(join(home, ".aws", "config"), config);
  await writeFile(join(home, ".aws", "credentials"), credentials);
}

async function cacheDevSession(expiresInSeconds: number): Promise<void> {
  const chain = resolveProfileChain("dev", await readAwsFiles(env));
  await writeCachedSession(join(home, "cache"), targetLinkKey(chain, {}), {
    kind: "assume-role",
    profile: "dev",
    roleArn: "arn:aws:iam::111111111111:role/Ci",
    credentials: {
      accessKeyId: "ASIACACHED0000000001",
      secretAccessKey: "cached-secret",
      sessionToken: "cached-token",
      expiration: new Date(NOW.getTime() + expiresInSeconds * 1000),
    },
  });
}

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-fast-large-"));
  env = {
    HOME: home,
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    ROLECRED_CACHE_DIR: join(home, "cache"),
    // The full path refuses a profile without a region before it looks in the cache; so does the fast path.
    AWS_REGION: "us-east-1",
  };
});

describe("the fast path with thousands of profiles", () => {
  it("serves the cached session of a profile at the end of both files", async () => {
    await writeFiles();
    await cacheDevSession(3600);
    const answer = await serveFromCache(["process", "dev"], env, NOW, async () => false);
    expect(JSON.parse(Buffer.from(answer?.stdout ?? "{}").toString())).toMatchObject({ Version: 1, AccessKeyId: "ASIACACHED0000000001" });
  });

  it("leaves a profile narrowed in a repeated section further down to the full path", async () => {
    await writeFiles();
    await cacheDevSession(3600);
    await writeFiles(`\n[profile org-5]\nregion = eu-west-1\n\n[profile dev]\nrolecred_policy = {"Version":"2012-10-17","Statement":[]}\n`);
    expect(await serveFromCache(["process", "dev"], env, NOW, async () => false)).toBeUndefined();
  });

  it("leaves a session within its expiry window to the full path", async () => {
    await writeFiles();
    await cacheDevSession(120);
    expect(await serveFromCache(["process", "dev"], env, NOW, async () => false)).toBeUndefined();
  });
});
