/**
 * A test identity provider that issues genuinely signed AWS SAML responses.
 *
 * It is the referee's half of the SAML tests: it must not share code with src/saml, and every
 * signature goes through xml-crypto (a real XML-DSig implementation), so that a response this
 * module issues also verifies with Debian's xmlsec1 and with saml2-js. Keys are generated at
 * test time by openssl and never written anywhere but a temporary directory that is removed at once.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DOMImplementation, XMLSerializer, type Document, type Element } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";

export interface TestIdp {
  readonly issuer: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface SamlRole {
  roleArn: string;
  providerArn: string;
  order?: "role,provider" | "provider,role";
}

export interface IssueOptions {
  /** A string is put into the Role AttributeValue verbatim (odd spacing, trailing commas...). */
  roles: Array<SamlRole | string>;
  /** RoleSessionName attribute; the attribute is omitted when undefined. */
  sessionName?: string;
  sessionDuration?: number;
  sourceIdentity?: string;
  principalTags?: Record<string, string>;
  transitiveTagKeys?: string[];
  /** Default "jo@example.com". */
  nameId?: string;
  /** Default persistent. */
  nameIdFormat?: string;
  /** Default "urn:amazon:webservices". */
  audience?: string;
  /** SubjectConfirmationData Recipient, default "https://signin.aws.amazon.com/saml". */
  recipient?: string;
  /** Response Destination, default the recipient. */
  destination?: string;
  /** Default now. */
  issueInstant?: Date;
  /** Conditions; default now-1min .. now+5min. */
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** AuthnStatement SessionNotOnOrAfter, omitted by default. */
  sessionNotOnOrAfter?: Date;
  /** Default urn:oasis:names:tc:SAML:2.0:status:Success. */
  statusCode?: string;
  /** Default "assertion". */
  sign?: "assertion" | "response" | "both" | "none";
  /** Clock for the defaults. */
  now?: Date;
  /** Default "sha256"; "sha1" signs with RSA-SHA1 and SHA-1 digests, as old ADFS set-ups do. */
  algorithm?: "sha256" | "sha1";
  /**
   * The declared encoding of {@link issueSamlResponseBytes}'s output, default "UTF-8". The
   * signature covers characters, so an ISO-8859-1 document carries the same valid signature.
   */
  encoding?: "UTF-8" | "ISO-8859-1";
}

const NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const NS_XMLNS = "http://www.w3.org/2000/xmlns/";
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const NAMEID_PERSISTENT = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
const ATTRNAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri";
const CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const AC_PASSWORD_PROTECTED = "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport";
const AWS_ATTR = "https://aws.amazon.com/SAML/Attributes/";

const RSA_SHA256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256";
const RSA_SHA1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
const SHA1 = "http://www.w3.org/2000/09/xmldsig#sha1";
const EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#";
const ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

const DEFAULT_ISSUER = "https://test-idp.example.invalid/saml";
const DEFAULT_RECIPIENT = "https://signin.aws.amazon.com/saml";
const MINUTE_MS = 60_000;
const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

// Element prefixes as the brief fixes them: saml2p for the protocol, saml for the assertion.
const P = "saml2p";
const A = "saml";

/** New RSA-2048 key and self-signed X.509 certificate, made by openssl in a throw-away directory. */
export function createTestIdp(issuer: string = DEFAULT_ISSUER): TestIdp {
  const dir = mkdtempSync(join(tmpdir(), "rolecred-test-idp-"));
  try {
    const keyPath = join(dir, "key.pem");
    const certPath = join(dir, "cert.pem");
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-sha256",
        "-days",
        "3650",
        "-subj",
        `/CN=${commonNameFor(issuer)}`,
        "-keyout",
        keyPath,
        "-out",
        certPath,
      ],
      // openssl prints key-generation progress on stderr; keep it out of the test output.
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    return Object.freeze({
      issuer,
      certificatePem: readFileSync(certPath, "utf8"),
      privateKeyPem: readFileSync(keyPath, "utf8"),
    });
  } finally {
    // The private key lives only in memory from here on.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A CN openssl accepts: the issuer's host name, or a fixed name if the issuer is not a URL. */
function commonNameFor(issuer: string): string {
  try {
    const host = new URL(issuer).hostname;
    if (/^[A-Za-z0-9.-]{1,64}$/.test(host)) return host;
  } catch {
    // Not a URL (e.g. a URN issuer): fall through to the fixed name.
  }
  return "rolecred-test-idp";
}

/**
 * A samlp:Response XML string: saml2p/saml prefixes, exc-c14n, RSA-SHA256, SHA-256 digests,
 * Issuer before Signature, Reference URI #<ID>.
 */
export function issueSamlResponse(idp: TestIdp, options: IssueOptions): string {
  const unsigned = new XMLSerializer().serializeToString(buildResponse(idp, options));
  const sign = options.sign ?? "assertion";
  // The Assertion is signed first so that a Response signature covers the finished Assertion
  // (its Signature included), as Okta does when it signs both.
  const algorithm = options.algorithm ?? "sha256";
  const assertionSigned = sign === "assertion" || sign === "both" ? signEnveloped(unsigned, idp, "Assertion", algorithm) : unsigned;
  const signed = sign === "response" || sign === "both" ? signEnveloped(assertionSigned, idp, "Response", algorithm) : assertionSigned;
  // The declaration is outside every signed element, so adding it afterwards changes no digest.
  const declaration = options.encoding === "ISO-8859-1" ? XML_DECLARATION.replace("UTF-8", "ISO-8859-1") : XML_DECLARATION;
  return declaration + signed;
}

/** The Response as the bytes an identity provider sends, in its declared encoding. */
export function issueSamlResponseBytes(idp: TestIdp, options: IssueOptions): Buffer {
  return Buffer.from(issueSamlResponse(idp, options), options.encoding === "ISO-8859-1" ? "latin1" : "utf8");
}

/** Convenience: base64 of the Response, what a login helper prints. */
export function issueSamlResponseBase64(idp: TestIdp, options: IssueOptions): string {
  return Buffer.from(issueSamlResponse(idp, options), "utf8").toString("base64");
}

// ---------------------------------------------------------------------------------------------
// Building the document. A DOM builder does all escaping, so odd values (quotes, '<', '&',
// newlines) in options come out as well-formed XML carrying exactly the given text.

interface Clock {
  issueInstant: Date;
  notBefore: Date;
  notOnOrAfter: Date;
}

function clockFor(options: IssueOptions): Clock {
  const now = options.now ?? new Date();
  return {
    issueInstant: options.issueInstant ?? now,
    notBefore: options.notBefore ?? new Date(now.getTime() - MINUTE_MS),
    notOnOrAfter: options.notOnOrAfter ?? new Date(now.getTime() + 5 * MINUTE_MS),
  };
}

function buildResponse(idp: TestIdp, options: IssueOptions): Document {
  const clock = clockFor(options);
  const recipient = options.recipient ?? DEFAULT_RECIPIENT;
  const doc = new DOMImplementation().createDocument(NS_PROTOCOL, `${P}:Response`, null);
  const response = doc.documentElement;
  if (response === null) throw new Error("xmldom created no document element");
  response.setAttributeNS(NS_XMLNS, `xmlns:${P}`, NS_PROTOCOL);
  response.setAttributeNS(NS_XMLNS, `xmlns:${A}`, NS_ASSERTION);
  setAttributes(response, {
    ID: newId(),
    Version: "2.0",
    IssueInstant: samlTime(clock.issueInstant),
    Destination: options.destination ?? recipient,
  });
  response.appendChild(textElement(doc, NS_ASSERTION, `${A}:Issuer`, idp.issuer));
  const status = child(response, NS_PROTOCOL, `${P}:Status`);
  setAttributes(child(status, NS_PROTOCOL, `${P}:StatusCode`), {
    Value: options.statusCode ?? STATUS_SUCCESS,
  });
  response.appendChild(buildAssertion(doc, idp, options, clock, recipient));
  return doc;
}

function buildAssertion(doc: Document, idp: TestIdp, options: IssueOptions, clock: Clock, recipient: string): Element {
  const assertionId = newId();
  const assertion = doc.createElementNS(NS_ASSERTION, `${A}:Assertion`);
  setAttributes(assertion, {
    ID: assertionId,
    Version: "2.0",
    IssueInstant: samlTime(clock.issueInstant),
  });
  assertion.appendChild(textElement(doc, NS_ASSERTION, `${A}:Issuer`, idp.issuer));
  appendSubject(assertion, options, clock, recipient);
  appendConditions(assertion, options, clock);
  appendAuthnStatement(assertion, options, clock, assertionId);
  appendAttributes(assertion, options);
  return assertion;
}

function appendSubject(assertion: Element, options: IssueOptions, clock: Clock, recipient: string): void {
  const subject = child(assertion, NS_ASSERTION, `${A}:Subject`);
  const nameId = child(subject, NS_ASSERTION, `${A}:NameID`, options.nameId ?? "jo@example.com");
  setAttributes(nameId, { Format: options.nameIdFormat ?? NAMEID_PERSISTENT });
  const confirmation = child(subject, NS_ASSERTION, `${A}:SubjectConfirmation`);
  setAttributes(confirmation, { Method: CM_BEARER });
  setAttributes(child(confirmation, NS_ASSERTION, `${A}:SubjectConfirmationData`), {
    NotOnOrAfter: samlTime(clock.notOnOrAfter),
    Recipient: recipient,
  });
}

function appendConditions(assertion: Element, options: IssueOptions, clock: Clock): void {
  const conditions = child(assertion, NS_ASSERTION, `${A}:Conditions`);
  setAttributes(conditions, {
    NotBefore: samlTime(clock.notBefore),
    NotOnOrAfter: samlTime(clock.notOnOrAfter),
  });
  const restriction = child(conditions, NS_ASSERTION, `${A}:AudienceRestriction`);
  child(restriction, NS_ASSERTION, `${A}:Audience`, options.audience ?? "urn:amazon:webservices");
}

function appendAuthnStatement(assertion: Element, options: IssueOptions, clock: Clock, sessionIndex: string): void {
  const statement = child(assertion, NS_ASSERTION, `${A}:AuthnStatement`);
  setAttributes(statement, { AuthnInstant: samlTime(clock.issueInstant), SessionIndex: sessionIndex });
  if (options.sessionNotOnOrAfter !== undefined) {
    setAttributes(statement, { SessionNotOnOrAfter: samlTime(options.sessionNotOnOrAfter) });
  }
  const context = child(statement, NS_ASSERTION, `${A}:AuthnContext`);
  child(context, NS_ASSERTION, `${A}:AuthnContextClassRef`, AC_PASSWORD_PROTECTED);
}

/** The AWS attributes, one Attribute per name; an empty roles list leaves Role out on purpose. */
function awsAttributes(options: IssueOptions): Array<[name: string, values: string[]]> {
  const attributes: Array<[string, string[]]> = [];
  if (options.roles.length > 0) attributes.push(["Role", options.roles.map(roleValue)]);
  if (options.sessionName !== undefined) attributes.push(["RoleSessionName", [options.sessionName]]);
  if (options.sessionDuration !== undefined) {
    attributes.push(["SessionDuration", [String(options.sessionDuration)]]);
  }
  if (options.sourceIdentity !== undefined) attributes.push(["SourceIdentity", [options.sourceIdentity]]);
  for (const [key, value] of Object.entries(options.principalTags ?? {})) {
    attributes.push([`PrincipalTag:${key}`, [value]]);
  }
  const transitive = options.transitiveTagKeys ?? [];
  if (transitive.length > 0) attributes.push(["TransitiveTagKeys", transitive]);
  return attributes;
}

function appendAttributes(assertion: Element, options: IssueOptions): void {
  const attributes = awsAttributes(options);
  if (attributes.length === 0) return;
  const statement = child(assertion, NS_ASSERTION, `${A}:AttributeStatement`);
  for (const [name, values] of attributes) {
    const attribute = child(statement, NS_ASSERTION, `${A}:Attribute`);
    setAttributes(attribute, { Name: AWS_ATTR + name, NameFormat: ATTRNAME_FORMAT_URI });
    for (const value of values) child(attribute, NS_ASSERTION, `${A}:AttributeValue`, value);
  }
}

function roleValue(role: SamlRole | string): string {
  if (typeof role === "string") return role;
  return role.order === "provider,role" ? `${role.providerArn},${role.roleArn}` : `${role.roleArn},${role.providerArn}`;
}

// ---------------------------------------------------------------------------------------------
// Small DOM helpers.

function child(parent: Element, ns: string, qualifiedName: string, text?: string): Element {
  const owner = parent.ownerDocument;
  if (owner === null) throw new Error("element is not in a document");
  const element = text === undefined ? owner.createElementNS(ns, qualifiedName) : textElement(owner, ns, qualifiedName, text);
  parent.appendChild(element);
  return element;
}

function textElement(doc: Document, ns: string, qualifiedName: string, text: string): Element {
  const element = doc.createElementNS(ns, qualifiedName);
  element.appendChild(doc.createTextNode(text));
  return element;
}

function setAttributes(element: Element, attributes: Record<string, string>): void {
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
}

/** SAML IDs are xs:ID (an NCName), so they must not start with a digit. */
function newId(): string {
  return `_${randomBytes(16).toString("hex")}`;
}

/** xs:dateTime in UTC without milliseconds, the form IdPs send and every SAML parser reads. */
function samlTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

// ---------------------------------------------------------------------------------------------
// Signing, through xml-crypto only.

const RESPONSE_XPATH = `/*[local-name()='Response' and namespace-uri()='${NS_PROTOCOL}']`;
const TARGET_XPATH = {
  Assertion: `${RESPONSE_XPATH}/*[local-name()='Assertion' and namespace-uri()='${NS_ASSERTION}']`,
  Response: RESPONSE_XPATH,
} as const;

/**
 * An enveloped signature over the target element, placed right after its Issuer (the SAML
 * schema requires that position). xml-crypto takes the Reference URI from the element's ID.
 */
function signEnveloped(xml: string, idp: TestIdp, target: keyof typeof TARGET_XPATH, algorithm: "sha256" | "sha1"): string {
  const signer = new SignedXml({
    privateKey: idp.privateKeyPem,
    publicCert: idp.certificatePem,
    signatureAlgorithm: algorithm === "sha1" ? RSA_SHA1 : RSA_SHA256,
    canonicalizationAlgorithm: EXC_C14N,
  });
  signer.addReference({
    xpath: TARGET_XPATH[target],
    transforms: [ENVELOPED, EXC_C14N],
    digestAlgorithm: algorithm === "sha1" ? SHA1 : SHA256,
  });
  const issuerXpath = `${TARGET_XPATH[target]}/*[local-name()='Issuer' and namespace-uri()='${NS_ASSERTION}']`;
  signer.computeSignature(xml, { prefix: "ds", location: { reference: issuerXpath, action: "after" } });
  return signer.getSignedXml();
}
