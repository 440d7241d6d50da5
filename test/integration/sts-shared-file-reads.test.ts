/**
 * How often a cold `rolecred user` run reads and parses ~/.aws/config and ~/.aws/credentials,
 * counted in the real CLI process by a preload (test/support/count-file-reads.cjs). Each new
 * STSClient used to resolve a dozen settings from the shared files, parsing both again for each:
 * 14 parses of each file per run. The clients now get every setting from rolecred (src/sts/client.ts),
 * so what the SDK still parses is what its credential providers need for the source keys, and
 * nothing when the keys come from the environment.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, runCli } from "../support/run-cli.js";
import { JO_KEYS, ROLES, startWorld, writeJoProfile, type World } from "../support/world.js";

const PRELOAD = join(REPO_ROOT, "test", "support", "count-file-reads.cjs");

interface ReadCounts {
  readonly reads: Record<string, number>;
  readonly contentUses: Record<string, number>;
  readonly readers: Record<string, string[]>;
}

let world: World;
let home: string;

beforeAll(async () => {
  world = await startWorld();
  home = await makeTempHome();
  await writeJoProfile(home);
});
afterAll(async () => {
  await world.close();
});

async function countedUser(name: string, extraEnv: Record<string, string>, args: readonly string[] = []): Promise<{ config: { reads: number; sdkParses: number }; credentials: { reads: number; sdkParses: number }; readers: string[] }> {
  const files = { config: join(home, ".aws", "config"), credentials: join(home, ".aws", "credentials") };
  const report = join(home, `reads-${name}.json`);
  const env = cliEnv(home, {
    AWS_ENDPOINT_URL_STS: world.sts.url,
    ROLECRED_CACHE_DIR: join(home, `cache-${name}`),
    NODE_OPTIONS: `--require ${PRELOAD}`,
    ROLECRED_COUNT_READS_OF: `${files.config}:${files.credentials}`,
    ROLECRED_COUNT_READS_TO: report,
    ...extraEnv,
  });
  const result = await runCli(["user", ROLES.ci, "--profile", `out-${name}`, ...args], { env });
  expect(result.stderr).toContain(`out-${name}: assumed Ci in 111111111111`);
  expect(result.exitCode).toBe(0);
  const counts = JSON.parse(await readFile(report, "utf8")) as ReadCounts;
  const of = (path: string) => ({ reads: counts.reads[path] ?? NaN, sdkParses: counts.contentUses[path] ?? NaN });
  return { config: of(files.config), credentials: of(files.credentials), readers: Object.values(counts.readers).flat() };
}

describe("a cold `rolecred user` run and the shared AWS files", () => {
  it("with keys in the environment: the SDK parses neither file (it parsed each 14 times)", async () => {
    const counted = await countedUser("env-keys", { AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey });
    expect({ config: counted.config.sdkParses, credentials: counted.credentials.sdkParses }, counted.readers.join("\n")).toEqual({ config: 0, credentials: 0 });
    // Every read left is rolecred's own, through src/store/bounded-read.ts.
    expect(counted.readers.filter((reader) => !reader.includes("readRegularFileSync"))).toEqual([]);
  });

  it("with the keys of AWS_PROFILE (the SDK's default chain): one parse of each, by the credential provider", async () => {
    const counted = await countedUser("chain", { AWS_PROFILE: "jo-script" });
    expect({ config: counted.config.sdkParses, credentials: counted.credentials.sdkParses }, counted.readers.join("\n")).toEqual({ config: 1, credentials: 1 });
  });

  it("with --source-profile: one parse of each, by fromIni", async () => {
    const counted = await countedUser("source-profile", {}, ["--source-profile", "jo-script"]);
    expect({ config: counted.config.sdkParses, credentials: counted.credentials.sdkParses }, counted.readers.join("\n")).toEqual({ config: 1, credentials: 1 });
  });
});
