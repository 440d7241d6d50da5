/**
 * readSamlAssertion's reading of the tree: the one walk that finds every Assertion and Signature
 * (wherever they are nested), and the text of an AttributeValue (one text node, or text, CDATA
 * and comments mixed).
 */
import { describe, expect, it } from "vitest";
import { parseSamlXml } from "../../src/saml/xml.js";
import { readSamlAssertion } from "../../src/saml/assertion.js";

const ROLE = "arn:aws:iam::111122223333:role/Developer";
const PROVIDER = "arn:aws:iam::111122223333:saml-provider/Okta";
const ROLE_ATTRIBUTE = "https://aws.amazon.com/SAML/Attributes/Role";

function response(assertionBody: string, around: { before?: string; after?: string } = {}): string {
  return [
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0">',
    around.before ?? "",
    '<saml:Assertion ID="_a" Version="2.0">',
    assertionBody,
    "</saml:Assertion>",
    around.after ?? "",
    "</samlp:Response>",
  ].join("");
}

function roleStatement(...values: string[]): string {
  return `<saml:AttributeStatement><saml:Attribute Name="${ROLE_ATTRIBUTE}">${values.map((value) => `<saml:AttributeValue>${value}</saml:AttributeValue>`).join("")}</saml:Attribute></saml:AttributeStatement>`;
}

const read = (xml: string) => readSamlAssertion(parseSamlXml(xml));

describe("readSamlAssertion", () => {
  it("reads a value that is one text node, and one mixed from text, CDATA and a comment, the same way", async () => {
    const assertion = await read(response(roleStatement(`${ROLE},${PROVIDER}`, `  arn:aws:iam::444455556666:<!-- x -->role/Ops,<![CDATA[${PROVIDER}]]>  `)));
    expect(assertion.roles.map((role) => role.roleArn)).toEqual([ROLE, "arn:aws:iam::444455556666:role/Ops"]);
    expect(assertion.rejectedRoleValues).toEqual([]);
  });

  it("refuses a second Assertion however deep it is nested, in any namespace", async () => {
    const nested = '<samlp:Extensions><x:Wrapper xmlns:x="urn:x"><x:Inner><Assertion ID="_decoy"/></x:Inner></x:Wrapper></samlp:Extensions>';
    await expect(read(response(roleStatement(`${ROLE},${PROVIDER}`), { after: nested }))).rejects.toThrow(
      "the SAML response holds 2 Assertion elements; rolecred reads a response with exactly one",
    );
  });

  it("says an encrypted assertion cannot be read, wherever it is", async () => {
    const xml =
      '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"><samlp:Extensions><saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Extensions></samlp:Response>';
    await expect(read(xml)).rejects.toThrow("the SAML assertion is encrypted, so rolecred cannot read the roles in it");
    await expect(read('<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r"/>')).rejects.toThrow("the SAML response holds no Assertion");
  });

  it("finds a SHA-1 signature inside the Assertion, and only an XML-DSig one", async () => {
    const signature = (namespace: string) =>
      `<ds:Signature xmlns:ds="${namespace}"><ds:SignedInfo><ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/></ds:SignedInfo></ds:Signature>`;
    const signed = await read(
      response(`<saml:Issuer>i</saml:Issuer>${signature("http://www.w3.org/2000/09/xmldsig#")}${roleStatement(`${ROLE},${PROVIDER}`)}`),
    );
    expect(signed.sha1Signature).toBe(true);
    const foreign = await read(response(`<saml:Issuer>i</saml:Issuer>${signature("urn:not-dsig")}${roleStatement(`${ROLE},${PROVIDER}`)}`));
    expect(foreign.sha1Signature).toBe(false);
  });
});
