/**
 * The STS side of AssumeRoleWithSAML: what AWS STS checks on a SAML assertion before it looks at
 * the trust policy. The local STS endpoint used by the integration tests calls
 * {@link checkSamlForSts}; it is the independent referee for src/saml, so it imports nothing from
 * src/ and verifies signatures only through xml-crypto.
 *
 * Order of checks, as STS reports them: base64 → XML → Response/Status → signature →
 * IssueInstant age → validity windows and Recipient → AWS attributes.
 *
 * Everything returned is read from the canonical XML that the signature covers (xml-crypto's
 * getSignedReferences), never from the received document, so unsigned additions, comments that
 * split text nodes, or a wrapped second Assertion cannot change what the caller sees.
 */
import { DOMParser, type Document, type Element, type Node } from "@xmldom/xmldom";
import { SignedXml } from "xml-crypto";

export class SamlRejection extends Error {
  /**
   * @param message what STS would say (signature failures all read "Response signature invalid")
   * @param detail why, for test diagnostics; STS does not say this much
   */
  constructor(
    readonly code: "InvalidIdentityToken" | "ExpiredTokenException" | "IDPRejectedClaim",
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = "SamlRejection";
  }
}

export interface SamlForSts {
  issuer: string;
  subject: string;
  subjectFormat: string;
  recipient: string;
  audiences: string[];
  issueInstant: Date;
  sessionNotOnOrAfter?: Date;
  roles: Array<{ roleArn: string; principalArn: string }>;
  sessionName: string;
  sessionDuration?: number;
  sourceIdentity?: string;
  principalTags: Record<string, string>;
  transitiveTagKeys: string[];
}

const NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const NS_DSIG = "http://www.w3.org/2000/09/xmldsig#";
const STATUS_SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const CM_BEARER = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const NAMEID_UNSPECIFIED = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified";
const AWS_ATTR = "https://aws.amazon.com/SAML/Attributes/";
const PRINCIPAL_TAG_PREFIX = `${AWS_ATTR}PrincipalTag:`;

/** STS: "Token must be redeemed within 5 minutes of issuance". */
const MAX_TOKEN_AGE_MS = 5 * 60_000;
/** Tolerance for the IdP's clock on NotBefore/NotOnOrAfter and future IssueInstants. */
const CLOCK_SKEW_MS = 60_000;

const SESSION_NAME_MESSAGE = "RoleSessionName in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}";
const SESSION_NAME = /^[a-zA-Z_0-9+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const PROVIDER_ARN = /^arn:aws(?:-cn|-us-gov)?:iam::\d{12}:saml-provider\/[\w.-]+$/;
const RECIPIENT = /^https:\/\/(?:[a-z0-9-]+\.)?signin\.aws\.amazon\.com\/(?:static\/)?saml$/;
// Tag patterns and limits from the STS model (Tag.Key / Tag.Value, ≤ 50 session tags).
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
const MAX_TAGS = 50;

/** Check a base64 SAMLResponse as STS does and return what AssumeRoleWithSAML would use. */
export function checkSamlForSts(samlAssertionBase64: string, certificatePem: string, now: Date): SamlForSts {
  const xml = decodeBase64Xml(samlAssertionBase64);
  const doc = parseStrictXml(xml);
  const response = requireSuccessResponse(doc);
  const assertion = verifiedAssertion(xml, doc, response, certificatePem);
  const issuer = textOf(onlyChild(assertion, NS_ASSERTION, "Issuer", "Assertion Issuer"));
  const issueInstant = requireFresh(response, assertion, now);
  const subject = checkSubjectAndConditions(assertion, now);
  const attributes = readAwsAttributes(assertion);
  return {
    issuer,
    ...subject,
    issueInstant,
    ...sessionNotOnOrAfter(assertion, now),
    ...attributes,
  };
}

function invalid(message: string): SamlRejection {
  return new SamlRejection("InvalidIdentityToken", message);
}

// ---------------------------------------------------------------------------------------------
// 1. Transport: strict standard base64 of UTF-8 XML.

const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64Xml(encoded: string): string {
  // Node's decoder skips anything it does not understand, so the alphabet and padding are checked
  // first: STS wants exactly standard, padded base64 (no whitespace, no URL-safe alphabet).
  if (encoded.length === 0 || !STANDARD_BASE64.test(encoded)) {
    throw invalid("Invalid base64 SAMLResponse");
  }
  const bytes = Buffer.from(encoded, "base64");
  // An XML parser (STS's included) decodes by the declaration; ISO-8859-1 is the one other
  // encoding identity providers are known to declare.
  const declared = /^<\?xml\b[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(bytes.subarray(0, 200).toString("latin1"))?.[1]?.toLowerCase();
  if (declared === "iso-8859-1") return bytes.toString("latin1");
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid("Invalid SAMLResponse: not UTF-8 text");
  }
}

// ---------------------------------------------------------------------------------------------
// 2. XML: strict, no DTDs, one samlp:Response with Status Success.

function parseStrictXml(xml: string): Document {
  // Checked on the text as well as on the DOM: no DTD may reach any parser, so no entity tricks
  // (billion laughs, external entities, entity-hidden content) are possible.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw invalid("Invalid SAMLResponse: DOCTYPE and ENTITY declarations are not allowed");
  }
  const parser = new DOMParser({
    // Warnings too: xmldom's warnings (missing attribute quotes, replacement characters) are
    // errors for a conforming XML parser such as the one STS uses.
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  });
  let doc: Document;
  try {
    doc = parser.parseFromString(xml, "text/xml");
  } catch (error) {
    throw invalid(`Invalid SAMLResponse XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (doc.doctype !== null) {
    throw invalid("Invalid SAMLResponse: DOCTYPE and ENTITY declarations are not allowed");
  }
  return doc;
}

function requireSuccessResponse(doc: Document): Element {
  const roots = elementChildren(doc);
  const root = roots[0];
  if (roots.length !== 1 || root === undefined || !isNamed(root, NS_PROTOCOL, "Response")) {
    throw invalid("Invalid SAMLResponse: the document must be exactly one samlp:Response");
  }
  const status = onlyChild(root, NS_PROTOCOL, "Status", "Response Status");
  const code = onlyChild(status, NS_PROTOCOL, "StatusCode", "Response StatusCode");
  const value = code.getAttribute("Value") ?? "";
  if (value !== STATUS_SUCCESS) {
    throw invalid(`SAML Response status is not Success: ${value || "(none)"}`);
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// 3. Signature. Accepted: a signature on the Assertion, on the Response, or both; every one that
// is there must verify. The result is the Assertion parsed from the signed canonical XML.

/** STS gives one message for every signature failure; the reason goes to `detail`. */
function signatureInvalid(detail: string): SamlRejection {
  return new SamlRejection("InvalidIdentityToken", "Response signature invalid", detail);
}

function verifiedAssertion(xml: string, doc: Document, response: Element, certificatePem: string): Element {
  const assertion = theOnlyAssertion(doc, response);
  const responseSignatures = childElements(response, NS_DSIG, "Signature");
  const assertionSignatures = childElements(assertion, NS_DSIG, "Signature");
  if (responseSignatures.length > 1 || assertionSignatures.length > 1) {
    throw signatureInvalid("more than one Signature on the same element");
  }
  const [responseSignature] = responseSignatures;
  const [assertionSignature] = assertionSignatures;
  if (responseSignature === undefined && assertionSignature === undefined) {
    throw new SamlRejection("InvalidIdentityToken", "Response signature invalid: missing signature", "neither the Response nor the Assertion is signed");
  }
  let signed: Element | undefined;
  if (assertionSignature !== undefined) {
    signed = verifiedSignedElement(xml, assertionSignature, assertion, certificatePem);
  }
  if (responseSignature !== undefined) {
    const signedResponse = verifiedSignedElement(xml, responseSignature, response, certificatePem);
    const inner = childElements(signedResponse, NS_ASSERTION, "Assertion");
    if (inner.length !== 1 || inner[0] === undefined) {
      throw signatureInvalid("the signed Response must contain exactly one Assertion");
    }
    signed ??= inner[0];
  }
  if (signed === undefined) throw signatureInvalid("missing signature");
  return signed;
}

/**
 * Signature-wrapping guard: exactly one Assertion-like element in the whole document (in any
 * namespace, encrypted or not), and it is a direct child of the Response.
 */
function theOnlyAssertion(doc: Document, response: Element): Element {
  const assertions = [...doc.getElementsByTagNameNS("*", "Assertion"), ...doc.getElementsByTagNameNS("*", "EncryptedAssertion")];
  const [assertion] = assertions;
  if (assertions.length !== 1 || assertion === undefined) {
    throw signatureInvalid(`expected exactly one Assertion, found ${assertions.length}`);
  }
  if (!isNamed(assertion, NS_ASSERTION, "Assertion") || assertion.parentNode !== response) {
    throw signatureInvalid("the Assertion must be a saml:Assertion directly inside the Response");
  }
  return assertion;
}

/**
 * Verify one enveloped signature on `owner` against the configured certificate only, and return
 * the root element of the canonical XML it signs. KeyInfo in the message is ignored: a message
 * must not choose its own key.
 */
function verifiedSignedElement(xml: string, signature: Element, owner: Element, certificatePem: string): Element {
  const id = owner.getAttribute("ID") ?? "";
  if (id === "") throw signatureInvalid(`the signed ${owner.localName} has no ID`);
  const verifier = new SignedXml({ publicCert: certificatePem, getCertFromKeyInfo: () => null });
  let valid: boolean;
  try {
    verifier.loadSignature(signature);
    const references = verifier.getReferences();
    if (references.length !== 1 || references[0]?.uri !== `#${id}`) {
      throw signatureInvalid(`the ${owner.localName} signature must have one Reference to #${id}`);
    }
    valid = verifier.checkSignature(xml);
  } catch (error) {
    if (error instanceof SamlRejection) throw error;
    // xml-crypto throws for a wrong SignatureValue, unknown algorithms, duplicate IDs...
    const reason = error instanceof Error ? error.message : String(error);
    throw signatureInvalid(
      reason.startsWith("invalid signature: the signature value")
        ? `the ${owner.localName} SignatureValue does not verify with the configured certificate`
        : reason,
    );
  }
  const signedXml = verifier.getSignedReferences();
  if (!valid || signedXml.length !== 1 || signedXml[0] === undefined) {
    throw signatureInvalid(`the ${owner.localName} digest does not match`);
  }
  const signedRoot = parseStrictXml(signedXml[0]).documentElement;
  if (
    signedRoot === null ||
    signedRoot.namespaceURI !== owner.namespaceURI ||
    signedRoot.localName !== owner.localName ||
    signedRoot.getAttribute("ID") !== id
  ) {
    throw signatureInvalid(`the signature does not cover the ${owner.localName}`);
  }
  return signedRoot;
}

// ---------------------------------------------------------------------------------------------
// 4. Freshness.

function requireFresh(response: Element, assertion: Element, now: Date): Date {
  // The Assertion's IssueInstant is signed; the Response's may not be, but a stale one is still
  // refused (tampering with it can only make the token fail, never pass).
  const assertionInstant = requiredTime(assertion, "IssueInstant", "Assertion IssueInstant");
  const responseInstant = requiredTime(response, "IssueInstant", "Response IssueInstant");
  for (const instant of [responseInstant, assertionInstant]) {
    if (now.getTime() - instant.getTime() > MAX_TOKEN_AGE_MS) {
      throw new SamlRejection("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance");
    }
    if (instant.getTime() - now.getTime() > CLOCK_SKEW_MS) {
      throw invalid(`SAML IssueInstant ${instant.toISOString()} is in the future`);
    }
  }
  return assertionInstant;
}

// ---------------------------------------------------------------------------------------------
// 5. Subject, SubjectConfirmation and Conditions.

type SubjectPart = Pick<SamlForSts, "subject" | "subjectFormat" | "recipient" | "audiences">;

function checkSubjectAndConditions(assertion: Element, now: Date): SubjectPart {
  const subject = onlyChild(assertion, NS_ASSERTION, "Subject", "Assertion Subject");
  const nameId = onlyChild(subject, NS_ASSERTION, "NameID", "Subject NameID");
  const confirmation = onlyChild(subject, NS_ASSERTION, "SubjectConfirmation", "SubjectConfirmation");
  if (confirmation.getAttribute("Method") !== CM_BEARER) {
    throw invalid("SubjectConfirmation Method must be urn:oasis:names:tc:SAML:2.0:cm:bearer");
  }
  const data = onlyChild(confirmation, NS_ASSERTION, "SubjectConfirmationData", "SubjectConfirmationData");
  const audiences = checkConditions(assertion, now);
  const dataNotOnOrAfter = requiredTime(data, "NotOnOrAfter", "SubjectConfirmationData NotOnOrAfter");
  if (now.getTime() - CLOCK_SKEW_MS >= dataNotOnOrAfter.getTime()) {
    throw invalid(`SAML SubjectConfirmationData expired at ${dataNotOnOrAfter.toISOString()}`);
  }
  const recipient = (data.getAttribute("Recipient") ?? "").trim();
  if (!RECIPIENT.test(recipient)) {
    throw invalid(
      "SubjectConfirmationData Recipient must be https://signin.aws.amazon.com/saml " + `(or a regional or /static/saml variant), got "${recipient}"`,
    );
  }
  return {
    subject: textOf(nameId),
    subjectFormat: nameId.getAttribute("Format") ?? NAMEID_UNSPECIFIED,
    recipient,
    audiences,
  };
}

/** Conditions are optional in SAML; when present their window must contain `now`. */
function checkConditions(assertion: Element, now: Date): string[] {
  const conditions = optionalChild(assertion, NS_ASSERTION, "Conditions", "Assertion Conditions");
  if (conditions === undefined) return [];
  const notBefore = optionalTime(conditions, "NotBefore", "Conditions NotBefore");
  if (notBefore !== undefined && now.getTime() + CLOCK_SKEW_MS < notBefore.getTime()) {
    throw invalid(`SAML assertion is not yet valid: Conditions NotBefore is ${notBefore.toISOString()}`);
  }
  const notOnOrAfter = optionalTime(conditions, "NotOnOrAfter", "Conditions NotOnOrAfter");
  if (notOnOrAfter !== undefined && now.getTime() - CLOCK_SKEW_MS >= notOnOrAfter.getTime()) {
    throw invalid(`SAML assertion has expired: Conditions NotOnOrAfter is ${notOnOrAfter.toISOString()}`);
  }
  return childElements(conditions, NS_ASSERTION, "AudienceRestriction")
    .flatMap((restriction) => childElements(restriction, NS_ASSERTION, "Audience"))
    .map(textOf);
}

/** AuthnStatement SessionNotOnOrAfter caps the session; one already past leaves no session. */
function sessionNotOnOrAfter(assertion: Element, now: Date): Pick<SamlForSts, "sessionNotOnOrAfter"> {
  const statement = optionalChild(assertion, NS_ASSERTION, "AuthnStatement", "AuthnStatement");
  const end = statement && optionalTime(statement, "SessionNotOnOrAfter", "SessionNotOnOrAfter");
  if (end === undefined) return {};
  if (end.getTime() <= now.getTime()) {
    throw invalid(`SAML session ended at ${end.toISOString()} (AuthnStatement SessionNotOnOrAfter)`);
  }
  return { sessionNotOnOrAfter: end };
}

// ---------------------------------------------------------------------------------------------
// 6. AWS attributes.

type AttributePart = Pick<SamlForSts, "roles" | "sessionName" | "sessionDuration" | "sourceIdentity" | "principalTags" | "transitiveTagKeys">;

function readAwsAttributes(assertion: Element): AttributePart {
  const attributes = attributeValues(assertion);
  const sessionDuration = readSessionDuration(attributes.get(`${AWS_ATTR}SessionDuration`));
  const sourceIdentity = readSourceIdentity(attributes.get(`${AWS_ATTR}SourceIdentity`));
  return {
    roles: readRoles(attributes.get(`${AWS_ATTR}Role`)),
    sessionName: readSessionName(attributes.get(`${AWS_ATTR}RoleSessionName`)),
    ...(sessionDuration === undefined ? {} : { sessionDuration }),
    ...(sourceIdentity === undefined ? {} : { sourceIdentity }),
    principalTags: readPrincipalTags(attributes),
    transitiveTagKeys: readTransitiveTagKeys(attributes.get(`${AWS_ATTR}TransitiveTagKeys`)),
  };
}

/** Attribute Name → trimmed values, over every AttributeStatement (IdPs pretty-print values). */
function attributeValues(assertion: Element): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const statement of childElements(assertion, NS_ASSERTION, "AttributeStatement")) {
    for (const attribute of childElements(statement, NS_ASSERTION, "Attribute")) {
      const name = attribute.getAttribute("Name") ?? "";
      const found = childElements(attribute, NS_ASSERTION, "AttributeValue").map(textOf);
      values.set(name, [...(values.get(name) ?? []), ...found]);
    }
  }
  return values;
}

function readRoles(values: string[] | undefined): SamlForSts["roles"] {
  if (values === undefined || values.length === 0) {
    throw invalid(`No ${AWS_ATTR}Role attribute in AuthnResponse`);
  }
  return values.map(rolePair);
}

/** "role,provider" or "provider,role", parts trimmed, empty parts (trailing commas) dropped. */
function rolePair(value: string): { roleArn: string; principalArn: string } {
  const parts = value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const roleArns = parts.filter((part) => ROLE_ARN.test(part));
  const providerArns = parts.filter((part) => PROVIDER_ARN.test(part));
  const [roleArn] = roleArns;
  const [principalArn] = providerArns;
  if (parts.length !== 2 || roleArn === undefined || principalArn === undefined || roleArns.length !== 1) {
    throw invalid(`Invalid Role attribute value "${value}": expected a role ARN and a saml-provider ARN`);
  }
  return { roleArn, principalArn };
}

function readSessionName(values: string[] | undefined): string {
  const [name] = values ?? [];
  if (values?.length !== 1 || name === undefined || !SESSION_NAME.test(name)) {
    throw invalid(SESSION_NAME_MESSAGE);
  }
  return name;
}

function readSessionDuration(values: string[] | undefined): number | undefined {
  if (values === undefined) return undefined;
  const [text] = values;
  const seconds = text !== undefined && /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (values.length !== 1 || !(seconds >= 900 && seconds <= 43_200)) {
    throw invalid("SessionDuration in AuthnResponse must be an integer from 900 to 43200");
  }
  return seconds;
}

function readSourceIdentity(values: string[] | undefined): string | undefined {
  if (values === undefined) return undefined;
  const [identity] = values;
  // The pattern has no ':' so it also refuses the reserved "aws:" prefix.
  if (values.length !== 1 || identity === undefined || !SESSION_NAME.test(identity)) {
    throw invalid("SourceIdentity in AuthnResponse must match [a-zA-Z_0-9+=,.@-]{2,64}");
  }
  return identity;
}

function readPrincipalTags(attributes: Map<string, string[]>): Record<string, string> {
  const tags: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [name, values] of attributes) {
    if (!name.startsWith(PRINCIPAL_TAG_PREFIX)) continue;
    const key = name.slice(PRINCIPAL_TAG_PREFIX.length);
    const [value] = values;
    if (!TAG_KEY.test(key) || values.length !== 1 || value === undefined || !TAG_VALUE.test(value)) {
      throw invalid(`Invalid session tag in AuthnResponse: PrincipalTag:${key}`);
    }
    // STS treats tag keys case-insensitively, so Project and project collide.
    if (seen.has(key.toLowerCase())) throw invalid(`Duplicate session tag key in AuthnResponse: ${key}`);
    seen.add(key.toLowerCase());
    tags.push([key, value]);
  }
  if (tags.length > MAX_TAGS) throw invalid(`More than ${MAX_TAGS} session tags in AuthnResponse`);
  // fromEntries defines own properties, so a key like "__proto__" stays a plain entry.
  return Object.fromEntries(tags);
}

function readTransitiveTagKeys(values: string[] | undefined): string[] {
  const keys = values ?? [];
  if (keys.length > MAX_TAGS || keys.some((key) => !TAG_KEY.test(key))) {
    throw invalid("Invalid TransitiveTagKeys in AuthnResponse");
  }
  return keys;
}

// ---------------------------------------------------------------------------------------------
// Namespace-exact DOM helpers (no XPath, no prefix matching).

function isElement(node: Node): node is Element {
  return node.nodeType === node.ELEMENT_NODE;
}

function isNamed(element: Element, ns: string, localName: string): boolean {
  return element.namespaceURI === ns && element.localName === localName;
}

function elementChildren(parent: Node): Element[] {
  return [...parent.childNodes].filter(isElement);
}

function childElements(parent: Element, ns: string, localName: string): Element[] {
  return elementChildren(parent).filter((element) => isNamed(element, ns, localName));
}

function optionalChild(parent: Element, ns: string, localName: string, what: string): Element | undefined {
  const found = childElements(parent, ns, localName);
  if (found.length > 1) throw invalid(`Invalid SAMLResponse: more than one ${what}`);
  return found[0];
}

function onlyChild(parent: Element, ns: string, localName: string, what: string): Element {
  const found = optionalChild(parent, ns, localName, what);
  if (found === undefined) throw invalid(`Invalid SAMLResponse: missing ${what}`);
  return found;
}

function textOf(element: Element): string {
  return (element.textContent ?? "").trim();
}

// xs:dateTime with a time zone (SAML requires UTC, but an explicit offset is unambiguous too).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function optionalTime(element: Element, attribute: string, what: string): Date | undefined {
  const text = element.getAttribute(attribute);
  if (text === null) return undefined;
  const time = DATE_TIME.test(text) ? new Date(text) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw invalid(`Invalid SAMLResponse: ${what} "${text}" is not a dateTime`);
  }
  return time;
}

function requiredTime(element: Element, attribute: string, what: string): Date {
  const time = optionalTime(element, attribute, what);
  if (time === undefined) throw invalid(`Invalid SAMLResponse: missing ${what}`);
  return time;
}
