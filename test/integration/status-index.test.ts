/**
 * `rolecred status` reads the session cache through its index (src/store/session-index.ts) and the
 * credentials file with the read-only parse: what the user sees must not depend on whether the
 * index exists, is current, or was damaged.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";
import { cacheFileName, writeCachedSession } from "../../src/store/session-cache.js";
import { sessionIndexPath } from "../../src/store/session-index.js";

let home: string;
let env: Record<string, string>;
let cache: string;

const EXPIRY = new Date("2099-01-01T00:00:00Z");
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

beforeAll(async () => {
  home = await makeTempHome();
  cache = join(home, "cache");
  env = cliEnv(home, { ROLECRED_CACHE_DIR: cache });
  for (const [index, profile] of ["dev", "prod", "ops"].entries()) {
    await writeCachedSession(cache, `key-${profile}`, {
      kind: index === 1 ? "session-token" : "assume-role",
      profile,
      ...(index === 1 ? {} : { roleArn: `arn:aws:iam::11111111111${index}:role/R-${profile}` }),
      ...(index === 2 ? { tags: { team: "ops" }, policy: "{}" } : {}),
      credentials: { accessKeyId: `ASIA${profile.toUpperCase()}`, secretAccessKey: SECRET, sessionToken: `token-${profile}`, expiration: EXPIRY },
    });
  }
  await writeFile(join(cache, cacheFileName("junk")), "{ not json");
  await mkdir(join(home, ".aws"), { recursive: true });
  await writeFile(
    join(home, ".aws", "credentials"),
    [
      "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n",
      `[dev-creds]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\nx_security_token_expires = 2099-01-01T00:00:00Z\nx_rolecred_managed = true\nx_rolecred_role_arn = arn:aws:iam::111111111111:role/R-dev\n`,
    ].join("\n"),
  );
});

/** The table and the JSON, without the seconds left (they tick between runs). */
async function statusSeen(): Promise<{ table: string; json: unknown }> {
  const table = await runCli(["status"], { env });
  const json = await runCli(["status", "--json"], { env });
  expect(table.exitCode).toBe(0);
  expect(json.exitCode).toBe(0);
  // A file the writer accepts draws no warning.
  expect(table.stderr + json.stderr).toBe("");
  const rows = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
  return { table: table.stdout.replace(/ +\d+h \d+m| +\d+d \d+h|  +\S+ \d+:\d+/g, ""), json: rows.map(({ secondsLeft: _left, ...row }) => row) };
}

describe("status and the session index", () => {
  it("shows the same with no index, a current index, and a damaged one, and the index holds no secret", async () => {
    const first = await statusSeen();
    expect(first.table.split("\n").map((line) => line.split(/ {2,}/)[0])).toEqual(["PROFILE", "dev", "dev-creds", "ops", "prod", ""]);
    const index = await readFile(sessionIndexPath(cache), "utf8");
    expect(index).not.toContain(SECRET);
    expect(index).not.toContain("token-dev");
    expect(await statusSeen()).toEqual(first);
    for (const damaged of ["", "{", index.replace(/"profile":"dev"/, '"profile":7'), index.replace(/"version":1/, '"version":2')]) {
      await writeFile(sessionIndexPath(cache), damaged);
      expect(await statusSeen()).toEqual(first);
    }
  });

  it("lists a credentials file the writer would refuse (a repeated section) as the AWS SDK reads it, instead of failing", async () => {
    const path = join(home, ".aws", "credentials");
    const before = await readFile(path, "utf8");
    await writeFile(path, `${before}\n[dev-creds]\nx_rolecred_source_identity = jo\n`);
    try {
      const result = await runCli(["status", "dev-creds", "--json"], { env });
      // One line naming the problem as `write` words it (`cannot parse PATH, line 13: …`).
      expect(result.stderr).toBe(
        `warning: ${path}, line 13: section [dev-creds] repeats the one on line 5 (the AWS CLI rejects this too); listed as the AWS SDKs read it, but rolecred will not write to this file until that is fixed\n`,
      );
      expect(result.exitCode).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject([
        { profile: "dev-creds", where: "credentials file", sourceIdentity: "jo", roleArn: "arn:aws:iam::111111111111:role/R-dev" },
      ]);
    } finally {
      await writeFile(path, before);
    }
  });
});
