/**
 * How often a cold `rolecred user` run reads and parses ~/.aws/config and ~/.aws/credentials,
 * counted in the real CLI process by a preload (test/support/count-file-reads.cjs). Each new
 * STSClient used to resolve a dozen settings from the shared files, parsing both again for each:
 * 14 parses of each file per run. The clients now get every setting from rolecred (src/sts/client.ts),
 * and a source profile's plain static keys come from rolecred's own parse
 * (src/credentials/source-credentials.ts), so the SDK parses the files only for what it alone
 * resolves (credential_process, SSO, role_arn…). rolecred itself reads each file once: the
 * credentials file's bytes are kept for the run (store/bounded-read.ts), and the write's precheck
 * and its read under the lock take them after a `stat` shows the file unchanged.
 */
import { chmod, readFile, utimes, writeFile } from "node:fs/promises";
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
  // A credential_process printing jo's keys: a profile only the SDK's chain can resolve.
  const process = join(home, "jo-keys-process.cjs");
  await writeFile(
    process,
    `#!/usr/bin/env node\nprocess.stdout.write(JSON.stringify({ Version: 1, AccessKeyId: ${JSON.stringify(JO_KEYS.accessKeyId)}, SecretAccessKey: ${JSON.stringify(JO_KEYS.secretAccessKey)} }));\n`,
  );
  await chmod(process, 0o700);
  await writeJoProfile(
    home,
    `[profile by-process]\ncredential_process = ${process}\n`,
    // Keys STS does not know: a run that signs with them fails.
    "[default]\naws_access_key_id = AKIANOTJOEXAMPLE0001\naws_secret_access_key = not/jo/Secret0000000000000000000000000001\n",
  );
});
afterAll(async () => {
  await world.close();
});

async function countedUser(
  name: string,
  extraEnv: Record<string, string>,
  args: readonly string[] = [],
  changedJustNow = false,
): Promise<{ config: { reads: number; sdkParses: number }; credentials: { reads: number; sdkParses: number }; readers: string[] }> {
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
  // Files last changed an hour ago, as a user's usually are; a file changed within the last second is read again (see the last test).
  const anHourAgo = new Date(Date.now() - 3_600_000);
  for (const path of Object.values(files)) await utimes(path, anHourAgo, anHourAgo);
  // The change time cannot be set back: a file counts as settled once it too is a second old.
  if (!changedJustNow) await new Promise((resolve) => setTimeout(resolve, 1100));
  if (changedJustNow) await utimes(files.credentials, new Date(), new Date());
  const result = await runCli(["user", ROLES.ci, "--profile", `out-${name}`, ...args], { env });
  expect(result.stderr).toContain(`out-${name}: assumed Ci in 111111111111`);
  expect(result.exitCode).toBe(0);
  const counts = JSON.parse(await readFile(report, "utf8")) as ReadCounts;
  const of = (path: string) => ({ reads: counts.reads[path] ?? Number.NaN, sdkParses: counts.contentUses[path] ?? Number.NaN });
  return { config: of(files.config), credentials: of(files.credentials), readers: Object.values(counts.readers).flat() };
}

/** rolecred's own reads of each file, and the SDK's parses of each. */
function countsOf(counted: Awaited<ReturnType<typeof countedUser>>) {
  return {
    rolecredReads: { config: counted.config.reads - counted.config.sdkParses, credentials: counted.credentials.reads - counted.credentials.sdkParses },
    sdkParses: { config: counted.config.sdkParses, credentials: counted.credentials.sdkParses },
  };
}

describe("a cold `rolecred user` run and the shared AWS files", () => {
  it("with keys in the environment: the SDK parses neither file (it parsed each 14 times), and the environment's keys beat [default]'s", async () => {
    const counted = await countedUser("env-keys", { AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey });
    expect(countsOf(counted), counted.readers.join("\n")).toEqual({ rolecredReads: { config: 1, credentials: 1 }, sdkParses: { config: 0, credentials: 0 } });
    // Every read left is rolecred's own, through src/store/bounded-read.ts.
    expect(counted.readers.filter((reader) => !reader.includes("/dist/src/store/bounded-read.js:"))).toEqual([]);
  });

  it("with the keys of AWS_PROFILE: taken from rolecred's own parse, the SDK parses nothing (it parsed each file once for its chain)", async () => {
    const counted = await countedUser("chain", { AWS_PROFILE: "jo-script" });
    expect(countsOf(counted), counted.readers.join("\n")).toEqual({ rolecredReads: { config: 1, credentials: 1 }, sdkParses: { config: 0, credentials: 0 } });
    expect(counted.readers.filter((reader) => !reader.includes("/dist/src/store/bounded-read.js:"))).toEqual([]);
  });

  it("with --source-profile naming a keys profile: the SDK parses nothing (fromIni parsed each file once)", async () => {
    const counted = await countedUser("source-profile", {}, ["--source-profile", "jo-script"]);
    expect(countsOf(counted), counted.readers.join("\n")).toEqual({ rolecredReads: { config: 1, credentials: 1 }, sdkParses: { config: 0, credentials: 0 } });
  });

  it("with AWS_PROFILE naming a credential_process profile: still the SDK's chain (fromIni, then its process provider: two parses of each)", async () => {
    const counted = await countedUser("process", { AWS_PROFILE: "by-process" });
    expect(countsOf(counted), counted.readers.join("\n")).toEqual({ rolecredReads: { config: 1, credentials: 1 }, sdkParses: { config: 2, credentials: 2 } });
  });

  it("with AWS_PROFILE and keys in the environment too: the SDK decides (it takes the profile's, and warns)", async () => {
    const counted = await countedUser("profile-and-env", {
      AWS_PROFILE: "jo-script",
      AWS_ACCESS_KEY_ID: "AKIANOTJOEXAMPLE0001",
      AWS_SECRET_ACCESS_KEY: "not/jo/Secret0000000000000000000000000001",
    });
    expect(countsOf(counted).sdkParses, counted.readers.join("\n")).toEqual({ config: 1, credentials: 1 });
  });

  it("with a credentials file changed within the last second: read again for the write's precheck and under the lock", async () => {
    // A change within the same timestamp tick could go unseen by comparing times: the bytes are not kept.
    const counted = await countedUser("fresh", { AWS_PROFILE: "jo-script" }, [], true);
    expect(countsOf(counted), counted.readers.join("\n")).toEqual({ rolecredReads: { config: 1, credentials: 3 }, sdkParses: { config: 0, credentials: 0 } });
  });
});
