/**
 * Every SAML response sample in test/fixtures/saml (see its INDEX.md) through the whole SAML
 * stage: decode → parse → read → readiness. Real identity providers' output, quirks included: what
 * rolecred reads from each, or exactly why it refuses it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSamlInput, type SamlInputForm } from "../../src/saml/decode.js";
import { parseSamlXml } from "../../src/saml/xml.js";
import { readSamlAssertion, type SamlAssertion } from "../../src/saml/assertion.js";
import { checkReadiness } from "../../src/saml/readiness.js";
import { FIXTURES_DIR } from "../support/run-cli.js";

const FIXTURES = join(FIXTURES_DIR, "saml");
const TEST_IDP_CERT = join(FIXTURES, "testidp-generated-cert.pem");

interface Row {
  file: string;
  form: SamlInputForm;
  reader: SamlAssertion["reader"];
  notes: string[];
  /** `ACCOUNT:ROLE` → provider ARN, in the identity provider's order. */
  roles: Array<[string, string]>;
  sessionName: string | undefined;
  sessionDuration?: string;
  sourceIdentity?: string;
  principalTags?: Record<string, string>;
  transitiveTagKeys?: string[];
  audiences: string[];
  /** checkReadiness a minute after the IssueInstant (or at any time, for a sample without one). */
  problems: string[];
  warnings?: string[];
}

const provider = (account: string, name: string) => `arn:aws:iam::${account}:saml-provider/${name}`;
const rolesVia = (providerArn: string, ...roles: string[]): Array<[string, string]> => roles.map((role) => [role, providerArn]);

const NO_SESSION_NAME = "the assertion has no RoleSessionName attribute, which STS requires";
const FOUR_DIGIT_ROLE = (value: string) => `"${value}" (no valid role ARN (arn:aws:iam::<12-digit account>:role/NAME))`;

const TEST_IDP = {
  reader: "local element names",
  notes: [],
  roles: [
    ["111122223333:Developer", provider("111122223333", "TestIdP")],
    ["444455556666:ReadOnly", provider("444455556666", "TestIdP")],
  ],
  sessionName: "alice@example.com",
  sessionDuration: "7200",
  sourceIdentity: "alice",
  principalTags: { Project: "Marketing", CostCenter: "12345" },
  transitiveTagKeys: ["Project", "CostCenter"],
  audiences: ["urn:amazon:webservices"],
  problems: [],
} satisfies Omit<Row, "file" | "form">;

const GOOGLE = {
  form: "xml",
  reader: "local element names",
  notes: [],
  roles: rolesVia(provider("123456789012", "GoogleApps"), "123456789012:admin", "123456789012:read-only", "123456789012:test"),
  sessionName: "first.last@example.com",
  sessionDuration: "28800",
  audiences: ["https://signin.aws.amazon.com/saml"],
  problems: [],
} satisfies Omit<Row, "file">;

const AZURE = {
  reader: "local element names",
  roles: [
    ["012345678901:example_role", provider("012345678901", "EXAMPLE_PROVIDER")],
    ["123456789012:example_role", provider("123456789012", "EXAMPLE_PROVIDER")],
  ],
  sessionName: "exampleuser@exampledomain.com",
  audiences: ["https://signin.aws.amazon.com/saml"],
  // NotBefore == NotOnOrAfter: this sample was never valid.
  problems: ["the SAML assertion expired at 2020-01-01T00:00:00.000Z (1m ago): log in again"],
} satisfies Omit<Row, "file" | "form" | "notes">;

const ROWS: Row[] = [
  {
    file: "adfs-saml2aws-1.xml",
    form: "xml",
    reader: "local element names",
    notes: ["declared the undeclared namespace prefix saml2:"],
    roles: rolesVia(provider("123123123123", "ExampleADFS"), "123123123123:AWS-Admin-CloudOPSBuild", "123123123123:AWS-Admin-CloudOPSNonProd"),
    sessionName: "wolfeidau@example.com",
    sessionDuration: "28800",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  { file: "azuread-saml2aws-1.xml", form: "xml", notes: [], ...AZURE },
  { file: "azuread-saml2aws-2-htmlform.html", form: "html form", notes: ["ignored a second XML document after the first Response"], ...AZURE },
  {
    file: "netiq-saml2aws-1.b64",
    form: "base64",
    reader: "local element names",
    notes: [],
    roles: [
      ...rolesVia(
        provider("863369430055", "westpacidp"),
        "863369430055:wbc-admin",
        "863369430055:wbc-engineer",
        "863369430055:wbc-manager",
        "863369430055:wbc-viewonly",
        "863369430055:wbc-readonly",
      ),
      ...rolesVia(provider("169267451285", "westpacidp"), "169267451285:wbc-admin", "169267451285:wbc-engineer", "169267451285:wbc-viewonly"),
      ...rolesVia(
        provider("401252830686", "westpacidp"),
        "401252830686:wbc-admin",
        "401252830686:wbc-engineer",
        "401252830686:wbc-viewonly",
        "401252830686:wbc-readonly",
      ),
      ...rolesVia(provider("169267451285", "westpacidp"), "169267451285:wbc-readonly"),
    ],
    sessionName: "L122893",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  {
    file: "okta-gimme-aws-creds-1.b64",
    form: "base64",
    reader: "local element names",
    notes: [],
    roles: [
      ...rolesVia(provider("987654321987", "OKTA-IDP"), "987654321987:testrole3", "987654321987:testrole4", "987654321987:testrole5"),
      ...rolesVia(provider("012345678901", "OKTA-IDP"), "012345678901:testrole1", "012345678901:testrole2"),
    ],
    sessionName: "john.doe@mycorp.com",
    sessionDuration: "3600",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  {
    // Unpadded base64 of pretty-printed XML: values carry a newline and 20 spaces.
    file: "okta-gimme-aws-creds-2.b64",
    form: "base64",
    reader: "local element names",
    notes: [],
    roles: rolesVia(provider("123456789012", "Okta"), "123456789012:SSO.AdminRole", "123456789012:SSO.ReadOnlyRole"),
    sessionName: "test@example.com",
    sessionDuration: "7200",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  {
    // Okta's assertion for another (non-AWS) app.
    file: "okta-gimme-aws-creds-3.b64",
    form: "percent-encoded base64",
    reader: "local element names",
    notes: [],
    roles: [],
    sessionName: undefined,
    audiences: ["com:nike:gimme_creds:dev"],
    problems: ["the assertion grants no AWS roles (it has no https://aws.amazon.com/SAML/Attributes/Role attribute)", NO_SESSION_NAME],
    warnings: [
      "the assertion is addressed to https://localhost:8443/saml/SSO, not AWS sign-in; STS will likely refuse it",
      "the assertion's audience is com:nike:gimme_creds:dev, not AWS (urn:amazon:webservices); STS will likely refuse it",
    ],
  },
  {
    // A skeleton: no Status, Subject, Conditions or session name; two providers.
    file: "onelogin-onelogin-aws-cli-1.xml",
    form: "xml",
    reader: "local element names",
    notes: [],
    roles: [
      ["123456789012:OneLogin-MyRole0", provider("123456789012", "OneLogin-MyProvider0")],
      ["123456789012:OneLogin-MyRole1", provider("123456789012", "OneLogin-MyProvider1")],
      ["123456789012:OneLogin-MyRole2", provider("123456789012", "OneLogin-MyProvider1")],
    ],
    sessionName: undefined,
    audiences: [],
    problems: [NO_SESSION_NAME],
  },
  {
    // Elements in no namespace at all; values padded with tabs and newlines.
    file: "pingfederate-saml2aws-1.xml",
    form: "xml",
    reader: "local element names",
    notes: [],
    roles: [
      ...rolesVia(provider("456456456456", "example-idp"), "456456456456:admin", "456456456456:developer"),
      ...rolesVia(provider("789789789789", "example-idp"), "789789789789:admin"),
      ...rolesVia(provider("123123123123", "example-idp"), "123123123123:developer", "123123123123:admin"),
    ],
    sessionName: "evan.mclean",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  {
    file: "shibboleth-saml2aws-1.xml",
    form: "xml",
    reader: "local element names",
    notes: ["took the Response out of its <soap11:Envelope> envelope"],
    roles: [["123456789003:administrator", provider("123456789003", "idp.example.com")]],
    sessionName: "user@example.com",
    audiences: ["urn:amazon:webservices"],
    problems: [],
  },
  { file: "googleworkspace-aws-google-auth-1.xml", ...GOOGLE },
  { file: "googleworkspace-aws-google-auth-2.xml", ...GOOGLE }, // trailing commas
  { file: "googleworkspace-aws-google-auth-3.xml", ...GOOGLE },
  {
    file: "googleworkspace-aws-google-auth-4.xml",
    ...GOOGLE,
    problems: ["the SAML assertion expired at 2011-07-24T10:36:41.125Z (2191d 23h ago): log in again"],
  },
  {
    file: "generic-aws_role_credentials-1.xml",
    form: "xml",
    reader: "local element names",
    notes: [],
    roles: [],
    sessionName: undefined,
    audiences: [],
    problems: [
      `the assertion grants no usable AWS roles: ${[
        "arn:aws:iam::1111:role/DevRole,arn:aws:iam::1111:saml-provider/IDP",
        "arn:aws:iam::1111:saml-provider/IDP, arn:aws:iam::1111:role/DevRole",
        "arn:aws:iam::1111:saml-provider/IDP ,  arn:aws:iam::1111:role/DevRole",
        "arn:aws:iam::2222:role/QARole,arn:aws:iam::2222:saml-provider/IDP",
      ]
        .map(FOUR_DIGIT_ROLE)
        .join("; ")}`,
      NO_SESSION_NAME,
    ],
  },
  { file: "testidp-generated-1.xml", form: "xml", ...TEST_IDP },
  { file: "testidp-generated-3.xml", form: "xml", ...TEST_IDP },
  { file: "testidp-generated-5-unsigned.xml", form: "xml", ...TEST_IDP },
];

async function read(file: string, idpCertificates?: string[]) {
  const decoded = decodeSamlInput(readFileSync(join(FIXTURES, file)));
  const assertion = await readSamlAssertion(parseSamlXml(decoded.xml), { idpCertificates, onLibraryOutput: () => undefined });
  return { decoded, assertion };
}

describe("the SAML fixtures", () => {
  it("every sample has a row here", () => {
    const samples = readdirSync(FIXTURES).filter((file) => file !== "INDEX.md" && !file.endsWith(".pem"));
    expect(ROWS.map((row) => row.file).sort()).toEqual(samples.sort());
  });

  it.each(ROWS)("$file", async (row) => {
    const { decoded, assertion } = await read(row.file);
    expect(decoded.form).toBe(row.form);
    expect({ reader: assertion.reader, notes: assertion.notes }).toEqual({ reader: row.reader, notes: row.notes });
    expect(assertion.roles.map((role) => [`${role.account}:${role.roleName}`, role.principalArn])).toEqual(row.roles);
    for (const role of assertion.roles) expect(role.roleArn).toBe(`arn:aws:iam::${role.account}:role/${role.roleName}`);
    expect({
      sessionName: assertion.sessionName,
      sessionDuration: assertion.sessionDuration,
      sourceIdentity: assertion.sourceIdentity,
      principalTags: assertion.principalTags,
      transitiveTagKeys: assertion.transitiveTagKeys,
      audiences: assertion.audiences,
    }).toEqual({
      sessionName: row.sessionName,
      sessionDuration: row.sessionDuration,
      sourceIdentity: row.sourceIdentity,
      principalTags: row.principalTags ?? {},
      transitiveTagKeys: row.transitiveTagKeys ?? [],
      audiences: row.audiences,
    });
    expect(assertion.signature).toBe("not checked");

    const oneMinuteIn = new Date((assertion.issueInstant ?? new Date("2026-01-01T00:00:00Z")).getTime() + 60_000);
    const { problems, warnings } = checkReadiness(assertion, oneMinuteIn);
    expect(problems.map((problem) => problem.message)).toEqual(row.problems);
    expect(warnings).toEqual(row.warnings ?? []);
  });
});

describe("the SAML fixtures, verified with --idp-cert", () => {
  const pem = () => readFileSync(TEST_IDP_CERT, "utf8");
  /** The X509Certificate a sample carries in its KeyInfo, as PEM. */
  const embeddedCertificate = (file: string, decodedXml: string) => {
    const base64 = /<(?:\w+:)?X509Certificate>([^<]+)</.exec(decodedXml)?.[1]?.replace(/\s+/g, "");
    if (base64 === undefined) throw new Error(`${file} has no X509Certificate`);
    return `-----BEGIN CERTIFICATE-----\n${base64.replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
  };

  it.each(["testidp-generated-1.xml", "testidp-generated-3.xml"])("%s verifies against the test IdP's certificate", async (file) => {
    const { assertion } = await read(file, [pem()]);
    expect(assertion.signature).toBe("verified");
    expect(assertion.roles.map((role) => role.roleArn)).toEqual(["arn:aws:iam::111122223333:role/Developer", "arn:aws:iam::444455556666:role/ReadOnly"]);
  });

  it("the NetIQ sample verifies against the certificate it was signed with (real-world signature)", async () => {
    const xml = decodeSamlInput(readFileSync(join(FIXTURES, "netiq-saml2aws-1.b64"))).xml;
    const { assertion } = await read("netiq-saml2aws-1.b64", [embeddedCertificate("netiq", xml)]);
    expect(assertion.signature).toBe("verified");
    expect(assertion.roles).toHaveLength(13);
  });

  it.each<[string, () => Promise<unknown>, string]>([
    ["the unsigned sample", () => read("testidp-generated-5-unsigned.xml", [pem()]), "the SAML response is not signed, so --idp-cert cannot verify it"],
    [
      "a signed sample against another identity provider's certificate",
      () => read("testidp-generated-1.xml", [embeddedCertificate("netiq", decodeSamlInput(readFileSync(join(FIXTURES, "netiq-saml2aws-1.b64"))).xml)]),
      "the SAML response's signature is invalid: it does not verify against --idp-cert (SAML Assertion signature check failed! (checked 1 certificate(s)))",
    ],
    [
      "a Google sample whose content was edited after signing, against Google's own certificate",
      () => {
        const file = "googleworkspace-aws-google-auth-1.xml";
        return read(file, [embeddedCertificate(file, readFileSync(join(FIXTURES, file), "utf8"))]);
      },
      "the SAML response's signature is invalid: it does not verify against --idp-cert (SAML Assertion signature check failed! (checked 1 certificate(s)))",
    ],
  ])("refuses %s", async (_name, run, message) => {
    await expect(run()).rejects.toMatchObject({ message, exitCode: 4 });
  });

  it("refuses the test IdP's sample with one role renamed (the signature covers the roles)", async () => {
    const tampered = readFileSync(join(FIXTURES, "testidp-generated-1.xml"), "utf8").replace("role/ReadOnly", "role/Admin");
    await expect(readSamlAssertion(parseSamlXml(tampered), { idpCertificates: [pem()], onLibraryOutput: () => undefined })).rejects.toMatchObject({
      message:
        "the SAML response's signature is invalid: it does not verify against --idp-cert (SAML Assertion signature check failed! (checked 1 certificate(s)))",
      hint: "nothing was sent to STS; check the certificate is the identity provider's current signing certificate",
    });
  });
});
