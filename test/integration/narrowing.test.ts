/**
 * Least-privilege sessions end to end: the built CLI against the local STS endpoint. What
 * `rolecred policy show` prints is exactly what STS receives; tags, transitive keys and source
 * identity reach the session and survive a role chain; the abuse guards warn (or, with --strict,
 * refuse); bad input is refused before any call, and STS's own refusals come back as one line.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, PROD_ACCOUNT, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";
import { packedPolicyPercent } from "../support/sts-server.js";
import { createTestIdp, issueSamlResponse, type TestIdp } from "../support/saml-idp.js";

const SAML_ACCOUNT = "111122223333";
const SAML_IDP = `arn:aws:iam::${SAML_ACCOUNT}:saml-provider/TestIdP`;
const SAML_ROLE = `arn:aws:iam::${SAML_ACCOUNT}:role/Tenant`;

const PREFIX_SCOPE = "s3-prefix=my-data-bucket/123/";
const S3_READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";

const CONFIG = `
[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script

[profile ci-again]
role_arn = ${ROLES.ci}
source_profile = ci

[profile ci-again-strict]
role_arn = ${ROLES.ci}
source_profile = ci
rolecred_strict = true

[profile tagged-ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
rolecred_source_identity = auto
rolecred_tags = Project=blue, Team=data
rolecred_transitive_tags = Project

[profile tagged-prod]
role_arn = ${ROLES.prodReadOnly}
source_profile = tagged-ci

[profile bot-ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
role_session_name = deploy-bot
rolecred_source_identity = auto

[profile bot-prod]
role_arn = ${ROLES.prodReadOnly}
source_profile = bot-ci
rolecred_source_identity = auto

[profile narrow]
role_arn = ${ROLES.ci}
source_profile = jo-script
rolecred_scopes = ${PREFIX_SCOPE}; deny-iam
rolecred_tags = Project=blue, Team=data
rolecred_source_identity = auto
`;

let world: World;
let idp: TestIdp;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

beforeAll(async () => {
  idp = createTestIdp("https://idp.rolecred.test/saml");
  world = await startWorld({
    samlProviders: [{ arn: SAML_IDP, certificatePem: idp.certificatePem }],
    extraRoles: [{ arn: SAML_ROLE, trust: [{ principals: [SAML_IDP], samlAudiences: ["https://signin.aws.amazon.com/saml"] }] }],
  });
});
afterAll(async () => {
  await world.close();
  const everything = outputs.join("\n");
  expect(everything).not.toContain(JO_KEYS.secretAccessKey);
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CONFIG }));
});

/** `rolecred user` runs with [jo-script]'s keys (no MFA needed for Ci); profile commands need no AWS_PROFILE. */
async function rolecred(args: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  const runEnv = options.env ?? (args[0] === "user" ? { ...env, AWS_PROFILE: "jo-script" } : env);
  const result = await runCli(args, { env: runEnv, stdin: options.stdin });
  outputs.push(result.stderr);
  return result;
}

const credentialsPath = () => join(home, ".aws", "credentials");
const credentialsFile = () => readFile(credentialsPath(), "utf8");
const callsSince = (mark: number) => world.sts.calls.slice(mark);
const assumeRoleCalls = (mark: number) => callsSince(mark).filter((call) => call.action === "AssumeRole");

const configPath = () => join(home, ".aws", "config");
const appendConfig = async (text: string) => writeFile(configPath(), `${await readFile(configPath(), "utf8")}\n${text}`);

async function keyIdOf(profile: string): Promise<string> {
  const keyId = new RegExp(`\\n\\[${profile}\\]\\naws_access_key_id = (\\S+)`).exec(await credentialsFile())?.[1];
  if (keyId === undefined) throw new Error(`no [${profile}] in the credentials file`);
  return keyId;
}

/** What `rolecred policy show --json` says STS will receive for these flags. */
async function shownPolicy(flags: readonly string[]): Promise<{ Policy: string | null; PolicyArns: string[] }> {
  const result = await rolecred(["policy", "show", "--json", ...flags]);
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as { Policy: string | null; PolicyArns: string[] };
}

/** The parameters of a call whose names start with one of `prefixes`. */
function paramsStartingWith(params: Record<string, string>, ...prefixes: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(params).filter(([name]) => prefixes.some((prefix) => name.startsWith(prefix))));
}

const EXPIRY = String.raw`expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in (\d+h )?\d+m\)`;

describe("rolecred user: the policy, ARNs, tags, transitive keys and source identity reach STS exactly", () => {
  const narrowing = ["--scope", PREFIX_SCOPE, "--scope", "deny-iam", "--policy-arn", S3_READ_ONLY];
  const identity = ["--tag", "Project=blue", "--tag", "Team=data", "--transitive-tag", "Project", "--source-identity", "auto"];

  it("sends what `policy show` prints, the session carries it, and the output reports both sizes", async () => {
    const shown = await shownPolicy(narrowing);
    expect(shown.PolicyArns).toEqual([S3_READ_ONLY]);
    const before = await credentialsFile();
    const mark = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", ...narrowing, ...identity]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");

    const [call, ...others] = assumeRoleCalls(mark);
    expect(others).toEqual([]);
    expect(call?.errorCode).toBeUndefined();
    expect(call?.params.Policy).toBe(shown.Policy);
    expect(paramsStartingWith(call?.params ?? {}, "PolicyArns", "Tags", "TransitiveTagKeys", "SourceIdentity")).toEqual({
      "PolicyArns.member.1.arn": S3_READ_ONLY,
      "Tags.member.1.Key": "Project",
      "Tags.member.1.Value": "blue",
      "Tags.member.2.Key": "Team",
      "Tags.member.2.Value": "data",
      "TransitiveTagKeys.member.1": "Project",
      SourceIdentity: "jo",
    });

    const session = world.sts.session(await keyIdOf("tenant"));
    expect(session).toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`,
      sourceIdentity: "jo",
      transitiveTagKeys: ["Project"],
      policy: shown.Policy,
      policyArns: [S3_READ_ONLY],
    });
    expect(session?.tags).toEqual({ Project: "blue", Team: "data" });

    const policy = shown.Policy ?? "";
    const packed = packedPolicyPercent(
      policy,
      [S3_READ_ONLY],
      [
        { key: "Project", value: "blue" },
        { key: "Team", value: "data" },
      ],
    );
    expect(result.stderr).toMatch(new RegExp(`^tenant: assumed Ci in ${ACCOUNT} as jo, ${EXPIRY}\\n`));
    expect(result.stderr.split("\n")[1]).toBe(
      `session policy ${policy.length} of 2048 characters (${Math.round((policy.length / 2048) * 100)}%), 1 managed policy ARN, packed into ${packed}% of STS's limit`,
    );
    expect(result.stderr.split("\n")).toHaveLength(3);
    expect((await credentialsFile()).startsWith(before)).toBe(true);
  });

  it("--json reports the source identity and STS's packed size", async () => {
    const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", "--json", ...narrowing, ...identity]);
    expect(result.exitCode).toBe(0);
    const packed = Number(/packed into (\d+)% of STS's limit/.exec(result.stderr)?.[1]);
    expect(JSON.parse(result.stdout)).toMatchObject({ profile: "tenant", sessionName: "jo", sourceIdentity: "jo", packedPolicySizePercent: packed });
    expect(packed).toBeGreaterThan(0);
  });

  it("reads STS's SessionTokenUtilization when STS no longer sends the deprecated PackedPolicySize", async () => {
    // As STS answers once it drops the field its model deprecated on 2026-06-17.
    const newer = await startWorld({
      tamper: (xml, action) => (action === "AssumeRole" ? xml.replace(/<(\/?)PackedPolicySize>/g, "<$1SessionTokenUtilization>") : xml),
    });
    try {
      const { env: newerEnv } = await makeJoHome(newer, { config: CONFIG });
      const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", "--json", ...narrowing, ...identity], {
        env: { ...newerEnv, AWS_PROFILE: "jo-script" },
      });
      expect(result.exitCode).toBe(0);
      const packed = packedPolicyPercent(
        (await shownPolicy(narrowing)).Policy ?? "",
        [S3_READ_ONLY],
        [
          { key: "Project", value: "blue" },
          { key: "Team", value: "data" },
        ],
      );
      expect(result.stderr).toContain(`packed into ${packed}% of STS's limit`);
      expect(JSON.parse(result.stdout)).toMatchObject({ packedPolicySizePercent: packed });
    } finally {
      await newer.close();
    }
  });

  it("an explicit source identity is sent as given", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", "--source-identity", "jo.smith@example.com"]);
    expect(result.exitCode).toBe(0);
    expect(assumeRoleCalls(mark)[0]?.params.SourceIdentity).toBe("jo.smith@example.com");
    expect(world.sts.session(await keyIdOf("tenant"))?.sourceIdentity).toBe("jo.smith@example.com");
  });
});

describe("a role chain keeps the source identity and the transitive tags", () => {
  it("the first hop's rolecred_* keys set them; the chained session carries them without asking again", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "tagged-prod"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const [first, second, ...others] = assumeRoleCalls(mark);
    expect(others).toEqual([]);
    expect(first?.params).toMatchObject({ RoleArn: ROLES.ci, SourceIdentity: "jo", "Tags.member.1.Key": "Project", "TransitiveTagKeys.member.1": "Project" });
    expect(second?.callerArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
    expect(second?.errorCode).toBeUndefined();
    // The second hop sets nothing itself: what it has, it inherited.
    expect(paramsStartingWith(second?.params ?? {}, "Tags", "TransitiveTagKeys", "SourceIdentity", "Policy")).toEqual({});

    const { AccessKeyId } = JSON.parse(result.stdout) as { AccessKeyId: string };
    const chained = world.sts.session(AccessKeyId);
    expect(chained).toMatchObject({ arn: `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/ReadOnly/jo`, sourceIdentity: "jo", transitiveTagKeys: ["Project"] });
    // Team was not transitive: it stayed with the first session.
    expect(chained?.tags).toEqual({ Project: "blue" });
  });

  it("`auto` further down the chain keeps the source identity even when the first hop has another session name", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "bot-prod"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const [first, second] = assumeRoleCalls(mark);
    expect(first?.params).toMatchObject({ RoleSessionName: "deploy-bot", SourceIdentity: "jo" });
    expect(second?.params).toMatchObject({ RoleSessionName: "deploy-bot", SourceIdentity: "jo" });
    const { AccessKeyId } = JSON.parse(result.stdout) as { AccessKeyId: string };
    expect(world.sts.session(AccessKeyId)).toMatchObject({ arn: `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/ReadOnly/deploy-bot`, sourceIdentity: "jo" });
  });
});

describe("guards: a warning on stderr, an error with --strict", () => {
  const SELF = `warning: the caller is already a session of Ci: re-assuming it lets the caller pick a new session name and tags, which then say nothing about who acts (use sts:SourceIdentity to carry identity)`;

  it("re-assuming the role the caller already is: warns, and STS is still asked", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "ci-again"]);
    expect(result.stderr).toBe(`${SELF}\n`);
    expect(result.exitCode).toBe(0);
    const again = assumeRoleCalls(mark).at(-1);
    expect(again).toMatchObject({ callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`, params: { RoleArn: ROLES.ci } });
    expect(again?.errorCode).toBeUndefined();
  });

  it.each([
    ["--strict", "ci-again", ["--strict"]],
    ["rolecred_strict = true", "ci-again-strict", []],
  ])("%s: refuses with exit 2, asks STS nothing for that hop, writes nothing", async (_name, profile, flags) => {
    const before = await credentialsFile();
    const mark = world.sts.calls.length;
    const result = await rolecred(["write", profile, "--to", "again", ...flags]);
    expect(result.stderr).toBe(
      "rolecred: refused by --strict: the caller is already a session of Ci: re-assuming it lets the caller pick a new session name and tags, which then say nothing about who acts (use sts:SourceIdentity to carry identity) — drop --strict to go on with a warning\n",
    );
    expect(result.exitCode).toBe(2);
    expect(assumeRoleCalls(mark).filter((call) => call.callerArn?.includes(":assumed-role/"))).toEqual([]);
    expect(await credentialsFile()).toBe(before);
  });

  it("a session name other than the IAM user name: warns, then goes on", async () => {
    const result = await rolecred(["user", ROLES.ci, "othername", "--profile", "other"]);
    expect(result.stderr).toMatch(
      new RegExp(
        `^warning: session name "othername" is not your IAM user name "jo": CloudTrail will not tie the session to you, and trust policies requiring sts:RoleSessionName = \\$\\{aws:username\\} refuse it\\nother: assumed Ci in ${ACCOUNT} as othername, ${EXPIRY}\\n$`,
      ),
    );
    expect(result.exitCode).toBe(0);
  });

  it("a session name other than the IAM user name with --strict: exit 2, no AssumeRole, nothing written", async () => {
    const before = await credentialsFile();
    const mark = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "othername", "--profile", "other", "--strict"]);
    expect(result.stderr).toMatch(
      /^rolecred: refused by --strict: session name "othername" is not your IAM user name "jo": .* — drop --strict to go on with a warning\n$/,
    );
    expect(result.exitCode).toBe(2);
    expect(assumeRoleCalls(mark)).toEqual([]);
    expect(await credentialsFile()).toBe(before);
  });

  it("a tag that would override an inherited transitive tag: warns, then STS refuses in one line", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "tagged-prod", "--tag", "Project=red"]);
    expect(result.stderr).toBe(
      [
        "warning: tag Project=red would override the transitive tag Project=blue the calling session carries; STS refuses that, and policies comparing aws:PrincipalTag/Project rely on it",
        "rolecred: STS AssumeRole failed: InvalidParameterValue: Session tag 'Project' is a transitive tag of the calling session and cannot be set again in a role chain.",
        "",
      ].join("\n"),
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(assumeRoleCalls(mark).map((call) => [call.params.RoleArn, call.errorCode])).toEqual([
      [ROLES.ci, undefined],
      [ROLES.prodReadOnly, "InvalidParameterValue"],
    ]);
  });

  it("the same with --strict: refused before the chained call", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "tagged-prod", "--tag", "Project=red", "--strict"]);
    expect(result.stderr).toMatch(
      /^rolecred: refused by --strict: tag Project=red would override the transitive tag Project=blue the calling session carries; .*\n$/,
    );
    expect(result.exitCode).toBe(2);
    expect(assumeRoleCalls(mark).map((call) => call.params.RoleArn)).toEqual([ROLES.ci]);
  });
});

describe("refused before any call: one line, the exit code, nothing sent, nothing written", () => {
  const principalPolicy = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "s3:GetObject", Resource: "*" }],
  });
  const cases: Array<[string, string[], number, string | RegExp]> = [
    ["a --tag that is not KEY=VALUE", ["--tag", "Project"], 2, 'rolecred: --tag "Project" is not KEY=VALUE'],
    ["a tag key STS does not accept", ["--tag", "Pro*ject=blue"], 2, 'rolecred: --tag: tag key "Pro*ject" must be 1-128 letters, digits, spaces or _.:/=+-@'],
    [
      "a tag value over 256 characters",
      ["--tag", `Project=${"v".repeat(257)}`],
      2,
      "rolecred: --tag: value of tag Project must be at most 256 letters, digits, spaces or _.:/=+-@",
    ],
    ["51 tags", Array.from({ length: 51 }, (_, i) => ["--tag", `k${i}=v`]).flat(), 2, "rolecred: at most 50 session tags are allowed, got 51"],
    [
      "keys that differ only in case",
      ["--tag", "Project=blue", "--tag", "project=red"],
      2,
      "rolecred: --tag: tag keys Project and project are the same to STS (keys ignore case)",
    ],
    [
      "a transitive key that is not a tag",
      ["--tag", "Project=blue", "--transitive-tag", "Team"],
      2,
      'rolecred: transitive tag key "Team" is not the key of a session tag — add --tag Team=VALUE',
    ],
    [
      "a source identity starting with aws:",
      ["--source-identity", "aws:x"],
      2,
      'rolecred: invalid source identity "aws:x": 2-64 characters of letters, digits and _+=,.@-, not starting with aws:',
    ],
    [
      "a policy with a Principal",
      ["--policy", principalPolicy],
      3,
      "rolecred: the --policy JSON, statement 1 has a Principal: a session policy cannot name principals (it applies to the session itself) — remove the Principal element",
    ],
    [
      "an unknown scope",
      ["--scope", "readonly"],
      2,
      'rolecred: unknown --scope "readonly" — scopes: read-only, services, s3-prefix, deny-iam, deny-delete, region',
    ],
    ["a scope with a bad argument", ["--scope", "region=mars"], 2, 'rolecred: --scope region: "mars" is not a region code'],
    [
      "read-only with --policy",
      ["--scope", "read-only", "--policy", '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}'],
      2,
      /^rolecred: --scope read-only cannot be narrowed together with --policy or --policy-arn: .* — use --scope services=\.\.\. or s3-prefix=\.\.\. with your policy/,
    ],
    [
      "scopes over the size limit",
      ["--scope", "services=s3,ec2", "--scope", PREFIX_SCOPE, "--scope", "deny-delete", "--scope", "region=eu-west-1"],
      3,
      /^rolecred: the combined session policy is 2\d{3} characters minified, \d+ over STS's 2048-character limit for session policies — /,
    ],
  ];

  it.each(cases)("%s", async (_name, flags, exitCode, message) => {
    const before = await credentialsFile();
    const mark = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", ...flags]);
    if (typeof message === "string") expect(result.stderr).toBe(`${message}\n`);
    else expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe("");
    expect(callsSince(mark)).toEqual([]);
    expect(await credentialsFile()).toBe(before);
  });

  it.each([
    ["rolecred_tags", "Project", 'rolecred: rolecred_tags of profile bad "Project" is not KEY=VALUE'],
    [
      "rolecred_scopes",
      "deny-iam; readonly",
      'rolecred: rolecred_scopes of profile bad: unknown --scope "readonly" — scopes: read-only, services, s3-prefix, deny-iam, deny-delete, region',
    ],
    [
      "rolecred_policy_arns",
      "ReadOnlyAccess",
      'rolecred: rolecred_policy_arns of profile bad: invalid --policy-arn "ReadOnlyAccess" — expected arn:aws:iam::aws:policy/NAME or arn:aws:iam::123456789012:policy/NAME',
    ],
  ])("a bad %s in the config: names the key and the profile", async (key, value, line) => {
    await appendConfig(`[profile bad]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\n${key} = ${value}\n`);
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "bad"]);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.exitCode).toBe(2);
    expect(callsSince(mark)).toEqual([]);
  });
});

describe("refused by STS: one clear line", () => {
  it("PackedPolicyTooLarge: 50 long random tags fit every per-tag limit but not STS's packed budget", async () => {
    const tags = Array.from({ length: 50 }, (_, i) => ["--tag", `${randomAlphanumeric(126)}${String(i).padStart(2, "0")}=${randomAlphanumeric(256)}`]).flat();
    const before = await credentialsFile();
    const mark = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "--profile", "tenant", ...tags]);
    expect(result.stderr).toMatch(
      /^rolecred: the session policy, policy ARNs and tags are too large for STS: Packed policy consumes \d{3,}% of allotted space, please use smaller policy\. — shorten the policy, or pass fewer --policy-arn or --tag\n$/,
    );
    expect(result.exitCode).toBe(3);
    expect(assumeRoleCalls(mark).map((call) => call.errorCode)).toEqual(["PackedPolicyTooLarge"]);
    expect(await credentialsFile()).toBe(before);
  });
});

function randomAlphanumeric(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join("");
}

describe("rolecred policy show", () => {
  it("prints the combined policy on stdout and its size on stderr; --json is what STS gets", async () => {
    const flags = ["--scope", PREFIX_SCOPE, "--scope", "deny-iam"];
    const text = await rolecred(["policy", "show", ...flags]);
    expect(text.exitCode).toBe(0);
    const shown = await shownPolicy(flags);
    expect(JSON.parse(text.stdout)).toEqual(JSON.parse(shown.Policy ?? ""));
    expect(text.stdout).toBe(`${JSON.stringify(JSON.parse(shown.Policy ?? ""), null, 2)}\n`);
    const size = shown.Policy?.length ?? 0;
    expect(text.stderr).toBe(`inline session policy: ${size} of 2048 characters (${Math.round((size / 2048) * 100)}%) minified\n`);
    expect(shown.PolicyArns).toEqual([]);
  });

  it("read-only: no inline policy, the managed ARN", async () => {
    const text = await rolecred(["policy", "show", "--scope", "read-only"]);
    expect(text.stdout).toBe("");
    expect(text.stderr).toBe("managed session policies: arn:aws:iam::aws:policy/ReadOnlyAccess\n");
    expect(await shownPolicy(["--scope", "read-only"])).toEqual({ Policy: null, PolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] });
  });

  it("reads --policy from stdin and passes it through minified", async () => {
    const result = await rolecred(["policy", "show", "--json", "--policy", "-"], {
      stdin: '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}\n}\n',
    });
    expect(JSON.parse(result.stdout)).toEqual({
      Policy: '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}',
      PolicyArns: [],
    });
  });

  it("warns, on stderr, about a policy that narrows nothing", async () => {
    const result = await rolecred(["policy", "show", "--policy", '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}']);
    expect(result.stderr).toMatch(/^warning: the --policy JSON, statement 1 allows every action on every resource: on its own it narrows nothing\n/);
    expect(result.exitCode).toBe(0);
  });

  it("needs something to show", async () => {
    const result = await rolecred(["policy", "show"]);
    expect(result.stderr).toBe("rolecred: give the session policy: --policy, --policy-arn or --scope\n");
    expect(result.exitCode).toBe(2);
  });
});

describe("rolecred policy check", () => {
  const check = (args: readonly string[]) => rolecred(["policy", "check", ...args]);

  it.each<[string, string[], number, string]>([
    [
      "an object under the prefix",
      ["s3:GetObject", "arn:aws:s3:::my-data-bucket/123/data.txt", "--scope", PREFIX_SCOPE],
      0,
      "allowed: decided by statement 1 (ScopeS3PrefixObjects) of the session policy",
    ],
    [
      "an object outside it",
      ["s3:GetObject", "arn:aws:s3:::my-data-bucket/789/data.txt", "--scope", PREFIX_SCOPE],
      1,
      "denied: no statement of the session policy allows s3:GetObject on arn:aws:s3:::my-data-bucket/789/data.txt",
    ],
    [
      "a listing of the prefix",
      ["s3:ListBucket", "arn:aws:s3:::my-data-bucket", "--scope", PREFIX_SCOPE, "--context", "s3:prefix=123/reports/"],
      0,
      "allowed: decided by statement 2 (ScopeS3PrefixList) of the session policy",
    ],
    [
      "a listing of another prefix",
      ["s3:ListBucket", "arn:aws:s3:::my-data-bucket", "--scope", PREFIX_SCOPE, "--context", "s3:prefix=789/"],
      1,
      "denied: no statement of the session policy allows s3:ListBucket on arn:aws:s3:::my-data-bucket",
    ],
    [
      "IAM under deny-iam",
      ["iam:CreateUser", "*", "--scope", PREFIX_SCOPE, "--scope", "deny-iam"],
      1,
      "denied: decided by statement 4 (ScopeDenyIam) of the session policy",
    ],
    [
      "the allowed region",
      ["ec2:DescribeInstances", "*", "--scope", "region=eu-west-1", "--context", "aws:RequestedRegion=eu-west-1"],
      0,
      "allowed: decided by statement 1 (ScopeBaseAllowAll) of the session policy",
    ],
    [
      "another region",
      ["ec2:DescribeInstances", "*", "--scope", "region=eu-west-1", "--context", "aws:RequestedRegion=us-east-1"],
      1,
      "denied: decided by statement 2 (ScopeRegion) of the session policy",
    ],
    [
      "a global service from us-east-1",
      ["iam:ListRoles", "*", "--scope", "region=eu-west-1", "--context", "aws:RequestedRegion=us-east-1"],
      0,
      "allowed: decided by statement 1 (ScopeBaseAllowAll) of the session policy",
    ],
    [
      "managed policies only",
      ["s3:GetObject", "arn:aws:s3:::my-data-bucket/123/data.txt", "--scope", "read-only"],
      1,
      "undecided: only managed policies (arn:aws:iam::aws:policy/ReadOnlyAccess) narrow this session, and rolecred cannot read them offline",
    ],
    [
      "read-only with deny-iam, for S3",
      ["s3:GetObject", "arn:aws:s3:::my-data-bucket/123/data.txt", "--scope", "read-only", "--scope", "deny-iam"],
      1,
      "undecided: the inline policy does not allow s3:GetObject on arn:aws:s3:::my-data-bucket/123/data.txt, but the managed policies (arn:aws:iam::aws:policy/ReadOnlyAccess) may; rolecred cannot read them offline",
    ],
    [
      "read-only with deny-iam, for IAM",
      ["iam:ListRoles", "*", "--scope", "read-only", "--scope", "deny-iam"],
      1,
      "denied: decided by statement 1 (ScopeDenyIam) of the session policy",
    ],
  ])("%s", async (_name, args, exitCode, line) => {
    const result = await check(args);
    expect(result.stdout).toBe(`${line}\n`);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(exitCode);
  });

  it("evaluates the user's own policy read from a file", async () => {
    const file = join(home, "policy.json");
    await writeFile(
      file,
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "OwnFolder", Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-data-bucket/${aws:username}/*" }],
      }),
    );
    const mine = await check(["s3:GetObject", "arn:aws:s3:::my-data-bucket/jo/a.txt", "--policy", file, "--context", "aws:username=jo"]);
    expect(mine.stdout).toBe("allowed: decided by statement 1 (OwnFolder) of the session policy\n");
    const theirs = await check(["s3:GetObject", "arn:aws:s3:::my-data-bucket/kim/a.txt", "--policy", file, "--context", "aws:username=jo"]);
    expect(theirs.exitCode).toBe(1);
  });

  it.each<[string, string[], string]>([
    [
      "an action that is not one",
      ["GetObject", "*", "--scope", "deny-iam"],
      'rolecred: "GetObject" is not an action — expected service:Action, e.g. s3:GetObject',
    ],
    [
      "a context that is not KEY=VALUE",
      ["s3:GetObject", "*", "--scope", "deny-iam", "--context", "aws:RequestedRegion"],
      'rolecred: --context "aws:RequestedRegion" is not KEY=VALUE',
    ],
  ])("refuses %s (exit 2)", async (_name, args, line) => {
    const result = await check(args);
    expect(result.stderr).toBe(`${line}\n`);
    expect(result.exitCode).toBe(2);
  });
});

describe("rolecred status: what narrows each session", () => {
  it("shows the policy size, tags, source identity and packed size of a profile narrowed by rolecred_* keys", async () => {
    const shown = await shownPolicy(["--scope", PREFIX_SCOPE, "--scope", "deny-iam"]);
    const mark = world.sts.calls.length;
    expect((await rolecred(["process", "narrow"])).exitCode).toBe(0);
    const call = assumeRoleCalls(mark)[0];
    expect(call?.params).toMatchObject({ Policy: shown.Policy, SourceIdentity: "jo", "Tags.member.1.Key": "Project", "Tags.member.2.Key": "Team" });
    const policyLength = shown.Policy?.length ?? 0;
    const packed = packedPolicyPercent(
      shown.Policy ?? "",
      [],
      [
        { key: "Project", value: "blue" },
        { key: "Team", value: "data" },
      ],
    );

    const table = await rolecred(["status"]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/^PROFILE +WHERE +ROLE +EXPIRES +LEFT +NARROWED BY\n/);
    expect(table.stdout).toMatch(
      new RegExp(
        `\\nnarrow +cache +arn:aws:iam::${ACCOUNT}:role/Ci +(\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d +(59m|1h 0m) +policy ${policyLength} chars; tags Project=blue,Team=data; source identity jo; packed ${packed}%\\n`,
      ),
    );

    const json = JSON.parse((await rolecred(["status", "narrow", "--json"])).stdout) as Array<Record<string, unknown>>;
    expect(json).toEqual([
      expect.objectContaining({
        profile: "narrow",
        where: "cache",
        roleArn: ROLES.ci,
        sourceIdentity: "jo",
        policyCharacters: policyLength,
        policyArns: [],
        tags: { Project: "blue", Team: "data" },
        packedPolicySize: packed,
      }),
    ]);
  });
});

describe("profiles narrowed by rolecred_* keys", () => {
  it("--verbose shows the policy, tags and source identity sent, and asks who the caller is once", async () => {
    const shown = await shownPolicy(["--scope", PREFIX_SCOPE, "--scope", "deny-iam"]);
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "narrow", "--verbose"]);
    expect(result.exitCode).toBe(0);
    const size = shown.Policy?.length ?? 0;
    expect(result.stderr).toContain(`\nrolecred: narrow: session policy, ${size} of 2048 characters (${Math.round((size / 2048) * 100)}%): ${shown.Policy}\n`);
    expect(result.stderr).toContain("\nrolecred: narrow: session tags Project=blue, Team=data; transitive (none)\n");
    expect(result.stderr).toContain("\nrolecred: narrow: source identity jo\n");
    expect(callsSince(mark).map((call) => call.action)).toEqual(["GetCallerIdentity", "AssumeRole"]);
  });

  it.each([
    ["relative to the config file's folder", "policies/tenant.json"],
    ["under ~/", "~/.aws/policies/tenant.json"],
  ])("rolecred_policy names a file %s, wherever rolecred runs", async (_name, value) => {
    const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::my-data-bucket/123/*" }] };
    await mkdir(join(home, ".aws", "policies"));
    await writeFile(join(home, ".aws", "policies", "tenant.json"), JSON.stringify(policy, null, 2));
    await appendConfig(`[profile from-file]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nrolecred_policy = ${value}\n`);
    const mark = world.sts.calls.length;
    const result = await runCli(["process", "from-file"], { env, cwd: "/" });
    outputs.push(result.stderr);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(assumeRoleCalls(mark)[0]?.params.Policy).toBe(JSON.stringify(policy));
  });
});

describe("rolecred saml: session policies yes, session tags no", () => {
  const assertion = () =>
    Buffer.from(issueSamlResponse(idp, { roles: [{ roleArn: SAML_ROLE, providerArn: SAML_IDP }], sessionName: "alice@example.com" }), "utf8").toString(
      "base64",
    );

  it("sends the scopes and --policy composed exactly as `policy show` prints them", async () => {
    const own = '{"Version":"2012-10-17","Statement":[{"Sid":"TenantRead","Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}';
    const flags = ["--policy", own, "--scope", PREFIX_SCOPE, "--scope", "deny-iam"];
    const shown = await shownPolicy(flags);
    const mark = world.sts.calls.length;
    const result = await rolecred(["saml", "--profile", "t123", ...flags], { stdin: assertion() });
    expect(result.stderr).toMatch(
      new RegExp(
        `^t123: assumed Tenant in ${SAML_ACCOUNT} as alice@example.com, ${EXPIRY}\\nsession policy \\d+ of 2048 characters \\(\\d+%\\), packed into \\d+% of STS's limit\\n$`,
      ),
    );
    expect(result.exitCode).toBe(0);
    const [call, ...others] = callsSince(mark);
    expect(others).toEqual([]);
    expect(call?.action).toBe("AssumeRoleWithSAML");
    expect(call?.params.Policy).toBe(shown.Policy);
    expect(JSON.parse(call?.params.Policy ?? "").Statement[0]).toEqual(JSON.parse(own).Statement[0]);
    expect(world.sts.session(await keyIdOf("t123"))?.policy).toBe(shown.Policy);
  });

  it.each([
    ["--tag", ["--tag", "Project=blue"]],
    ["--source-identity", ["--source-identity", "auto"]],
    ["--transitive-tag", ["--transitive-tag", "Project"]],
  ])("does not take %s (the assertion carries tags and source identity): exit 2, nothing sent", async (flag, args) => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["saml", "--profile", "t123", ...args], { stdin: assertion() });
    expect(result.stderr).toMatch(new RegExp(`^rolecred: unknown option '${flag}'\\n`));
    expect(result.exitCode).toBe(2);
    expect(callsSince(mark)).toEqual([]);
  });
});
