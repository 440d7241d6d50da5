/**
 * One linear pass over SAML XML text before any parser sees it. It refuses what would make the
 * parsers slow, deep or wrong: elements nested deeper than any SAML response (100,000 nested
 * elements cost xmldom seconds and hundreds of MB, and overflow xml-crypto's recursive
 * canonicalisation), and character references to code points XML does not allow (`&#x110000;`
 * made JavaScript's String.fromCodePoint throw, and xmldom turns them into replacement text).
 *
 * The scan only counts; it does not judge well-formedness, which is the parser's job.
 */
import { inputError } from "../errors.js";

/** Real SAML responses nest about 10 deep (SOAP envelope included); 64 is generous. */
export const MAX_XML_DEPTH = 64;

/** XML 1.0 Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
export function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    (codePoint >= 0x10000 && codePoint <= 0x10ffff)
  );
}

/** Throws (exit 3) when `xml` nests too deep or holds a character reference XML forbids. */
export function prescanSamlXml(xml: string): void {
  requireValidCharacterReferences(xml);
  let depth = 0;
  let index = xml.indexOf("<");
  while (index !== -1) {
    const next = xml.charCodeAt(index + 1);
    if (xml.startsWith("<!--", index)) {
      index = skipPast(xml, "-->", index + 4);
    } else if (xml.startsWith("<![CDATA[", index)) {
      index = skipPast(xml, "]]>", index + 9);
    } else if (next === 0x3f /* ? */ || next === 0x21 /* ! */) {
      index = skipPast(xml, ">", index + 2);
    } else if (next === 0x2f /* / */) {
      depth = Math.max(0, depth - 1);
      index = skipPast(xml, ">", index + 2);
    } else {
      const end = endOfTag(xml, index + 1);
      if (xml.charCodeAt(end - 1) !== 0x2f /* self-closing */) {
        depth += 1;
        if (depth > MAX_XML_DEPTH) {
          throw inputError(`the SAML response nests elements more than ${MAX_XML_DEPTH} deep; no identity provider sends that, so rolecred refuses it`);
        }
      }
      index = end + 1;
    }
    index = xml.indexOf("<", index);
  }
}

/** Offset of the `>` closing a start tag, skipping quoted attribute values (which may hold `>`). */
function endOfTag(xml: string, from: number): number {
  let quote = 0;
  for (let position = from; position < xml.length; position++) {
    const code = xml.charCodeAt(position);
    if (quote !== 0) {
      if (code === quote) quote = 0;
    } else if (code === 0x22 || code === 0x27) {
      quote = code;
    } else if (code === 0x3e) {
      return position;
    }
  }
  return xml.length;
}

/** The offset just past `terminator`, or past the end when it never comes. */
function skipPast(xml: string, terminator: string, from: number): number {
  const found = xml.indexOf(terminator, from);
  return found === -1 ? xml.length + 1 : found + terminator.length;
}

function requireValidCharacterReferences(xml: string): void {
  for (const match of xml.matchAll(/&#(x[0-9a-fA-F]+|[0-9]+);/g)) {
    const digits = match[1] ?? "";
    // Long digit strings are out of range whatever they say; parse only what fits.
    const codePoint = digits.length > 9 ? Number.POSITIVE_INFINITY : digits.startsWith("x") ? Number.parseInt(digits.slice(1), 16) : Number(digits);
    if (!isXmlChar(codePoint)) {
      throw inputError(`the SAML response holds the character reference ${match[0].slice(0, 16)}, which is not a character XML allows`);
    }
  }
}
