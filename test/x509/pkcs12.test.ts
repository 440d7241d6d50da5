/** PKCS#12 reading (src/x509/pkcs12.ts) against bundles Debian's openssl writes. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readPkcs12 } from "../../src/x509/pkcs12.js";
import { RolecredError } from "../../src/errors.js";
import { mintPki, type Pki } from "../support/rolesanywhere-world.js";

let pki: Pki;
let bundle: Buffer;
beforeAll(() => {
  pki = mintPki();
  const path = join(pki.dir, "me.p12");
  execFileSync(
    "openssl",
    [
      "pkcs12",
      "-export",
      "-in",
      pki.leaves.p384.certPath,
      "-inkey",
      pki.leaves.p384.keyPath,
      "-certfile",
      pki.intermediatesPath,
      "-out",
      path,
      "-passout",
      "pass:right",
    ],
    { stdio: "ignore" },
  );
  bundle = readFileSync(path);
});

describe("readPkcs12", () => {
  it("returns the certificates and the key", () => {
    const { certificates, privateKey } = readPkcs12(bundle, "right", "me.p12");
    expect(certificates.map((certificate) => certificate.subject.split("\n").at(-1))).toEqual(["CN=pipeline.example", "CN=Example-Issuing"]);
    expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
  });

  it("every wrong password is reported as one, even when the garbage it decrypts to passes the padding check", () => {
    const messages = new Set<string>();
    for (let attempt = 0; attempt < 1200; attempt++) {
      try {
        readPkcs12(bundle, `wrong-${attempt}`, "me.p12");
        messages.add("accepted");
      } catch (error) {
        messages.add(error instanceof RolecredError ? error.message : `not a RolecredError: ${String(error)}`);
      }
    }
    expect([...messages]).toEqual(["cannot open the PKCS#12 file me.p12: wrong passphrase, or damaged"]);
  });

  it("a file that is not PKCS#12", () => {
    expect(() => readPkcs12(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), "", "x.p12")).toThrow("x.p12 is not a PKCS#12 file rolecred can read");
  });
});
