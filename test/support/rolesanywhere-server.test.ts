/**
 * The local Roles Anywhere endpoint is a judge: these tests show it refuses what AWS refuses
 * (a wrong signature, a stale date, an untrusted or expired certificate, a role or profile that
 * does not allow it, a trust policy whose CN condition fails) and that what it issues works
 * against the local STS endpoint. Requests are signed with rolecred's signer (src/x509/sign.ts)
 * and then, for the refusals, altered on the way.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSigningMaterial, type SigningMaterial } from "../../src/x509/material.js";
import { signingAlgorithmFor, type SigningAlgorithm } from "../../src/x509/checks.js";
import { signRolesAnywhereRequest } from "../../src/x509/sign.js";
import { assumeRole, getCallerIdentity } from "../../src/sts/calls.js";
import {
  mintPki,
  PIPELINE_CN,
  PROFILE_ARN,
  LONG_PROFILE_ARN,
  DISABLED_PROFILE_ARN,
  DISABLED_ANCHOR_ARN,
  RA_REGION,
  RA_ROLES,
  startRolesAnywhereWorld,
  TRUST_ANCHOR_ARN,
  type Pki,
  type RolesAnywhereWorld,
} from "./rolesanywhere-world.js";
import type { Issued } from "./rolesanywhere-pki.js";

let pki: Pki;
let ra: RolesAnywhereWorld;

beforeAll(async () => {
  pki = mintPki();
  ra = await startRolesAnywhereWorld(pki);
});
afterAll(async () => ra.close());

interface Answer {
  status: number;
  errorType: string | undefined;
  json: Record<string, unknown>;
}

async function material(leaf: Issued, options: { intermediates?: boolean; keyPath?: string } = {}): Promise<SigningMaterial> {
  return loadSigningMaterial(
    {
      certificatePath: leaf.certPath,
      privateKeyPath: options.keyPath ?? leaf.keyPath,
      intermediatesPath: options.intermediates === false ? undefined : pki.intermediatesPath,
    },
    () => Promise.reject(new Error("no passphrase")),
  );
}

interface Tamper {
  body?: Record<string, unknown>;
  /** Applied to the signed headers before sending. */
  headers?: (headers: Record<string, string>) => void;
  /** Signed at this time instead of now. */
  signedAt?: Date;
  /** Sent instead of the signed body. */
  sentBody?: string;
  /** Sign with this algorithm name, bypassing rolecred's key checks. */
  algorithm?: SigningAlgorithm;
}

function send(signing: SigningMaterial, tamper: Tamper = {}): Promise<Answer> {
  const url = new URL("/sessions", ra.rolesAnywhere.url);
  const body = JSON.stringify(tamper.body ?? { durationSeconds: 3600, profileArn: PROFILE_ARN, roleArn: RA_ROLES.pipeline, trustAnchorArn: TRUST_ANCHOR_ARN });
  const headers = signRolesAnywhereRequest(
    { method: "POST", url, body, headers: { "content-type": "application/json" } },
    signing,
    tamper.algorithm ?? signingAlgorithmFor(signing.privateKey),
    RA_REGION,
    tamper.signedAt ?? new Date(),
  );
  tamper.headers?.(headers);
  const sent = tamper.sentBody ?? body;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: "POST", headers: { ...headers, "content-length": String(Buffer.byteLength(sent)) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const type = response.headers["x-amzn-errortype"];
        resolve({
          status: response.statusCode ?? 0,
          errorType: typeof type === "string" ? type : undefined,
          json: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        });
      });
    });
    outgoing.on("error", reject);
    outgoing.end(sent);
  });
}

function credentialsOf(answer: Answer): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
  const set = (answer.json.credentialSet as Array<Record<string, unknown>>)[0] ?? {};
  const { accessKeyId, secretAccessKey, sessionToken } = set.credentials as Record<string, string>;
  return { accessKeyId: accessKeyId ?? "", secretAccessKey: secretAccessKey ?? "", sessionToken: sessionToken ?? "" };
}

describe("local Roles Anywhere: what it accepts", () => {
  it.each(["p256", "p384", "rsa2048", "rsa4096"] as const)(
    "a %s certificate through the intermediate gets a session STS accepts, with the CN as source identity",
    async (kind) => {
      const answer = await send(await material(pki.leaves[kind]));
      expect(answer.errorType).toBeUndefined();
      expect(answer.status).toBe(201);
      const set = (answer.json.credentialSet as Array<Record<string, unknown>>)[0] ?? {};
      expect(set.sourceIdentity).toBe(PIPELINE_CN);
      expect(set.roleArn).toBe(RA_ROLES.pipeline);
      const identity = await getCallerIdentity({ region: "us-east-1", url: ra.world.sts.url, timeoutMs: 5000 }, credentialsOf(answer));
      expect(identity.arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/pipeline\/[0-9a-f]+$/);
      const session = ra.world.sts.session(credentialsOf(answer).accessKeyId);
      expect(session?.sourceIdentity).toBe(PIPELINE_CN);
      expect(session?.tags).toMatchObject({
        "x509Subject/CN": PIPELINE_CN,
        "x509Subject/OU": "Platform",
        "x509Issuer/CN": "Example-Issuing",
        "x509SAN/DNS": PIPELINE_CN,
        "x509SAN/URI": "spiffe://example.org/pipeline",
      });
    },
  );

  it("a certificate the trust anchor's root issued directly needs no chain", async () => {
    const answer = await send(await material(pki.leaves.direct, { intermediates: false }));
    expect(answer.status).toBe(201);
  });
});

describe("the local STS endpoint and certificate sessions", () => {
  const sts = () => ({ region: "us-east-1", url: ra.world.sts.url, timeoutMs: 5000 });

  it("aws:PrincipalTag/x509Subject/CN in a chained role's trust policy: the certificate's tags are the session's", async () => {
    const body = (roleArn: string) => ({ durationSeconds: 3600, profileArn: LONG_PROFILE_ARN, roleArn, trustAnchorArn: TRUST_ANCHOR_ARN });
    const pipeline = credentialsOf(await send(await material(pki.leaves.p256), { body: body(RA_ROLES.pipeline) }));
    const chained = await assumeRole(sts(), pipeline, { roleArn: RA_ROLES.tagged, sessionName: "chained" });
    expect(chained.sourceIdentity).toBe(PIPELINE_CN);
    // outside trusts any certificate of the anchor; the intruder's session carries its own CN.
    const intruder = await send(await material(pki.leaves.otherCn), { body: body(RA_ROLES.outside) });
    expect(intruder.status).toBe(201);
    await expect(assumeRole(sts(), credentialsOf(intruder), { roleArn: RA_ROLES.tagged, sessionName: "chained" })).rejects.toThrow(
      /not authorized to perform: sts:AssumeRole/,
    );
  });
});

describe("local Roles Anywhere: what it refuses", () => {
  it("a signature that does not match (body changed after signing)", async () => {
    const answer = await send(await material(pki.leaves.p256), {
      sentBody: JSON.stringify({ durationSeconds: 3600, profileArn: LONG_PROFILE_ARN, roleArn: RA_ROLES.pipeline, trustAnchorArn: TRUST_ANCHOR_ARN }),
    });
    expect([answer.status, answer.errorType, answer.json.message]).toEqual([403, "AccessDeniedException", "Unable to verify signature"]);
  });

  it("a certificate swapped after signing (the signature no longer matches the header's key)", async () => {
    const rsa = await material(pki.leaves.rsa2048);
    const answer = await send(await material(pki.leaves.p384), { headers: (headers) => void (headers["x-amz-x509"] = rsa.certificate.raw.toString("base64")) });
    expect(answer.errorType).toBe("AccessDeniedException");
  });

  it("a request signed 6 minutes ago, but one signed 4 minutes ago passes", async () => {
    const signing = await material(pki.leaves.p256);
    const stale = await send(signing, { signedAt: new Date(Date.now() - 6 * 60_000) });
    expect([stale.errorType, stale.json.message]).toEqual(["AccessDeniedException", expect.stringContaining("more than 5 minutes")]);
    expect((await send(signing, { signedAt: new Date(Date.now() - 4 * 60_000) })).status).toBe(201);
  });

  it("an unsigned X-Amz-X509-Chain header", async () => {
    const answer = await send(await material(pki.leaves.p256, { intermediates: false }), {
      headers: (headers) => void (headers["x-amz-x509-chain"] = pki.intermediate.cert.certPem.replace(/-----[A-Z ]+-----|\s/g, "")),
    });
    expect([answer.errorType, answer.json.message]).toEqual(["AccessDeniedException", "Header x-amz-x509-chain must be signed"]);
  });

  it("a leaf whose intermediate is not sent: no path to the trust anchor", async () => {
    const answer = await send(await material(pki.leaves.p256, { intermediates: false }));
    expect([answer.errorType, answer.json.message]).toEqual(["AccessDeniedException", "Untrusted signing certificate"]);
  });

  it("a leaf from another CA", async () => {
    const answer = await send(await material(pki.leaves.otherCa, { intermediates: false }));
    expect([answer.errorType, answer.json.message]).toEqual(["AccessDeniedException", "Untrusted signing certificate"]);
  });

  it.each(["expired", "notYetValid"] as const)("a %s leaf", async (kind) => {
    const answer = await send(await material(pki.leaves[kind]));
    expect([answer.errorType, answer.json.message]).toEqual(["AccessDeniedException", "Certificate is expired or not yet valid"]);
  });

  it("an RSA 1024 key, even correctly signed", async () => {
    const signing = await material(pki.leaves.rsa1024);
    // rolecred refuses to sign with it; sign anyway, as another client might.
    const answer = await send(signing, { algorithm: "AWS4-X509-RSA-SHA256" });
    expect([answer.errorType, answer.json.message]).toEqual(["AccessDeniedException", "Unsupported key: RSA keys must be at least 2048 bits"]);
  });

  it("a certificate whose CN the role's trust policy does not name", async () => {
    const answer = await send(await material(pki.leaves.otherCn));
    expect([answer.status, answer.errorType]).toEqual([403, "AccessDeniedException"]);
    expect(answer.json.message).toContain(`Unable to assume role for arn ${RA_ROLES.pipeline}`);
  });

  it("a role the profile does not list; a disabled profile; a disabled trust anchor", async () => {
    const signing = await material(pki.leaves.p256);
    const body = { durationSeconds: 3600, profileArn: PROFILE_ARN, roleArn: RA_ROLES.outside, trustAnchorArn: TRUST_ANCHOR_ARN };
    expect((await send(signing, { body })).json.message).toBe(`Role ${RA_ROLES.outside} is not in the profile's roles`);
    expect((await send(signing, { body: { ...body, roleArn: RA_ROLES.pipeline, profileArn: DISABLED_PROFILE_ARN } })).json.message).toBe("Profile is disabled");
    expect((await send(signing, { body: { ...body, roleArn: RA_ROLES.pipeline, trustAnchorArn: DISABLED_ANCHOR_ARN } })).json.message).toBe(
      "Trust anchor is disabled",
    );
  });

  it("a duration over the profile's limit (ValidationException), within a longer profile's it passes", async () => {
    const signing = await material(pki.leaves.p256);
    const body = { durationSeconds: 7200, profileArn: PROFILE_ARN, roleArn: RA_ROLES.pipeline, trustAnchorArn: TRUST_ANCHOR_ARN };
    const refused = await send(signing, { body });
    expect([refused.status, refused.errorType]).toEqual([400, "ValidationException"]);
    expect((await send(signing, { body: { ...body, profileArn: LONG_PROFILE_ARN } })).status).toBe(201);
  });

  it("malformed ARNs and durations outside 900-43200", async () => {
    const answer = await send(await material(pki.leaves.p256), {
      body: { durationSeconds: 60, profileArn: "nope", roleArn: RA_ROLES.pipeline, trustAnchorArn: TRUST_ANCHOR_ARN },
    });
    expect([answer.errorType, answer.json.message]).toEqual([
      "ValidationException",
      expect.stringMatching(/^2 validation errors detected: .*profileArn.*durationSeconds/),
    ]);
  });
});
