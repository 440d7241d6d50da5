/**
 * A PKCS#12 bundle (.p12/.pfx: the certificate, its chain and its key in one password-protected
 * file), read with node:crypto alone, as OpenSSL 3 and current tools write it: certificates in a
 * PBES2 (PBKDF2 + AES-CBC) encrypted SafeContents, the key in a PBES2 shrouded key bag (which
 * node:crypto decrypts itself, as encrypted PKCS#8). The legacy RC2/3DES encryption of older
 * exports is refused with the command that re-exports the bundle. The MAC is not checked: a wrong
 * password fails the decryption, and the key must still match the certificate (./checks.ts).
 */
import { createDecipheriv, createPrivateKey, pbkdf2Sync, X509Certificate, type KeyObject } from "node:crypto";
import { inputError, RolecredError } from "../errors.js";
import { isPkcs12Path } from "./bundle-path.js";
import { children, oidText, readTlv, type Tlv } from "./der.js";

const OID = {
  data: "1.2.840.113549.1.7.1",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
} as const;

const PRFS: Readonly<Record<string, string>> = {
  "1.2.840.113549.2.7": "sha1",
  "1.2.840.113549.2.9": "sha256",
  "1.2.840.113549.2.10": "sha384",
  "1.2.840.113549.2.11": "sha512",
};
const CIPHERS: Readonly<Record<string, { name: string; keyLength: number }>> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyLength: 24 },
  "2.16.840.1.101.3.4.1.42": { name: "aes-256-cbc", keyLength: 32 },
};

export interface Pkcs12Contents {
  readonly certificates: readonly X509Certificate[];
  readonly privateKey: KeyObject;
}

class Malformed extends Error {}
class WrongPassword extends Error {}

function need(tlv: Tlv | undefined, tag: number): Tlv {
  if (tlv?.tag !== tag) throw new Malformed();
  return tlv;
}

const SEQUENCE = 0x30;
const OCTET_STRING = 0x04;
const OBJECT = 0x06;
const INTEGER = 0x02;
const EXPLICIT_0 = 0xa0;
const IMPLICIT_0 = 0x80;

function integer(der: Buffer, tlv: Tlv): number {
  let value = 0;
  for (const byte of der.subarray(tlv.start, tlv.end)) value = value * 256 + byte;
  return value;
}

/** The content bytes of a [0] wrapping an OCTET STRING (or a constructed one of several). */
function octets(der: Buffer, tlv: Tlv): Buffer {
  if (tlv.tag === OCTET_STRING || tlv.tag === IMPLICIT_0) return der.subarray(tlv.start, tlv.end);
  // Constructed OCTET STRING (BER from some tools): the concatenation of its parts.
  return Buffer.concat(children(der, tlv).map((part) => der.subarray(part.start, part.end)));
}

/** PBES2 (PBKDF2 + AES-CBC) decryption of `encrypted` with `password`, as PKCS#5 v2.1 says. */
function pbes2Decrypt(der: Buffer, algorithm: Tlv, encrypted: Buffer, password: string): Buffer {
  const [oid, params] = children(der, algorithm);
  const scheme = oidText(der, need(oid, OBJECT));
  if (scheme !== OID.pbes2)
    throw inputError(
      `the PKCS#12 file uses legacy encryption (${scheme})`,
      "re-export it with OpenSSL 3: openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export -out new.p12",
    );
  const [kdf, cipher] = children(der, need(params, SEQUENCE));
  const [kdfOid, kdfParams] = children(der, need(kdf, SEQUENCE));
  if (oidText(der, need(kdfOid, OBJECT)) !== OID.pbkdf2) throw inputError("the PKCS#12 file uses a key derivation other than PBKDF2");
  const [salt, iterations, ...rest] = children(der, need(kdfParams, SEQUENCE));
  const prfTlv = rest.find((item) => item.tag === SEQUENCE);
  const prfOid = prfTlv === undefined ? undefined : children(der, prfTlv)[0];
  const prf = prfOid === undefined ? "sha1" : PRFS[oidText(der, prfOid)];
  const [cipherOid, iv] = children(der, need(cipher, SEQUENCE));
  const cipherSpec = CIPHERS[oidText(der, need(cipherOid, OBJECT))];
  if (prf === undefined || cipherSpec === undefined)
    throw inputError("the PKCS#12 file uses a cipher rolecred does not read", "re-export it with OpenSSL 3's defaults (AES-256-CBC, PBKDF2 with SHA-256)");
  const key = pbkdf2Sync(
    Buffer.from(password, "utf8"),
    octets(der, need(salt, OCTET_STRING)),
    integer(der, need(iterations, INTEGER)),
    cipherSpec.keyLength,
    prf,
  );
  const decipher = createDecipheriv(cipherSpec.name, key, octets(der, need(iv, OCTET_STRING)));
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

interface Bags {
  certificates: X509Certificate[];
  keys: KeyObject[];
}

function readSafeContents(der: Buffer, password: string, bags: Bags): void {
  for (const bag of children(der, need(readTlv(der, 0, der.length), SEQUENCE))) {
    const [bagId, wrapped] = children(der, bag);
    const id = oidText(der, need(bagId, OBJECT));
    const value = need(children(der, need(wrapped, EXPLICIT_0))[0], SEQUENCE);
    const valueDer = der.subarray(value.offset, value.end);
    if (id === OID.certBag) {
      const [certType, certValue] = children(der, value);
      if (oidText(der, need(certType, OBJECT)) !== OID.x509Certificate) continue;
      const [certOctets] = children(der, need(certValue, EXPLICIT_0));
      bags.certificates.push(new X509Certificate(octets(der, need(certOctets, OCTET_STRING))));
    } else if (id === OID.shroudedKeyBag) {
      bags.keys.push(createPrivateKey({ key: valueDer, format: "der", type: "pkcs8", passphrase: password }));
    } else if (id === OID.keyBag) {
      bags.keys.push(createPrivateKey({ key: valueDer, format: "der", type: "pkcs8" }));
    }
  }
}

/** Is this file a PKCS#12 bundle (by name or by its first bytes: a DER SEQUENCE, not PEM)? */
export function looksLikePkcs12(path: string, head: Buffer): boolean {
  return isPkcs12Path(path) || (head[0] === SEQUENCE && !head.subarray(0, 64).toString("latin1").includes("-----BEGIN"));
}

export function readPkcs12(der: Buffer, password: string, path: string): Pkcs12Contents {
  const bags: Bags = { certificates: [], keys: [] };
  try {
    const [version, authSafe] = children(der, need(readTlv(der, 0, der.length), SEQUENCE));
    if (integer(der, need(version, INTEGER)) !== 3) throw new Malformed();
    const [contentType, content] = children(der, need(authSafe, SEQUENCE));
    if (oidText(der, need(contentType, OBJECT)) !== OID.data) throw new Malformed();
    const [authSafeOctets] = children(der, need(content, EXPLICIT_0));
    const authSafeDer = octets(der, need(authSafeOctets, OCTET_STRING));
    for (const info of children(authSafeDer, need(readTlv(authSafeDer, 0, authSafeDer.length), SEQUENCE))) {
      const [type, wrapped] = children(authSafeDer, info);
      const typeOid = oidText(authSafeDer, need(type, OBJECT));
      const [inner] = children(authSafeDer, need(wrapped, EXPLICIT_0));
      if (typeOid === OID.data) {
        readSafeContents(octets(authSafeDer, need(inner, OCTET_STRING)), password, bags);
      } else if (typeOid === OID.encryptedData) {
        const [, encryptedContentInfo] = children(authSafeDer, need(inner, SEQUENCE));
        const [, algorithm, encrypted] = children(authSafeDer, need(encryptedContentInfo, SEQUENCE));
        if (encrypted === undefined || (encrypted.tag !== IMPLICIT_0 && encrypted.tag !== 0xa0)) throw new Malformed();
        const decrypted = pbes2Decrypt(authSafeDer, need(algorithm, SEQUENCE), octets(authSafeDer, encrypted), password);
        try {
          readSafeContents(decrypted, password, bags);
        } catch (error) {
          // A wrong password passes the padding check about once in 256 tries and yields garbage.
          if (error instanceof Malformed) throw new WrongPassword();
          throw error;
        }
      }
    }
  } catch (error) {
    if (error instanceof Malformed) throw inputError(`${path} is not a PKCS#12 file rolecred can read`);
    if (error instanceof RolecredError) throw error; // legacy encryption, an unsupported cipher
    // A bad decrypt (wrong password) surfaces as a padding or parse error of node:crypto.
    throw inputError(`cannot open the PKCS#12 file ${path}: wrong passphrase, or damaged`, "check ROLECRED_X509_PASSPHRASE or the passphrase you typed");
  }
  const [privateKey, ...moreKeys] = bags.keys;
  if (privateKey === undefined) throw inputError(`the PKCS#12 file ${path} holds no private key`);
  if (moreKeys.length > 0) throw inputError(`the PKCS#12 file ${path} holds ${bags.keys.length} private keys`);
  return { certificates: bags.certificates, privateKey };
}
