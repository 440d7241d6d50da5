/**
 * Parse SAML XML safely and find the Response in it.
 *
 * Safety: a DOCTYPE (and with it every entity declaration) is refused before parsing, so no
 * entity is ever expanded: no billion laughs, no external entity reading local files.
 *
 * Leniency, for what real identity providers and their test suites send (fixtures INDEX): a
 * document that is not namespace-well-formed only because a standard SAML prefix was used without
 * being declared is parsed with that prefix declared; a second document glued after the first
 * Response is cut off; a SOAP envelope is looked into. Each repair is reported, never silent.
 */
import { DOMParser, XMLSerializer, type Document, type Element } from "@xmldom/xmldom";
import { inputError } from "../errors.js";
import { prescanSamlXml } from "./xml-prescan.js";

const SAML_PROTOCOL_NS = "urn:oasis:names:tc:SAML:2.0:protocol";
const SAML_ASSERTION_NS = "urn:oasis:names:tc:SAML:2.0:assertion";

/** Prefixes SAML documents use by convention, for repairing an undeclared one. */
const WELL_KNOWN_PREFIXES: Readonly<Record<string, string>> = {
  saml: SAML_ASSERTION_NS,
  saml2: SAML_ASSERTION_NS,
  samlp: SAML_PROTOCOL_NS,
  saml2p: SAML_PROTOCOL_NS,
  ds: "http://www.w3.org/2000/09/xmldsig#",
  xs: "http://www.w3.org/2001/XMLSchema",
  xsd: "http://www.w3.org/2001/XMLSchema",
  xsi: "http://www.w3.org/2001/XMLSchema-instance",
};

export interface ParsedSamlXml {
  readonly document: Document;
  /** The Response element (or, for a bare Assertion-less skeleton, the root). */
  readonly response: Element;
  /** The Response alone as XML: the original text when it was the whole input, else serialised. */
  readonly responseXml: string;
  /** What had to be repaired to read it, for --verbose. */
  readonly repairs: readonly string[];
}

class XmlProblem extends Error {}

function parseStrictly(xml: string): Document {
  const parser = new DOMParser({
    onError: (level, message) => {
      if (level !== "warning") throw new XmlProblem(message.split("\n")[0] ?? message);
    },
  });
  return parser.parseFromString(xml, "text/xml");
}

export function parseSamlXml(xml: string): ParsedSamlXml {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) {
    throw inputError("the SAML response contains a DOCTYPE or entity declarations; rolecred refuses those (no entity is ever expanded)");
  }
  prescanSamlXml(xml);
  const repairs: string[] = [];
  // `original` is the input minus anything cut off after the Response: still the identity
  // provider's exact bytes, which is what STS must verify. Namespace repairs are applied only to
  // the text that is parsed.
  let original = xml;
  let declarePrefixes = false;
  let document: Document | undefined;
  let parsedText = original;
  while (document === undefined) {
    try {
      parsedText = declarePrefixes ? (withUndeclaredPrefixes(original)?.text ?? original) : original;
      document = parseStrictly(parsedText);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const cut = /Only one element can be added/i.test(reason) ? endOfFirstRoot(original) : undefined;
      const prefixes = /prefix is non-null and namespace is null|unbound namespace prefix/i.test(reason)
        ? withUndeclaredPrefixes(original)?.prefixes
        : undefined;
      if (cut !== undefined && cut < original.length) {
        repairs.push("ignored a second XML document after the first Response");
        original = original.slice(0, cut);
      } else if (prefixes !== undefined && !declarePrefixes) {
        repairs.push(`declared the undeclared namespace prefix${prefixes.length > 1 ? "es" : ""} ${prefixes.map((prefix) => `${prefix}:`).join(", ")}`);
        declarePrefixes = true;
      } else {
        // xmldom wraps its message: 'Reporting error "X" caused Error: X'; keep X.
        const cleaned = (reason.split(/ caused (?:\w*Error: )?/).at(-1) ?? reason).replace(/\s+/g, " ").slice(0, 200);
        // Say "cut off" only when the parser ran out of input: a mismatched tag is not truncation.
        const cutOff = /unclosed xml tag|unexpected end of input|end tag name contains invalid characters|missing root element/i.test(cleaned);
        throw inputError(`the SAML response is not well-formed XML${cutOff ? " (cut off?)" : ""}: ${cleaned}`);
      }
    }
  }
  const root = document.documentElement;
  if (root === null) throw inputError("the SAML response is empty XML");
  const response = root.localName === "Response" ? root : findResponseInside(root);
  if (response === undefined) {
    throw inputError(`the XML is not a SAML response: its root element is <${root.tagName}>`, "expected a samlp:Response (or a SOAP envelope around one)");
  }
  let responseXml = original;
  if (response !== root) {
    repairs.push(`took the Response out of its <${root.tagName}> envelope`);
    const asWritten = responseTextInside(parsedText, response);
    if (asWritten === undefined) repairs.push("re-serialised the Response: its text could not be cut out of the envelope as written");
    responseXml = asWritten ?? new XMLSerializer().serializeToString(response);
  }
  return { document, response, responseXml, repairs };
}

/**
 * The Response element as the identity provider wrote it, cut out of its envelope, with the
 * namespace declarations it inherited from the envelope declared on it. Re-serialising the DOM
 * instead would drop declarations used only inside attribute values (xsi:type="xs:string") and
 * re-escape text, which breaks a signature whose canonicalisation names such a prefix
 * (InclusiveNamespaces PrefixList="xs", as Okta and Shibboleth send). Undefined when the text
 * cannot be cut out cleanly; the caller then re-serialises.
 */
function responseTextInside(text: string, response: Element): string | undefined {
  const start = offsetOfLocation(text, response.lineNumber, response.columnNumber);
  const name = response.tagName;
  if (start === undefined || !new RegExp(`^<${escapeRegExp(name)}[\\s/>]`).test(text.slice(start, start + name.length + 2))) return undefined;
  const close = new RegExp(`</${escapeRegExp(name)}\\s*>`, "g");
  close.lastIndex = start;
  const end = close.exec(text);
  if (end === null) return undefined;
  const nameEnd = start + 1 + name.length;
  const extracted = text.slice(start, nameEnd) + inheritedNamespaceDeclarations(response) + text.slice(nameEnd, end.index + end[0].length);
  try {
    // The cut must be the same element: one well-formed Response, nothing more or less.
    return parseStrictly(extracted).documentElement?.localName === "Response" ? extracted : undefined;
  } catch {
    return undefined;
  }
}

/** ` xmlns:p="uri"` for every namespace in scope on `element` that an ancestor, not the element itself, declares. */
function inheritedNamespaceDeclarations(element: Element): string {
  const declared = new Set<string>();
  for (let index = 0; index < element.attributes.length; index++) {
    const name = element.attributes.item(index)?.name;
    if (name === "xmlns" || name?.startsWith("xmlns:")) declared.add(name);
  }
  let declarations = "";
  for (let node = element.parentNode; node !== null && node.nodeType === node.ELEMENT_NODE; node = node.parentNode) {
    const ancestor = node as Element;
    for (let index = 0; index < ancestor.attributes.length; index++) {
      const attribute = ancestor.attributes.item(index);
      if (attribute === null || !(attribute.name === "xmlns" || attribute.name.startsWith("xmlns:")) || declared.has(attribute.name)) continue;
      declared.add(attribute.name);
      declarations += ` ${attribute.name}="${attribute.value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/"/g, "&quot;")}"`;
    }
  }
  return declarations;
}

/**
 * The offset of xmldom's 1-based line/column in `text`. xmldom counts lines after turning every
 * line ending (\r\n, \r, \u0085, \u2028, \u2029) into \n; columns within a line are unchanged.
 */
function offsetOfLocation(text: string, line: number | undefined, column: number | undefined): number | undefined {
  if (line === undefined || column === undefined || line < 1 || column < 1) return undefined;
  const lineBreak = /\r[\n\u0085]?|[\n\u0085\u2028\u2029]/g;
  let lineStart = 0;
  for (let current = 1; current < line; current++) {
    const found = lineBreak.exec(text);
    if (found === null) return undefined;
    lineStart = found.index + found[0].length;
  }
  return lineStart + column - 1;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Offset just past the closing tag of the first root element. */
function endOfFirstRoot(text: string): number | undefined {
  const open = /<([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)[\s>/]/.exec(text.replace(/<\?[\s\S]*?\?>/g, (match) => " ".repeat(match.length)));
  const name = open?.[1];
  if (name === undefined) return undefined;
  const close = text.indexOf(`</${name}>`);
  return close === -1 ? undefined : close + name.length + 3;
}

/** `text` with every well-known SAML prefix it uses but never declares declared on the root element. */
function withUndeclaredPrefixes(text: string): { text: string; prefixes: string[] } | undefined {
  const declared = new Set([...text.matchAll(/xmlns:([\w.-]+)\s*=/g)].map((match) => match[1]));
  const used = new Set([...text.matchAll(/<\/?([\w.-]+):[\w.-]+/g)].map((match) => match[1]));
  const prefixes = [...used].filter((prefix): prefix is string => prefix !== undefined && !declared.has(prefix) && prefix in WELL_KNOWN_PREFIXES);
  const rootStart = /<(?![?!])[\w.:-]+/.exec(text);
  if (prefixes.length === 0 || rootStart === null) return undefined;
  const insertAt = rootStart.index + rootStart[0].length;
  const declarations = prefixes.map((prefix) => ` xmlns:${prefix}="${WELL_KNOWN_PREFIXES[prefix]}"`).join("");
  return { text: text.slice(0, insertAt) + declarations + text.slice(insertAt), prefixes };
}

function findResponseInside(root: Element): Element | undefined {
  const candidates = root.getElementsByTagNameNS("*", "Response");
  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates.item(index);
    // ecp:Response in a SOAP header is the ECP header block, not the SAML Response.
    if (candidate !== null && candidate.namespaceURI !== "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp") return candidate;
  }
  return undefined;
}
