/**
 * composeSessionPolicy / prepareSessionPolicy: what the STS call will carry. The user's inline
 * policy goes out exactly as written (minified), every check runs before anything is sent, and
 * the size is measured on the minified text against STS's 2,048-character limit.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { composeSessionPolicy, describePolicySize, prepareSessionPolicy, type SessionPolicyInput } from "../../src/policy/compose.js";
import { parseScope } from "../../src/policy/scopes.js";
import { policySourceOf } from "../../src/policy/session-policy.js";
import { RolecredError } from "../../src/errors.js";

/** No stdin: reading it would be an internal error, so a test reaching it fails. */
const noStdin = undefined;

function inline(json: unknown, origin = "the --policy JSON"): SessionPolicyInput["inline"] {
  return { json, origin };
}

/** The error composeSessionPolicy throws for `input`, or a test failure if it does not. */
function refusal(input: Partial<SessionPolicyInput>): RolecredError {
  try {
    composeSessionPolicy({ inline: undefined, policyArns: [], scopes: [], ...input });
  } catch (error) {
    if (error instanceof RolecredError) return error;
    throw error;
  }
  throw new Error("expected composeSessionPolicy to refuse");
}

/** A policy of exactly `length` characters once minified. */
function policyOfLength(length: number): Record<string, unknown> {
  const shell = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/" }] };
  const padding = length - JSON.stringify(shell).length;
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::b/${"k".repeat(padding)}` }] };
}

describe(composeSessionPolicy.name, () => {
  it("passes the user's policy through exactly: same keys, same order, same Version, Id kept, minified", () => {
    const text = `{
      "Id": "tenant-123",
      "Statement": {
        "Resource": ["arn:aws:s3:::my-data-bucket/123/*"],
        "Action": "s3:GetObject",
        "Effect": "Allow",
        "Condition": { "Bool": { "aws:SecureTransport": true }, "NumericLessThan": { "s3:max-keys": 10 } }
      },
      "Version": "2008-10-17"
    }`;
    const json: unknown = JSON.parse(text);
    const composed = composeSessionPolicy({ inline: inline(json), policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"], scopes: [] });
    expect(composed.policy).toBe(
      '{"Id":"tenant-123","Statement":{"Resource":["arn:aws:s3:::my-data-bucket/123/*"],"Action":"s3:GetObject","Effect":"Allow","Condition":{"Bool":{"aws:SecureTransport":true},"NumericLessThan":{"s3:max-keys":10}}},"Version":"2008-10-17"}',
    );
    expect(composed.document).toBe(json);
    expect(composed.policyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
    expect(composed.warnings).toEqual([]);
  });

  it("sends nothing when nothing narrows the session", () => {
    expect(composeSessionPolicy({ inline: undefined, policyArns: [], scopes: [] })).toEqual({
      policy: undefined,
      document: undefined,
      policyArns: [],
      warnings: [],
    });
  });

  it("managed ARNs alone: no inline policy", () => {
    const arns = ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::111111111111:policy/team/TenantData"];
    expect(composeSessionPolicy({ inline: undefined, policyArns: arns, scopes: [] })).toEqual({
      policy: undefined,
      document: undefined,
      policyArns: arns,
      warnings: [],
    });
  });

  it("keeps the user's Version when scopes are added, and puts the user's statements first", () => {
    const user = { Version: "2008-10-17", Statement: [{ Sid: "Mine", Effect: "Allow", Action: "s3:*", Resource: "*" }] };
    const composed = composeSessionPolicy({ inline: inline(user), policyArns: [], scopes: [parseScope("deny-iam")] });
    expect(composed.document).toEqual({
      Version: "2008-10-17",
      Statement: [
        { Sid: "Mine", Effect: "Allow", Action: "s3:*", Resource: "*" },
        { Sid: "ScopeDenyIam", Effect: "Deny", Action: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
      ],
    });
    expect(composed.policy).toBe(JSON.stringify(composed.document));
  });

  describe("the 2,048-character limit, measured on the minified text", () => {
    it("accepts exactly 2,048 characters", () => {
      const composed = composeSessionPolicy({ inline: inline(policyOfLength(2048)), policyArns: [], scopes: [] });
      expect(composed.policy).toHaveLength(2048);
      expect(describePolicySize(composed.policy ?? "")).toBe("2048 of 2048 characters (100%)");
    });

    it("refuses 2,049, saying by how much", () => {
      const error = refusal({ inline: inline(policyOfLength(2049)) });
      expect(error.message).toBe("the --policy JSON is 2049 characters minified, 1 over STS's 2048-character limit for session policies");
      expect(error.hint).toBe("narrow it, or move part of it into a managed policy passed with --policy-arn");
      expect(error.exitCode).toBe(3);
    });

    it("names the combined policy when scopes pushed it over", () => {
      const error = refusal({ inline: inline(policyOfLength(1990)), scopes: [parseScope("deny-iam")] });
      expect(error.message).toMatch(/^the combined session policy is 2\d{3} characters minified, \d+ over STS's 2048-character limit/);
      const [, size = "", over = ""] = /is (\d+) characters minified, (\d+) over/.exec(error.message) ?? [];
      expect(Number(size) - Number(over)).toBe(2048);
    });

    it("a pretty-printed file far over 2,048 characters is fine when its minified text fits", async () => {
      const folder = await mkdtemp(join(tmpdir(), "rolecred-policy-"));
      const file = join(folder, "policy.json");
      const document = policyOfLength(1900);
      const pretty = JSON.stringify(document, null, 40);
      expect(pretty.length).toBeGreaterThan(2048);
      await writeFile(file, pretty);
      const composed = await prepareSessionPolicy({ policy: policySourceOf(file), policyArns: [], scopes: [] }, noStdin);
      expect(composed.policy).toBe(JSON.stringify(document));
      expect(composed.policy).toHaveLength(1900);
    });

    it("refuses characters STS does not take in a policy", () => {
      const error = refusal({
        inline: inline({ Version: "2012-10-17", Statement: [{ Sid: "Arrow", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/→/*" }] }),
      });
      expect(error.message).toBe("the --policy JSON contains characters STS does not accept in a policy (only tab, newline and U+0020 to U+00FF)");
    });
  });

  it("describes a size as characters of the limit and a percentage", () => {
    expect(describePolicySize("x".repeat(312))).toBe("312 of 2048 characters (15%)");
  });

  describe("the user's policy is validated on its own, before anything is sent", () => {
    it("names the user's file and statement even when scopes are added", () => {
      const user = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Principal: { AWS: "*" } }] };
      const error = refusal({ inline: inline(user, "policy.json"), scopes: [parseScope("deny-iam")] });
      expect(error.message).toBe("policy.json, statement 1 has a Principal: a session policy cannot name principals (it applies to the session itself)");
      expect(error.exitCode).toBe(3);
    });

    it("refuses a policy that is not an object", () => {
      expect(refusal({ inline: inline(["Allow"]) }).message).toBe(
        "the --policy JSON is not a valid IAM policy: $: a policy must be a JSON object, not an array",
      );
      expect(refusal({ inline: inline(["Allow"]), scopes: [parseScope("deny-iam")] }).message).toBe(
        "the --policy JSON is not a valid IAM policy: $: a policy must be a JSON object, not an array",
      );
    });
  });

  describe("the 'narrows nothing' warning", () => {
    const everything = { Version: "2012-10-17", Statement: [{ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" }] };

    it("warns about Allow * on * alone", () => {
      expect(composeSessionPolicy({ inline: inline(everything), policyArns: [], scopes: [] }).warnings).toEqual([
        "the --policy JSON, statement 1 (All) allows every action on every resource: on its own it narrows nothing",
      ]);
    });

    it.each([
      ["a deny scope", ["deny-iam"]],
      ["an allow scope", ["services=s3"]],
    ])("says nothing once %s narrows it", (_name, scopes) => {
      expect(composeSessionPolicy({ inline: inline(everything), policyArns: [], scopes: scopes.map(parseScope) }).warnings).toEqual([]);
    });

    it("says nothing about the Allow * on * that deny-only scopes start from", () => {
      expect(composeSessionPolicy({ inline: undefined, policyArns: [], scopes: [parseScope("deny-delete")] }).warnings).toEqual([]);
    });
  });

  describe("the 'allows nothing' warning", () => {
    const denyOnly = { Version: "2012-10-17", Statement: [{ Effect: "Deny", Action: "iam:*", Resource: "*" }] };

    it("warns about a policy of denies alone", () => {
      expect(composeSessionPolicy({ inline: inline(denyOnly), policyArns: [], scopes: [] }).warnings).toEqual([
        "the --policy JSON has no Allow statement: the session will be allowed nothing (a session policy grants only what it allows; deny-type --scope values add an Allow * on * for you)",
      ]);
      expect(composeSessionPolicy({ inline: inline(denyOnly), policyArns: [], scopes: [parseScope("deny-delete")] }).warnings).toEqual([
        "the combined session policy has no Allow statement: the session will be allowed nothing (a session policy grants only what it allows; deny-type --scope values add an Allow * on * for you)",
      ]);
    });

    it.each<[string, Partial<SessionPolicyInput>]>([
      ["managed policies supply the allows", { inline: inline(denyOnly), policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
      ["read-only supplies them", { scopes: [parseScope("read-only"), parseScope("deny-iam")] }],
      ["deny scopes alone (they add Allow * on *)", { scopes: [parseScope("deny-iam")] }],
    ])("says nothing when %s", (_name, input) => {
      expect(composeSessionPolicy({ inline: undefined, policyArns: [], scopes: [], ...input }).warnings).toEqual([]);
    });
  });

  it("checks the managed ARNs too", () => {
    const error = refusal({ policyArns: ["arn:aws:iam::111111111111:role/NotAPolicy"] });
    expect(error.message).toBe('invalid --policy-arn "arn:aws:iam::111111111111:role/NotAPolicy"');
    expect(error.exitCode).toBe(2);
    expect(refusal({ policyArns: Array.from({ length: 11 }, (_, i) => `arn:aws:iam::aws:policy/P${i}`) }).message).toBe(
      "at most 10 --policy-arn are allowed, got 11",
    );
  });
});

describe(prepareSessionPolicy.name, () => {
  it.each([
    ["inline JSON", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'],
    ["inline JSON with leading space", '  {"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}'],
  ])("reads %s", async (_name, flag) => {
    const composed = await prepareSessionPolicy({ policy: policySourceOf(flag), policyArns: [], scopes: [] }, noStdin);
    expect(composed.policy).toBe('{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}');
  });

  it("reads stdin for -", async () => {
    const composed = await prepareSessionPolicy(
      { policy: policySourceOf("-"), policyArns: [], scopes: [] },
      Readable.from([Buffer.from('{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}\n')]),
    );
    expect(composed.policy).toBe('{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:*","Resource":"*"}}');
  });

  it("says where JSON breaks: line and column", async () => {
    const attempt = prepareSessionPolicy(
      { policy: policySourceOf('{\n  "Version": "2012-10-17",\n  "Statement": [ oops ]\n}'), policyArns: [], scopes: [] },
      noStdin,
    );
    await expect(attempt).rejects.toThrow(/^the --policy JSON is not valid JSON: .* at line 3, column 18$/);
  });

  it("refuses read-only with --policy before reading the policy", async () => {
    await expect(
      prepareSessionPolicy({ policy: policySourceOf("/nope/policy.json"), policyArns: [], scopes: [parseScope("read-only")] }, noStdin),
    ).rejects.toThrow(/^--scope read-only cannot be narrowed together with --policy or --policy-arn/);
  });

  it("says when the file cannot be read", async () => {
    await expect(prepareSessionPolicy({ policy: policySourceOf("/nope/policy.json"), policyArns: [], scopes: [] }, noStdin)).rejects.toThrow(
      "cannot read policy file /nope/policy.json: no such file",
    );
  });
});
