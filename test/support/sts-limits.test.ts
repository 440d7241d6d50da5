// STS's limits twice, derived independently: test/support/sts-limits.ts from the STS API
// Reference and the IAM User Guide (what the local STS endpoint enforces), src/sts/limits.ts (what
// rolecred checks before it sends anything). Both must accept exactly the same values; where they
// do not, one of them is wrong. The comparison probes each check with values around its length
// limits and with every character of Latin-1 plus a sample of Unicode, rather than comparing the
// regular expressions' text, so two spellings of one rule agree and two rules that look alike do not.
import { readdirSync, readFileSync } from "node:fs";

import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
  type AssumeRoleCommandInput,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { requirePolicyArns, requirePolicyFits } from "../../src/policy/session-policy.js";
import { MAX_SAML_ASSERTION_CHARACTERS } from "../../src/saml/read-input.js";
import {
  CHAINED_SESSION_MAX_SECONDS,
  DEFAULT_SESSION_SECONDS,
  DURATION_LIMITS,
  EXTERNAL_ID_PATTERN,
  MAX_POLICY_ARNS as SRC_MAX_POLICY_ARNS,
  MAX_POLICY_CHARACTERS,
  MAX_TAGS,
  MFA_CODE_PATTERN,
  MFA_SERIAL_PATTERN,
  requireDurationIn,
  requireExternalId,
  requireMfaSerial,
  requireSessionName,
  requireSourceIdentity,
  SESSION_NAME_PATTERN,
  SOURCE_IDENTITY_PATTERN,
  TAG_KEY_PATTERN,
  TAG_VALUE_PATTERN,
} from "../../src/sts/limits.js";
import { parseSessionTag, requireSessionTags } from "../../src/sts/session-tags.js";
import { DURATION_SECONDS, MAX_POLICY_ARNS, MAX_SESSION_TAGS, ROLE_CHAINING_MAX_SECONDS, STRING_LIMITS, type StringLimit } from "./sts-limits.js";
import { withinLimit } from "./sts-params.js";
import { startLocalSts, type LocalSts, type LocalStsUser } from "./sts-server.js";
import { newTotpSecret } from "./totp.js";

/** Code points every check is probed with: all of Latin-1, and letters, digits, spaces and
 *  symbols beyond it that regular expressions are known to read differently. */
const PROBE_CODE_POINTS = [
  ...Array.from({ length: 0x100 }, (_, index) => index),
  0x0100,
  0x017f,
  0x0391,
  0x03a9,
  0x0416,
  0x05d0,
  0x0627,
  0x0663,
  0x06f3,
  0x0966,
  0x0e51,
  0x1680,
  0x2000,
  0x2003,
  0x2028,
  0x2029,
  0x202f,
  0x205f,
  0x20ac,
  0x2160,
  0x212a,
  0x2460,
  0x3000,
  0x3007,
  0x4e2d,
  0xac00,
  0xff10,
  0xff21,
  0xfffd,
  0x1d7ce,
  0x1f600,
  0x20000,
];

/** One character every documented pattern accepts, to pad a probe to a valid length. */
const FILLER = "1";

/** Values around a limit's lengths, and one probe per character at a valid length. */
function probesFor(limit: StringLimit): string[] {
  const lengths = [0, 1, limit.min - 1, limit.min, limit.min + 1, limit.max - 1, limit.max, limit.max + 1].filter((length) => length >= 0);
  const padded = Math.max(limit.min, 1);
  const probes = lengths.map((length) => FILLER.repeat(length));
  for (const codePoint of PROBE_CODE_POINTS) {
    const character = String.fromCodePoint(codePoint);
    probes.push(character + FILLER.repeat(Math.max(padded - 1, 0)));
    probes.push(FILLER.repeat(Math.max(padded - 1, 1)) + character);
  }
  // At the longest valid length, one character outside the Basic Multilingual Plane: two UTF-16
  // units, one character.
  if (limit.max > 1) {
    for (const codePoint of [0x1d7ce, 0x1f600, 0x20000]) probes.push(FILLER.repeat(limit.max - 1) + String.fromCodePoint(codePoint));
  }
  probes.push("aws:admin", "AWS:admin", "aws-admin", "arn:aws:iam::123456789012:mfa/jo", "GAHT12345678", "jo.smith@example.com");
  return probes;
}

function accepts(check: (value: string) => unknown, value: string): boolean {
  try {
    check(value);
    return true;
  } catch {
    return false;
  }
}

/** The values on which src's check and the documented limit disagree (shown with code points). */
function disagreements(limit: StringLimit, srcAccepts: (value: string) => boolean): string[] {
  return probesFor(limit)
    .filter((value) => srcAccepts(value) !== withinLimit(limit, value))
    .map((value) => {
      const shown = value.length > 12 ? `${value.slice(0, 12)}… (${value.length} characters)` : JSON.stringify(value);
      const codes = Array.from(value)
        .filter((_, index, all) => index < 2 || index === all.length - 1)
        .map((character) => `U+${character.codePointAt(0)?.toString(16).toUpperCase().padStart(4, "0")}`);
      return `${shown} [${codes.join(" ")}]: src ${srcAccepts(value) ? "accepts" : "refuses"}, STS ${withinLimit(limit, value) ? "accepts" : "refuses"}`;
    });
}

describe("src/sts/limits.ts against STS's documented limits (test/support/sts-limits.ts)", () => {
  it("the local STS endpoint takes nothing from src/, so the two tables cannot be wrong together", () => {
    const folder = new URL(".", import.meta.url);
    const endpointFiles = readdirSync(folder).filter((name) => /^sts-.*\.ts$/.test(name) && !name.endsWith(".test.ts"));
    expect(endpointFiles).toEqual(expect.arrayContaining(["sts-server.ts", "sts-limits.ts", "sts-params.ts", "sts-rules.ts"]));
    const importsOfSrc = endpointFiles.filter((name) => /from\s+["'][^"']*\/src\//.test(readFileSync(new URL(name, folder), "utf8")));
    expect(importsOfSrc).toEqual([]);
  });

  it.each([
    ["RoleSessionName", STRING_LIMITS.roleSessionName, (value: string) => SESSION_NAME_PATTERN.test(value)],
    ["RoleSessionName (requireSessionName)", STRING_LIMITS.roleSessionName, (value: string) => accepts(requireSessionName, value)],
    ["ExternalId", STRING_LIMITS.externalId, (value: string) => EXTERNAL_ID_PATTERN.test(value)],
    ["ExternalId (requireExternalId)", STRING_LIMITS.externalId, (value: string) => accepts(requireExternalId, value)],
    ["SerialNumber", STRING_LIMITS.serialNumber, (value: string) => MFA_SERIAL_PATTERN.test(value)],
    ["SerialNumber (requireMfaSerial)", STRING_LIMITS.serialNumber, (value: string) => accepts(requireMfaSerial, value)],
    ["TokenCode", STRING_LIMITS.tokenCode, (value: string) => MFA_CODE_PATTERN.test(value)],
    ["SourceIdentity", STRING_LIMITS.sourceIdentity, (value: string) => SOURCE_IDENTITY_PATTERN.test(value)],
    ["SourceIdentity (requireSourceIdentity)", STRING_LIMITS.sourceIdentity, (value: string) => accepts(requireSourceIdentity, value)],
    ["Tag Key", STRING_LIMITS.tagKey, (value: string) => TAG_KEY_PATTERN.test(value)],
    ["Tag Value", STRING_LIMITS.tagValue, (value: string) => TAG_VALUE_PATTERN.test(value)],
    ["Policy (requirePolicyFits)", STRING_LIMITS.policy, (value: string) => accepts((text: string) => requirePolicyFits(text, "the policy"), value)],
  ])("%s: src accepts exactly what STS documents", (_member, limit, srcAccepts) => {
    expect(disagreements(limit, srcAccepts)).toEqual([]);
  });

  it("a --tag KEY=VALUE is accepted exactly when STS accepts its key and its value", () => {
    const keys = probesFor(STRING_LIMITS.tagKey).filter((key) => !key.includes("=") && key.trim() === key);
    const wrong = keys.filter((key) => accepts(parseSessionTag, `${key}=v`) !== withinLimit(STRING_LIMITS.tagKey, key));
    expect(wrong).toEqual([]);
    const values = probesFor(STRING_LIMITS.tagValue).filter((value) => value.trim() === value);
    const wrongValues = values.filter((value) => accepts(parseSessionTag, `k=${value}`) !== withinLimit(STRING_LIMITS.tagValue, value));
    expect(wrongValues).toEqual([]);
  });

  it("durations: AssumeRole 900-43200 (default 3600), GetSessionToken 900-129600, role chaining 1 hour", () => {
    expect(DURATION_LIMITS.assumeRole).toEqual({ min: DURATION_SECONDS.assumeRole.min, max: DURATION_SECONDS.assumeRole.max });
    expect(DURATION_LIMITS.getSessionToken).toEqual({ min: DURATION_SECONDS.getSessionToken.min, max: DURATION_SECONDS.getSessionToken.max });
    expect(DEFAULT_SESSION_SECONDS).toBe(DURATION_SECONDS.assumeRole.default);
    expect(DEFAULT_SESSION_SECONDS).toBe(DURATION_SECONDS.assumeRoleWithSaml.default);
    expect(CHAINED_SESSION_MAX_SECONDS).toBe(ROLE_CHAINING_MAX_SECONDS);
    for (const [limits, documented] of [
      [DURATION_LIMITS.assumeRole, DURATION_SECONDS.assumeRole],
      [DURATION_LIMITS.getSessionToken, DURATION_SECONDS.getSessionToken],
    ] as const) {
      const probes = [documented.min - 1, documented.min, documented.max, documented.max + 1, 1800.5];
      const accepted = probes.filter((seconds) => accepts(() => requireDurationIn(seconds, limits), String(seconds)));
      expect(accepted).toEqual([documented.min, documented.max]);
    }
  });

  it("counts: 50 session tags, 10 managed policy ARNs, a 2,048-character policy, a 100,000-character assertion", () => {
    expect(MAX_TAGS).toBe(MAX_SESSION_TAGS);
    expect(SRC_MAX_POLICY_ARNS).toBe(MAX_POLICY_ARNS);
    expect(MAX_POLICY_CHARACTERS).toBe(STRING_LIMITS.policy.max);
    expect(MAX_SAML_ASSERTION_CHARACTERS).toBe(STRING_LIMITS.samlAssertion.max);
    const tags = (count: number) => Array.from({ length: count }, (_, index) => ({ key: `k${index}`, value: "v" }));
    expect(accepts(() => requireSessionTags(tags(MAX_SESSION_TAGS), []), "")).toBe(true);
    expect(accepts(() => requireSessionTags(tags(MAX_SESSION_TAGS + 1), []), "")).toBe(false);
    const arns = (count: number) => Array.from({ length: count }, (_, index) => `arn:aws:iam::aws:policy/P${index}`);
    expect(accepts(() => requirePolicyArns(arns(MAX_POLICY_ARNS)), "")).toBe(true);
    expect(accepts(() => requirePolicyArns(arns(MAX_POLICY_ARNS + 1)), "")).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// The endpoint enforces each documented limit at its boundary: the last value STS accepts passes
// validation (the request then succeeds or fails for another reason), the first it refuses is a
// ValidationError naming the member and the constraint, as AWS words it.

const ACCOUNT = "111122223333";
const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/TestIdp`;
const ali: LocalStsUser = {
  account: ACCOUNT,
  name: "ali",
  accessKeyId: "AKIAALIEXAMPLE000001",
  secretAccessKey: "ali/secret/key/000000000000000000000000",
  mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/ali`, secret: newTotpSecret() }],
};

let server: LocalSts;

beforeAll(async () => {
  server = await startLocalSts({
    users: [ali],
    roles: [
      {
        arn: roleArn("Long"),
        maxSessionDuration: 43_200,
        trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:root`], allowTagSession: true, allowSetSourceIdentity: true }],
      },
      { arn: roleArn("Default"), trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:root`] }] },
    ],
  });
});

afterAll(async () => {
  await server?.close();
});

function client(): STSClient {
  return new STSClient({
    endpoint: server.url,
    region: "us-east-1",
    credentials: { accessKeyId: ali.accessKeyId, secretAccessKey: ali.secretAccessKey },
    maxAttempts: 1,
  });
}

const assumeRole = (input: Partial<AssumeRoleCommandInput>) =>
  client().send(new AssumeRoleCommand({ RoleArn: roleArn("Long"), RoleSessionName: "limits", ...input }));

/** The error a request met, or undefined when it succeeded. */
async function outcome(request: () => Promise<unknown>): Promise<{ name: string; message: string } | undefined> {
  try {
    await request();
    return undefined;
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    return { name: error.name, message: error.message };
  }
}

/** A ValidationError with one violation: `path` broke `constraint`. */
function violation(path: string, constraint: string): { name: string; message: RegExp } {
  const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return {
    name: "ValidationError",
    message: new RegExp(`^1 validation error detected: Value.* at '${escaped(path)}' failed to satisfy constraint: ${escaped(constraint)}$`, "s"),
  };
}

const atMost = (max: number) => `Member must have length less than or equal to ${max}`;
const atLeast = (min: number) => `Member must have length greater than or equal to ${min}`;

describe("the local STS endpoint enforces each documented limit at its boundary", () => {
  it.each([
    ["RoleSessionName 64 / 65 characters", { RoleSessionName: "s".repeat(64) }, { RoleSessionName: "s".repeat(65) }, violation("roleSessionName", atMost(64))],
    ["ExternalId 2 / 1 characters", { ExternalId: "e2" }, { ExternalId: "e" }, violation("externalId", atLeast(2))],
    ["ExternalId 1224 / 1225 characters", { ExternalId: "e".repeat(1224) }, { ExternalId: "e".repeat(1225) }, violation("externalId", atMost(1224))],
    [
      "ExternalId characters",
      { ExternalId: "a:b/c=d,e.f@g-h+i_j" },
      { ExternalId: "a b" },
      violation("externalId", "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*"),
    ],
    ["SourceIdentity 64 / 65 characters", { SourceIdentity: "i".repeat(64) }, { SourceIdentity: "i".repeat(65) }, violation("sourceIdentity", atMost(64))],
    ["SourceIdentity 2 / 1 characters", { SourceIdentity: "i2" }, { SourceIdentity: "i" }, violation("sourceIdentity", atLeast(2))],
    [
      "DurationSeconds 43200 / 43201",
      { DurationSeconds: 43_200 },
      { DurationSeconds: 43_201 },
      violation("durationSeconds", "Member must have value less than or equal to 43200"),
    ],
    [
      "RoleArn 2048 / 2049 characters",
      { RoleArn: roleArn("r".repeat(2048 - roleArn("").length)) },
      { RoleArn: roleArn("r".repeat(2049 - roleArn("").length)) },
      violation("roleArn", atMost(2048)),
    ],
    [
      "a PolicyArns arn of 20 / 19 characters",
      { PolicyArns: [{ arn: "arn:aws:iam::aws:p/x" }] },
      { PolicyArns: [{ arn: "arn:aws:iam::aws:p/" }] },
      violation("policyArns.1.member.arn", atLeast(20)),
    ],
    [
      "a tag value of 256 / 257 characters",
      { Tags: [{ Key: "k", Value: "v".repeat(256) }] },
      { Tags: [{ Key: "k", Value: "v".repeat(257) }] },
      violation("tags.1.member.value", atMost(256)),
    ],
    [
      "a tag key of 128 / 129 characters, one of them outside the BMP (two UTF-16 units, one character)",
      { Tags: [{ Key: "k".repeat(127) + "\u{20000}", Value: "v" }] },
      { Tags: [{ Key: "k".repeat(128) + "\u{20000}", Value: "v" }] },
      violation("tags.1.member.key", atMost(128)),
    ],
    [
      "50 / 51 transitive tag keys",
      { Tags: [{ Key: "k", Value: "v" }], TransitiveTagKeys: Array.from({ length: 50 }, () => "k") },
      { Tags: [{ Key: "k", Value: "v" }], TransitiveTagKeys: Array.from({ length: 51 }, () => "k") },
      violation("transitiveTagKeys", atMost(50)),
    ],
  ] satisfies Array<[string, Partial<AssumeRoleCommandInput>, Partial<AssumeRoleCommandInput>, ReturnType<typeof violation>]>)(
    "AssumeRole: %s",
    async (_limit, accepted, refused, refusal) => {
      expect((await outcome(() => assumeRole(accepted)))?.name).not.toBe("ValidationError");
      await expect(assumeRole(refused)).rejects.toMatchObject(refusal);
    },
  );

  it("AssumeRole: SerialNumber 9-256 of [\\w+=/:,.@-], TokenCode six digits (the code never echoed)", async () => {
    const code = { TokenCode: "123456" };
    // Valid shapes naming no device of the caller's: refused by MFA, not by validation.
    for (const serial of ["GAHT12345", "s".repeat(256)]) {
      await expect(assumeRole({ SerialNumber: serial, ...code })).rejects.toMatchObject({ name: "AccessDenied" });
    }
    await expect(assumeRole({ SerialNumber: "GAHT1234", ...code })).rejects.toMatchObject(violation("serialNumber", atLeast(9)));
    await expect(assumeRole({ SerialNumber: "s".repeat(257), ...code })).rejects.toMatchObject(violation("serialNumber", atMost(256)));
    await expect(assumeRole({ SerialNumber: "GAHT 12345", ...code })).rejects.toMatchObject(
      violation("serialNumber", "Member must satisfy regular expression pattern: [\\w+=/:,.@-]*"),
    );
    const serial = ali.mfaDevices?.[0]?.serial ?? "";
    for (const [tokenCode, constraint] of [
      ["12345", atLeast(6)],
      ["1234567", atMost(6)],
    ] as const) {
      const error = await outcome(() => assumeRole({ SerialNumber: serial, TokenCode: tokenCode }));
      expect(error).toMatchObject(violation("tokenCode", constraint));
      expect(error?.message).not.toContain(tokenCode);
    }
  });

  it("AssumeRole: without DurationSeconds a session lasts 3600 seconds, whatever the role's maximum", async () => {
    for (const role of ["Long", "Default"]) {
      const before = Date.now();
      const output = await assumeRole({ RoleArn: roleArn(role) });
      const seconds = ((output.Credentials?.Expiration?.getTime() ?? 0) - before) / 1000;
      expect(Math.round(seconds / 10) * 10).toBe(3600);
    }
  });

  it("AssumeRoleWithSAML: DurationSeconds at most 43200, SAMLAssertion at most 100,000 characters (never echoed)", async () => {
    const withSaml = (assertion: string, durationSeconds?: number) =>
      client().send(
        new AssumeRoleWithSAMLCommand({ RoleArn: roleArn("Long"), PrincipalArn: PROVIDER_ARN, SAMLAssertion: assertion, DurationSeconds: durationSeconds }),
      );
    // Within the limits, validation passes and the (unknown) provider is what fails.
    await expect(withSaml("A".repeat(100_000), 43_200)).rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
    await expect(withSaml("AAAA", 43_201)).rejects.toMatchObject(violation("durationSeconds", "Member must have value less than or equal to 43200"));
    const tooLong = await outcome(() => withSaml("A".repeat(100_001)));
    expect(tooLong).toMatchObject(violation("sAMLAssertion", atMost(100_000)));
    expect(tooLong?.message).not.toContain("AAAA");
  });

  it("GetSessionToken: DurationSeconds 900-129600", async () => {
    await expect(client().send(new GetSessionTokenCommand({ DurationSeconds: 900 }))).resolves.toBeDefined();
    await expect(client().send(new GetSessionTokenCommand({ DurationSeconds: 129_600 }))).resolves.toBeDefined();
    await expect(client().send(new GetSessionTokenCommand({ DurationSeconds: 899 }))).rejects.toMatchObject(
      violation("durationSeconds", "Member must have value greater than or equal to 900"),
    );
  });

  it("GetFederationToken: Name 2-32 of [\\w+=,.@-], DurationSeconds 900-129600, Policy at most 2,048 characters", async () => {
    const federate = (input: { Name: string; DurationSeconds?: number; Policy?: string }) => client().send(new GetFederationTokenCommand(input));
    await expect(federate({ Name: "n".repeat(32), DurationSeconds: 129_600 })).resolves.toBeDefined();
    await expect(federate({ Name: "n".repeat(33) })).rejects.toMatchObject(violation("name", atMost(32)));
    await expect(federate({ Name: "a b" })).rejects.toMatchObject(violation("name", "Member must satisfy regular expression pattern: [\\w+=,.@-]*"));
    await expect(federate({ Name: "fed", DurationSeconds: 899 })).rejects.toMatchObject(
      violation("durationSeconds", "Member must have value greater than or equal to 900"),
    );
    await expect(federate({ Name: "fed", Policy: " ".repeat(2049) })).rejects.toMatchObject(violation("policy", atMost(2048)));
  });

  it("a role's MaxSessionDuration must be 1 to 12 hours", async () => {
    for (const maxSessionDuration of [3599, 43_201]) {
      await expect(startLocalSts({ roles: [{ arn: roleArn("Odd"), maxSessionDuration, trust: [] }] })).rejects.toThrow(
        `role ${roleArn("Odd")}: maxSessionDuration must be 3600-43200`,
      );
    }
  });
});
