/**
 * The certificate, its intermediates and its private key, read from the files the user named
 * (through the bounded read: a FIFO or /dev/zero is refused, not waited on) and parsed with
 * node:crypto. Keys: PEM PKCS#8, PKCS#1 RSA, SEC1 EC, and encrypted PKCS#8 (or legacy encrypted
 * PEM), whose passphrase comes from the caller's `passphrase()`, asked only when the key is
 * encrypted. The key's PEM is never put in a message.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";
import { inputError, RolecredError } from "../errors.js";
import { READ_LIMITS, readRegularFileSync, readRegularTextSync } from "../store/bounded-read.js";
import { looksLikePkcs12, readPkcs12 } from "./pkcs12.js";

export interface SigningMaterial {
  readonly certificate: X509Certificate;
  /** The intermediates, in the order given (each should issue the one before, the first the leaf). */
  readonly chain: readonly X509Certificate[];
  readonly privateKey: KeyObject;
}

export interface MaterialFiles {
  /** A PEM certificate, or a PKCS#12 bundle (.p12/.pfx) holding the certificate, chain and key. */
  readonly certificatePath: string;
  /** Undefined for a PKCS#12 bundle. */
  readonly privateKeyPath: string | undefined;
  readonly intermediatesPath: string | undefined;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string): Array<{ label: string; pem: string }> {
  return [...text.matchAll(PEM_BLOCK)].map((match) => ({ label: match[1] ?? "", pem: match[0] }));
}

/** Every CERTIFICATE block of a PEM file; `what` names the file in messages. */
export function readCertificates(path: string, what: string): X509Certificate[] {
  const text = readRegularTextSync(path, { maxBytes: READ_LIMITS.certificate, what });
  const blocks = pemBlocks(text).filter((block) => block.label === "CERTIFICATE");
  if (blocks.length === 0) throw inputError(`${what} ${path} holds no PEM certificate`, "expected -----BEGIN CERTIFICATE-----");
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block.pem);
    } catch {
      throw inputError(`${what} ${path}: certificate ${index + 1} cannot be parsed`);
    }
  });
}

const KEY_LABELS = new Set(["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]);

export function readCertificate(path: string): X509Certificate {
  const [first, ...rest] = readCertificates(path, "the certificate file");
  if (first === undefined) throw inputError(`the certificate file ${path} holds no PEM certificate`);
  if (rest.length > 0)
    throw inputError(
      `the certificate file ${path} holds ${rest.length + 1} certificates`,
      "put only the end-entity certificate there and the CA certificates in --intermediates",
    );
  return first;
}

async function readPrivateKey(path: string, passphrase: () => Promise<string>): Promise<KeyObject> {
  const text = readRegularTextSync(path, { maxBytes: READ_LIMITS.certificate, what: "the private key file" });
  const keys = pemBlocks(text).filter((block) => KEY_LABELS.has(block.label));
  const [key] = keys;
  if (key === undefined) {
    if (text.includes("-----BEGIN OPENSSH PRIVATE KEY-----"))
      throw inputError(
        `the private key file ${path} is an OpenSSH key`,
        "convert it to PEM: ssh-keygen -p -m PEM -f FILE, or use the key the certificate was issued for",
      );
    throw inputError(
      `the private key file ${path} holds no PEM private key`,
      "expected PKCS#8 (BEGIN PRIVATE KEY), PKCS#1 (BEGIN RSA PRIVATE KEY) or SEC1 (BEGIN EC PRIVATE KEY)",
    );
  }
  if (keys.length > 1) throw inputError(`the private key file ${path} holds ${keys.length} private keys`, "keep only the certificate's key in it");
  const encrypted = key.label === "ENCRYPTED PRIVATE KEY" || /^Proc-Type: 4,ENCRYPTED$/m.test(key.pem);
  try {
    return encrypted ? createPrivateKey({ key: key.pem, format: "pem", passphrase: await passphrase() }) : createPrivateKey({ key: key.pem, format: "pem" });
  } catch (error) {
    if (error instanceof RolecredError) throw error; // no terminal for the passphrase, a cancelled prompt
    // node's message is about the parse, never the key's bytes; keep it out anyway.
    if (encrypted)
      throw inputError(
        `cannot decrypt the private key ${path}: wrong passphrase, or a cipher this Node.js does not support`,
        "check ROLECRED_X509_PASSPHRASE or the passphrase you typed",
      );
    throw inputError(`the private key file ${path} cannot be parsed as a ${key.label}`);
  }
}

export async function loadSigningMaterial(files: MaterialFiles, passphrase: () => Promise<string>): Promise<SigningMaterial> {
  const extra = (certificate: X509Certificate) =>
    files.intermediatesPath === undefined
      ? []
      : readCertificates(files.intermediatesPath, "the intermediates file").filter((candidate) => !candidate.raw.equals(certificate.raw));
  const head = readRegularFileSync(files.certificatePath, { maxBytes: READ_LIMITS.certificate, what: "the certificate file" });
  if (looksLikePkcs12(files.certificatePath, head)) {
    if (files.privateKeyPath !== undefined)
      throw inputError(`${files.certificatePath} is a PKCS#12 bundle: it holds the key itself`, "drop --private-key (rolecred_x509_private_key)");
    const bundle = await loadPkcs12(head, files.certificatePath, passphrase);
    return { ...bundle, chain: [...bundle.chain, ...extra(bundle.certificate)] };
  }
  if (files.privateKeyPath === undefined)
    throw inputError("no private key given", "pass --private-key (or rolecred_x509_private_key), or a PKCS#12 bundle (.p12/.pfx) as the certificate");
  const certificate = readCertificate(files.certificatePath);
  // A CA's "fullchain.pem" starts with the certificate itself: it is not an intermediate, so it is
  // dropped rather than sent twice (and refused as out of order).
  const chain = extra(certificate);
  const privateKey = await readPrivateKey(files.privateKeyPath, passphrase);
  return { certificate, chain, privateKey };
}

/**
 * The bundle's certificate is the one its key belongs to; the others, in issuing order from it,
 * are the chain. An empty password (a bundle exported with -passout pass:) is tried first.
 */
async function loadPkcs12(der: Buffer, path: string, passphrase: () => Promise<string>): Promise<SigningMaterial> {
  let contents;
  try {
    contents = readPkcs12(der, "", path);
  } catch (error) {
    if (!(error instanceof RolecredError) || !error.message.includes("wrong passphrase")) throw error;
    contents = readPkcs12(der, await passphrase(), path);
  }
  const { certificates, privateKey } = contents;
  const certificate = certificates.find((candidate) => candidate.checkPrivateKey(privateKey));
  if (certificate === undefined) throw inputError(`the PKCS#12 file ${path} holds no certificate for its private key`);
  const chain: X509Certificate[] = [];
  let current = certificate;
  for (;;) {
    const issuer = certificates.find(
      (candidate) => candidate !== current && !chain.includes(candidate) && candidate !== certificate && current.checkIssued(candidate),
    );
    if (issuer === undefined) break;
    chain.push(issuer);
    current = issuer;
  }
  return { certificate, chain, privateKey };
}
