/**
 * issue 9 (SAML items 19–29) and issue 10 bug 3 (the picker), end to end: the built CLI reads
 * responses the test identity provider signs at test time, altered the way an attacker or an odd
 * identity provider would, and the local STS (the independent referee in test/support) says what
 * AWS would have done with what rolecred sends. "Never sent" is checked on the STS's call log.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { startWorld, type World } from "../support/world.js";
import { createTestIdp, issueSamlResponse, issueSamlResponseBytes, type IssueOptions, type TestIdp } from "../support/saml-idp.js";
import { runInPty } from "../support/pty.js";

const SANDBOX = "111122223333";
const PROD = "444455556666";
const SANDBOX_IDP = `arn:aws:iam::${SANDBOX}:saml-provider/TestIdP`;
const PROD_IDP = `arn:aws:iam::${PROD}:saml-provider/TestIdP`;
const DEVELOPER = `arn:aws:iam::${SANDBOX}:role/Developer`;
const READ_ONLY = `arn:aws:iam::${PROD}:role/ReadOnly`;
const OFFER = {
  developer: { roleArn: DEVELOPER, providerArn: SANDBOX_IDP },
  readOnly: { roleArn: READ_ONLY, providerArn: PROD_IDP },
} as const;

let idp: TestIdp;
let stranger: TestIdp;
let world: World;
let home: string;
let env: Record<string, string>;
let certificate: string;

beforeAll(async () => {
  idp = createTestIdp("https://idp.rolecred.test/saml");
  stranger = createTestIdp("https://stranger.rolecred.test/saml");
  world = await startWorld({
    samlProviders: [
      { arn: SANDBOX_IDP, certificatePem: idp.certificatePem },
      { arn: PROD_IDP, certificatePem: idp.certificatePem },
    ],
    extraRoles: [
      { arn: DEVELOPER, maxSessionDuration: 43_200, trust: [{ principals: [SANDBOX_IDP], allowTagSession: true }] },
      { arn: READ_ONLY, trust: [{ principals: [PROD_IDP] }] },
    ],
  });
});

afterAll(async () => {
  await world.close();
});

beforeEach(async () => {
  home = await makeTempHome();
  await mkdir(join(home, ".aws"), { mode: 0o700 });
  await writeFile(join(home, ".aws", "credentials"), "", { mode: 0o600 });
  await writeFile(join(home, ".aws", "config"), `[rolecred]\naccount_aliases =\n  ${SANDBOX} = sandbox\n`);
  env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url });
  certificate = join(home, "idp.pem");
  await writeFile(certificate, idp.certificatePem);
});

const samlCalls = () => world.sts.calls.filter((call) => call.action === "AssumeRoleWithSAML");

function signedXml(options: Partial<IssueOptions> = {}, signer: TestIdp = idp): string {
  return issueSamlResponse(signer, { roles: [OFFER.developer], sessionName: "alice@example.com", ...options });
}

const base64 = (xml: string | Buffer) => Buffer.from(xml).toString("base64");

function saml(args: readonly string[], stdin: string | Buffer, options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  return runCli(["saml", ...args], { env: options.env ?? env, stdin });
}

/** A refusal: one line on stderr, the exit code, nothing sent, nothing written. */
async function expectRefused(result: CliResult, callsBefore: number, exitCode: number, line: string | RegExp): Promise<void> {
  expect(result.stderr.split("\n").filter((each) => each !== "")).toHaveLength(1);
  if (typeof line === "string") expect(result.stderr).toBe(`${line}\n`);
  else expect(result.stderr).toMatch(line);
  expect(result.exitCode).toBe(exitCode);
  expect(samlCalls().length).toBe(callsBefore);
  expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toBe("");
}

describe("19: every field comes from the one assertion the roles came from", () => {
  const IN_2020 = new Date("2020-06-01T12:00:00Z");
  const decoy = (namespace: string) =>
    `<Assertion${namespace} ID="_decoy" Version="2.0" IssueInstant="${new Date().toISOString()}"><Issuer>https://idp.rolecred.test/saml</Issuer>` +
    `<Subject><NameID>admin@example.com</NameID><SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><SubjectConfirmationData NotOnOrAfter="2099-01-01T00:00:00Z" Recipient="https://signin.aws.amazon.com/saml"/></SubjectConfirmation></Subject>` +
    `<Conditions NotBefore="2020-01-01T00:00:00Z" NotOnOrAfter="2099-01-01T00:00:00Z"><AudienceRestriction><Audience>urn:amazon:webservices</Audience></AudienceRestriction></Conditions></Assertion>`;

  it("the identity provider's own assertion, expired in 2020, is refused as expired", async () => {
    const calls = samlCalls().length;
    const result = await saml(["--idp-cert", certificate, "--profile", "dev"], base64(signedXml({ now: IN_2020 })));
    await expectRefused(result, calls, 3, /^rolecred: the SAML assertion expired at 2020-06-01T12:05:00\.000Z \(.* ago\): log in again\n$/);
  });

  it.each([
    ["in a foreign namespace", ' xmlns="urn:decoy"'],
    ["in no namespace", ""],
  ])("an unsigned decoy valid until 2099, %s, placed before it is refused, with or without --idp-cert, and nothing is sent", async (_name, namespace) => {
    const attacked = signedXml({ now: IN_2020 }).replace("<saml:Assertion ", `${decoy(namespace)}<saml:Assertion `);
    expect(attacked).toContain("2099-01-01");
    for (const flags of [
      ["--idp-cert", certificate, "--profile", "dev"],
      ["--profile", "dev"],
      ["--list", "--idp-cert", certificate],
    ]) {
      const calls = samlCalls().length;
      const result = await saml(flags, base64(attacked));
      await expectRefused(
        result,
        calls,
        3,
        "rolecred: the SAML response holds 2 Assertion elements; rolecred reads a response with exactly one — nothing was sent to STS; identity providers send AWS one assertion, and extra ones are how signature-wrapping attacks hide a forged one",
      );
      expect(result.stdout).not.toContain("2099");
    }
  });
});

describe("20: an AttributeValue is its whole text minus comments", () => {
  it.each([[["--idp-cert", "CERT"]], [[]]])("a comment inside a role (%j) does not cut it: STS is asked for the role it sees", async (extra) => {
    const xml = signedXml().replace(`:role/Developer,`, ":role/Dev<!---->eloper,");
    expect(xml).toContain("Dev<!---->eloper");
    const flags = extra.map((flag) => (flag === "CERT" ? certificate : flag));
    const result = await saml([...flags, "--profile", "dev"], base64(xml));
    expect(result.stderr).toMatch(/^dev: assumed Developer in 111122223333 as alice@example\.com/);
    expect(result.exitCode).toBe(0);
    expect(samlCalls().at(-1)?.params).toMatchObject({ RoleArn: DEVELOPER });
    expect(samlCalls().at(-1)?.errorCode).toBeUndefined();
  });

  it.each([[["--idp-cert", "CERT"]], [[]]])("an account hidden in a leading comment (%j) is not listed", async (extra) => {
    const hidden = "arn:aws:iam::999999999999:role/Hidden,arn:aws:iam::999999999999:saml-provider/Evil";
    const xml = signedXml().replace(`>${DEVELOPER},`, `><!--${hidden}-->${DEVELOPER},`);
    expect(xml).toContain(hidden);
    const flags = extra.map((flag) => (flag === "CERT" ? certificate : flag));
    const result = await saml([...flags, "--list"], base64(xml));
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Developer");
    expect(result.stdout).not.toContain("999999999999");
  });
});

describe("21, 23, 24: hostile input is refused at once, in one line, exit 3", () => {
  it("an invalid character reference in the XML or in the HTML form", async () => {
    const calls = samlCalls().length;
    const inXml = signedXml().replace("alice@example.com</saml:AttributeValue>", "alice&#x110000;</saml:AttributeValue>");
    await expectRefused(
      await saml(["--profile", "dev"], inXml),
      calls,
      3,
      "rolecred: the SAML response holds the character reference &#x110000;, which is not a character XML allows",
    );
    const form = '<html><body><form method="post"><input type="hidden" name="SAMLResponse" value="PD94&#x110000;"/></form></body></html>';
    await expectRefused(
      await saml(["--profile", "dev"], form),
      calls,
      3,
      "rolecred: the HTML form holds the character reference &#x110000;, which is not a valid character — pipe in what your identity provider's login helper prints: base64, XML, the HTML form page, or SAMLResponse=... form data",
    );
  });

  it.each([[[]], [["--idp-cert", "CERT"]]])("100,000 nested elements (%j)", async (extra) => {
    const deep = `<saml2p:Response xmlns:saml2p="urn:oasis:names:tc:SAML:2.0:protocol">${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</saml2p:Response>`;
    const flags = extra.map((flag) => (flag === "CERT" ? certificate : flag));
    const calls = samlCalls().length;
    await expectRefused(
      await saml([...flags, "--profile", "dev"], deep),
      calls,
      3,
      "rolecred: the SAML response nests elements more than 64 deep; no identity provider sends that, so rolecred refuses it",
    );
  });

  it("--idp-cert /dev/zero is refused without reading it", async () => {
    const calls = samlCalls().length;
    await expectRefused(
      await saml(["--idp-cert", "/dev/zero", "--profile", "dev"], base64(signedXml())),
      calls,
      3,
      "rolecred: the --idp-cert file /dev/zero is a character device, not a regular file",
    );
  });
});

describe("25: the identity provider's bytes reach STS unaltered", () => {
  it.each([
    ["raw XML", (bytes: Buffer) => bytes],
    ["base64", (bytes: Buffer) => base64(bytes)],
  ])("an ISO-8859-1 response (%s) is read in its encoding and sent byte for byte; the signature still verifies", async (_name, wrap) => {
    const bytes = issueSamlResponseBytes(idp, {
      roles: [OFFER.developer],
      sessionName: "alice@example.com",
      principalTags: { Team: "Équipe" },
      encoding: "ISO-8859-1",
    });
    expect(bytes.includes(Buffer.from("\xc9quipe", "latin1"))).toBe(true);
    for (const flags of [
      ["--profile", "dev"],
      ["--idp-cert", certificate, "--profile", "dev", "--verbose"],
    ]) {
      const result = await saml(flags, wrap(bytes));
      expect(result.exitCode).toBe(0);
      if (flags.includes("--verbose")) expect(result.stderr).toContain("principal tags Team=Équipe");
      const call = samlCalls().at(-1);
      expect(call?.errorCode).toBeUndefined();
      expect(Buffer.from(String(call?.params.SAMLAssertion), "base64").equals(bytes)).toBe(true);
    }
    const keyId = /aws_access_key_id = (\S+)/.exec(await readFile(join(home, ".aws", "credentials"), "utf8"))?.[1] ?? "";
    expect(world.sts.session(keyId)?.tags).toEqual({ Team: "Équipe" });
  });

  it("a response that says UTF-8 but is not is refused, never repaired and sent", async () => {
    const broken = Buffer.from(signedXml({ principalTags: { Team: "Equipe" } }).replace("Equipe", "\xc9quipe"), "latin1");
    const calls = samlCalls().length;
    await expectRefused(
      await saml(["--profile", "dev"], base64(broken)),
      calls,
      3,
      "rolecred: the XML in stdin is not valid UTF-8, and its XML declaration names no other encoding — rolecred sends the identity provider's bytes unchanged and will not guess their encoding",
    );
  });
});

describe("26: could not verify is not the same as invalid; PEM bundles; SHA-1", () => {
  it('a signature over the whole document (URI="") is "could not verify: unsupported layout"', async () => {
    const xml = signedXml({ sign: "response" }).replace(/URI="#_[0-9a-f]+"/, 'URI=""');
    const calls = samlCalls().length;
    await expectRefused(
      await saml(["--idp-cert", certificate, "--profile", "dev"], base64(xml)),
      calls,
      3,
      'rolecred: could not verify the SAML response\'s signature: unsupported layout (a signature over the whole document (Reference URI="")) — nothing was sent to STS; rolecred verifies an enveloped signature on the Assertion or the Response that references its ID',
    );
  });

  it("a PEM bundle whose second certificate is the signer's verifies", async () => {
    const bundle = join(home, "bundle.pem");
    await writeFile(bundle, `${stranger.certificatePem}${idp.certificatePem}`);
    const result = await saml(["--idp-cert", bundle, "--profile", "dev", "--verbose"], base64(signedXml()));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("signature verified");
  });

  it("a bundle with no certificate of the signer's: the signature is invalid, exit 4", async () => {
    const bundle = join(home, "bundle.pem");
    await writeFile(bundle, `${stranger.certificatePem}${stranger.certificatePem}`);
    const calls = samlCalls().length;
    const result = await saml(["--idp-cert", bundle, "--profile", "dev"], base64(signedXml()));
    await expectRefused(result, calls, 4, /^rolecred: the SAML response's signature is invalid: it does not verify against --idp-cert /);
  });

  it("a genuine signature on an assertion for another application is not called invalid", async () => {
    const calls = samlCalls().length;
    const result = await saml(["--idp-cert", certificate, "--profile", "dev"], base64(signedXml({ audience: "https://wiki.example.com/saml" })));
    await expectRefused(
      result,
      calls,
      3,
      "rolecred: the SAML assertion is signed for another audience (https://wiki.example.com/saml), not AWS sign-in (urn:amazon:webservices), so STS would refuse it — nothing was sent to STS; this is the identity provider's assertion for another application",
    );
  });

  it("a SHA-1 signature is accepted with a warning", async () => {
    const result = await saml(["--idp-cert", certificate, "--profile", "dev"], base64(signedXml({ algorithm: "sha1" })));
    expect(result.stderr).toContain(
      "warning: the response is signed with SHA-1, which is no longer safe against forgery; ask the identity provider's admin to sign with SHA-256\n",
    );
    expect(result.exitCode).toBe(0);
  });
});

describe("27: aliases and paths", () => {
  it("an account alias of 12 digits is refused: --account would pick two accounts", async () => {
    await writeFile(join(home, ".aws", "config"), `[rolecred]\naccount_aliases =\n  ${PROD} = ${SANDBOX}\n`);
    const calls = samlCalls().length;
    const result = await saml(["--account", SANDBOX, "--profile", "dev"], base64(signedXml({ roles: [OFFER.developer, OFFER.readOnly] })));
    await expectRefused(
      result,
      calls,
      3,
      `rolecred: the account alias "${SANDBOX}" for ${PROD} is 12 digits, so it reads as another account's id — rename it in account_aliases in the [rolecred] section of ~/.aws/config (aliases need a letter)`,
    );
  });

  it("--role '*Admin*' does not pick a role whose path holds Admin; --list shows the path", async () => {
    const underAdmin = { roleArn: `arn:aws:iam::${SANDBOX}:role/Admin/ReadOnly`, providerArn: SANDBOX_IDP };
    const xml = base64(signedXml({ roles: [OFFER.developer, underAdmin] }));
    const calls = samlCalls().length;
    const result = await saml(["--role", "*Admin*", "--profile", "dev"], xml);
    expect(result.stderr).toMatch(
      /^rolecred: no role in the assertion matches --role '\*Admin\*' — the assertion offers 111122223333 \(sandbox\):Developer, 111122223333 \(sandbox\):Admin\/ReadOnly\n$/,
    );
    expect(result.exitCode).toBe(2);
    expect(samlCalls().length).toBe(calls);
    const list = await saml(["--list"], xml);
    expect(list.stdout).toMatch(/ Admin\/ReadOnly /);
  });

  it("a Role value with a 40-segment path and a 65-character name is ignored with a warning, not checked for ever", async () => {
    // The role ARN check backtracked exponentially in the number of path segments when the name
    // after them failed: this value hung `saml` (and --role-arn) until it was killed.
    const tooLong = `arn:aws:iam::${SANDBOX}:role/${"a/".repeat(40)}${"x".repeat(65)}`;
    const xml = base64(signedXml({ roles: [OFFER.developer, { roleArn: tooLong, providerArn: SANDBOX_IDP }] }));
    const list = await saml(["--list"], xml);
    expect(list.stderr).toBe(`warning: ignored 1 Role value(s) that are not a role and provider ARN pair: "${tooLong},${SANDBOX_IDP}"\n`);
    expect(list.stdout).toMatch(/^111122223333 +sandbox +Developer +arn:aws:iam::111122223333:saml-provider\/TestIdP\n\n/m);
    expect(list.exitCode).toBe(0);
  });
});

describe("28: ~/.aws/config pins what SAML runs accept", () => {
  const config = (text: string) => writeFile(join(home, ".aws", "config"), `[rolecred]\naccount_aliases =\n  ${SANDBOX} = sandbox\n${text}`);

  it("saml_idp_cert: a genuine assertion from another identity provider is refused before it is sent", async () => {
    await writeFile(join(home, ".aws", "okta.pem"), idp.certificatePem);
    await config("saml_idp_cert = okta.pem\n"); // relative to the config file's folder
    const calls = samlCalls().length;
    const result = await saml(["--profile", "dev"], base64(signedXml({}, stranger)));
    await expectRefused(
      result,
      calls,
      4,
      /^rolecred: the SAML response's signature is invalid: it does not verify against the saml_idp_cert of ~\/\.aws\/config /,
    );
    const ours = await saml(["--profile", "dev", "--verbose"], base64(signedXml()));
    expect(ours.exitCode).toBe(0);
    expect(ours.stderr).toContain("rolecred: signature must verify against saml_idp_cert in [rolecred]\n");
    expect(ours.stderr).toContain("signature verified");
  });

  it("saml_accounts: an assertion offering only another account's role is refused; other accounts' roles are never offered", async () => {
    await config(`saml_accounts = ${SANDBOX}\n`);
    const calls = samlCalls().length;
    const result = await saml(["--profile", "dev"], base64(signedXml({ roles: [OFFER.readOnly] })));
    await expectRefused(
      result,
      calls,
      4,
      `rolecred: the assertion offers no role your ~/.aws/config allows: ${PROD}:ReadOnly via ${PROD_IDP} — nothing was sent to STS; allowed by saml_accounts in [rolecred]: ${SANDBOX}`,
    );
    // Two roles offered, one allowed: no question, the allowed one, and a warning about the other.
    const both = await saml(["--profile", "dev"], base64(signedXml({ roles: [OFFER.readOnly, OFFER.developer] })));
    expect(both.exitCode).toBe(0);
    expect(both.stderr).toContain(
      `warning: ignored 1 role(s) ~/.aws/config does not allow (saml_accounts in [rolecred]: ${SANDBOX}): ${PROD}:ReadOnly via ${PROD_IDP}\n`,
    );
    expect(samlCalls().at(-1)?.params).toMatchObject({ RoleArn: DEVELOPER });
  });

  it("a profile's rolecred_saml_providers narrows runs that write that profile only", async () => {
    await config(`[profile dev]\nrolecred_saml_providers = ${PROD_IDP}\n`);
    const calls = samlCalls().length;
    const refused = await saml(["--profile", "dev"], base64(signedXml()));
    await expectRefused(
      refused,
      calls,
      4,
      `rolecred: the assertion offers no role your ~/.aws/config allows: ${SANDBOX} (sandbox):Developer via ${SANDBOX_IDP} — nothing was sent to STS; allowed by rolecred_saml_providers in [profile dev]: ${PROD_IDP}`,
    );
    const other = await saml(["--profile", "other"], base64(signedXml()));
    expect(other.exitCode).toBe(0);
  });

  it("a pin that is not an account id is bad configuration, exit 3", async () => {
    await config("saml_accounts = sandbox\n");
    const calls = samlCalls().length;
    await expectRefused(
      await saml(["--profile", "dev"], base64(signedXml())),
      calls,
      3,
      'rolecred: saml_accounts in [rolecred] in ~/.aws/config: "sandbox" is not a 12-digit account id',
    );
  });
});

describe("issue 10 bug 3: the picker", () => {
  const manyRoles = Array.from({ length: 48 }, (_, index) => ({
    roleArn: `arn:aws:iam::${SANDBOX}:role/Team${String(index).padStart(2, "0")}`,
    providerArn: SANDBOX_IDP,
  }));

  async function picker(): Promise<ReturnType<typeof runInPty>> {
    const file = join(home, "assertion.b64");
    await writeFile(file, base64(signedXml({ roles: manyRoles })));
    return runInPty("/bin/sh", ["-c", `cat '${file}' | '${process.execPath}' '${ROLECRED_BIN}' saml --profile dev`], { env, cwd: REPO_ROOT });
  }

  it("fits the 40-row terminal and says how many roles are not shown", async () => {
    const terminal = await picker();
    await terminal.waitFor("Team33");
    await terminal.waitFor("14 more (↑↓ scrolls, typing filters)");
    expect(terminal.screen()).not.toContain("Team34");
    terminal.type("Team4");
    await terminal.waitFor(/↑↓ navigate • ⏎ select • esc cancel/);
    terminal.type("\x03");
    await terminal.exited;
  });

  it.each([
    ["Ctrl-C", "\x03"],
    ["Esc", "\x1b"],
  ])("%s cancels: exit 130, one line, the list cleared, nothing sent", async (_name, key) => {
    const calls = samlCalls().length;
    const terminal = await picker();
    await terminal.waitFor("Team00");
    terminal.type(key);
    const { exitCode } = await terminal.exited;
    expect(exitCode).toBe(130);
    const screen = terminal.screen();
    expect(screen.match(/rolecred: /g)).toHaveLength(1);
    expect(screen).toMatch(/rolecred: cancelled: no role was chosen, nothing was sent\r?\n$/);
    // The picker is erased line by line (34 roles, the question, the blank, description and help
    // lines), and nothing but the one line is printed after it.
    const afterLastRole = screen.slice(screen.lastIndexOf("Team"));
    expect((afterLastRole.match(/\x1b\[2K/g) ?? []).length).toBeGreaterThanOrEqual(34 + 3);
    expect(screen.slice(screen.lastIndexOf("\x1b[2K")).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "")).toBe(
      "rolecred: cancelled: no role was chosen, nothing was sent\r\n",
    );
    expect(samlCalls().length).toBe(calls);
  });
});
