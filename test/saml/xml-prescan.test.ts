/**
 * prescanSamlXml: the linear pass before any parser. It refuses depth no identity provider sends
 * and character references XML forbids, and lets every ordinary shape through.
 */
import { describe, expect, it } from "vitest";
import { isXmlChar, MAX_XML_DEPTH, prescanSamlXml } from "../../src/saml/xml-prescan.js";

const nested = (depth: number, open = "<a>", close = "</a>") => `${open.repeat(depth)}${close.repeat(depth)}`;

describe(prescanSamlXml.name, () => {
  it.each([
    ["exactly the cap", nested(MAX_XML_DEPTH)],
    ["siblings, however many", `<r>${"<a/>".repeat(100_000)}${"<b>x</b>".repeat(10_000)}</r>`],
    ["self-closing tags with spaces and attributes", `<r>${'<a x="1" />'.repeat(200)}</r>`],
    ["a '>' inside an attribute value", `<r>${'<a x="1>2"/>'.repeat(200)}</r>`],
    [
      "tags inside comments, CDATA and processing instructions",
      `<?xml version="1.0"?><r><!--${"<a>".repeat(200)}--><![CDATA[${"<a>".repeat(200)}]]><?pi ${"<a>".repeat(3)}?></r>`,
    ],
    ["valid character references", "<r>&#x9;&#10;&#xD;&#x20;&#xE9;&#x10FFFF;&#65;</r>"],
  ])("lets through %s", (_name, xml) => {
    expect(() => prescanSamlXml(xml)).not.toThrow();
  });

  it.each([
    ["one level past the cap", nested(MAX_XML_DEPTH + 1)],
    ["100,000 nested elements", nested(100_000)],
    ["nesting with prefixes and attributes", nested(1000, '<saml:A x="y">', "</saml:A>")],
  ])("refuses %s, exit 3", (_name, xml) => {
    expect(() => prescanSamlXml(xml)).toThrow(
      expect.objectContaining({
        message: `the SAML response nests elements more than ${MAX_XML_DEPTH} deep; no identity provider sends that, so rolecred refuses it`,
        exitCode: 3,
      }),
    );
  });

  it.each(["&#x110000;", "&#0;", "&#x1;", "&#xFFFE;", "&#xD800;", "&#99999999999999999999;"])("refuses the character reference %s, exit 3", (reference) => {
    expect(() => prescanSamlXml(`<r>${reference}</r>`)).toThrow(
      expect.objectContaining({ exitCode: 3, message: expect.stringContaining("which is not a character XML allows") }),
    );
  });

  it("isXmlChar follows XML 1.0's Char production", () => {
    expect([0x9, 0xa, 0xd, 0x20, 0xd7ff, 0xe000, 0xfffd, 0x10000, 0x10ffff].every(isXmlChar)).toBe(true);
    expect([0x0, 0x8, 0xb, 0x1f, 0xd800, 0xdfff, 0xfffe, 0xffff, 0x110000, Number.NaN].some(isXmlChar)).toBe(false);
  });
});
