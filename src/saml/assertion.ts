/**
 * Read what AWS reads from a SAML Response: the roles, the session name and duration, source
 * identity, principal tags, transitive tag keys; plus the subject, audiences and time window, to
 * check before anything is sent.
 *
 * Every value is read by local element names from the one Assertion. With --idp-cert, saml2-js
 * also reads the response and verifies its signature, and its reading of the signed form must
 * agree with ours. Without a signature to check, saml2-js (and xml-crypto, its xmldom) is not
 * loaded at all: it cost about 150 ms of module loading and added nothing the local reading lacks.
 */
import type { Element, Node } from "@xmldom/xmldom";
import { ExitCode, inputError, RolecredError } from "../errors.js";
import type { ParsedSamlXml } from "./xml.js";
import { parseRoleValues, type SamlRole } from "./roles.js";

const AWS_ATTRIBUTE_PREFIX = "https://aws.amazon.com/SAML/Attributes/";
const ROLE_ATTRIBUTE = `${AWS_ATTRIBUTE_PREFIX}Role`;
const SESSION_NAME_ATTRIBUTE = `${AWS_ATTRIBUTE_PREFIX}RoleSessionName`;
const SESSION_DURATION_ATTRIBUTE = `${AWS_ATTRIBUTE_PREFIX}SessionDuration`;
const SOURCE_IDENTITY_ATTRIBUTE = `${AWS_ATTRIBUTE_PREFIX}SourceIdentity`;
export const PRINCIPAL_TAG_PREFIX = `${AWS_ATTRIBUTE_PREFIX}PrincipalTag:`;
const TRANSITIVE_TAG_KEYS_ATTRIBUTE = `${AWS_ATTRIBUTE_PREFIX}TransitiveTagKeys`;

const SUCCESS_STATUS = "urn:oasis:names:tc:SAML:2.0:status:Success";
const XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#";

/** Audiences AWS sign-in uses; saml2-js checks the Audience against this when it is present. */
const AWS_AUDIENCE = /^(urn:amazon:webservices|https:\/\/([a-z0-9-]+\.)?signin\.(aws\.amazon\.com|amazonaws-us-gov\.com|amazonaws\.cn)\/(static\/)?saml)$/i;

export interface SamlAssertion {
  readonly roles: readonly SamlRole[];
  /** Role values that are not a role ARN + provider ARN pair. */
  readonly rejectedRoleValues: ReadonlyArray<{ value: string; reason: string }>;
  readonly sessionName: string | undefined;
  /** The SessionDuration attribute as sent (validated where it is used). */
  readonly sessionDuration: string | undefined;
  readonly sourceIdentity: string | undefined;
  readonly principalTags: Readonly<Record<string, string>>;
  readonly transitiveTagKeys: readonly string[];
  readonly nameId: string | undefined;
  readonly issuer: string | undefined;
  readonly audiences: readonly string[];
  readonly recipient: string | undefined;
  readonly issueInstant: Date | undefined;
  readonly notBefore: Date | undefined;
  /** The earliest of the Conditions and SubjectConfirmationData NotOnOrAfter. */
  readonly notOnOrAfter: Date | undefined;
  readonly sessionNotOnOrAfter: Date | undefined;
  readonly signature: "verified" | "not checked";
  /** The response's signature uses SHA-1 (accepted, with a warning). */
  readonly sha1Signature: boolean;
  readonly reader: "saml2-js" | "local element names";
  /** Why the reader is what it is, and what was repaired, for --verbose. */
  readonly notes: readonly string[];
}

export interface ReadAssertionOptions {
  /** PEM certificates of the identity provider: verify the signature against them. */
  readonly idpCertificates?: readonly string[] | undefined;
  /** Where the certificates come from, for messages: "--idp-cert" (the default) or the config key. */
  readonly certificateSource?: string | undefined;
  /** Receives anything saml2-js's XML parser prints, instead of the console. */
  readonly onLibraryOutput?: ((line: string) => void) | undefined;
}

type Attributes = ReadonlyMap<string, readonly string[]>;

export async function readSamlAssertion(parsed: ParsedSamlXml, options: ReadAssertionOptions = {}): Promise<SamlAssertion> {
  const notes = [...parsed.repairs];
  const { response } = parsed;
  requireSuccess(response);
  // One walk of the whole tree finds both: each was a walk of its own, and the tree of a
  // 1,000-role response has tens of thousands of nodes.
  const { assertions, signatures } = assertionsAndSignatures(response);
  const assertion = theOnlyAssertion(response, assertions);
  const verifying = options.idpCertificates !== undefined;
  const source = options.certificateSource ?? "--idp-cert";
  if (verifying) requireSupportedSignatureLayout(response, assertion, signatures, source);
  // Only a signature check needs saml2-js; importing it was most of a `saml --list`'s time.
  const fromLibrary = verifying ? await readSignedWithSaml2Js(parsed.responseXml, assertion, options, source) : undefined;
  // Every value is read here, from the one Assertion (the signed one when verifying: the layout
  // check and the single-Assertion rule leave no other), as its text minus comments, the way
  // canonicalisation, and so STS, reads it. saml2-js would read `admin<!---->x` as "admin".
  const attributes = attributesByLocalName(assertion);
  if (fromLibrary !== undefined) {
    for (const name of attributes.keys()) if (!fromLibrary.has(name)) notes.push(`attribute ${name} read by local element name (saml2-js skipped it)`);
    // saml2-js read its values from the canonical form its signature check covered; two XML
    // parsers that disagree about a signed document are how parser-differential attacks work.
    requireSameReading(fromLibrary, attributes);
  }
  const reader = verifying ? "saml2-js" : "local element names";
  return describeAssertion(
    response,
    assertion,
    attributes,
    verifying ? "verified" : "not checked",
    reader,
    notes,
    weakSignatureAlgorithm(signatures),
    verifying,
  );
}

/** saml2-js's reading of the response, its signature verified against the certificates. */
async function readSignedWithSaml2Js(responseXml: string, assertion: Element, options: ReadAssertionOptions, source: string): Promise<Attributes> {
  try {
    return await readWithSaml2Js(Buffer.from(responseXml, "utf8").toString("base64"), options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (/signature check failed|Signed data did not contain/i.test(reason)) {
      throw new RolecredError(`the SAML response's signature is invalid: it does not verify against ${source} (${reason})`, {
        exitCode: ExitCode.denied,
        hint: "nothing was sent to STS; check the certificate is the identity provider's current signing certificate",
      });
    }
    if (/not valid for this audience/i.test(reason)) {
      // saml2-js checks the Audience only after the signature verified.
      const audiences = descendants(assertion, "Audience").map(textOf).join(", ");
      throw inputError(
        `the SAML assertion is signed for another audience (${audiences}), not AWS sign-in (urn:amazon:webservices), so STS would refuse it`,
        "nothing was sent to STS; this is the identity provider's assertion for another application",
      );
    }
    // Not a bad signature: the checker could not read the response around it.
    throw inputError(
      `could not verify the SAML response's signature: saml2-js cannot read this response (${reason})`,
      "nothing was sent to STS; without --idp-cert (and saml_idp_cert), STS still checks the signature",
    );
  }
}

function requireSameReading(signed: Attributes, read: Attributes): void {
  for (const [name, values] of signed) {
    const ours = read.get(name) ?? [];
    if (ours.length !== values.length || ours.some((value, index) => value !== values[index])) {
      throw inputError(
        `could not verify the SAML response: its attribute ${name} reads differently in the signed form than in the document`,
        "nothing was sent to STS; this is not how an identity provider writes a response",
      );
    }
  }
}

/**
 * The Response's one Assertion. Two Assertion-named elements in any namespace (or none) are
 * refused: a decoy placed before the signed Assertion is how signature wrapping makes a reader
 * take its subject and validity from text nobody signed.
 */
function theOnlyAssertion(response: Element, assertions: readonly Element[]): Element {
  const [assertion] = assertions;
  if (assertion === undefined) {
    if (firstDescendant(response, "EncryptedAssertion") !== undefined) {
      throw inputError(
        "the SAML assertion is encrypted, so rolecred cannot read the roles in it",
        "ask your identity provider's admin to send AWS an unencrypted assertion (STS checks its signature)",
      );
    }
    throw inputError("the SAML response holds no Assertion");
  }
  if (assertions.length > 1) {
    throw inputError(
      `the SAML response holds ${assertions.length} Assertion elements; rolecred reads a response with exactly one`,
      "nothing was sent to STS; identity providers send AWS one assertion, and extra ones are how signature-wrapping attacks hide a forged one",
    );
  }
  return assertion;
}

/**
 * Every element named Assertion in any namespace (or none), and every XML-DSig Signature, below
 * the Response, in document order: what getElementsByTagNameNS("*", "Assertion") and
 * getElementsByTagNameNS(XMLDSIG_NS, "Signature") return, in one walk.
 */
function assertionsAndSignatures(response: Element): { assertions: Element[]; signatures: Element[] } {
  const assertions: Element[] = [];
  const signatures: Element[] = [];
  forEachDescendant(response, (element) => {
    if (element.localName === "Assertion") assertions.push(element);
    else if (element.localName === "Signature" && element.namespaceURI === XMLDSIG_NS) signatures.push(element);
  });
  return { assertions, signatures };
}

/**
 * With --idp-cert, the response must be signed in a layout rolecred verifies: an enveloped
 * signature on the Assertion or on the Response, with one Reference to that element's ID. Any
 * other layout (a Reference with URI="", a signature elsewhere, several References) is "could not
 * verify", which is not the same as "the signature is invalid": say which.
 */
function requireSupportedSignatureLayout(response: Element, assertion: Element, signatures: readonly Element[], source: string): void {
  if (signatures.length === 0) {
    throw new RolecredError(`the SAML response is not signed, so ${source} cannot verify it`, {
      exitCode: ExitCode.denied,
      hint: "nothing was sent to STS; identity providers sign the assertion or the response for AWS, so this did not come from yours",
    });
  }
  const problems: string[] = [];
  for (const signature of signatures) {
    const parent = signature.parentNode as Element | null;
    const references = signature.getElementsByTagNameNS(XMLDSIG_NS, "Reference");
    const uri = references.item(0)?.getAttribute("URI") ?? "(none)";
    const id = parent?.getAttribute("ID") ?? "";
    if (parent !== response && parent !== assertion) problems.push(`a signature inside <${parent?.localName ?? "?"}>`);
    else if (references.length !== 1) problems.push(`a signature with ${references.length} References`);
    else if (uri === "") problems.push('a signature over the whole document (Reference URI="")');
    else if (id === "" || uri !== `#${id}`) problems.push(`a signature whose Reference ${uri} is not its ${parent.localName}'s ID`);
    else return;
  }
  throw inputError(
    `could not verify the SAML response's signature: unsupported layout (${problems.join("; ")})`,
    "nothing was sent to STS; rolecred verifies an enveloped signature on the Assertion or the Response that references its ID",
  );
}

/** SHA-1 signatures still verify, and AWS still accepts them, but a collision is within reach. */
function weakSignatureAlgorithm(signatures: readonly Element[]): boolean {
  return signatures.some((signature) => {
    const algorithms = [...descendants(signature, "SignatureMethod"), ...descendants(signature, "DigestMethod")].map(
      (element) => element.getAttribute("Algorithm") ?? "",
    );
    return algorithms.some((algorithm) => /(?:#|-)sha1$/i.test(algorithm));
  });
}

function describeAssertion(
  response: Element,
  assertion: Element,
  attributes: Attributes,
  signature: SamlAssertion["signature"],
  reader: SamlAssertion["reader"],
  notes: string[],
  sha1Signature: boolean,
  verifying: boolean,
): SamlAssertion {
  const { roles, rejected } = parseRoleValues(attributes.get(ROLE_ATTRIBUTE) ?? []);
  const principalTags: Record<string, string> = {};
  for (const [name, values] of attributes) {
    if (name.startsWith(PRINCIPAL_TAG_PREFIX) && values[0] !== undefined) principalTags[name.slice(PRINCIPAL_TAG_PREFIX.length)] = values[0];
  }
  // Every field from the Assertion's own children: never from the Response around it, which a
  // signature on the Assertion does not cover (unless unverified skeletons leave nothing else).
  const subject = firstChild(assertion, "Subject");
  const confirmations = subject === undefined ? [] : childrenNamed(subject, "SubjectConfirmation");
  const confirmationData = confirmations
    .map((confirmation) => firstChild(confirmation, "SubjectConfirmationData"))
    .filter((data): data is Element => data !== undefined);
  const conditions = firstChild(assertion, "Conditions");
  const authnStatement = firstChild(assertion, "AuthnStatement");
  const nameIdElement = subject === undefined ? undefined : firstChild(subject, "NameID");
  const issuerElement = firstChild(assertion, "Issuer") ?? (verifying ? undefined : firstChild(response, "Issuer"));
  const notOnOrAfters = [conditions, ...confirmationData]
    .map((element) => dateAttribute(element, "NotOnOrAfter"))
    .filter((date): date is Date => date !== undefined);
  return {
    roles,
    rejectedRoleValues: rejected,
    sessionName: attributes.get(SESSION_NAME_ATTRIBUTE)?.[0],
    sessionDuration: attributes.get(SESSION_DURATION_ATTRIBUTE)?.[0],
    sourceIdentity: attributes.get(SOURCE_IDENTITY_ATTRIBUTE)?.[0],
    principalTags,
    transitiveTagKeys: [...(attributes.get(TRANSITIVE_TAG_KEYS_ATTRIBUTE) ?? [])],
    nameId: textOf(nameIdElement) || undefined,
    issuer: textOf(issuerElement) || undefined,
    audiences:
      conditions === undefined
        ? []
        : childrenNamed(conditions, "AudienceRestriction")
            .flatMap((restriction) => childrenNamed(restriction, "Audience"))
            .map(textOf)
            .filter((audience) => audience !== ""),
    recipient: confirmationData[0]?.getAttribute("Recipient")?.trim() || undefined,
    issueInstant: dateAttribute(assertion, "IssueInstant") ?? (verifying ? undefined : dateAttribute(response, "IssueInstant")),
    notBefore: dateAttribute(conditions, "NotBefore"),
    notOnOrAfter: notOnOrAfters.length === 0 ? undefined : new Date(Math.min(...notOnOrAfters.map((date) => date.getTime()))),
    sessionNotOnOrAfter: dateAttribute(authnStatement, "SessionNotOnOrAfter"),
    signature,
    sha1Signature,
    reader,
    notes,
  };
}

/** A Response whose Status is not Success carries no usable assertion; say what the IdP said. */
function requireSuccess(response: Element): void {
  const status = firstChild(response, "Status");
  if (status === undefined) return; // skeleton responses (OneLogin's test fixture) have none; STS decides
  const code = firstChild(status, "StatusCode");
  const value = code?.getAttribute("Value")?.trim() ?? "";
  if (value === SUCCESS_STATUS) return;
  const detail = code === undefined ? undefined : firstChild(code, "StatusCode")?.getAttribute("Value");
  const message = textOf(firstChild(status, "StatusMessage"));
  const described = [value || "(no status code)", detail, message].filter((part) => part !== undefined && part !== "").join(", ");
  throw new RolecredError(`the identity provider's response is not a success: ${described}`, {
    exitCode: ExitCode.denied,
    hint: "log in again; the identity provider refused or failed the login",
  });
}

async function readWithSaml2Js(base64: string, options: ReadAssertionOptions): Promise<Attributes> {
  const { ServiceProvider, IdentityProvider } = await import("saml2-js");
  const serviceProvider = new ServiceProvider({
    entity_id: "urn:amazon:webservices",
    assert_endpoint: "https://signin.aws.amazon.com/saml",
    allow_unencrypted_assertion: true,
    audience: AWS_AUDIENCE,
  });
  const verifying = options.idpCertificates !== undefined;
  const identityProvider = new IdentityProvider({
    sso_login_url: "https://idp.invalid/",
    sso_logout_url: "https://idp.invalid/",
    certificates: [...(options.idpCertificates ?? [])],
  });
  const response = await withConsoleCaptured(
    options.onLibraryOutput,
    () =>
      new Promise<import("saml2-js").PostAssertResponse>((resolve, reject) => {
        serviceProvider.post_assert(
          identityProvider,
          {
            request_body: { SAMLResponse: base64 },
            allow_unencrypted_assertion: true,
            require_session_index: false,
            ignore_signature: !verifying,
            ignore_timing: true,
            audience: AWS_AUDIENCE,
          },
          (error, result) => (error ? reject(error) : resolve(result)),
        );
      }),
  );
  // saml2-js returns values untrimmed; pretty-printed responses (Okta OIE, PingFederate) indent them.
  return new Map(Object.entries(response.user.attributes).map(([name, values]) => [name, values.map((value) => value.trim())]));
}

/**
 * saml2-js's bundled XML parser (xmldom 0.8) reports problems with console.error/warn. Route
 * them to --verbose for the duration of the call, so they never land on stdout or surprise the user.
 */
async function withConsoleCaptured<T>(sink: ((line: string) => void) | undefined, work: () => Promise<T>): Promise<T> {
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const capture = (...args: unknown[]) => sink?.(args.map(String).join(" "));
  console.log = capture;
  console.warn = capture;
  console.error = capture;
  try {
    return await work();
  } finally {
    Object.assign(console, saved);
  }
}

/**
 * Attribute Name → trimmed values, matching elements by local name in any (or no) namespace,
 * each value the whole text of its AttributeValue minus comments (as canonicalisation reads it).
 */
function attributesByLocalName(assertion: Element): Map<string, string[]> {
  const attributes = new Map<string, string[]>();
  for (const statement of childrenNamed(assertion, "AttributeStatement")) {
    for (const attribute of childrenNamed(statement, "Attribute")) {
      const name = attribute.getAttribute("Name")?.trim();
      if (!name) continue;
      const values = childrenNamed(attribute, "AttributeValue").map(textOf);
      attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
    }
  }
  return attributes;
}

/** Elements below `element` with this local name, in any namespace or none, in document order. */
function descendants(element: Element, localName: string): Element[] {
  const result: Element[] = [];
  forEachDescendant(element, (descendant) => {
    if (descendant.localName === localName) result.push(descendant);
  });
  return result;
}

/**
 * Every element below `root`, in document order (depth first, parent before children), walked
 * by its links: xmldom's own walk allocates two frames per node.
 */
function forEachDescendant(root: Element, visit: (element: Element) => void): void {
  let node: Node | null = root.firstChild;
  while (node !== null) {
    if (node.nodeType === node.ELEMENT_NODE) {
      visit(node as Element);
      if (node.firstChild !== null) {
        node = node.firstChild;
        continue;
      }
    }
    while (node !== null && node !== root && node.nextSibling === null) node = node.parentNode;
    node = node === null || node === root ? null : node.nextSibling;
  }
}

function firstDescendant(element: Element, localName: string): Element | undefined {
  return descendants(element, localName)[0];
}

function childrenNamed(element: Element, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = element.firstChild; node !== null; node = node.nextSibling) {
    if (node.nodeType === node.ELEMENT_NODE && (node as Element).localName === localName) found.push(node as Element);
  }
  return found;
}

function firstChild(element: Element, localName: string): Element | undefined {
  return childrenNamed(element, localName)[0];
}

/** Text and CDATA of every descendant, comments left out (xmldom's textContent skips them). */
function textOf(element: Element | undefined): string {
  if (element === undefined) return "";
  // Nearly every value is one text node: its data is the whole textContent, without a walk.
  const only = element.firstChild;
  if (only !== null && only.nextSibling === null && (only.nodeType === only.TEXT_NODE || only.nodeType === only.CDATA_SECTION_NODE)) {
    return (only.nodeValue ?? "").trim();
  }
  return element.textContent?.trim() ?? "";
}

function dateAttribute(element: Element | undefined, name: string): Date | undefined {
  const value = element?.getAttribute(name)?.trim();
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
