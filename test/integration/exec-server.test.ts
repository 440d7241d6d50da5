/**
 * `rolecred exec PROFILE --server -- CMD`: the child gets a loopback credentials endpoint instead
 * of keys, and keeps working while the session under it is refreshed. The local STS issues role
 * sessions of 301 s here, so each is inside the 5-minute refresh window (rolecred's and the AWS
 * SDK's) a second after it is issued: the AWS SDK and the AWS CLI in the child must see several
 * sessions in a row, every call succeeding, and a request without the right token must be refused.
 * (The lifetime used to be 304 s, which made the child wait ~4 s for each new session.)
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runProcess } from "../support/run-cli.js";
import { runInPty } from "../support/pty.js";
import { DEBIAN_AWS_CLI } from "../support/readback.js";
import { JO_KEYS, ROLES, startWorld, writeJoProfile, type World } from "../support/world.js";

let world: World;

beforeAll(async () => {
  world = await startWorld({ roleSessionLifetimeSeconds: 301 });
});
afterAll(async () => {
  await world.close();
});

// Runs inside the child: the SDK's default chain finds the endpoint through
// AWS_CONTAINER_CREDENTIALS_FULL_URI; it re-fetches once the session is within 5 minutes of expiry,
// which a 301 s session is after one second: the loops poll a little longer than that.
const CHILD = `
import { execFileSync } from "node:child_process";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const report = { keysInEnv: process.env.AWS_ACCESS_KEY_ID ?? null, sdkKeys: [], sdkArns: [], cliKeys: [], cliArns: [] };
const client = new STSClient({ maxAttempts: 1 });
for (let attempt = 0; attempt < 120 && new Set(report.sdkKeys).size < 3; attempt++) {
  const identity = await client.send(new GetCallerIdentityCommand({}));
  report.sdkArns.push(identity.Arn);
  report.sdkKeys.push((await client.config.credentials()).accessKeyId);
  await sleep(500);
}
const aws = (args) => execFileSync(${JSON.stringify(DEBIAN_AWS_CLI)}, args, { encoding: "utf8", env: { ...process.env, AWS_PAGER: "" } });
for (let attempt = 0; attempt < 30 && new Set(report.cliKeys).size < 2; attempt++) {
  report.cliArns.push(JSON.parse(aws(["sts", "get-caller-identity", "--endpoint-url", process.env.AWS_ENDPOINT_URL_STS, "--output", "json"])).Arn);
  report.cliKeys.push(JSON.parse(aws(["configure", "export-credentials", "--format", "process"])).AccessKeyId);
  await sleep(500);
}
const url = process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI;
report.noToken = (await fetch(url)).status;
report.wrongToken = (await fetch(url, { headers: { authorization: "0".repeat(64) } })).status;
report.host = new URL(url).hostname;
process.stdout.write(JSON.stringify(report));
`;

describe("rolecred exec --server", () => {
  it("serves refreshed sessions to the AWS SDK and the AWS CLI in the child, and refuses requests without the token", async () => {
    const home = await makeTempHome();
    await writeJoProfile(home, `[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = us-east-1\n`);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    const result = await runProcess(process.execPath, [ROLECRED_BIN, "exec", "ci", "--server", "--", process.execPath, "--input-type=module", "-e", CHILD], {
      env,
      timeoutMs: 120_000,
    });
    expect(result.stderr).toContain("credential server refused 2 request(s) without the right token");
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as {
      keysInEnv: string | null;
      sdkKeys: string[];
      sdkArns: string[];
      cliKeys: string[];
      cliArns: string[];
      noToken: number;
      wrongToken: number;
      host: string;
    };
    expect(report.keysInEnv).toBeNull();
    expect(report.host).toBe("127.0.0.1");
    expect(new Set(report.sdkKeys).size).toBeGreaterThanOrEqual(3);
    expect(new Set(report.cliKeys).size).toBeGreaterThanOrEqual(2);
    for (const arn of [...report.sdkArns, ...report.cliArns]) expect(arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/Ci\//);
    // Every key the child saw was issued by the local STS for the Ci role.
    for (const key of [...report.sdkKeys, ...report.cliKeys]) expect(world.sts.session(key)?.roleArn).toBe(ROLES.ci);
    expect([report.noToken, report.wrongToken]).toEqual([401, 401]);
    expect(result.stdout + result.stderr).not.toContain(JO_KEYS.secretAccessKey);
  }, 150_000);
});

describe("rolecred exec --server with a [default] profile", () => {
  it("warns that the child's SDK would use [default] before the server", async () => {
    const home = await makeTempHome();
    await writeJoProfile(
      home,
      `[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\n`,
      `\n[default]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
    );
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url });
    const result = await runProcess(process.execPath, [ROLECRED_BIN, "exec", "ci", "--server", "--", "true"], { env });
    expect(result.stderr).toBe("warning: the default profile has aws_access_key_id: the AWS SDKs and CLI in the command use it before the credential server\n");
    expect(result.exitCode).toBe(0);
  });
});

describe("rolecred exec --server with an MFA code given once", () => {
  it("does not re-send the spent --mfa-token code when a refresh needs a new one: it asks for one like a prompt would", async () => {
    const home = await makeTempHome();
    await writeJoProfile(home, `[profile dev]\nrole_arn = ${ROLES.developer}\nsource_profile = jo\n`);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url });
    // The first session is 301 s long: 2 s later it is inside the refresh window and a new one needs a code.
    const child =
      "await new Promise((resolve) => setTimeout(resolve, 2000)); const answer = await fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } }); process.stdout.write(String(answer.status));";
    const result = await runProcess(
      process.execPath,
      [ROLECRED_BIN, "exec", "dev", "--server", "--mfa-token", world.nextMfaCode(), "--", process.execPath, "--input-type=module", "-e", child],
      { env, timeoutMs: 60_000 },
    );
    expect(result.stdout).toBe("500");
    expect(result.stderr).toMatch(/^warning: credential server: could not refresh dev: .*terminal.*\n/);
  });

  it("ends with the command: a refresh left waiting at the MFA prompt does not keep rolecred running", async () => {
    const home = await makeTempHome();
    await writeJoProfile(home, `[profile dev]\nrole_arn = ${ROLES.developer}\nsource_profile = jo\n`);
    const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url });
    // Inside the refresh window, the child asks for credentials (the refresh now needs a code: a
    // prompt on the terminal), then exits 7 without waiting for the answer, once the test has seen
    // the prompt (it creates the file the child waits for).
    const seen = join(home, "prompt-seen");
    const child = `await new Promise((resolve) => setTimeout(resolve, 2000)); void fetch(process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, { headers: { authorization: process.env.AWS_CONTAINER_AUTHORIZATION_TOKEN } }).catch(() => {}); const { existsSync } = await import("node:fs"); while (!existsSync(${JSON.stringify(seen)})) await new Promise((resolve) => setTimeout(resolve, 50)); process.exit(7);`;
    const terminal = runInPty(
      process.execPath,
      [ROLECRED_BIN, "exec", "dev", "--server", "--mfa-token", world.nextMfaCode(), "--", process.execPath, "--input-type=module", "-e", child],
      { env, cwd: REPO_ROOT },
    );
    await terminal.waitFor("MFA code for", 30_000);
    await writeFile(seen, "");
    // Nobody answers. Without the fix rolecred waited at the prompt for ever after the command ended.
    const ended = await Promise.race([terminal.exited, new Promise<"still running">((resolve) => setTimeout(() => resolve("still running"), 20_000))]);
    expect(ended).toEqual({ exitCode: 7, signal: undefined });
    // The abandoned refresh is not reported as a failure: nothing asked for it any more.
    expect(terminal.screen()).not.toContain("could not refresh");
  }, 60_000);
});
