/**
 * What IAM Roles Anywhere will see in a certificate, before anything is sent: the source identity
 * (the subject's CN) and the principal tags its default attribute mapping derives (x509Subject/*
 * and x509Issuer/* for every supported RDN, x509SAN/DNS, x509SAN/URI and x509SAN/Name/* for the
 * first SAN of each kind). A trust policy's conditions are written against exactly these, so
 * `rolecred x509 --inspect` prints them from the real certificate.
 */
import type { X509Certificate } from "node:crypto";

export interface PrincipalTag {
  readonly key: string;
  readonly value: string;
}

export interface CertificateIdentity {
  /** The subject's CN: Roles Anywhere sets it as the session's source identity. */
  readonly sourceIdentity: string | undefined;
  readonly principalTags: readonly PrincipalTag[];
  readonly subject: string;
  readonly issuer: string;
  /** Upper-case hex, as node:crypto gives it. */
  readonly serialHex: string;
  /** Decimal: the form the credential scope of the signature carries. */
  readonly serialDecimal: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** The RDN attributes Roles Anywhere maps (by their short names as node:crypto prints them). */
const SUPPORTED_RDNS = new Set([
  "CN",
  "OU",
  "O",
  "L",
  "ST",
  "C",
  "DC",
  "serialNumber",
  "title",
  "emailAddress",
  "UID",
  "street",
  "GN",
  "SN",
  "initials",
  "pseudonym",
  "generationQualifier",
  "dnQualifier",
]);

/** RFC 4514 escapes as node:crypto prints them: \, \+ and \HH (hex) stand for the character. */
function unescapeValue(text: string): string {
  return text.replace(/\\([0-9A-Fa-f]{2}|.)/g, (_, escaped: string) => (escaped.length === 2 ? String.fromCharCode(parseInt(escaped, 16)) : escaped));
}

/**
 * node:crypto prints a name one RDN per line ("C=DE\nO=Example\nCN=pipeline"), a multi-valued
 * RDN as "OU=a + CN=b", and escapes special characters in values (O=Ex\+am\,ple).
 */
export function parseDistinguishedName(text: string): Array<readonly [string, string]> {
  const attributes: Array<readonly [string, string]> = [];
  for (const line of text.split("\n")) {
    for (const part of line.split(/(?<!\\) \+ /)) {
      const equals = part.indexOf("=");
      if (equals > 0) attributes.push([part.slice(0, equals).trim(), unescapeValue(part.slice(equals + 1))]);
    }
  }
  return attributes;
}

/**
 * node:crypto's subjectAltName: "DNS:a.example, URI:spiffe://x, DirName:CN=..."; a value with
 * special characters is a JSON string ("DNS:\"a, b\"").
 */
export function parseSubjectAltNames(text: string | undefined): Array<readonly [string, string]> {
  if (text === undefined || text === "") return [];
  const names: Array<readonly [string, string]> = [];
  const pattern = /\s*([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/g;
  for (const match of text.matchAll(pattern)) {
    const [, type = "", raw = ""] = match;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw;
      }
    }
    names.push([type.trim(), value]);
  }
  return names;
}

function tagsOfName(prefix: string, text: string): PrincipalTag[] {
  const seen = new Set<string>();
  const tags: PrincipalTag[] = [];
  for (const [attribute, value] of parseDistinguishedName(text)) {
    if (!SUPPORTED_RDNS.has(attribute) || seen.has(attribute)) continue;
    seen.add(attribute);
    tags.push({ key: `${prefix}/${attribute}`, value });
  }
  return tags;
}

function sanTags(text: string | undefined): PrincipalTag[] {
  const names = parseSubjectAltNames(text);
  const tags: PrincipalTag[] = [];
  const dns = names.find(([type]) => type === "DNS");
  if (dns !== undefined) tags.push({ key: "x509SAN/DNS", value: dns[1] });
  const uri = names.find(([type]) => type === "URI");
  if (uri !== undefined) tags.push({ key: "x509SAN/URI", value: uri[1] });
  const directory = names.find(([type]) => type === "DirName");
  // node:crypto prints a directory name on one line, RDNs separated by unescaped commas.
  if (directory !== undefined) tags.push(...tagsOfName("x509SAN/Name", directory[1].split(/(?<!\\),\s*/).join("\n")));
  return tags;
}

export function certificateIdentity(certificate: X509Certificate): CertificateIdentity {
  const subject = parseDistinguishedName(certificate.subject);
  return {
    sourceIdentity: subject.find(([attribute]) => attribute === "CN")?.[1],
    principalTags: [...tagsOfName("x509Subject", certificate.subject), ...tagsOfName("x509Issuer", certificate.issuer), ...sanTags(certificate.subjectAltName)],
    subject: certificate.subject.split("\n").join(", "),
    issuer: certificate.issuer.split("\n").join(", "),
    serialHex: certificate.serialNumber.toUpperCase(),
    serialDecimal: BigInt(`0x${certificate.serialNumber}`).toString(10),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** The lines --verbose and --inspect print. */
export function describeIdentity(identity: CertificateIdentity): string[] {
  return [
    `subject ${identity.subject}`,
    `issuer ${identity.issuer}`,
    `serial ${identity.serialHex} (${identity.serialDecimal})`,
    `valid ${identity.notBefore.toISOString()} to ${identity.notAfter.toISOString()}`,
    `source identity ${identity.sourceIdentity ?? "(none: the subject has no CN)"}`,
    ...identity.principalTags.map((tag) => `aws:PrincipalTag/${tag.key} = ${tag.value}`),
  ];
}

/** The same as data, for --json. */
export function identityJson(identity: CertificateIdentity): Record<string, unknown> {
  return {
    subject: identity.subject,
    issuer: identity.issuer,
    serialNumber: identity.serialHex,
    serialNumberDecimal: identity.serialDecimal,
    notBefore: identity.notBefore.toISOString(),
    notAfter: identity.notAfter.toISOString(),
    sourceIdentity: identity.sourceIdentity ?? null,
    principalTags: Object.fromEntries(identity.principalTags.map((tag) => [tag.key, tag.value])),
  };
}
