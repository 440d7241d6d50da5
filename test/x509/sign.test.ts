/**
 * The X.509 SigV4 signer against a second judge: the string to sign is rebuilt with the STS
 * endpoint's own canonicaliser (test/support/sigv4-verify.ts) and the signature checked by
 * Debian's `openssl dgst -verify` with the certificate's public key.
 */
import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSigningMaterial } from "../../src/x509/material.js";
import { signingAlgorithmFor } from "../../src/x509/checks.js";
import { amzDate, signRolesAnywhereRequest } from "../../src/x509/sign.js";
import { canonicalRequest } from "../support/sigv4-verify.js";
import { mintPki, type Pki } from "../support/rolesanywhere-world.js";
import type { Issued } from "../support/rolesanywhere-pki.js";

let pki: Pki;
beforeAll(() => {
  pki = mintPki();
});

const AT = new Date("2026-11-24T10:20:30.456Z");
const url = new URL("https://rolesanywhere.eu-west-1.amazonaws.com/sessions");
const body = JSON.stringify({ durationSeconds: 3600, profileArn: "p", roleArn: "r", trustAnchorArn: "t" });

async function signed(leaf: Issued, intermediates: boolean) {
  const material = await loadSigningMaterial(
    { certificatePath: leaf.certPath, privateKeyPath: leaf.keyPath, intermediatesPath: intermediates ? pki.intermediatesPath : undefined },
    () => Promise.reject(new Error("unused")),
  );
  const algorithm = signingAlgorithmFor(material.privateKey);
  return {
    material,
    algorithm,
    headers: signRolesAnywhereRequest({ method: "POST", url, body, headers: { "Content-Type": "application/json" } }, material, algorithm, "eu-west-1", AT),
  };
}

describe("signRolesAnywhereRequest", () => {
  it.each(["rsa2048", "p256", "p384"] as const)("a %s signature openssl verifies over the SigV4 canonical request", async (kind) => {
    const leaf = pki.leaves[kind];
    const { algorithm, headers } = await signed(leaf, true);
    const match =
      /^(AWS4-X509-(?:RSA|ECDSA)-SHA256) Credential=(\d+)\/(\d{8})\/eu-west-1\/rolesanywhere\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]+)$/.exec(
        headers.authorization ?? "",
      );
    expect(match).not.toBeNull();
    const [, name, serial, date, signedHeaders = "", signature = ""] = match ?? [];
    expect([name, serial, date, signedHeaders]).toEqual([
      algorithm,
      leaf.serialDecimal,
      "20261124",
      "content-type;host;x-amz-date;x-amz-x509;x-amz-x509-chain",
    ]);
    expect(headers["x-amz-date"]).toBe("20261124T102030Z");
    expect(headers["x-amz-x509"]).toBe(new X509Certificate(leaf.certPem).raw.toString("base64"));
    expect(headers["x-amz-x509-chain"]).toBe(new X509Certificate(pki.intermediate.cert.certPem).raw.toString("base64"));

    const received = {
      method: "POST",
      target: "/sessions",
      headers: Object.fromEntries(Object.entries(headers).map(([key, value]) => [key, [value]])),
      body: Buffer.from(body),
    };
    const canonical = canonicalRequest(received, signedHeaders.split(";"), createHash("sha256").update(body).digest("hex"));
    const stringToSign = [
      algorithm,
      "20261124T102030Z",
      "20261124/eu-west-1/rolesanywhere/aws4_request",
      createHash("sha256").update(canonical).digest("hex"),
    ].join("\n");
    const dir = pki.dir;
    writeFileSync(join(dir, `${kind}.sts`), stringToSign);
    writeFileSync(join(dir, `${kind}.sig`), Buffer.from(signature, "hex"));
    execFileSync("openssl", ["x509", "-in", leaf.certPath, "-pubkey", "-noout", "-out", join(dir, `${kind}.pub`)]);
    const verdict = execFileSync("openssl", [
      "dgst",
      "-sha256",
      "-verify",
      join(dir, `${kind}.pub`),
      "-signature",
      join(dir, `${kind}.sig`),
      join(dir, `${kind}.sts`),
    ]).toString();
    expect(verdict.trim()).toBe("Verified OK");
  });

  it("without intermediates, no chain header and it is not signed", async () => {
    const { headers } = await signed(pki.leaves.direct, false);
    expect(headers["x-amz-x509-chain"]).toBeUndefined();
    expect(headers.authorization).toContain("SignedHeaders=content-type;host;x-amz-date;x-amz-x509, ");
  });

  it("amzDate is ISO 8601 basic, UTC, whole seconds", () => {
    expect(amzDate(AT)).toBe("20261124T102030Z");
  });
});
