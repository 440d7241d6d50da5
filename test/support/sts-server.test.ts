// The local STS endpoint, driven the way rolecred's tests drive it: the real AWS SDK for
// JavaScript v3 and the real AWS CLI over HTTP. Each test asserts what a caller of STS sees.
import { execFile } from "node:child_process";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  GetCallerIdentityCommand,
  GetFederationTokenCommand,
  GetSessionTokenCommand,
  STSClient,
  type AssumeRoleCommandInput,
  type Credentials,
} from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createTestIdp, issueSamlResponseBase64, type IssueOptions, type TestIdp } from "./saml-idp.js";
import {
  canonicalRequest,
  formatAmzDate,
  parseAuthorization,
  sha256Hex,
  signingKey,
  stringToSign,
  verifySignature,
  type ReceivedRequest,
} from "./sigv4-verify.js";
import { packedPolicyPercent, startLocalSts, type LocalSts, type LocalStsUser, type RecordedCall } from "./sts-server.js";
import { decodeBase32, generateTotp, hotp, matchTotp, newTotpSecret } from "./totp.js";

const ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const roleArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:role/${name}`;
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:saml-provider/TestIdp`;
const SIGNIN = "https://signin.aws.amazon.com/saml";

const jo: LocalStsUser = {
  account: ACCOUNT,
  name: "jo",
  accessKeyId: "AKIAJOEXAMPLE0000001",
  secretAccessKey: "jo/secret/key/0000000000000000000000000",
  mfaDevices: [{ serial: `arn:aws:iam::${ACCOUNT}:mfa/jo`, secret: newTotpSecret() }],
};
const kim: LocalStsUser = {
  account: ACCOUNT,
  name: "kim",
  path: "/eng/",
  accessKeyId: "AKIAKIMEXAMPLE000002",
  secretAccessKey: "kim/secret/key/000000000000000000000000",
  mfaDevices: [{ serial: "GAHT12345678", secret: newTotpSecret() }],
};
const outsider: LocalStsUser = {
  account: OTHER_ACCOUNT,
  name: "eve",
  accessKeyId: "AKIAEVEEXAMPLE000003",
  secretAccessKey: "eve/secret/key/000000000000000000000000",
};
const JO_MFA = `arn:aws:iam::${ACCOUNT}:mfa/jo`;
const KIM_MFA = "GAHT12345678";
const ACCOUNT_ROOT = `arn:aws:iam::${ACCOUNT}:root`;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let server: LocalSts;
let idp: TestIdp;
/** The server's clock runs this far ahead of real time (MFA steps, expiry, skew tests). */
let clockAheadMs = 0;
const serverNow = (): Date => new Date(Date.now() + clockAheadMs);
/** Moves to the next TOTP step, so a new code exists for every device. */
const nextMfaStep = (): void => {
  clockAheadMs += 30_000;
};

beforeAll(async () => {
  idp = createTestIdp("https://idp.example.com/saml");
  server = await startLocalSts({
    now: serverNow,
    users: [jo, kim, outsider],
    samlProviders: [{ arn: PROVIDER_ARN, certificatePem: idp.certificatePem }],
    roles: [
      { arn: roleArn("Dev"), maxSessionDuration: 43_200, trust: [{ principals: [ACCOUNT_ROOT], allowTagSession: true, allowSetSourceIdentity: true }] },
      { arn: roleArn("Admin"), maxSessionDuration: 43_200, trust: [{ principals: [ACCOUNT_ROOT], requireMfa: true }] },
      { arn: roleArn("Vendor"), trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:user/jo`], externalId: "ext-42" }] },
      { arn: roleArn("Personal"), trust: [{ principals: [ACCOUNT_ROOT], sessionNameMustEqualUsername: true }] },
      { arn: roleArn("Short"), trust: [{ principals: [ACCOUNT_ROOT] }] },
      { arn: roleArn("Plain"), maxSessionDuration: 43_200, trust: [{ principals: [ACCOUNT_ROOT] }] },
      { arn: roleArn("Chained"), maxSessionDuration: 43_200, trust: [{ principals: [roleArn("Dev")], allowTagSession: true, allowSetSourceIdentity: true }] },
      { arn: roleArn("ChainedPlain"), trust: [{ principals: [roleArn("Dev")] }] },
      {
        arn: roleArn("Saml"),
        maxSessionDuration: 7200,
        trust: [{ principals: [PROVIDER_ARN], samlAudiences: [SIGNIN], allowTagSession: true, allowSetSourceIdentity: true }],
      },
      { arn: roleArn("SamlPlain"), trust: [{ principals: [PROVIDER_ARN] }] },
      { arn: roleArn("SamlEu"), trust: [{ principals: [PROVIDER_ARN], samlAudiences: ["https://eu-west-1.signin.aws.amazon.com/saml"] }] },
    ],
  });
});

afterAll(async () => {
  await server?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function sts(keys: Keys): STSClient {
  return new STSClient({ endpoint: server.url, region: "us-east-1", credentials: keys, maxAttempts: 1 });
}

function keysOf(user: LocalStsUser): Keys {
  return { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey };
}

function keysFrom(credentials: Credentials | undefined): Keys {
  if (!credentials?.AccessKeyId || !credentials.SecretAccessKey || !credentials.SessionToken) {
    throw new Error("STS returned no credentials");
  }
  return {
    accessKeyId: credentials.AccessKeyId,
    secretAccessKey: credentials.SecretAccessKey,
    sessionToken: credentials.SessionToken,
  };
}

async function assumeRole(keys: Keys, input: Partial<AssumeRoleCommandInput> & { RoleArn: string }): Promise<Keys> {
  const output = await sts(keys).send(new AssumeRoleCommand({ RoleSessionName: "test", ...input }));
  return keysFrom(output.Credentials);
}

function lastCall(): RecordedCall {
  const call = server.calls.at(-1);
  if (call === undefined) throw new Error("no call recorded");
  return call;
}

/** A six-digit code that no step the server accepts (±30 s) would produce. */
function wrongCode(serial: string): string {
  const valid = [-30_000, 0, 30_000].map((offset) => server.totp(serial, new Date(serverNow().getTime() + offset)));
  return ["000000", "111111", "222222", "333333"].find((code) => !valid.includes(code)) ?? "444444";
}

function expectExpiresInSeconds(expiration: Date | undefined, seconds: number): void {
  expect(expiration).toBeInstanceOf(Date);
  const expected = serverNow().getTime() + seconds * 1000;
  expect(Math.abs((expiration?.getTime() ?? 0) - expected)).toBeLessThan(5_000);
}

const randomText = (length: number): string => {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(randomBytes(length), (byte) => alphabet[byte % alphabet.length]).join("");
};

/** A session policy of realistic shape whose JSON is as close to `length` characters as fits. */
function policyOfLength(length: number): string {
  const statements: unknown[] = [];
  let text = "";
  for (;;) {
    statements.push({
      Sid: `Read${statements.length}${randomText(6)}`,
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:ListBucket", "dynamodb:Query"],
      Resource: [`arn:aws:s3:::bucket-${randomText(12)}/*`, `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/t-${randomText(10)}`],
    });
    const next = JSON.stringify({ Version: "2012-10-17", Statement: statements });
    if (next.length > length) return text;
    text = next;
  }
}

const SMALL_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::reports/*" }],
});

// ---------------------------------------------------------------------------------------------

describe("TOTP (RFC 6238)", () => {
  // RFC 6238 Appendix B, SHA-1 seed "12345678901234567890"; 6-digit codes are the low digits.
  const seed = Buffer.from("12345678901234567890", "ascii");

  it.each([
    [59, "287082"],
    [1_111_111_109, "081804"],
    [1_234_567_890, "005924"],
    [2_000_000_000, "279037"],
  ])("at %i s the code is %s", (seconds, code) => {
    expect(hotp(seed, Math.floor(seconds / 30))).toBe(code);
  });

  it("reads base32 seeds and accepts one step either side", () => {
    const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // base32 of the RFC seed
    expect(decodeBase32(secret.toLowerCase())).toEqual(seed);
    const at = new Date(1_111_111_109_000);
    expect(generateTotp(secret, at)).toBe("081804");
    expect(matchTotp(secret, "081804", new Date(at.getTime() + 30_000))).toBe(37_037_036);
    expect(matchTotp(secret, "081804", new Date(at.getTime() + 90_000))).toBeUndefined();
    expect(matchTotp(secret, "08180", at)).toBeUndefined();
  });
});

describe("SigV4 verifier", () => {
  // AWS's published SigV4 test suite (get-vanilla, get-vanilla-query-order-key-case,
  // post-x-www-form-urlencoded), secret wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY.
  const secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  const now = new Date("2015-08-30T12:36:00Z");
  const vector = (method: string, target: string, extra: Record<string, string>, body: string, signature: string) => {
    const signedHeaders = "content-type" in extra ? ["content-type", "host", "x-amz-date"] : ["host", "x-amz-date"];
    const headers: ReceivedRequest["headers"] = { host: ["example.amazonaws.com"], "x-amz-date": ["20150830T123600Z"] };
    for (const [name, value] of Object.entries(extra)) headers[name] = [value];
    const request: ReceivedRequest = { method, target, headers, body: Buffer.from(body) };
    const auth = parseAuthorization(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`,
    );
    return { request, auth };
  };

  it.each([
    ["GET", "/", {}, "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"],
    ["GET", "/?Param2=value2&Param1=value1", {}, "", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"],
    ["POST", "/", { "content-type": "application/x-www-form-urlencoded" }, "Param1=value1", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"],
  ])("accepts the AWS test-suite request %s %s", (method, target, extra, body, signature) => {
    const { request, auth } = vector(method, target, extra, body, signature);
    expect(() => verifySignature(request, auth, secret, { service: "service", now })).not.toThrow();
    expect(() => verifySignature({ ...request, body: Buffer.from("Param1=value2") }, auth, secret, { service: "service", now })).toThrow(
      /signature we calculated does not match/,
    );
  });
});

describe("authentication", () => {
  it("answers GetCallerIdentity for IAM users, with their path", async () => {
    await expect(sts(keysOf(jo)).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:iam::${ACCOUNT}:user/jo`,
      UserId: expect.stringMatching(/^AIDA[A-Z2-7]{17}$/),
    });
    const kimIdentity = await sts(keysOf(kim)).send(new GetCallerIdentityCommand({}));
    expect(kimIdentity.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/eng/kim`);
    expect(kimIdentity.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lastCall()).toMatchObject({ action: "GetCallerIdentity", callerArn: kimIdentity.Arn });
  });

  it("refuses a wrong secret key with SignatureDoesNotMatch", async () => {
    const error = await sts({ ...keysOf(jo), secretAccessKey: "not-the-secret" })
      .send(new GetCallerIdentityCommand({}))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: "SignatureDoesNotMatch",
      message:
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.",
      $metadata: { httpStatusCode: 403 },
    });
    expect(lastCall()).toMatchObject({ errorCode: "SignatureDoesNotMatch" });
    expect(lastCall().callerArn).toBeUndefined();
  });

  it("refuses an unknown access key with InvalidClientTokenId", async () => {
    await expect(sts({ accessKeyId: "AKIAUNKNOWN000000000", secretAccessKey: "x" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
      message: "The security token included in the request is invalid.",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("refuses an unsigned request with MissingAuthenticationToken", async () => {
    const response = await fetch(server.url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "Action=GetCallerIdentity&Version=2011-06-15",
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const body = await response.text();
    expect(body).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(body).toContain("<Type>Sender</Type><Code>MissingAuthenticationToken</Code>");
    expect(body).toContain("<Message>Request is missing Authentication Token</Message>");
  });

  it("refuses a request signed more than 15 minutes away from its clock", async () => {
    clockAheadMs += 20 * 60_000;
    try {
      await expect(sts(keysOf(jo)).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: "SignatureDoesNotMatch",
        message: expect.stringMatching(/^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)$/),
      });
    } finally {
      clockAheadMs -= 20 * 60_000;
    }
  });

  it("takes parameters from the query string of a signed GET, and checks Action and Version", async () => {
    const get = async (query: string): Promise<{ status: number; body: string }> => {
      const url = new URL(server.url);
      const amzDate = formatAmzDate(new Date());
      const target = `/?${query}`;
      const request: ReceivedRequest = {
        method: "GET",
        target,
        headers: { host: [url.host], "x-amz-date": [amzDate] },
        body: Buffer.alloc(0),
      };
      const scope = `${amzDate.slice(0, 8)}/us-east-1/sts/aws4_request`;
      const canonical = canonicalRequest(request, ["host", "x-amz-date"], sha256Hex(""));
      const key = signingKey(jo.secretAccessKey, amzDate.slice(0, 8), "us-east-1", "sts");
      const signature = createHmac("sha256", key)
        .update(stringToSign(amzDate, scope, canonical))
        .digest("hex");
      const response = await fetch(new URL(target, url), {
        headers: {
          "x-amz-date": amzDate,
          authorization: `AWS4-HMAC-SHA256 Credential=${jo.accessKeyId}/${scope}, SignedHeaders=host;x-amz-date, Signature=${signature}`,
        },
      });
      return { status: response.status, body: await response.text() };
    };
    const ok = await get("Action=GetCallerIdentity&Version=2011-06-15");
    expect(ok.status).toBe(200);
    expect(ok.body).toContain("<GetCallerIdentityResult>");
    expect(ok.body).toContain(`<Arn>arn:aws:iam::${ACCOUNT}:user/jo</Arn>`);
    const unknown = await get("Action=GetCallerIdentityX&Version=2011-06-15");
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain("<Code>InvalidAction</Code><Message>Could not find operation GetCallerIdentityX for version 2011-06-15</Message>");
    const noVersion = await get("Action=GetCallerIdentity");
    expect(noVersion.body).toContain("Could not find operation GetCallerIdentity for version NO_VERSION_SPECIFIED");
  });

  it("interoperates with the AWS CLI (botocore's signer), for long-term and session keys", async () => {
    const home = await mkdtemp(join(tmpdir(), "sts-server-aws-cli-"));
    try {
      await writeFile(join(home, "config"), "");
      await writeFile(join(home, "credentials"), "");
      const session = keysFrom((await sts(keysOf(jo)).send(new GetSessionTokenCommand({}))).Credentials);
      const awsCli = async (keys: Keys): Promise<{ ok: boolean; stdout: string; stderr: string }> => {
        const env: NodeJS.ProcessEnv = {
          PATH: process.env["PATH"] ?? "/usr/bin:/bin",
          HOME: home,
          AWS_CONFIG_FILE: join(home, "config"),
          AWS_SHARED_CREDENTIALS_FILE: join(home, "credentials"),
          AWS_EC2_METADATA_DISABLED: "true",
          AWS_PAGER: "",
          AWS_ACCESS_KEY_ID: keys.accessKeyId,
          AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
          ...(keys.sessionToken === undefined ? {} : { AWS_SESSION_TOKEN: keys.sessionToken }),
        };
        const args = ["sts", "get-caller-identity", "--endpoint-url", server.url, "--region", "us-east-1", "--output", "json"];
        try {
          const { stdout, stderr } = await promisify(execFile)("/usr/bin/aws", args, { env, timeout: 20_000 });
          return { ok: true, stdout, stderr };
        } catch (error) {
          const failed = error as { stdout?: string; stderr?: string };
          return { ok: false, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
        }
      };
      // Run side by side: each CLI start costs most of a second.
      const [user, viaSession, wrong] = await Promise.all([awsCli(keysOf(kim)), awsCli(session), awsCli({ ...keysOf(jo), secretAccessKey: "wrong" })]);
      expect(user).toMatchObject({ ok: true });
      expect(JSON.parse(user.stdout)).toMatchObject({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/eng/kim` });
      expect(viaSession).toMatchObject({ ok: true });
      expect(JSON.parse(viaSession.stdout)).toMatchObject({ Arn: `arn:aws:iam::${ACCOUNT}:user/jo` });
      expect(wrong.ok).toBe(false);
      expect(wrong.stderr).toContain(
        "An error occurred (SignatureDoesNotMatch) when calling the GetCallerIdentity operation: The request signature we calculated does not match",
      );
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe("temporary credentials", () => {
  it("act as the assumed role, and expire", async () => {
    const output = await sts(keysOf(jo)).send(new AssumeRoleCommand({ RoleArn: roleArn("Plain"), RoleSessionName: "jo-work" }));
    expect(output.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expectExpiresInSeconds(output.Credentials?.Expiration, 3600);
    expect(output.AssumedRoleUser).toEqual({
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Plain/jo-work`,
      AssumedRoleId: expect.stringMatching(/^AROA[A-Z2-7]{17}:jo-work$/),
    });
    expect(output.PackedPolicySize).toBeUndefined();
    const keys = keysFrom(output.Credentials);
    await expect(sts(keys).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Account: ACCOUNT,
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Plain/jo-work`,
      UserId: output.AssumedRoleUser?.AssumedRoleId,
    });

    await expect(sts({ ...keys, sessionToken: "forged" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
    });
    const { sessionToken: _dropped, ...withoutToken } = keys;
    await expect(sts(withoutToken).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({ name: "InvalidClientTokenId" });
    await expect(sts({ ...keysOf(jo), sessionToken: "stale" }).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "InvalidClientTokenId",
    });

    server.expireCredentials(keys.accessKeyId);
    await expect(sts(keys).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
      name: "ExpiredToken",
      message: "The security token included in the request is expired",
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe("GetSessionToken", () => {
  it("gives 12 hours by default and acts as the user", async () => {
    const output = await sts(keysOf(kim)).send(new GetSessionTokenCommand({}));
    expectExpiresInSeconds(output.Credentials?.Expiration, 43_200);
    const keys = keysFrom(output.Credentials);
    await expect(sts(keys).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: `arn:aws:iam::${ACCOUNT}:user/eng/kim`,
      UserId: expect.stringMatching(/^AIDA/),
    });
    expect(server.session(keys.accessKeyId)).toMatchObject({ kind: "session-token", userName: "kim", mfaPresent: false });
    await expect(sts(keys).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Cannot call GetSessionToken with session credentials",
      $metadata: { httpStatusCode: 403 },
    });
  });

  it("checks MFA serial and code", async () => {
    const client = sts(keysOf(kim));
    await expect(client.send(new GetSessionTokenCommand({ SerialNumber: KIM_MFA }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code.",
    });
    await expect(client.send(new GetSessionTokenCommand({ SerialNumber: JO_MFA, TokenCode: server.totp(JO_MFA) }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.",
    });
    const wrong = wrongCode(KIM_MFA);
    await expect(client.send(new GetSessionTokenCommand({ SerialNumber: KIM_MFA, TokenCode: wrong }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    });
    await expect(client.send(new GetSessionTokenCommand({ DurationSeconds: 129_601 }))).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "1 validation error detected: Value '129601' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 129600",
    });
  });

  it("with MFA, opens MFA-only roles, but AssumeRole from it is role chaining (1 hour cap)", async () => {
    nextMfaStep();
    const output = await sts(keysOf(kim)).send(new GetSessionTokenCommand({ SerialNumber: KIM_MFA, TokenCode: server.totp(KIM_MFA), DurationSeconds: 3600 }));
    const keys = keysFrom(output.Credentials);
    expect(server.session(keys.accessKeyId)).toMatchObject({ mfaPresent: true });
    await expect(sts(keys).send(new AssumeRoleCommand({ RoleArn: roleArn("Admin"), RoleSessionName: "kim", DurationSeconds: 7200 }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const admin = await sts(keys).send(new AssumeRoleCommand({ RoleArn: roleArn("Admin"), RoleSessionName: "kim" }));
    expectExpiresInSeconds(admin.Credentials?.Expiration, 3600);
    expect(admin.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Admin/kim`);
  });
});

describe("GetFederationToken", () => {
  it("gives an IAM user's long-term keys a federated-user session, 12 hours by default", async () => {
    const output = await sts(keysOf(kim)).send(
      new GetFederationTokenCommand({
        Name: "kim-console",
        Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
      }),
    );
    expectExpiresInSeconds(output.Credentials?.Expiration, 43_200);
    expect(output.FederatedUser).toEqual({ FederatedUserId: `${ACCOUNT}:kim-console`, Arn: `arn:aws:sts::${ACCOUNT}:federated-user/kim-console` });
    const keys = keysFrom(output.Credentials);
    await expect(sts(keys).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({ Arn: `arn:aws:sts::${ACCOUNT}:federated-user/kim-console` });
    expect(server.session(keys.accessKeyId)).toMatchObject({ kind: "federated-user", chained: false });
    expect(server.checkCredentials(keys.accessKeyId, keys.secretAccessKey, keys.sessionToken ?? "")).toMatchObject({ kind: "federated-user" });
    expect(server.checkCredentials(keys.accessKeyId, "wrong", keys.sessionToken ?? "")).toBeUndefined();
  });

  it("refuses session credentials, bad names and durations the way STS does", async () => {
    const session = keysFrom((await sts(keysOf(kim)).send(new GetSessionTokenCommand({}))).Credentials);
    await expect(sts(session).send(new GetFederationTokenCommand({ Name: "kim" }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Cannot call GetFederationToken with session credentials",
    });
    await expect(sts(keysOf(kim)).send(new GetFederationTokenCommand({ Name: "k" }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "1 validation error detected: Value 'k' at 'name' failed to satisfy constraint: Member must have length greater than or equal to 2",
    });
    await expect(sts(keysOf(kim)).send(new GetFederationTokenCommand({ Name: "kim", DurationSeconds: 129_601 }))).rejects.toMatchObject({
      name: "ValidationError",
    });
  });
});

describe("GetFederationToken session policies and tags", () => {
  it("records PolicyArns and Tags, checks them as AssumeRole does, and counts them in the packed size", async () => {
    const readOnly = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    const output = await sts(keysOf(kim)).send(
      new GetFederationTokenCommand({ Name: "kim-tagged", PolicyArns: [{ arn: readOnly }], Tags: [{ Key: "Project", Value: "alpha" }] }),
    );
    expect(output.PackedPolicySize).toBeGreaterThan(0);
    expect(lastCall().params).toMatchObject({ "PolicyArns.member.1.arn": readOnly, "Tags.member.1.Key": "Project", "Tags.member.1.Value": "alpha" });
    expect(server.session(output.Credentials?.AccessKeyId ?? "")).toMatchObject({ kind: "federated-user", policyArns: [readOnly], tags: { Project: "alpha" } });

    const foreign = `arn:aws:iam::${OTHER_ACCOUNT}:policy/Theirs`;
    await expect(sts(keysOf(kim)).send(new GetFederationTokenCommand({ Name: "kim", PolicyArns: [{ arn: foreign }] }))).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: `Policy ${foreign} does not exist or is not attachable.`,
    });
    const eleven = Array.from({ length: 11 }, (_, index) => ({ arn: `arn:aws:iam::aws:policy/P${index}` }));
    await expect(sts(keysOf(kim)).send(new GetFederationTokenCommand({ Name: "kim", PolicyArns: eleven }))).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringMatching(/at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/),
    });
    await expect(
      sts(keysOf(kim)).send(
        new GetFederationTokenCommand({
          Name: "kim",
          Tags: [
            { Key: "Team", Value: "a" },
            { Key: "TEAM", Value: "b" },
          ],
        }),
      ),
    ).rejects.toMatchObject({ name: "ValidationError", message: "Duplicate tag keys found. Please note that Tag keys are case insensitive." });
  });
});

describe("AssumeRole trust", () => {
  it("refuses unknown roles and callers the trust policy does not name", async () => {
    await expect(sts(keysOf(jo)).send(new AssumeRoleCommand({ RoleArn: roleArn("Nope"), RoleSessionName: "s" + "x" }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:user/jo is not authorized to perform: sts:AssumeRole on resource: ${roleArn("Nope")}`,
      $metadata: { httpStatusCode: 403 },
    });
    await expect(assumeRole(keysOf(outsider), { RoleArn: roleArn("Plain") })).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${OTHER_ACCOUNT}:user/eve is not authorized to perform: sts:AssumeRole on resource: ${roleArn("Plain")}`,
    });
    expect(lastCall()).toMatchObject({ action: "AssumeRole", callerArn: `arn:aws:iam::${OTHER_ACCOUNT}:user/eve`, errorCode: "AccessDenied" });
  });

  it("requires a valid, unused MFA code where the trust policy asks for MFA", async () => {
    nextMfaStep();
    const client = sts(keysOf(jo));
    const denied = `User: arn:aws:iam::${ACCOUNT}:user/jo is not authorized to perform: sts:AssumeRole on resource: ${roleArn("Admin")}`;
    await expect(client.send(new AssumeRoleCommand({ RoleArn: roleArn("Admin"), RoleSessionName: "jo" }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: denied,
    });
    const code = server.totp(JO_MFA);
    const input = { RoleArn: roleArn("Admin"), RoleSessionName: "jo", SerialNumber: JO_MFA };
    const wrong = wrongCode(JO_MFA);
    await expect(client.send(new AssumeRoleCommand({ ...input, TokenCode: wrong }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    });
    const admin = await client.send(new AssumeRoleCommand({ ...input, TokenCode: code, DurationSeconds: 43_200 }));
    expectExpiresInSeconds(admin.Credentials?.Expiration, 43_200);
    expect(server.session(admin.Credentials?.AccessKeyId ?? "")).toMatchObject({ mfaPresent: true, roleArn: roleArn("Admin") });
    await expect(client.send(new AssumeRoleCommand({ ...input, TokenCode: code }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "MultiFactorAuthentication failed with invalid MFA one time pass code.",
    });
    await expect(client.send(new AssumeRoleCommand({ ...input, TokenCode: code.slice(0, 5) + "x" }))).rejects.toMatchObject({
      name: "ValidationError",
      message: "1 validation error detected: Value at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*",
    });
    expect(lastCall().params["TokenCode"]).toBe(code.slice(0, 5) + "x");
  });

  it("checks the ExternalId", async () => {
    const denied = { name: "AccessDenied", message: expect.stringContaining("is not authorized to perform: sts:AssumeRole") };
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Vendor") })).rejects.toMatchObject(denied);
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Vendor"), ExternalId: "ext-43" })).rejects.toMatchObject(denied);
    await expect(assumeRole(keysOf(kim), { RoleArn: roleArn("Vendor"), ExternalId: "ext-42" })).rejects.toMatchObject(denied);
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Vendor"), ExternalId: "ext-42" })).resolves.toBeDefined();
  });

  it("pins the session name to the IAM user name where the trust policy says so", async () => {
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Personal"), RoleSessionName: "jo" })).resolves.toBeDefined();
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Personal"), RoleSessionName: "kim" })).rejects.toMatchObject({
      name: "AccessDenied",
    });
    // A role session has no aws:username, so it never matches.
    const dev = await assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), RoleSessionName: "jo" });
    await expect(assumeRole(dev, { RoleArn: roleArn("Personal"), RoleSessionName: "jo" })).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Dev/jo is not authorized to perform: sts:AssumeRole on resource: ${roleArn("Personal")}`,
    });
  });

  it("enforces the role's MaxSessionDuration and the role-chaining hour", async () => {
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Short"), DurationSeconds: 3601 })).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
      $metadata: { httpStatusCode: 400 },
    });
    const dev = await sts(keysOf(jo)).send(new AssumeRoleCommand({ RoleArn: roleArn("Dev"), RoleSessionName: "jo", DurationSeconds: 43_200 }));
    expectExpiresInSeconds(dev.Credentials?.Expiration, 43_200);
    const devKeys = keysFrom(dev.Credentials);
    await expect(assumeRole(devKeys, { RoleArn: roleArn("Chained"), DurationSeconds: 3601 })).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    });
    const chained = await sts(devKeys).send(new AssumeRoleCommand({ RoleArn: roleArn("Chained"), RoleSessionName: "hop" }));
    expect(chained.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Chained/hop`);
    // Chaining is allowed only to roles that trust the calling role.
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Chained") })).rejects.toMatchObject({ name: "AccessDenied" });
  });
});

describe("AssumeRole parameters", () => {
  it("reports model violations the way STS does", async () => {
    const client = sts(keysOf(jo));
    await expect(client.send(new AssumeRoleCommand({ RoleArn: roleArn("Plain"), RoleSessionName: "a b" }))).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(client.send(new AssumeRoleCommand({ RoleArn: roleArn("Plain"), RoleSessionName: "a", DurationSeconds: 100 }))).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; " +
        "Value '100' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
    await expect(client.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::1:r", RoleSessionName: "ok" }))).rejects.toMatchObject({
      message:
        "1 validation error detected: Value 'arn:aws:iam::1:r' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
    });
    await expect(client.send(new AssumeRoleCommand({ RoleArn: roleArn("Plain"), RoleSessionName: "ok", Policy: "x".repeat(2049) }))).rejects.toMatchObject({
      message: expect.stringMatching(/at 'policy' failed to satisfy constraint: Member must have length less than or equal to 2048$/),
    });
    await expect(
      client.send(new AssumeRoleCommand({ RoleArn: roleArn("Plain"), RoleSessionName: "ok", Policy: SMALL_POLICY.replace("reports", "r€ports") })),
    ).rejects.toMatchObject({
      message: expect.stringContaining("Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"),
    });
  });

  it("passes Policy, PolicyArns and Tags to STS exactly and reports the packed size", async () => {
    const input: AssumeRoleCommandInput = {
      RoleArn: roleArn("Dev"),
      RoleSessionName: "scoped",
      Policy: SMALL_POLICY,
      PolicyArns: [{ arn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, { arn: `arn:aws:iam::${ACCOUNT}:policy/team/Extra` }],
      Tags: [
        { Key: "Project", Value: "alpha beta" },
        { Key: "Cost-Center", Value: "" },
      ],
      TransitiveTagKeys: ["Project"],
    };
    const output = await sts(keysOf(jo)).send(new AssumeRoleCommand(input));
    expect(output.PackedPolicySize).toBeGreaterThan(0);
    expect(output.PackedPolicySize).toBeLessThan(20);
    expect(lastCall().params).toMatchObject({
      Action: "AssumeRole",
      Version: "2011-06-15",
      Policy: SMALL_POLICY,
      "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "PolicyArns.member.2.arn": `arn:aws:iam::${ACCOUNT}:policy/team/Extra`,
      "Tags.member.1.Key": "Project",
      "Tags.member.1.Value": "alpha beta",
      "Tags.member.2.Key": "Cost-Center",
      "Tags.member.2.Value": "",
      "TransitiveTagKeys.member.1": "Project",
    });
    expect(server.session(output.Credentials?.AccessKeyId ?? "")).toMatchObject({
      policy: SMALL_POLICY,
      policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", `arn:aws:iam::${ACCOUNT}:policy/team/Extra`],
      tags: { Project: "alpha beta", "Cost-Center": "" },
      transitiveTagKeys: ["Project"],
    });
  });

  it.each([
    ["not JSON", "{Version: 2012-10-17}", "This policy contains invalid Json"],
    ["no Version", JSON.stringify({ Statement: [] }), "The policy must contain a valid version string"],
    ["no Statement", JSON.stringify({ Version: "2012-10-17" }), "Missing required field Statement"],
    [
      "a Principal",
      JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" } }),
      "Policy document should not specify a principal.",
    ],
    ["no Action", JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }), "Policy statement must contain actions."],
  ])("refuses a session policy with %s as MalformedPolicyDocument", async (_what, policy, message) => {
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), Policy: policy })).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message,
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses policy ARNs that are malformed or from another account", async () => {
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), PolicyArns: [{ arn: "arn:aws:s3:::not-a-policy" }] })).rejects.toMatchObject({
      name: "MalformedPolicyDocumentException",
      message: "Invalid policy ARN: arn:aws:s3:::not-a-policy",
    });
    const foreign = `arn:aws:iam::${OTHER_ACCOUNT}:policy/Theirs`;
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), PolicyArns: [{ arn: foreign }] })).rejects.toMatchObject({
      message: `Policy ${foreign} does not exist or is not attachable.`,
    });
    const eleven = Array.from({ length: 11 }, (_, index) => ({ arn: `arn:aws:iam::aws:policy/P${index}` }));
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), PolicyArns: eleven })).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringMatching(/at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 10$/),
    });
  });

  it("packed size model: a full realistic policy with tags fits, 50 maximal random tags do not", async () => {
    const policy = policyOfLength(2048);
    expect(policy.length).toBeGreaterThan(1900);
    const fewTags = [
      { key: "Project", value: "alpha" },
      { key: "Team", value: "platform-engineering" },
      { key: "CostCenter", value: "cc-1234" },
    ];
    expect(packedPolicyPercent(SMALL_POLICY, [], [])).toBeLessThan(10);
    expect(packedPolicyPercent(policy, [], fewTags)).toBeLessThanOrEqual(100);
    const output = await sts(keysOf(jo)).send(
      new AssumeRoleCommand({
        RoleArn: roleArn("Dev"),
        RoleSessionName: "full",
        Policy: policy,
        Tags: fewTags.map((tag) => ({ Key: tag.key, Value: tag.value })),
      }),
    );
    expect(output.PackedPolicySize).toBe(packedPolicyPercent(policy, [], fewTags));

    const bigTags = Array.from({ length: 50 }, (_, index) => ({ Key: `${index}`.padStart(3, "0") + randomText(125), Value: randomText(256) }));
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: bigTags })).rejects.toMatchObject({
      name: "PackedPolicyTooLargeException",
      message: expect.stringMatching(/^Packed policy consumes \d{3,}% of allotted space, please use smaller policy\.$/),
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("enforces tag limits and rules", async () => {
    const tags = (count: number) => Array.from({ length: count }, (_, index) => ({ Key: `k${index}`, Value: "v" }));
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: tags(51) })).rejects.toMatchObject({
      name: "ValidationError",
      message: expect.stringMatching(
        /^1 validation error detected: Value '\[.*\]' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50$/,
      ),
    });
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: [{ Key: "k".repeat(129), Value: "v" }] })).rejects.toMatchObject({
      message: `1 validation error detected: Value '${"k".repeat(129)}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    });
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: [{ Key: "ok", Value: "semi;colon" }] })).rejects.toMatchObject({
      message:
        "1 validation error detected: Value 'semi;colon' at 'tags.1.member.value' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
    });
    await expect(
      assumeRole(keysOf(jo), {
        RoleArn: roleArn("Dev"),
        Tags: [
          { Key: "Team", Value: "a" },
          { Key: "team", Value: "b" },
        ],
      }),
    ).rejects.toMatchObject({
      name: "ValidationError",
      message: "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
    });
    await expect(
      assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: [{ Key: "Team", Value: "a" }], TransitiveTagKeys: ["Project"] }),
    ).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "TransitiveTagKeys names 'Project', which is not the key of a session tag in this request.",
    });
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), Tags: [{ Key: "Team", Value: "a" }] })).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:user/jo is not authorized to perform: sts:TagSession on resource: ${roleArn("Plain")}`,
    });
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), Tags: tags(50) })).resolves.toBeDefined();
  });

  it("passes transitive tags along a role chain, and refuses to overwrite them", async () => {
    const dev = await assumeRole(keysOf(jo), {
      RoleArn: roleArn("Dev"),
      Tags: [
        { Key: "Project", Value: "alpha" },
        { Key: "Team", Value: "platform" },
      ],
      TransitiveTagKeys: ["project"],
    });
    expect(server.session(dev.accessKeyId)?.transitiveTagKeys).toEqual(["Project"]);
    const chained = await assumeRole(dev, { RoleArn: roleArn("Chained"), Tags: [{ Key: "Step", Value: "two" }] });
    expect(server.session(chained.accessKeyId)).toMatchObject({
      tags: { Project: "alpha", Step: "two" },
      transitiveTagKeys: ["Project"],
    });
    expect(server.session(chained.accessKeyId)?.tags).not.toHaveProperty("Team");
    await expect(assumeRole(dev, { RoleArn: roleArn("Chained"), Tags: [{ Key: "PROJECT", Value: "beta" }] })).rejects.toMatchObject({
      name: "InvalidParameterValue",
      message: "Session tag 'Project' is a transitive tag of the calling session and cannot be set again in a role chain.",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("sets a source identity once; chained sessions keep it", async () => {
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Dev"), SourceIdentity: "aws:admin" })).rejects.toMatchObject({
      name: "ValidationError",
      message:
        "1 validation error detected: Value 'aws:admin' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*",
    });
    await expect(assumeRole(keysOf(jo), { RoleArn: roleArn("Plain"), SourceIdentity: "jo" })).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:iam::${ACCOUNT}:user/jo is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn("Plain")}`,
    });
    const dev = await sts(keysOf(jo)).send(new AssumeRoleCommand({ RoleArn: roleArn("Dev"), RoleSessionName: "jo", SourceIdentity: "jo@example.com" }));
    expect(dev.SourceIdentity).toBe("jo@example.com");
    const devKeys = keysFrom(dev.Credentials);
    const chained = await sts(devKeys).send(new AssumeRoleCommand({ RoleArn: roleArn("Chained"), RoleSessionName: "hop" }));
    expect(chained.SourceIdentity).toBe("jo@example.com");
    expect(server.session(chained.Credentials?.AccessKeyId ?? "")?.sourceIdentity).toBe("jo@example.com");
    await expect(assumeRole(devKeys, { RoleArn: roleArn("Chained"), SourceIdentity: "someone-else" })).rejects.toMatchObject({
      name: "AccessDenied",
      message:
        "The source identity of a session cannot be changed: the calling session has source identity 'jo@example.com', the request asks for 'someone-else'.",
    });
    await expect(assumeRole(devKeys, { RoleArn: roleArn("ChainedPlain") })).rejects.toMatchObject({
      name: "AccessDenied",
      message: `User: arn:aws:sts::${ACCOUNT}:assumed-role/Dev/jo is not authorized to perform: sts:SetSourceIdentity on resource: ${roleArn("ChainedPlain")}`,
    });
  });
});

describe("AssumeRoleWithSAML", () => {
  const issue = (options: Partial<IssueOptions> = {}): string =>
    issueSamlResponseBase64(idp, {
      roles: [
        { roleArn: roleArn("Saml"), providerArn: PROVIDER_ARN },
        { roleArn: roleArn("SamlPlain"), providerArn: PROVIDER_ARN, order: "provider,role" },
      ],
      sessionName: "jo@example.com",
      now: serverNow(),
      ...options,
    });
  const withSaml = (roleName: string, assertion: string, extra: { DurationSeconds?: number; Policy?: string } = {}) =>
    sts(keysOf(jo)).send(new AssumeRoleWithSAMLCommand({ RoleArn: roleArn(roleName), PrincipalArn: PROVIDER_ARN, SAMLAssertion: assertion, ...extra }));

  it("exchanges a signed assertion for a role session, unsigned", async () => {
    const output = await withSaml(
      "Saml",
      issue({ principalTags: { Team: "platform", Project: "alpha" }, transitiveTagKeys: ["Project"], sourceIdentity: "jo" }),
      { Policy: SMALL_POLICY, DurationSeconds: 7200 },
    );
    expect(lastCall()).toMatchObject({ action: "AssumeRoleWithSAML", params: { RoleArn: roleArn("Saml"), Policy: SMALL_POLICY } });
    expect(lastCall().callerArn).toBeUndefined(); // the SDK sends AssumeRoleWithSAML unsigned
    expectExpiresInSeconds(output.Credentials?.Expiration, 7200);
    expect(output).toMatchObject({
      AssumedRoleUser: { Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Saml/jo@example.com` },
      Subject: "jo@example.com",
      SubjectType: "persistent",
      Issuer: idp.issuer,
      Audience: SIGNIN,
      NameQualifier: createHash("sha1").update(`${idp.issuer}${ACCOUNT}/TestIdp`).digest("base64"),
      SourceIdentity: "jo",
      PackedPolicySize: expect.any(Number),
    });
    expect(server.session(output.Credentials?.AccessKeyId ?? "")).toMatchObject({
      tags: { Team: "platform", Project: "alpha" },
      transitiveTagKeys: ["Project"],
      sourceIdentity: "jo",
    });
    const plain = await withSaml("SamlPlain", issue());
    expect(plain.PackedPolicySize).toBeUndefined();
    await expect(sts(keysFrom(plain.Credentials)).send(new GetCallerIdentityCommand({}))).resolves.toMatchObject({
      Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/SamlPlain/jo@example.com`,
    });
  });

  it("ends the session no later than SessionNotOnOrAfter, and within the role's maximum", async () => {
    const end = new Date(serverNow().getTime() + 20 * 60_000);
    const output = await withSaml("Saml", issue({ sessionNotOnOrAfter: end }), { DurationSeconds: 3600 });
    expect(output.Credentials?.Expiration?.getTime()).toBe(Math.floor(end.getTime() / 1000) * 1000);
    await expect(withSaml("Saml", issue(), { DurationSeconds: 7201 })).rejects.toMatchObject({
      name: "ValidationError",
      message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
  });

  it("refuses roles the assertion does not offer, untrusted audiences and missing tag permission", async () => {
    const notAuthorized = { name: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithSAML", $metadata: { httpStatusCode: 403 } };
    await expect(withSaml("Dev", issue())).rejects.toMatchObject(notAuthorized);
    await expect(withSaml("SamlEu", issue({ roles: [{ roleArn: roleArn("SamlEu"), providerArn: PROVIDER_ARN }] }))).rejects.toMatchObject(notAuthorized);
    await expect(withSaml("SamlPlain", issue({ principalTags: { Team: "x" } }))).rejects.toMatchObject({
      name: "AccessDenied",
      message: "Not authorized to perform sts:TagSession",
    });
  });

  it("reports what the assertion check rejects with STS's SAML error codes", async () => {
    await expect(
      sts(keysOf(jo)).send(
        new AssumeRoleWithSAMLCommand({ RoleArn: roleArn("Saml"), PrincipalArn: `arn:aws:iam::${ACCOUNT}:saml-provider/Other`, SAMLAssertion: issue() }),
      ),
    ).rejects.toMatchObject({
      name: "InvalidIdentityTokenException",
      message: `No SAML provider found for arn:aws:iam::${ACCOUNT}:saml-provider/Other`,
      $metadata: { httpStatusCode: 400 },
    });
    const stale = issue({ now: new Date(serverNow().getTime() - 10 * 60_000) });
    await expect(withSaml("Saml", stale)).rejects.toMatchObject({
      name: "ExpiredTokenException",
      message: "Token must be redeemed within 5 minutes of issuance",
    });
    await expect(withSaml("Saml", "bm90IHhtbA==")).rejects.toMatchObject({ name: "InvalidIdentityTokenException" });
    await expect(withSaml("Saml", "abc")).rejects.toMatchObject({
      name: "ValidationError",
      message: "1 validation error detected: Value at 'sAMLAssertion' failed to satisfy constraint: Member must have length greater than or equal to 4",
    });
  });
});
