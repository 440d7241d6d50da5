/**
 * What an identity provider's login helper prints, turned into the SAML Response XML. Helpers
 * print the same thing in many wrappings: base64 (padded or not, wrapped at 76 columns,
 * URL-safe), percent-encoded base64 (Okta's classic form), raw XML, the HTML auto-post page with a
 * hidden SAMLResponse input, a `SAMLResponse=...&RelayState=...` form body, or a SOAP/ECP
 * envelope (unwrapped later, once the XML is parsed).
 */
import { inputError } from "../errors.js";
import { isXmlChar } from "./xml-prescan.js";

export type SamlInputForm = "xml" | "base64" | "percent-encoded base64" | "html form" | "form body";

/** The character encodings rolecred reads and can write back byte for byte. */
export type XmlEncoding = "utf8" | "latin1";

export interface DecodedSamlInput {
  /** The XML text, exactly as the identity provider produced it (signatures cover it). */
  readonly xml: string;
  readonly form: SamlInputForm;
  /** The XML's bytes as the identity provider produced them: what STS is sent, unaltered. */
  readonly bytes: Buffer;
  /** How `bytes` are decoded into `xml`, from the XML declaration (UTF-8 without one). */
  readonly encoding: XmlEncoding;
}

const NOT_SAML_HINT = "pipe in what your identity provider's login helper prints: base64, XML, the HTML form page, or SAMLResponse=... form data";

export function decodeSamlInput(input: Buffer): DecodedSamlInput {
  if (input.includes(0)) throw inputError("stdin holds binary data, not a SAML response", NOT_SAML_HINT);
  const text = input
    .toString("utf8")
    .replace(/^\uFEFF/, "")
    .trim();
  if (text === "") {
    throw inputError("stdin is empty: no SAML response was piped in", "e.g. okta-login -u jo | rolecred saml --profile dev");
  }
  if (text.startsWith("<")) {
    const formValue = looksLikeHtml(text) ? hiddenSamlResponseValue(text) : undefined;
    if (formValue !== undefined) return { ...xmlFromBase64(formValue, "the SAMLResponse field of the HTML form"), form: "html form" };
    if (looksLikeHtml(text)) throw inputError("stdin is an HTML page without a SAMLResponse form field", NOT_SAML_HINT);
    return { ...xmlFromBytes(input, "stdin"), form: "xml" };
  }
  const fromFormBody = formBodyValue(text);
  if (fromFormBody !== undefined) return { ...xmlFromBase64(fromFormBody, "the SAMLResponse form field"), form: "form body" };
  if (/%[0-9a-f]{2}/i.test(text)) {
    return { ...xmlFromBase64(percentDecode(text), "the percent-encoded input"), form: "percent-encoded base64" };
  }
  return { ...xmlFromBase64(text, "stdin"), form: "base64" };
}

/**
 * The encoding the XML declaration names. Signatures cover characters, and STS decodes the bytes
 * it is sent by this declaration, so rolecred must read them the same way and send them
 * unchanged: reading ISO-8859-1 as UTF-8 turned é into U+FFFD, and re-encoding that sent bytes
 * the identity provider never signed.
 */
function declaredEncoding(bytes: Buffer, what: string): XmlEncoding {
  const head = bytes
    .subarray(0, 200)
    .toString("latin1")
    .replace(/^\u00EF\u00BB\u00BF/, "")
    .trimStart();
  const declared = /^<\?xml\b[^?]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head)?.[1]?.toLowerCase();
  if (declared === undefined || declared === "utf-8" || declared === "utf8") return "utf8";
  if (["iso-8859-1", "iso8859-1", "latin1", "l1", "us-ascii", "ascii"].includes(declared)) return "latin1";
  throw inputError(
    `${what} declares the character encoding ${declared}; rolecred reads SAML responses in UTF-8 or ISO-8859-1 only`,
    "ask the identity provider's admin to send UTF-8, as identity providers do by default",
  );
}

/** The XML text of `bytes`, decoded by its declaration; UTF-8 that is not valid UTF-8 is refused, never repaired. */
function xmlFromBytes(bytes: Buffer, what: string): { xml: string; bytes: Buffer; encoding: XmlEncoding } {
  const encoding = declaredEncoding(bytes, what);
  let text: string;
  if (encoding === "latin1") {
    text = bytes.toString("latin1");
  } else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw inputError(
        `${what} is not valid UTF-8, and its XML declaration names no other encoding`,
        "rolecred sends the identity provider's bytes unchanged and will not guess their encoding",
      );
    }
  }
  return { xml: text.replace(/^\uFEFF/, "").trim(), bytes, encoding };
}

function looksLikeHtml(text: string): boolean {
  return /^<!doctype html|<html[\s>]|<body[\s>]|<form[\s>]/i.test(text.slice(0, 4096)) || /<input[^>]+name=["']?SAMLResponse/i.test(text);
}

/** The value of `<input name="SAMLResponse" value="...">`, attributes in any order, entities decoded. */
function hiddenSamlResponseValue(html: string): string | undefined {
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    if (!/\bname\s*=\s*["']?SAMLResponse["'\s>/]/i.test(tag)) continue;
    const value = /\bvalue\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag);
    const raw = value?.[1] ?? value?.[2] ?? value?.[3];
    if (raw !== undefined) return decodeHtmlEntities(raw);
  }
  return undefined;
}

function decodeHtmlEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (reference: string, hex: string) => characterOf(reference, Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (reference: string, decimal: string) => characterOf(reference, Number(decimal)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

/** The character a numeric reference names; one XML forbids (`&#x110000;`) is bad input, not a crash. */
function characterOf(reference: string, codePoint: number): string {
  if (!isXmlChar(codePoint))
    throw inputError(`the HTML form holds the character reference ${reference.slice(0, 16)}, which is not a valid character`, NOT_SAML_HINT);
  return String.fromCodePoint(codePoint);
}

/** `SAMLResponse=...&RelayState=...` (either order), as a browser would POST it. */
function formBodyValue(text: string): string | undefined {
  if (!/(^|&)SAMLResponse=/.test(text)) return undefined;
  const field = text.split("&").find((pair) => pair.startsWith("SAMLResponse="));
  if (field === undefined) return undefined;
  const value = field.slice("SAMLResponse=".length);
  // In form encoding a literal '+' means a space; base64 has no spaces, so a '+' the helper
  // forgot to encode is still a '+'.
  return percentDecode(value);
}

function percentDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw inputError("stdin looks percent-encoded but is not valid percent-encoding", NOT_SAML_HINT);
  }
}

const BASE64_TEXT = /^[A-Za-z0-9+/\-_]+={0,2}$/;

/**
 * Base64 (standard or URL-safe, padding optional, line breaks anywhere) to XML text; anything
 * else is not a SAML response.
 */
function xmlFromBase64(encoded: string, what: string): { xml: string; bytes: Buffer; encoding: XmlEncoding } {
  const compact = encoded.replace(/\s+/g, "");
  if (!BASE64_TEXT.test(compact)) {
    throw inputError(`${what} is not a SAML response: it is neither XML nor base64`, NOT_SAML_HINT);
  }
  const decoded = Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (!startsWithTag(decoded) || decoded.includes(0)) {
    throw inputError(`${what} is base64 but does not decode to XML, so it is not a SAML response`, NOT_SAML_HINT);
  }
  return xmlFromBytes(decoded, `the XML in ${what}`);
}

/**
 * Whether the bytes, read as ISO-8859-1, start with "<" after one UTF-8 byte order mark and any
 * whitespace (what String.prototype.trimStart removes from such text: tab, LF, VT, FF, CR, space
 * and no-break space). Looked at byte by byte: the text of the whole response is not needed.
 */
function startsWithTag(bytes: Buffer): boolean {
  let index = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (index < bytes.length && LATIN1_WHITESPACE.has(bytes[index] ?? 0)) index++;
  return bytes[index] === 0x3c;
}

const LATIN1_WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);
