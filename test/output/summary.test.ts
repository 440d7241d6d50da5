/**
 * What the user reads about a session when part of its identity is unknown: the line says what is
 * known and never shows an invented value ("as ," for a session name nobody reported, or "session
 * of dev's keys" for an Identity Center session).
 */
import { describe, expect, it } from "vitest";
import { describeAssumed, describeProfileSession, sessionSummaryJson } from "../../src/output/summary.js";
import type { CachedSession } from "../../src/store/session-cache.js";

const NOW = new Date(2030, 0, 1, 12, 0, 0);
const credentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "s", sessionToken: "t", expiration: new Date(2030, 0, 1, 13, 0, 0) };
const ROLE = "arn:aws:iam::111111111111:role/pipeline";

describe(describeProfileSession.name, () => {
  it.each<[string, CachedSession, string]>([
    [
      "a role session with its name",
      {
        kind: "assume-role",
        profile: "dev",
        roleArn: ROLE,
        assumedRoleArn: "arn:aws:sts::111111111111:assumed-role/pipeline/jo",
        sessionName: "jo",
        credentials,
      },
      "dev: assumed pipeline in 111111111111 as jo, expires 13:00 (in 1h 0m)",
    ],
    [
      "a role session whose name nobody reported (Roles Anywhere without assumedRoleUser)",
      { kind: "roles-anywhere", profile: "ra", roleArn: ROLE, credentials },
      "dev: assumed pipeline in 111111111111, expires 13:00 (in 1h 0m)",
    ],
    ["a session of keys", { kind: "session-token", profile: "keys", sessionName: "jo", credentials }, "dev: session of keys's keys, expires 13:00 (in 1h 0m)"],
    [
      "an Identity Center session (no role ARN recorded)",
      { kind: "identity-center", profile: "sso-dev", credentials },
      "dev: IAM Identity Center session of sso-dev, expires 13:00 (in 1h 0m)",
    ],
    [
      "a credential_process session",
      { kind: "credential-process", profile: "vault", credentials },
      "dev: credential_process session of vault, expires 13:00 (in 1h 0m)",
    ],
  ])("%s", (_name, session, line) => {
    expect(describeProfileSession("dev", session, NOW)).toBe(line);
  });
});

describe(describeAssumed.name, () => {
  it("names an Identity Center session as one, not as a session of keys", () => {
    expect(describeAssumed("dev", { kind: "identity-center", profile: "sso-dev", region: "eu-west-1", credentials }, new Map(), NOW)).toBe(
      "dev: IAM Identity Center session of sso-dev, eu-west-1, expires 13:00 (in 1h 0m)",
    );
    expect(describeAssumed("dev", { kind: "session-token", profile: "keys", region: undefined, credentials }, new Map(), NOW)).toBe(
      "dev: session of keys's keys, expires 13:00 (in 1h 0m)",
    );
  });
});

describe(sessionSummaryJson.name, () => {
  it("leaves out the assumed-role ARN and session name when they are unknown, rather than printing empty strings", () => {
    const json = sessionSummaryJson({ roleArn: ROLE, credentials }, "ra");
    expect(json).toEqual({
      profile: "ra",
      roleArn: ROLE,
      account: "111111111111",
      accessKeyId: "ASIAEXAMPLE",
      expiration: credentials.expiration.toISOString(),
    });
    expect(Object.keys(json)).not.toContain("sessionName");
  });
});
