/**
 * `rolecred user` in-process: runUser with fake deps (a temporary HOME, captured stdout and
 * stderr, a fake clock) and the in-memory STS of test/support/fake-sts.ts. What a user sees is
 * asserted: the exit code, the one stderr line, the profile written (or nothing written). The
 * wire (SigV4, the SDK, the built CLI) stays covered once by test/integration/user.test.ts.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runUser, type UserOptions } from "../../src/commands/user.js";
import { fakeDeps, homeEnv, runInProcess, type FakeDeps } from "../support/fake-deps.js";
import { FakeSts, sdkStyleError } from "../support/fake-sts.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, USER_ARN, writeJoProfile } from "../support/world.js";

const DEVELOPER = `arn:aws:iam::${ACCOUNT}:role/Developer`;
const CI = `arn:aws:iam::${ACCOUNT}:role/Ci`;
const NOW = new Date("2026-11-24T12:00:00Z");

let home: string;
let sts: FakeSts;
let fake: FakeDeps;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-unit-user-"));
  await writeJoProfile(home);
  fake = fakeDeps({ home, now: NOW });
  sts = new FakeSts({
    now: fake.deps.now,
    users: [{ arn: USER_ARN, ...JO_KEYS, mfaSerials: [MFA_SERIAL] }],
    roles: [
      { arn: DEVELOPER, trusts: [USER_ARN], requireMfa: true, maxSessionSeconds: 12 * 3600 },
      { arn: CI, trusts: [`arn:aws:iam::${ACCOUNT}:root`] },
    ],
  });
  fake = fakeDeps({ home, now: NOW, sts });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(overrides: Partial<UserOptions> = {}): UserOptions {
  return {
    roleArn: CI,
    sessionName: undefined,
    sourceProfile: "jo-script",
    mfaSerial: undefined,
    mfaCode: { from: "prompt" },
    externalId: undefined,
    session: { durationSeconds: undefined, region: undefined, policy: undefined, policyArns: [], scopes: [] },
    identity: { tags: [], transitiveTagKeys: [], sourceIdentity: undefined, strict: false },
    delivery: { to: "profile", profile: "dev", json: false, force: false },
    ...overrides,
  };
}

const credentialsFile = () => readFile(join(home, ".aws", "credentials"), "utf8");

describe("runUser", () => {
  it("assumes the role with the source keys and writes the profile, with one line on stderr", async () => {
    const result = await runInProcess(fake, (deps) => runUser(options(), deps));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("dev: assumed Ci in 111111111111 as jo, expires 13:00 (in 1h 0m)\n");
    expect(result.stdout).toBe("");
    const written = await credentialsFile();
    expect(written).toContain("[dev]\naws_access_key_id = ASIAFAKE");
    expect(written).toContain(`[jo-script]\naws_access_key_id = ${JO_KEYS.accessKeyId}`);
    expect(sts.calls.map((call) => call.operation)).toEqual(["GetCallerIdentity", "AssumeRole"]);
    expect(sts.calls[1]).toMatchObject({ callerArn: USER_ARN, roleArn: CI, sessionName: "jo" });
  });

  it("takes the MFA device and region from the profile its keys come from: AWS_PROFILE, else default (AWS_DEFAULT_PROFILE is not read, as by the SDK)", async () => {
    await writeJoProfile(
      home,
      "\n[profile legacy]\nmfa_serial = arn:aws:iam::111111111111:mfa/someone-else\nregion = ap-south-1\n",
      `\n[default]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
    );
    const legacy = fakeDeps({ home, now: NOW, sts, env: homeEnv(home, { AWS_DEFAULT_PROFILE: "legacy", AWS_REGION: "" }) });
    const result = await runInProcess(legacy, (deps) => runUser(options({ sourceProfile: undefined }), deps));
    // The keys are [default]'s (the SDK's rule): legacy's MFA device and region would belong to someone else.
    expect(result.stderr).toBe(
      "rolecred: no AWS region: STS is regional and rolecred will not guess one — pass --region (e.g. --region eu-west-1) or set AWS_REGION\n",
    );
    expect(result.exitCode).toBe(2);
    const withRegion = fakeDeps({ home, now: NOW, sts, env: homeEnv(home, { AWS_DEFAULT_PROFILE: "legacy" }) });
    const assumed = await runInProcess(withRegion, (deps) => runUser(options({ sourceProfile: undefined }), deps));
    expect(assumed.stderr).toBe("dev: assumed Ci in 111111111111 as jo, expires 13:00 (in 1h 0m)\n");
    expect(sts.calls.filter((call) => call.operation === "AssumeRole")).toHaveLength(1);
  });

  it("sends the MFA code from --mfa-token, and refuses a used one with exit 4 and nothing written", async () => {
    const code = sts.nextMfaCode(MFA_SERIAL);
    const first = await runInProcess(fake, (deps) =>
      runUser(
        options({ roleArn: DEVELOPER, mfaSerial: MFA_SERIAL, mfaCode: { from: "flag", code }, session: { ...options().session, durationSeconds: 8 * 3600 } }),
        deps,
      ),
    );
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toBe("dev: assumed Developer in 111111111111 as jo, expires 20:00 (in 8h 0m)\n");

    const again = fakeDeps({ home, now: NOW, sts });
    const before = await credentialsFile();
    const second = await runInProcess(again, (deps) =>
      runUser(
        options({
          roleArn: DEVELOPER,
          mfaSerial: MFA_SERIAL,
          mfaCode: { from: "flag", code },
          delivery: { to: "profile", profile: "other", json: false, force: false },
        }),
        deps,
      ),
    );
    expect(second.exitCode).toBe(4);
    expect(second.stderr).toBe(
      `rolecred: STS rejected the MFA code for ${MFA_SERIAL}: it is wrong or was already used — each code works only once: wait for the next code and try again\n`,
    );
    expect(await credentialsFile()).toBe(before);
  });

  it("without an MFA device, a role that requires MFA is refused with the hint to pass --mfa-serial (exit 4)", async () => {
    const result = await runInProcess(fake, (deps) => runUser(options({ roleArn: DEVELOPER }), deps));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^rolecred: not allowed to assume Developer \(arn:aws:iam::111111111111:role\/Developer\): User: arn:aws:iam::111111111111:user\/jo is not authorized to perform: sts:AssumeRole on resource: .* — the role's trust policy does not allow this caller, or requires MFA: pass --mfa-serial\n$/,
    );
    expect(await credentialsFile()).not.toContain("[dev]");
  });

  it("above the role's maximum (no MFA), warns once and asks for the hour every role allows", async () => {
    const result = await runInProcess(fake, (deps) => runUser(options({ session: { ...options().session, durationSeconds: 4 * 3600 } }), deps));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("warning: Ci allows less than 14400s; retrying with 3600s\ndev: assumed Ci in 111111111111 as jo, expires 13:00 (in 1h 0m)\n");
    expect(sts.calls.filter((call) => call.operation === "AssumeRole").map((call) => call.durationSeconds)).toEqual([14_400, 3600]);
  });

  it("above the role's maximum with a code from --mfa-token, stops with exit 2: a code is never sent twice", async () => {
    sts = new FakeSts({
      now: fake.deps.now,
      users: [{ arn: USER_ARN, ...JO_KEYS, mfaSerials: [MFA_SERIAL] }],
      roles: [{ arn: DEVELOPER, trusts: [USER_ARN], requireMfa: true }],
    });
    const short = fakeDeps({ home, now: NOW, sts });
    const refused = await runInProcess(short, (deps) =>
      runUser(
        options({
          roleArn: DEVELOPER,
          mfaSerial: MFA_SERIAL,
          mfaCode: { from: "flag", code: sts.nextMfaCode(MFA_SERIAL) },
          session: { ...options().session, durationSeconds: 7200 },
        }),
        deps,
      ),
    );
    expect(refused.exitCode).toBe(2);
    expect(sts.calls.filter((call) => call.operation === "AssumeRole")).toHaveLength(1);
    expect(refused.stderr).toBe(
      "rolecred: Developer allows less than 7200s, and the MFA code went with the refused request (STS takes a code once) — run again with --duration 1h (or the role's maximum) and the next code\n",
    );
  });

  it("source keys STS does not know: exit 4, one line, nothing written", async () => {
    const stranger = new FakeSts({ now: fake.deps.now, roles: [{ arn: CI, trusts: [`arn:aws:iam::${ACCOUNT}:root`] }] });
    const run = fakeDeps({ home, now: NOW, sts: stranger });
    const result = await runInProcess(run, (deps) => runUser(options(), deps));
    expect(result).toMatchObject({
      exitCode: 4,
      stderr: "rolecred: STS does not recognise the source access key — it was deleted or deactivated, or belongs to another AWS partition\n",
    });
    expect(await credentialsFile()).not.toContain("[dev]");
  });

  it("STS throttling, as the SDK throws it: exit 5 naming the endpoint", async () => {
    sts.failNextCall(sdkStyleError("Throttling", "Rate exceeded", 400));
    const result = await runInProcess(fake, (deps) => runUser(options(), deps));
    expect(result).toMatchObject({
      exitCode: 5,
      stderr: "rolecred: STS at https://sts.us-east-1.amazonaws.com is unavailable (Throttling): Rate exceeded — try again in a moment\n",
    });
  });

  it("--json prints the summary on stdout without a secret", async () => {
    const result = await runInProcess(fake, (deps) => runUser(options({ delivery: { to: "profile", profile: "dev", json: true, force: false } }), deps));
    expect(result.exitCode).toBe(0);
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ roleArn: CI });
    expect(result.stdout).not.toMatch(/fake\/secret|FakeSessionToken/);
  });
});
