/**
 * decodeSamlInput: every wrapping a login helper prints, turned back into the Response XML; and
 * the one-line refusals for what is not a SAML response at all.
 */
import { describe, expect, it } from "vitest";
import { decodeSamlInput, type SamlInputForm } from "../../src/saml/decode.js";
import { RolecredError } from "../../src/errors.js";

// Text chosen so that its base64 has '+', '/' and padding: URL-safe and percent-encoding really change it.
const XML = '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1"><v>??>>é~</v></samlp:Response>';
const B64 = Buffer.from(XML, "utf8").toString("base64");
const wrap = (text: string, width: number, eol = "\n") => (text.match(new RegExp(`.{1,${width}}`, "g")) ?? []).join(eol);
const urlSafe = B64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const entityEncoded = B64.replace(/\+/g, "&#43;").replace(/\//g, "&#x2F;").replace(/=/g, "&#61;");

describe(decodeSamlInput.name, () => {
  it("the sample has what makes the forms differ", () => {
    expect(B64).toMatch(/\+/);
    expect(B64).toMatch(/\//);
    expect(B64).toMatch(/=$/);
  });

  const accepted: Array<[string, string | Buffer, SamlInputForm]> = [
    ["standard base64", B64, "base64"],
    ["standard base64 with a trailing newline", `${B64}\n`, "base64"],
    ["base64 without padding", B64.replace(/=+$/, ""), "base64"],
    ["base64 wrapped at 76 columns", `${wrap(B64, 76)}\n`, "base64"],
    ["base64 wrapped with CRLF", wrap(B64, 64, "\r\n"), "base64"],
    ["URL-safe base64 (- and _, no padding)", urlSafe, "base64"],
    ["base64 after a byte order mark", `\uFEFF${B64}`, "base64"],
    ["percent-encoded base64", encodeURIComponent(B64), "percent-encoded base64"],
    ["raw XML", XML, "xml"],
    [
      "an HTML auto-post form, name before value",
      `<!DOCTYPE html><html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="${B64}"/><input type="hidden" name="RelayState" value=""/></form></body></html>`,
      "html form",
    ],
    [
      "an HTML form, value before name, single quotes",
      `<html><body><form><input value='${B64}' type='hidden' name='SAMLResponse'></form></body></html>`,
      "html form",
    ],
    [
      "an HTML form with entity-encoded base64 (&#43; &#x2F; &#61;)",
      `<form method="POST"><input type="hidden" value="${entityEncoded}" name="SAMLResponse" /></form>`,
      "html form",
    ],
    ["an HTML form with upper-case tags and an unquoted name", `<HTML><FORM><INPUT TYPE=hidden NAME=SAMLResponse VALUE="${B64}"></FORM></HTML>`, "html form"],
    ["an HTML form whose value is wrapped over lines", `<form><input name="SAMLResponse" value="${wrap(B64, 40)}"></form>`, "html form"],
    ["a form body, SAMLResponse first", `SAMLResponse=${encodeURIComponent(B64)}&RelayState=https%3A%2F%2Fexample.com%2F`, "form body"],
    ["a form body, RelayState first", `RelayState=abc&SAMLResponse=${encodeURIComponent(B64)}`, "form body"],
    ["a form body whose base64 was not percent-encoded", `SAMLResponse=${B64}&RelayState=`, "form body"],
  ];

  it.each(accepted)("%s", (_name, input, form) => {
    const decoded = decodeSamlInput(Buffer.from(input));
    expect(decoded.xml).toBe(XML);
    expect(decoded.form).toBe(form);
  });

  it("keeps an XML declaration, trims blank lines around raw XML", () => {
    const declared = `<?xml version="1.0" encoding="UTF-8"?>\n${XML}`;
    expect(decodeSamlInput(Buffer.from(`\n${declared}\n\n`))).toMatchObject({ xml: declared, form: "xml", encoding: "utf8" });
  });

  it("hands a SOAP envelope on as XML: the Response is taken out of it once parsed", () => {
    const soap = `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"><soap11:Body>${XML}</soap11:Body></soap11:Envelope>`;
    expect(decodeSamlInput(Buffer.from(soap))).toMatchObject({ xml: soap, form: "xml" });
  });

  const NOT_SAML_HINT = "pipe in what your identity provider's login helper prints: base64, XML, the HTML form page, or SAMLResponse=... form data";

  const refused: Array<[string, string | Buffer, string, string]> = [
    ["empty input", "", "stdin is empty: no SAML response was piped in", "e.g. okta-login -u jo | rolecred saml --profile dev"],
    ["only blank lines", " \n\t\n", "stdin is empty: no SAML response was piped in", "e.g. okta-login -u jo | rolecred saml --profile dev"],
    ["binary data", Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08]), "stdin holds binary data, not a SAML response", NOT_SAML_HINT],
    ["a sentence", "Login failed: wrong password!", "stdin is not a SAML response: it is neither XML nor base64", NOT_SAML_HINT],
    ["JSON", '{"SAMLResponse": "abc"}', "stdin is not a SAML response: it is neither XML nor base64", NOT_SAML_HINT],
    [
      "base64 of something that is not XML",
      Buffer.from("just some text, not XML").toString("base64"),
      "stdin is base64 but does not decode to XML, so it is not a SAML response",
      NOT_SAML_HINT,
    ],
    [
      "base64 of binary",
      Buffer.from([0x3c, 0x00, 0x01, 0x02]).toString("base64"),
      "stdin is base64 but does not decode to XML, so it is not a SAML response",
      NOT_SAML_HINT,
    ],
    ["broken percent-encoding", "PHNhbWxw%E0%A4%A", "stdin looks percent-encoded but is not valid percent-encoding", NOT_SAML_HINT],
    [
      "an HTML page without the form field",
      "<!DOCTYPE html><html><body><p>Your session has expired.</p></body></html>",
      "stdin is an HTML page without a SAMLResponse form field",
      NOT_SAML_HINT,
    ],
    [
      "an HTML form field that is not base64",
      '<form><input name="SAMLResponse" value="not base64!"></form>',
      "the SAMLResponse field of the HTML form is not a SAML response: it is neither XML nor base64",
      NOT_SAML_HINT,
    ],
    ["an empty form field", "SAMLResponse=&RelayState=x", "the SAMLResponse form field is not a SAML response: it is neither XML nor base64", NOT_SAML_HINT],
  ];

  it.each(refused)("refuses %s in one line", (_name, input, message, hint) => {
    let caught: unknown;
    try {
      decodeSamlInput(Buffer.from(input));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RolecredError);
    expect(caught).toMatchObject({ message, hint, exitCode: 3 });
  });

  it("reads an ISO-8859-1 response in its declared encoding and keeps its bytes", () => {
    const latin1 = Buffer.from(`<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>\xc9quipe</r>`, "latin1");
    for (const input of [latin1, Buffer.from(latin1.toString("base64"))]) {
      const decoded = decodeSamlInput(input);
      expect(decoded.xml).toBe('<?xml version="1.0" encoding="ISO-8859-1"?>\n<r>Équipe</r>');
      expect(decoded.encoding).toBe("latin1");
      expect(decoded.bytes.equals(latin1)).toBe(true);
    }
  });

  it.each([
    [
      "bytes that are not UTF-8 under no declaration",
      Buffer.from("<r>\xc9quipe</r>", "latin1"),
      "stdin is not valid UTF-8, and its XML declaration names no other encoding",
    ],
    [
      "an encoding rolecred does not read",
      Buffer.from('<?xml version="1.0" encoding="Shift_JIS"?><r/>'),
      "stdin declares the character encoding shift_jis; rolecred reads SAML responses in UTF-8 or ISO-8859-1 only",
    ],
  ])("refuses %s, exit 3, rather than repair it", (_name, input, message) => {
    expect(() => decodeSamlInput(input)).toThrow(expect.objectContaining({ message, exitCode: 3 }));
  });
  // What the decoded bytes may start with, checked on the bytes without decoding the whole
  // response: one UTF-8 byte order mark, then what trimStart removes from ISO-8859-1 text.
  const LATIN1_XML = '<?xml version="1.0" encoding="ISO-8859-1"?><r/>';
  const base64Of = (...parts: Array<string | number[] | Buffer>) =>
    Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "utf8") : Buffer.from(part)))).toString("base64");
  const notXml = "stdin is base64 but does not decode to XML, so it is not a SAML response";
  it.each([
    ["a byte order mark", base64Of([0xef, 0xbb, 0xbf], XML), XML],
    ["tab, line breaks, vertical tab, form feed and spaces", base64Of("\t\r\n\v\f  ", XML), XML],
    ["a byte order mark, then a line break", base64Of([0xef, 0xbb, 0xbf], "\n", XML), XML],
    ["a no-break space (0xA0), ISO-8859-1 declared", base64Of([0xa0], LATIN1_XML), LATIN1_XML],
  ])("base64 whose bytes start with %s, then XML, is read", (_name, input, xml) => {
    expect(decodeSamlInput(Buffer.from(input)).xml).toBe(xml);
  });

  it.each([
    ["a space before the byte order mark", base64Of(" ", [0xef, 0xbb, 0xbf], XML), notXml],
    ["two byte order marks", base64Of([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], XML), notXml],
    ["a next-line control (0x85), which trimStart keeps", base64Of([0x85], XML), notXml],
    ["a UTF-16 byte order mark", base64Of([0xff, 0xfe], Buffer.from(XML, "utf16le")), notXml],
    ["UTF-16 without a byte order mark", base64Of(Buffer.from(XML, "utf16le")), notXml],
    ["XML, then a NUL byte", base64Of(XML, [0]), notXml],
    ["XML, then bytes that are not UTF-8", base64Of(XML, [0xff, 0xfe]), "the XML in stdin is not valid UTF-8, and its XML declaration names no other encoding"],
    ["a no-break space before UTF-8 XML", base64Of([0xa0], XML), "the XML in stdin is not valid UTF-8, and its XML declaration names no other encoding"],
  ])("base64 whose bytes start with %s is refused, exit 3", (_name, input, message) => {
    expect(() => decodeSamlInput(Buffer.from(input))).toThrow(expect.objectContaining({ message, exitCode: 3 }));
  });
});
