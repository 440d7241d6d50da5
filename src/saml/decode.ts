/**
 * What an identity provider's login helper prints, turned into the SAML Response XML. Helpers
 * print the same thing in many wrappings: base64 (padded or not, wrapped at 76 columns,
 * URL-safe), percent-encoded base64 (Okta's classic form), raw XML, the HTML auto-post page with a
 * hidden SAMLResponse input, a `SAMLResponse=...&RelayState=...` form body, or a SOAP/ECP
 * envelope (unwrapped later, once the XML is parsed).
 */
import { inputError } from "../errors.js";

export type SamlInputForm = "xml" | "base64" | "percent-encoded base64" | "html form" | "form body";

export interface DecodedSamlInput {
  /** The XML text, exactly as the identity provider produced it (signatures cover it). */
  readonly xml: string;
  readonly form: SamlInputForm;
}

const NOT_SAML_HINT = "pipe in what your identity provider's login helper prints: base64, XML, the HTML form page, or SAMLResponse=... form data";

export function decodeSamlInput(input: Buffer): DecodedSamlInput {
  if (input.includes(0)) throw inputError("stdin holds binary data, not a SAML response", NOT_SAML_HINT);
  const text = input.toString("utf8").replace(/^\uFEFF/, "").trim();
  if (text === "") {
    throw inputError("stdin is empty: no SAML response was piped in", "e.g. okta-login -u jo | rolecred saml --profile dev");
  }
  if (text.startsWith("<")) {
    const formValue = looksLikeHtml(text) ? hiddenSamlResponseValue(text) : undefined;
    if (formValue !== undefined) return { xml: xmlFromBase64(formValue, "the SAMLResponse field of the HTML form"), form: "html form" };
    if (looksLikeHtml(text)) throw inputError("stdin is an HTML page without a SAMLResponse form field", NOT_SAML_HINT);
    return { xml: text, form: "xml" };
  }
  const fromFormBody = formBodyValue(text);
  if (fromFormBody !== undefined) return { xml: xmlFromBase64(fromFormBody, "the SAMLResponse form field"), form: "form body" };
  if (/%[0-9a-f]{2}/i.test(text)) {
    return { xml: xmlFromBase64(percentDecode(text), "the percent-encoded input"), form: "percent-encoded base64" };
  }
  return { xml: xmlFromBase64(text, "stdin"), form: "base64" };
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
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
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
function xmlFromBase64(encoded: string, what: string): string {
  const compact = encoded.replace(/\s+/g, "");
  if (!BASE64_TEXT.test(compact)) {
    throw inputError(`${what} is not a SAML response: it is neither XML nor base64`, NOT_SAML_HINT);
  }
  const decoded = Buffer.from(compact.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  const xml = decoded.toString("utf8").replace(/^\uFEFF/, "").trim();
  if (!xml.startsWith("<") || decoded.includes(0)) {
    throw inputError(`${what} is base64 but does not decode to XML, so it is not a SAML response`, NOT_SAML_HINT);
  }
  return xml;
}
