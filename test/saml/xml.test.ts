/**
 * parseSamlXml: no entity is ever expanded, broken XML is refused in one line, and the quirks real
 * identity providers send (undeclared prefixes, a second document, a SOAP envelope) are repaired
 * and reported. What STS will receive (responseXml) must keep the identity provider's signature valid.
 */
import { describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";
import { parseSamlXml } from "../../src/saml/xml.js";
import { RolecredError } from "../../src/errors.js";
import { createTestIdp, issueSamlResponse } from "../support/saml-idp.js";
import { checkSamlForSts } from "../support/saml-sts-check.js";

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const RESPONSE = `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" ID="_r"><saml:Assertion ID="_a"><saml:Issuer>idp</saml:Issuer></saml:Assertion></samlp:Response>`;

function refusal(xml: string): RolecredError {
  try {
    parseSamlXml(xml);
  } catch (error) {
    if (error instanceof RolecredError) return error;
    throw error;
  }
  throw new Error("parseSamlXml accepted it");
}

describe(parseSamlXml.name, () => {
  it("parses a plain Response and hands the input on unchanged", () => {
    const parsed = parseSamlXml(RESPONSE);
    expect(parsed.response.localName).toBe("Response");
    expect(parsed.responseXml).toBe(RESPONSE);
    expect(parsed.repairs).toEqual([]);
  });

  describe("never expands an entity", () => {
    const DOCTYPE_REFUSED = "the SAML response contains a DOCTYPE or entity declarations; rolecred refuses those (no entity is ever expanded)";
    const laughs = [
      '<?xml version="1.0"?>',
      "<!DOCTYPE lolz [",
      '  <!ENTITY lol "lol">',
      ...Array.from({ length: 9 }, (_, level) => `  <!ENTITY lol${level + 1} "${`&lol${level === 0 ? "" : level};`.repeat(10)}">`),
      "]>",
      `<samlp:Response xmlns:samlp="${PROTOCOL}"><x>&lol9;</x></samlp:Response>`,
    ].join("\n");

    it.each([
      ["the billion laughs", laughs],
      [
        "an external entity reading a local file",
        `<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<samlp:Response xmlns:samlp="${PROTOCOL}"><x>&xxe;</x></samlp:Response>`,
      ],
      ["an external DTD", `<!DOCTYPE samlp:Response SYSTEM "http://attacker.invalid/evil.dtd">${RESPONSE}`],
      ["a lower-case doctype", `<!doctype r>${RESPONSE}`],
      ["an entity declaration outside a DOCTYPE", `<!ENTITY x "y">${RESPONSE}`],
    ])("%s", (_name, xml) => {
      expect(refusal(xml)).toMatchObject({ message: DOCTYPE_REFUSED, exitCode: 3 });
    });

    it("an undeclared entity reference is an error, not an expansion", () => {
      expect(refusal(`<samlp:Response xmlns:samlp="${PROTOCOL}"><x>&xxe;</x></samlp:Response>`).message).toMatch(/^the SAML response is not well-formed XML/);
    });
  });

  it.each([
    [
      "cut off after a start tag",
      RESPONSE.slice(0, RESPONSE.indexOf("<saml:Issuer>")),
      "the SAML response is not well-formed XML (cut off?): unclosed xml tag(s): samlp:Response, saml:Assertion",
    ],
    [
      "cut off inside a start tag",
      RESPONSE.slice(0, RESPONSE.indexOf('ID="_a"')),
      "the SAML response is not well-formed XML (cut off?): unexpected end of input",
    ],
    [
      "cut off inside the last end tag",
      RESPONSE.slice(0, -4),
      'the SAML response is not well-formed XML (cut off?): end tag name contains invalid characters: "samlp:Respo"',
    ],
    [
      "with mismatched tags",
      `<samlp:Response xmlns:samlp="${PROTOCOL}"><a></b></samlp:Response>`,
      'the SAML response is not well-formed XML: Opening and ending tag mismatch: "a" != "b"',
    ],
    ["with text after the Response", `${RESPONSE}trailing`, "the SAML response is not well-formed XML: Extra content at the end of the document"],
    ["with only a declaration", '<?xml version="1.0"?>', "the SAML response is not well-formed XML (cut off?): missing root element"],
    [
      "with a prefix that is neither declared nor a SAML one",
      `<samlp:Response xmlns:samlp="${PROTOCOL}"><foo:x/></samlp:Response>`,
      /^the SAML response is not well-formed XML: .*prefix is non-null and namespace is null/,
    ],
  ])("refuses XML %s in one line", (_name, xml, message) => {
    const error = refusal(xml);
    expect(error.message).toMatch(typeof message === "string" ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) : message);
    expect(error.message).not.toContain("\n");
    expect(error.exitCode).toBe(3);
  });

  it("refuses well-formed XML that is not a SAML response", () => {
    expect(refusal('<?xml version="1.0"?><html><body/></html>')).toMatchObject({
      message: "the XML is not a SAML response: its root element is <html>",
      hint: "expected a samlp:Response (or a SOAP envelope around one)",
    });
  });

  it("two roots: keeps the first Response, reports it, and sends only that", () => {
    const parsed = parseSamlXml(`${RESPONSE}\n${RESPONSE.replace('ID="_r"', 'ID="_second"')}`);
    expect(parsed.repairs).toEqual(["ignored a second XML document after the first Response"]);
    expect(parsed.responseXml).toBe(RESPONSE);
    expect(parsed.response.getAttribute("ID")).toBe("_r");
  });

  it("an undeclared saml2: prefix: parsed with it declared, reported, the original text still sent", () => {
    const xml = `<samlp:Response xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}"><saml:Assertion><saml2:Attribute Name="n"/></saml:Assertion></samlp:Response>`;
    const parsed = parseSamlXml(xml);
    expect(parsed.repairs).toEqual(["declared the undeclared namespace prefix saml2:"]);
    expect(parsed.response.getElementsByTagNameNS(ASSERTION, "Attribute").length).toBe(1);
    expect(parsed.responseXml).toBe(xml); // STS verifies the identity provider's bytes, not rolecred's repair
  });

  describe("a SOAP envelope", () => {
    const ECP = "urn:oasis:names:tc:SAML:2.0:profiles:SSO:ecp";

    it("takes the SAML Response out, not the ECP header's Response, with the namespaces it inherits", () => {
      const inner = `<samlp:Response ID="_r"><saml:Assertion><saml:AttributeValue xsi:type="xs:string">v</saml:AttributeValue></saml:Assertion></samlp:Response>`;
      const soap = [
        `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" xmlns:xs="http://www.w3.org/2001/XMLSchema">`,
        `<S:Header><ecp:Response xmlns:ecp="${ECP}" S:mustUnderstand="1" AssertionConsumerServiceURL="https://signin.aws.amazon.com/saml"/></S:Header>`,
        `<S:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`,
        inner,
        "</S:Body></S:Envelope>",
      ].join("\r\n");
      const parsed = parseSamlXml(soap);
      expect(parsed.repairs).toEqual(["took the Response out of its <S:Envelope> envelope"]);
      expect(parsed.response.namespaceURI).toBe(PROTOCOL);
      expect(parsed.responseXml).toBe(
        `<samlp:Response xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:samlp="${PROTOCOL}" xmlns:saml="${ASSERTION}" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_r"><saml:Assertion><saml:AttributeValue xsi:type="xs:string">v</saml:AttributeValue></saml:Assertion></samlp:Response>`,
      );
    });

    it("keeps a signature valid whose canonicalisation names a prefix declared on the envelope", () => {
      const idp = createTestIdp();
      const now = new Date();
      const unsigned = issueSamlResponse(idp, {
        roles: [{ roleArn: "arn:aws:iam::111122223333:role/Developer", providerArn: "arn:aws:iam::111122223333:saml-provider/TestIdP" }],
        sessionName: "jo",
        sign: "none",
        now,
      }).replace(/^<\?xml[^>]*>\s*/, "");
      // Shibboleth-style: the namespaces live on the envelope, xs is used only in attribute values.
      const declarations =
        /^<saml2p:Response([^>]*)>/
          .exec(unsigned)?.[1]
          ?.match(/ xmlns:\w+="[^"]*"/g)
          ?.join("") ?? "";
      const body = unsigned.replace(/ xmlns:\w+="[^"]*"/g, "").replace(/<saml:AttributeValue>/g, '<saml:AttributeValue xsi:type="xs:string">');
      const envelope = `<soap11:Envelope xmlns:soap11="http://schemas.xmlsoap.org/soap/envelope/"${declarations} xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soap11:Body>${body}</soap11:Body></soap11:Envelope>`;
      const signer = new SignedXml({
        privateKey: idp.privateKeyPem,
        publicCert: idp.certificatePem,
        signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
        canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
      });
      signer.addReference({
        xpath: "//*[local-name()='Assertion']",
        transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
        digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
        inclusiveNamespacesPrefixList: ["xs"],
      });
      signer.computeSignature(envelope, { prefix: "ds", location: { reference: "//*[local-name()='Assertion']/*[local-name()='Issuer']", action: "after" } });

      const parsed = parseSamlXml(signer.getSignedXml());
      const sts = checkSamlForSts(Buffer.from(parsed.responseXml, "utf8").toString("base64"), idp.certificatePem, now);
      expect(sts.roles).toEqual([{ roleArn: "arn:aws:iam::111122223333:role/Developer", principalArn: "arn:aws:iam::111122223333:saml-provider/TestIdP" }]);
    });
  });
});
