/**
 * `rolecred process PROFILE` in-process: a ~/.aws/config chain (source keys → MFA session →
 * AssumeRole → AssumeRole) through the credential links, whose STS calls all go through deps.sts,
 * against the in-memory STS, with the session cache in the temporary HOME.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runProcess } from "../../src/commands/profile-delivery.js";
import type { ProfileRequestOptions } from "../../src/session/options.js";
import { fakeDeps, runInProcess } from "../support/fake-deps.js";
import { FakeSts } from "../support/fake-sts.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, USER_ARN, writeJoProfile } from "../support/world.js";

const CI = `arn:aws:iam::${ACCOUNT}:role/Ci`;
const DEPLOY = `arn:aws:iam::${ACCOUNT}:role/Deploy`;
const ADMIN = `arn:aws:iam::${ACCOUNT}:role/Admin`;
const NOW = new Date("2026-11-24T12:00:00Z");

let home: string;
let sts: FakeSts;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-unit-process-"));
  await writeJoProfile(
    home,
    [
      "[profile ci]",
      `role_arn = ${CI}`,
      "source_profile = jo-script",
      "[profile deploy]",
      `role_arn = ${DEPLOY}`,
      "source_profile = ci",
      "duration_seconds = 7200",
      "[profile admin]",
      `role_arn = ${ADMIN}`,
      "source_profile = jo",
      `mfa_serial = ${MFA_SERIAL}`,
      "",
    ].join("\n"),
  );
  sts = new FakeSts({
    now: () => NOW,
    users: [{ arn: USER_ARN, ...JO_KEYS, mfaSerials: [MFA_SERIAL] }],
    roles: [
      { arn: CI, trusts: [`arn:aws:iam::${ACCOUNT}:root`], maxSessionSeconds: 4 * 3600 },
      { arn: DEPLOY, trusts: [CI], maxSessionSeconds: 4 * 3600 },
      { arn: ADMIN, trusts: [USER_ARN], requireMfa: true },
    ],
  });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(profile: string, mfaCode: ProfileRequestOptions["mfaCode"] = { from: "prompt" }): ProfileRequestOptions {
  return {
    profile,
    mfaCode,
    mfaMode: undefined,
    refresh: false,
    session: { durationSeconds: undefined, region: undefined, policy: undefined, policyArns: [], scopes: [] },
    identity: { tags: [], transitiveTagKeys: [], sourceIdentity: undefined, strict: false },
  };
}

describe("runProcess", () => {
  it("prints credential_process JSON for a role profile, and serves the second run from the cache", async () => {
    const first = await runInProcess(fakeDeps({ home, now: NOW, sts }), (deps) => runProcess(options("ci"), deps));
    expect(first.exitCode).toBe(0);
    const json = JSON.parse(first.stdout) as { Version: number; AccessKeyId: string; Expiration: string };
    expect(json).toMatchObject({ Version: 1, Expiration: "2026-11-24T13:00:00.000Z" });
    expect(json.AccessKeyId).toMatch(/^ASIAFAKE/);
    const second = await runInProcess(fakeDeps({ home, now: NOW, sts }), (deps) => runProcess(options("ci"), deps));
    expect((JSON.parse(second.stdout) as { AccessKeyId: string }).AccessKeyId).toBe(json.AccessKeyId);
    expect(sts.calls.filter((call) => call.operation === "AssumeRole")).toHaveLength(1);
  });

  it("caps a chained hop at the hour STS allows role chaining, saying so on stderr", async () => {
    const result = await runInProcess(fakeDeps({ home, now: NOW, sts }), (deps) => runProcess(options("deploy"), deps));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("note: deploy: asking for 1h, not 7200s: STS limits a role assumed with temporary credentials (role chaining) to 1 hour");
    expect(sts.calls.filter((call) => call.operation === "AssumeRole").map((call) => [call.roleArn, call.callerArn])).toEqual([
      [CI, USER_ARN],
      [DEPLOY, `arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`],
    ]);
  });

  it("a profile with mfa_serial and no terminal: exit 2 naming the flags, no STS call made", async () => {
    const result = await runInProcess(fakeDeps({ home, now: NOW, sts }), (deps) => runProcess(options("admin"), deps));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^rolecred: .*the MFA code for arn:aws:iam::111111111111:mfa\/jo.* — pass --mfa-token CODE/);
    expect(result.stdout).toBe("");
    expect(sts.calls.filter((call) => call.operation !== "GetCallerIdentity")).toEqual([]);
  });

  it("a wrong MFA code from ROLECRED_MFA_TOKEN: exit 4, one line, nothing on stdout", async () => {
    const result = await runInProcess(fakeDeps({ home, now: NOW, sts }), (deps) => runProcess(options("admin", { from: "env", code: "000000" }), deps));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      `rolecred: STS rejected the MFA code for ${MFA_SERIAL}: it is wrong or was already used — each code works only once: wait for the next code and try again\n`,
    );
    expect(result.stdout).toBe("");
  });
});
