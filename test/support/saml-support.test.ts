/**
 * Tests of the SAML test support: the test IdP (saml-idp.ts) and the STS-side check
 * (saml-sts-check.ts). Both are referees for src/saml, so they are checked against each other,
 * against Debian's xmlsec1 (an independent XML-DSig implementation) and against the
 * fixtures in test/fixtures/saml signed elsewhere.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DOMParser } from "@xmldom/xmldom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SignedXml } from "xml-crypto";

import { createTestIdp, issueSamlResponse, issueSamlResponseBase64, type IssueOptions, type TestIdp } from "./saml-idp.js";
import { checkSamlForSts, SamlRejection, type SamlForSts } from "./saml-sts-check.js";

const FIXTURES = new URL("../fixtures/saml/", import.meta.url);
const XMLSEC1 = "/usr/bin/xmlsec1";
const NS_ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const NS_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const STATUS = "urn:oasis:names:tc:SAML:2.0:status:";

const NOW = new Date("2030-06-01T12:00:00Z");
const minutes = (n: number): Date => new Date(NOW.getTime() + n * 60_000);

const DEV = {
  roleArn: "arn:aws:iam::111122223333:role/Developer",
  providerArn: "arn:aws:iam::111122223333:saml-provider/TestIdP",
};
const READ_ONLY = {
  roleArn: "arn:aws:iam::444455556666:role/path/ReadOnly",
  providerArn: "arn:aws:iam::444455556666:saml-provider/TestIdP",
};

/** Everything AWS reads, with both role orders and a pretty-printed value, as IdPs send it. */
const FULL: IssueOptions = {
  roles: [
    DEV,
    { ...READ_ONLY, order: "provider,role" },
    "\n      arn:aws-cn:iam::777788889999:saml-provider/Cn , arn:aws-cn:iam::777788889999:role/China,\n    ",
  ],
  sessionName: "alice@example.com",
  sessionDuration: 7200,
  sourceIdentity: "alice",
  principalTags: { Project: "Marketing", CostCenter: "12345" },
  transitiveTagKeys: ["Project", "CostCenter"],
  nameId: "alice@example.com",
  now: NOW,
};

let idp: TestIdp;
let work: string;

beforeAll(() => {
  idp = createTestIdp("https://idp.rolecred.test/saml");
  work = mkdtempSync(join(tmpdir(), "rolecred-saml-support-"));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const base64 = (xml: string): string => Buffer.from(xml, "utf8").toString("base64");
const check = (xml: string, cert: string = idp.certificatePem, now: Date = NOW): SamlForSts => checkSamlForSts(base64(xml), cert, now);

/** STS's one message for every failed signature check. */
const SIGNATURE_INVALID = /^Response signature invalid$/;

/** Expect a SamlRejection with this code, (part of) this message and, if given, this detail. */
function expectRejected(run: () => unknown, code: SamlRejection["code"], message: string | RegExp, detail?: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(SamlRejection);
  const rejection = caught as SamlRejection;
  expect(rejection.code).toBe(code);
  if (typeof message === "string") expect(rejection.message).toContain(message);
  else expect(rejection.message).toMatch(message);
  if (detail !== undefined) expect(rejection.detail).toMatch(detail);
}

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}

/** Run `xmlsec1 --verify` on one signature (the first in the document unless nodeXpath says). */
function xmlsecVerify(xml: string, certPem: string, nodeXpath?: string): { ok: boolean; output: string } {
  const file = join(work, `doc-${Math.random().toString(36).slice(2)}.xml`);
  const cert = join(work, `cert-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(file, xml);
  writeFileSync(cert, certPem);
  const args = [
    "--verify",
    "--pubkey-cert-pem",
    cert,
    "--id-attr:ID",
    `${NS_ASSERTION}:Assertion`,
    "--id-attr:ID",
    `${NS_PROTOCOL}:Response`,
    ...(nodeXpath === undefined ? [] : ["--node-xpath", nodeXpath]),
    file,
  ];
  const result = spawnSync(XMLSEC1, args, { encoding: "utf8" });
  if (result.error !== undefined) throw result.error;
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

const RESPONSE_XPATH = "/*[local-name()='Response']";

/** Sign with the test IdP's key through xml-crypto, to build signatures the IdP never would. */
function signWithIdpKey(xml: string, how: { target: string; location: string; isEmptyUri?: boolean }): string {
  const signer = new SignedXml({
    privateKey: idp.privateKeyPem,
    publicCert: idp.certificatePem,
    signatureAlgorithm: "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
    canonicalizationAlgorithm: "http://www.w3.org/2001/10/xml-exc-c14n#",
  });
  signer.addReference({
    xpath: how.target,
    transforms: ["http://www.w3.org/2000/09/xmldsig#enveloped-signature", "http://www.w3.org/2001/10/xml-exc-c14n#"],
    digestAlgorithm: "http://www.w3.org/2001/04/xmlenc#sha256",
    isEmptyUri: how.isEmptyUri ?? false,
  });
  signer.computeSignature(xml, { prefix: "ds", location: { reference: how.location, action: "after" } });
  return signer.getSignedXml();
}

const ASSERTION_SIGNATURE_XPATH = "/*[local-name()='Response']/*[local-name()='Assertion']/*[local-name()='Signature']";

describe("issueSamlResponse + checkSamlForSts round trips", () => {
  it.each(["assertion", "response", "both"] as const)("sign=%s is accepted and reads back", (sign) => {
    const result = check(issueSamlResponse(idp, { ...FULL, sign }));
    expect(result).toEqual({
      issuer: "https://idp.rolecred.test/saml",
      subject: "alice@example.com",
      subjectFormat: "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
      recipient: "https://signin.aws.amazon.com/saml",
      audiences: ["urn:amazon:webservices"],
      issueInstant: NOW,
      roles: [
        { roleArn: DEV.roleArn, principalArn: DEV.providerArn },
        { roleArn: READ_ONLY.roleArn, principalArn: READ_ONLY.providerArn },
        {
          roleArn: "arn:aws-cn:iam::777788889999:role/China",
          principalArn: "arn:aws-cn:iam::777788889999:saml-provider/Cn",
        },
      ],
      sessionName: "alice@example.com",
      sessionDuration: 7200,
      sourceIdentity: "alice",
      principalTags: { Project: "Marketing", CostCenter: "12345" },
      transitiveTagKeys: ["Project", "CostCenter"],
    } satisfies SamlForSts);
  });

  it("uses the documented defaults and the base64 helper", () => {
    const xml = issueSamlResponse(idp, { roles: [DEV], sessionName: "jo", now: NOW });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).toBe(true);
    expect(xml).toContain('Destination="https://signin.aws.amazon.com/saml"');
    expect(xml).toContain('NotBefore="2030-06-01T11:59:00Z" NotOnOrAfter="2030-06-01T12:05:00Z"');
    // Default signing is the Assertion only.
    expect(xml.match(/<ds:Signature /g)).toHaveLength(1);
    expect(xml).toMatch(/<saml:Issuer>[^<]*<\/saml:Issuer><ds:Signature[^>]*><ds:SignedInfo>/);
    const result = checkSamlForSts(issueSamlResponseBase64(idp, { roles: [DEV], sessionName: "jo", now: NOW }), idp.certificatePem, NOW);
    expect(result.subject).toBe("jo@example.com");
    expect(result.sessionDuration).toBeUndefined();
    expect(result.sourceIdentity).toBeUndefined();
    expect(result.sessionNotOnOrAfter).toBeUndefined();
    expect(result.principalTags).toEqual({});
    expect(result.transitiveTagKeys).toEqual([]);
  });

  it("escapes odd text and returns it exactly (trimmed)", () => {
    const result = check(
      issueSamlResponse(idp, {
        roles: [DEV],
        sessionName: "\n  jo.doe@example.com  \n",
        nameId: ` <o'neil & "co"> `,
        audience: "urn:x&y<z>",
        sessionNotOnOrAfter: minutes(60),
        now: NOW,
      }),
    );
    expect(result.sessionName).toBe("jo.doe@example.com");
    expect(result.subject).toBe(`<o'neil & "co">`);
    expect(result.audiences).toEqual(["urn:x&y<z>"]);
    expect(result.sessionNotOnOrAfter).toEqual(minutes(60));
  });

  it("accepts regional and /static/ recipients and reports them", () => {
    for (const recipient of ["https://eu-west-1.signin.aws.amazon.com/saml", "https://signin.aws.amazon.com/static/saml"]) {
      expect(check(issueSamlResponse(idp, { ...FULL, recipient })).recipient).toBe(recipient);
    }
  });
});

describe("signature checks", () => {
  it("rejects an unsigned response as missing its signature", () => {
    expectRejected(() => check(issueSamlResponse(idp, { ...FULL, sign: "none" })), "InvalidIdentityToken", /^Response signature invalid: missing signature$/);
  });

  it.each(["assertion", "response", "both"] as const)("sign=%s: a one-character change to a role ARN after signing is rejected", (sign) => {
    const xml = issueSamlResponse(idp, { ...FULL, sign });
    const tampered = xml.replace("role/Developer", "role/Developes");
    expect(tampered).not.toBe(xml);
    expectRejected(() => check(tampered), "InvalidIdentityToken", SIGNATURE_INVALID, /digest does not match/);
  });

  it("rejects a response checked against a different IdP's certificate", () => {
    const otherCert = fixture("testidp-generated-cert.pem");
    for (const sign of ["assertion", "response", "both"] as const) {
      expectRejected(
        () => check(issueSamlResponse(idp, { ...FULL, sign }), otherCert),
        "InvalidIdentityToken",
        SIGNATURE_INVALID,
        /SignatureValue does not verify with the configured certificate/,
      );
    }
  });

  it("ignores KeyInfo: swapping in the attacker's certificate does not help", () => {
    // The signature verifies with the embedded certificate, but the IdP's configured one wins.
    const attacker = fixture("testidp-generated-1.xml");
    expectRejected(
      () => check(attacker, idp.certificatePem, new Date("2025-01-01T00:01:00Z")),
      "InvalidIdentityToken",
      SIGNATURE_INVALID,
      /SignatureValue does not verify/,
    );
  });

  it("rejects signature wrapping: a second, unsigned Assertion beside the signed one", () => {
    const xml = issueSamlResponse(idp, { ...FULL, sign: "assertion" });
    const signed = xml.slice(xml.indexOf("<saml:Assertion "), xml.indexOf("</saml2p:Response>"));
    const evil = signed
      .replace(/<ds:Signature[\s\S]*<\/ds:Signature>/, "")
      .replace(/ID="[^"]+"/, 'ID="_evil"')
      .replace("role/Developer", "role/Admin");
    for (const wrapped of [
      xml.replace("<saml:Assertion ", `${evil}<saml:Assertion `), // evil first
      xml.replace("</saml2p:Response>", `${evil}</saml2p:Response>`), // evil last
      // Classic XSW: the evil Assertion in place, the signed one hidden inside it.
      xml.replace(signed, evil.replace("</saml:Subject>", `</saml:Subject>${signed}`)),
    ]) {
      expectRejected(() => check(wrapped), "InvalidIdentityToken", SIGNATURE_INVALID, /exactly one Assertion, found 2/);
    }
  });

  it("rejects a genuine signature that does not reference its parent's ID", () => {
    const unsigned = issueSamlResponse(idp, { ...FULL, sign: "none" });
    // A signature over the Response placed inside the Assertion: xml-crypto's enveloped transform
    // removes it wherever it sits, so it verifies, but it does not sign the element it is on.
    const misplaced = signWithIdpKey(unsigned, {
      target: RESPONSE_XPATH,
      location: `${RESPONSE_XPATH}/*[local-name()='Assertion']/*[local-name()='Issuer']`,
    });
    // A Response signature with Reference URI="" (the whole document) instead of #<ID>.
    const emptyUri = signWithIdpKey(unsigned, {
      target: RESPONSE_XPATH,
      location: `${RESPONSE_XPATH}/*[local-name()='Issuer']`,
      isEmptyUri: true,
    });
    expect(emptyUri).toContain('<ds:Reference URI="">');
    for (const xml of [misplaced, emptyUri]) {
      expectRejected(() => check(xml), "InvalidIdentityToken", SIGNATURE_INVALID, /must have one Reference to #_/);
    }
  });

  it("reads values from the signed canonical XML, so a comment cannot truncate them", () => {
    // exc-c14n drops comments, so the signature still verifies; a reader of the first text
    // node would see "role/Dev" here.
    const xml = issueSamlResponse(idp, { ...FULL, sign: "assertion" }).replace("role/Developer", "role/Dev<!-- x -->eloper");
    expect(check(xml).roles[0]?.roleArn).toBe(DEV.roleArn);
  });
});

describe("xmlsec1 cross-check", () => {
  it("verifies an assertion-signed response", () => {
    const result = xmlsecVerify(issueSamlResponse(idp, { ...FULL, sign: "assertion" }), idp.certificatePem);
    expect(result.output).toContain("OK");
    expect(result.ok).toBe(true);
  });

  it("verifies both signatures of a both-signed response", () => {
    const xml = issueSamlResponse(idp, { ...FULL, sign: "both" });
    expect(xmlsecVerify(xml, idp.certificatePem).ok).toBe(true); // the Response signature (first)
    expect(xmlsecVerify(xml, idp.certificatePem, ASSERTION_SIGNATURE_XPATH).ok).toBe(true);
  });

  it("verifies a response-signed response", () => {
    expect(xmlsecVerify(issueSamlResponse(idp, { ...FULL, sign: "response" }), idp.certificatePem).ok).toBe(true);
  });

  it("fails a tampered response and a wrong certificate", () => {
    const xml = issueSamlResponse(idp, { ...FULL, sign: "assertion" });
    expect(xmlsecVerify(xml.replace("role/Developer", "role/Developes"), idp.certificatePem).ok).toBe(false);
    expect(xmlsecVerify(xml, fixture("testidp-generated-cert.pem")).ok).toBe(false);
  });
});

describe("STS checks other than the signature", () => {
  it("rejects an IssueInstant older than 5 minutes with ExpiredTokenException", () => {
    const xml = issueSamlResponse(idp, {
      ...FULL,
      issueInstant: minutes(-6),
      notBefore: minutes(-7),
      notOnOrAfter: minutes(30),
    });
    expectRejected(() => check(xml), "ExpiredTokenException", /^Token must be redeemed within 5 minutes of issuance$/);
    // Just inside the window it is fine.
    const fresh = issueSamlResponse(idp, { ...FULL, issueInstant: minutes(-4.5) });
    expect(check(fresh).issueInstant).toEqual(minutes(-4.5));
  });

  it("rejects expired and not-yet-valid Conditions", () => {
    expectRejected(
      () => check(issueSamlResponse(idp, { ...FULL, notBefore: minutes(-30), notOnOrAfter: minutes(-2) })),
      "InvalidIdentityToken",
      "Conditions NotOnOrAfter",
    );
    expectRejected(
      () => check(issueSamlResponse(idp, { ...FULL, notBefore: minutes(3), notOnOrAfter: minutes(30) })),
      "InvalidIdentityToken",
      "Conditions NotBefore",
    );
  });

  it("rejects a Recipient that is not AWS sign-in", () => {
    expectRejected(() => check(issueSamlResponse(idp, { ...FULL, recipient: "https://evil.example/saml" })), "InvalidIdentityToken", "Recipient");
  });

  it("rejects a non-Success status", () => {
    expectRejected(() => check(issueSamlResponse(idp, { ...FULL, statusCode: `${STATUS}Requester` })), "InvalidIdentityToken", "status is not Success");
  });

  it("rejects a bad or missing RoleSessionName with STS's exact message", () => {
    const exactly = /^RoleSessionName in AuthnResponse must match \[a-zA-Z_0-9\+=,\.@-\]\{2,64\}$/;
    for (const sessionName of ["a b", "x", "a".repeat(65), "jo/doe", "", undefined]) {
      const xml = issueSamlResponse(idp, { ...FULL, sessionName });
      expectRejected(() => check(xml), "InvalidIdentityToken", exactly);
    }
    // The edges of the pattern pass.
    for (const sessionName of ["ab", "a".repeat(64), "A_z0+=,.@-"]) {
      expect(check(issueSamlResponse(idp, { ...FULL, sessionName })).sessionName).toBe(sessionName);
    }
  });

  it("rejects a missing or malformed Role attribute", () => {
    const withRoles = (roles: IssueOptions["roles"]): string => issueSamlResponse(idp, { ...FULL, roles });
    expectRejected(() => check(withRoles([])), "InvalidIdentityToken", "Role attribute");
    for (const role of [
      DEV.roleArn, // no provider
      `${DEV.roleArn},${READ_ONLY.roleArn}`, // two roles
      "arn:aws:iam::1111:role/DevRole,arn:aws:iam::1111:saml-provider/IDP", // bad account id
      `${DEV.roleArn},${DEV.providerArn},${READ_ONLY.roleArn}`,
    ]) {
      expectRejected(() => check(withRoles([role])), "InvalidIdentityToken", "Role attribute");
    }
  });

  it("checks SessionDuration bounds", () => {
    for (const sessionDuration of [899, 43_201, 3600.5]) {
      expectRejected(() => check(issueSamlResponse(idp, { ...FULL, sessionDuration })), "InvalidIdentityToken", "SessionDuration");
    }
    expect(check(issueSamlResponse(idp, { ...FULL, sessionDuration: 43_200 })).sessionDuration).toBe(43_200);
  });

  it("rejects a DOCTYPE, even one that only declares an entity", () => {
    const xml = issueSamlResponse(idp, FULL);
    const withDoctype = xml.replace("?>\n", '?>\n<!DOCTYPE r [<!ENTITY e "x">]>\n');
    expectRejected(() => check(withDoctype), "InvalidIdentityToken", "DOCTYPE");
  });

  it("rejects malformed XML and trailing documents", () => {
    const xml = issueSamlResponse(idp, FULL);
    expectRejected(() => check(xml.slice(0, -5)), "InvalidIdentityToken", "Invalid SAMLResponse XML");
    const twoRoots = xml + xml.replace(/^<\?xml[^>]*>/, "");
    expectRejected(() => check(twoRoots), "InvalidIdentityToken", "Invalid SAMLResponse");
  });

  it("rejects anything but strict standard base64", () => {
    const good = issueSamlResponseBase64(idp, FULL);
    expect(checkSamlForSts(good, idp.certificatePem, NOW).sessionName).toBe("alice@example.com");
    const unpadded = good.replace(/=+$/, "");
    const variants = [
      "",
      "not base64!",
      `${good.slice(0, 76)}\n${good.slice(76)}`, // wrapped lines
      good.replace(/\+/g, "-").replace(/\//g, "_"), // base64url
      encodeURIComponent(good),
      unpadded === good ? `${good}=` : unpadded, // wrong padding either way
    ];
    for (const variant of variants) {
      if (variant === good) continue;
      expectRejected(() => checkSamlForSts(variant, idp.certificatePem, NOW), "InvalidIdentityToken", /^Invalid base64 SAMLResponse$/);
    }
  });
});

describe("fixtures in test/fixtures/saml", () => {
  const cert = (): string => fixture("testidp-generated-cert.pem");

  /** One minute after the Assertion's IssueInstant, read from the file itself. */
  function oneMinuteAfterIssue(xml: string): Date {
    const doc = new DOMParser().parseFromString(xml, "text/xml");
    const assertion = doc.getElementsByTagNameNS(NS_ASSERTION, "Assertion")[0];
    const instant = assertion?.getAttribute("IssueInstant");
    if (instant === null || instant === undefined) throw new Error("fixture has no Assertion IssueInstant");
    return new Date(new Date(instant).getTime() + 60_000);
  }

  it.each(["testidp-generated-1.xml", "testidp-generated-3.xml"])("%s verifies and reads back", (name) => {
    const xml = fixture(name);
    const result = check(xml, cert(), oneMinuteAfterIssue(xml));
    expect(result.issuer).toBe("https://test-idp.example.invalid/saml");
    expect(result.roles).toEqual([
      {
        roleArn: "arn:aws:iam::111122223333:role/Developer",
        principalArn: "arn:aws:iam::111122223333:saml-provider/TestIdP",
      },
      {
        roleArn: "arn:aws:iam::444455556666:role/ReadOnly",
        principalArn: "arn:aws:iam::444455556666:saml-provider/TestIdP",
      },
    ]);
    expect(result.sessionName).toBe("alice@example.com");
    expect(result.sessionDuration).toBe(7200);
    expect(result.sourceIdentity).toBe("alice");
    expect(result.principalTags).toEqual({ Project: "Marketing", CostCenter: "12345" });
    expect(result.transitiveTagKeys).toEqual(["Project", "CostCenter"]);
  });

  it("testidp-generated-1.xml fails once ReadOnly is changed", () => {
    const xml = fixture("testidp-generated-1.xml");
    expectRejected(
      () => check(xml.replace("role/ReadOnly", "role/ReadOnlx"), cert(), oneMinuteAfterIssue(xml)),
      "InvalidIdentityToken",
      SIGNATURE_INVALID,
      /digest does not match/,
    );
  });

  it("the real NetIQ sample (signed by another XML-DSig stack) verifies against its certificate", () => {
    const encoded = fixture("netiq-saml2aws-1.b64").trim();
    const xml = Buffer.from(encoded, "base64").toString("utf8");
    // Pin the certificate the sample carries, as an STS SAML provider's metadata would.
    const body = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)?.[1]?.replace(/\s+/g, "") ?? "";
    const pem = `-----BEGIN CERTIFICATE-----\n${body.replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
    const now = oneMinuteAfterIssue(xml);
    const result = checkSamlForSts(encoded, pem, now);
    expect(result.roles).toHaveLength(13);
    expect(result.roles[0]).toEqual({
      roleArn: "arn:aws:iam::863369430055:role/wbc-admin",
      principalArn: "arn:aws:iam::863369430055:saml-provider/westpacidp",
    });
    expect(result.sessionName).toBe("L122893");
    const tampered = base64(xml.replace("role/wbc-admin", "role/wbc-admim"));
    expectRejected(() => checkSamlForSts(tampered, pem, now), "InvalidIdentityToken", SIGNATURE_INVALID);
  });

  it("testidp-generated-5-unsigned.xml is rejected", () => {
    const xml = fixture("testidp-generated-5-unsigned.xml");
    expectRejected(() => check(xml, cert(), oneMinuteAfterIssue(xml)), "InvalidIdentityToken", /^Response signature invalid: missing signature$/);
  });
});
