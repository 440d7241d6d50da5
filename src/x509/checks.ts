/**
 * Everything that would make Roles Anywhere refuse the request, or make it unsafe to send,
 * checked before signing: validity now, a key that matches and may sign, a key type Roles
 * Anywhere accepts, an intermediate chain in issuing order. Each failure is one line, exit 3
 * (the files rolecred was handed cannot be used).
 */
import type { KeyObject, X509Certificate } from "node:crypto";
import { inputError } from "../errors.js";
import { allowsDigitalSignature } from "./der.js";
import type { SigningMaterial } from "./material.js";

export type SigningAlgorithm = "AWS4-X509-RSA-SHA256" | "AWS4-X509-ECDSA-SHA256";

/** Curves Roles Anywhere signs with, by node:crypto's name. */
const CURVES: Readonly<Record<string, string>> = { prime256v1: "P-256", secp384r1: "P-384" };
const MIN_RSA_BITS = 2048;

/** The algorithm for a key, or an error naming what the key is and what is accepted. */
export function signingAlgorithmFor(key: KeyObject): SigningAlgorithm {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  if (type === "rsa") {
    const bits = details.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS)
      throw inputError(
        `the private key is RSA ${bits}-bit: Roles Anywhere needs RSA of at least ${MIN_RSA_BITS} bits`,
        "issue a new certificate for an RSA 2048+ or EC P-256/P-384 key",
      );
    return "AWS4-X509-RSA-SHA256";
  }
  if (type === "ec") {
    const curve = details.namedCurve ?? "unknown";
    if (CURVES[curve] === undefined)
      throw inputError(
        `the private key is EC on curve ${curve}: Roles Anywhere signs with P-256 or P-384`,
        "issue a new certificate for an EC P-256/P-384 or RSA 2048+ key",
      );
    return "AWS4-X509-ECDSA-SHA256";
  }
  const named = type === "ed25519" ? "Ed25519" : type === "ed448" ? "Ed448" : (type ?? "unknown");
  throw inputError(
    `the private key is ${named}: Roles Anywhere accepts only RSA (2048+) and EC P-256/P-384 keys`,
    "issue a new certificate for an RSA or EC key",
  );
}

/** "RSA 2048", "EC P-384": for --verbose. */
export function describeKey(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "rsa") return `RSA ${details.modulusLength ?? "?"}`;
  if (key.asymmetricKeyType === "ec") return `EC ${CURVES[details.namedCurve ?? ""] ?? details.namedCurve ?? "?"}`;
  return key.asymmetricKeyType ?? "unknown";
}

/** The certificate's validity against `now`, saying when. */
export function checkValidity(certificate: X509Certificate, now: Date, what = "the certificate"): void {
  const notBefore = new Date(certificate.validFrom);
  const notAfter = new Date(certificate.validTo);
  if (now.getTime() < notBefore.getTime()) throw inputError(`${what} is not valid until ${notBefore.toISOString()}`, "check the system clock, or wait");
  if (now.getTime() > notAfter.getTime()) throw inputError(`${what} expired on ${notAfter.toISOString()}`, "renew it with your CA");
}

/** Each intermediate must issue the certificate before it (the first, the leaf), and be valid now. */
function checkChain(certificate: X509Certificate, chain: readonly X509Certificate[], now: Date): void {
  let issued = certificate;
  chain.forEach((intermediate, index) => {
    const position = `intermediate ${index + 1} (${intermediate.subject.split("\n").join(", ")})`;
    if (!issued.checkIssued(intermediate) || !issued.verify(intermediate.publicKey)) {
      const issuedWhat = index === 0 ? "the certificate" : `intermediate ${index}`;
      throw inputError(
        `the intermediates are out of order or do not belong: ${position} did not issue ${issuedWhat}`,
        "list them leaf-side first: the CA that issued the certificate, then the CA that issued that one",
      );
    }
    if (!intermediate.ca) throw inputError(`${position} is not a CA certificate`);
    checkValidity(intermediate, now, position);
    issued = intermediate;
  });
}

export function checkSigningMaterial(material: SigningMaterial, now: Date): SigningAlgorithm {
  const { certificate, privateKey } = material;
  checkValidity(certificate, now);
  const algorithm = signingAlgorithmFor(privateKey);
  if (!certificate.checkPrivateKey(privateKey))
    throw inputError("the private key does not match the certificate", "give the key the certificate was issued for");
  if (!allowsDigitalSignature(certificate.raw))
    throw inputError(
      "the certificate's key usage does not include digitalSignature",
      "Roles Anywhere needs a certificate whose key may sign: ask your CA for keyUsage=digitalSignature",
    );
  checkChain(certificate, material.chain, now);
  return algorithm;
}
