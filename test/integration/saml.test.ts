/**
 * `rolecred saml` end to end: the built CLI reads a genuinely signed SAML response on stdin (made
 * at test time by a test identity provider with a fresh key), and the local STS endpoint checks it
 * as AWS does — signature against the registered provider certificate, time window, audience,
 * that the role and provider are in the assertion, the role's trust policy. Profiles are read back
 * by the AWS SDK and the AWS CLI.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { startWorld, type World } from "../support/world.js";
import { createTestIdp, issueSamlResponse, type IssueOptions, type TestIdp } from "../support/saml-idp.js";
import { identityViaAwsCli, identityViaSdk } from "../support/readback.js";
import { runInPty } from "../support/pty.js";

const SANDBOX = "111122223333";
const PROD = "444455556666";
const SANDBOX_IDP = `arn:aws:iam::${SANDBOX}:saml-provider/TestIdP`;
const PROD_IDP = `arn:aws:iam::${PROD}:saml-provider/TestIdP`;
const ROLE = {
  /** Up to 12 h; allows session tags and source identity; only for AWS sign-in (SAML:aud). */
  developer: `arn:aws:iam::${SANDBOX}:role/Developer`,
  /** The default one-hour maximum. */
  short: `arn:aws:iam::${SANDBOX}:role/Short`,
  /** Trusts nobody. */
  untrusting: `arn:aws:iam::${SANDBOX}:role/Untrusting`,
  readOnly: `arn:aws:iam::${PROD}:role/ReadOnly`,
} as const;
const OFFER = {
  developer: { roleArn: ROLE.developer, providerArn: SANDBOX_IDP },
  short: { roleArn: ROLE.short, providerArn: SANDBOX_IDP },
  untrusting: { roleArn: ROLE.untrusting, providerArn: SANDBOX_IDP },
  // Okta and ADFS send provider,role.
  readOnly: { roleArn: ROLE.readOnly, providerArn: PROD_IDP, order: "provider,role" },
} as const;
const ALIASES_CONFIG = `[rolecred]\naccount_aliases =\n  ${SANDBOX} = sandbox\n  ${PROD} = prod\n`;

let idp: TestIdp;
/** Signs well, but AWS was never told about its certificate. */
let stranger: TestIdp;
let world: World;
let home: string;
let env: Record<string, string>;
/** Everything rolecred printed, and every secret it was given or got: checked against each other at the end. */
const outputs: string[] = [];
const secrets = new Set<string>();

beforeAll(async () => {
  idp = createTestIdp("https://idp.rolecred.test/saml");
  stranger = createTestIdp("https://stranger.rolecred.test/saml");
  world = await startWorld({
    samlProviders: [
      { arn: SANDBOX_IDP, certificatePem: idp.certificatePem },
      { arn: PROD_IDP, certificatePem: idp.certificatePem },
    ],
    extraRoles: [
      {
        arn: ROLE.developer,
        maxSessionDuration: 43_200,
        trust: [{ principals: [SANDBOX_IDP], samlAudiences: ["https://signin.aws.amazon.com/saml"], allowTagSession: true, allowSetSourceIdentity: true }],
      },
      { arn: ROLE.short, trust: [{ principals: [SANDBOX_IDP] }] },
      { arn: ROLE.untrusting, trust: [] },
      { arn: ROLE.readOnly, maxSessionDuration: 14_400, trust: [{ principals: [PROD_IDP] }] },
    ],
  });
});

afterAll(async () => {
  await world.close();
  // Across every run in this file: no secret key, session token or assertion was ever printed.
  const everything = outputs.join("\n");
  expect(secrets.size).toBeGreaterThan(10);
  for (const secret of secrets) expect(everything).not.toContain(secret);
});

beforeEach(async () => {
  home = await makeTempHome();
  await mkdir(join(home, ".aws"), { mode: 0o700 });
  await writeFile(
    credentialsPath(),
    "# my own keys: must survive every rolecred write\n[default]\naws_access_key_id = AKIAEXAMPLE000000001\naws_secret_access_key = mine/EXAMPLE+0000000000000000000000000001\n",
    { mode: 0o600 },
  );
  await writeFile(join(home, ".aws", "config"), ALIASES_CONFIG);
  env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url });
});

afterEach(async () => {
  // Whatever was written is a secret from now on.
  const written = await readFile(credentialsPath(), "utf8").catch(() => "");
  for (const match of written.matchAll(/^aws_(?:secret_access_key|session_token) = (\S+)$/gm)) if (match[1] !== undefined) secrets.add(match[1]);
});

const credentialsPath = () => join(home, ".aws", "credentials");
const credentialsFile = () => readFile(credentialsPath(), "utf8");
const samlCalls = () => world.sts.calls.filter((call) => call.action === "AssumeRoleWithSAML");

/** A response from the test identity provider, as base64 (what a login helper prints). */
function assertion(options: Partial<IssueOptions> = {}, signer: TestIdp = idp): string {
  const xml = issueSamlResponse(signer, { roles: [OFFER.developer], sessionName: "alice@example.com", ...options });
  const base64 = Buffer.from(xml, "utf8").toString("base64");
  secrets.add(base64);
  for (const match of xml.matchAll(/<ds:SignatureValue>([^<]+)</g)) if (match[1] !== undefined) secrets.add(match[1].replace(/\s+/g, ""));
  return base64;
}

async function rolecred(args: readonly string[], stdin: string | Buffer, options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await runCli(["saml", ...args], { env: options.env ?? env, stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

/** The access key id of a profile rolecred wrote. */
async function keyIdOf(profile: string): Promise<string> {
  const keyId = new RegExp(`\\[${profile}\\]\\naws_access_key_id = (\\S+)`).exec(await credentialsFile())?.[1];
  if (keyId === undefined) throw new Error(`no [${profile}] in the credentials file`);
  return keyId;
}

const EXPIRY = String.raw`expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in (\d+h )?\d+m\)`;

describe("rolecred saml: an assertion piped in, one role", () => {
  it("assumes the role, writes the profile, and the AWS SDK and AWS CLI use it as the assumed role", async () => {
    const before = await credentialsFile();
    const base64 = assertion();
    const calls = samlCalls().length;
    const result = await rolecred(["--profile", "dev"], `${base64}\n`);
    expect(result.stderr).toMatch(new RegExp(`^dev: assumed Developer in ${SANDBOX} as alice@example.com, ${EXPIRY}\\n$`));
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(0);

    const after = await credentialsFile();
    expect(after.startsWith(before)).toBe(true); // my keys and comment untouched, dev appended
    // The profile `rolecred user` writes (same code): the three keys the SDKs read, then rolecred's own x_ keys.
    expect(after.slice(before.length)).toMatch(
      /^\n?\[dev\]\naws_access_key_id = ASIA\w+\naws_secret_access_key = \S+\naws_session_token = \S+\n(x_\w+ = \S+\n)+$/,
    );
    expect(after).toMatch(/\nx_security_token_expires = \d{4}-\d\d-\d\dT[\d:.]+Z\n/);
    expect((await stat(credentialsPath())).mode & 0o777).toBe(0o600);

    expect(samlCalls()).toHaveLength(calls + 1);
    const call = samlCalls().at(-1);
    expect(call?.callerArn).toBeUndefined(); // unsigned: no AWS credentials were used
    expect(call?.errorCode).toBeUndefined();
    expect(call?.params).toEqual({
      Action: "AssumeRoleWithSAML",
      Version: "2011-06-15",
      RoleArn: ROLE.developer,
      PrincipalArn: SANDBOX_IDP,
      SAMLAssertion: base64,
      DurationSeconds: "3600",
    });

    const expected = `arn:aws:sts::${SANDBOX}:assumed-role/Developer/alice@example.com`;
    expect((await identityViaSdk(env, "dev")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "dev", world.sts.url)).Arn).toBe(expected);
  });

  it.each<[string, (base64: string) => string]>([
    ["raw XML", (base64) => Buffer.from(base64, "base64").toString("utf8")],
    [
      "the HTML auto-post form",
      (base64) =>
        `<html><body onload="document.forms[0].submit()"><form method="post" action="https://signin.aws.amazon.com/saml"><input type="hidden" name="SAMLResponse" value="${base64}"/></form></body></html>`,
    ],
    [
      "a SOAP envelope",
      (base64) =>
        `<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>${Buffer.from(base64, "base64")
          .toString("utf8")
          .replace(/^<\?xml[^>]*>\s*/, "")}</S:Body></S:Envelope>`,
    ],
    ["percent-encoded base64 wrapped at 76 columns", (base64) => encodeURIComponent((base64.match(/.{1,76}/g) ?? []).join("\n"))],
  ])("takes %s, and sends STS standard base64 of the Response", async (_form, wrap) => {
    const base64 = assertion();
    const result = await rolecred(["--profile", "dev"], wrap(base64));
    expect(result.stderr).toMatch(/^dev: assumed Developer/);
    expect(result.exitCode).toBe(0);
    const sent = samlCalls().at(-1)?.params.SAMLAssertion ?? "";
    expect(Buffer.from(sent, "base64").toString("base64")).toBe(sent);
    expect(Buffer.from(sent, "base64").toString("utf8")).toMatch(/^(<\?xml[^>]*>\s*)?<saml2p:Response /);
  });
});

describe("rolecred saml: several roles", () => {
  it("asks on the terminal (type to filter, Enter) while stdin is the pipe; the SDK and AWS CLI read the profile back", async () => {
    const file = join(home, "assertion.b64");
    await writeFile(file, assertion({ roles: [OFFER.developer, OFFER.readOnly] }));
    const command = `cat '${file}' | '${process.execPath}' '${ROLECRED_BIN}' saml --profile dev`;
    const terminal = runInPty("/bin/sh", ["-c", command], { env, cwd: REPO_ROOT });
    await terminal.waitFor("Role to assume (type to filter)");
    await terminal.waitFor(`${SANDBOX} sandbox  Developer`);
    await terminal.waitFor(`${PROD} prod     ReadOnly`);
    terminal.type("readonly");
    await terminal.waitFor(`via ${PROD_IDP}`); // the highlighted role's ARN and provider
    terminal.type("\r");
    const { exitCode } = await terminal.exited;
    outputs.push(terminal.screen());
    expect(exitCode).toBe(0);
    expect(terminal.screen()).toMatch(new RegExp(`dev: assumed ReadOnly in ${PROD} as alice@example.com, ${EXPIRY}`));
    expect(samlCalls().at(-1)?.params).toMatchObject({ RoleArn: ROLE.readOnly, PrincipalArn: PROD_IDP });

    const expected = `arn:aws:sts::${PROD}:assumed-role/ReadOnly/alice@example.com`;
    expect((await identityViaSdk(env, "dev")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "dev", world.sts.url)).Arn).toBe(expected);
  });

  it("Ctrl-C in the picker: cancelled, nothing sent, nothing written", async () => {
    const before = await credentialsFile();
    const calls = world.sts.calls.length;
    const file = join(home, "assertion.b64");
    await writeFile(file, assertion({ roles: [OFFER.developer, OFFER.readOnly] }));
    const terminal = runInPty("/bin/sh", ["-c", `cat '${file}' | '${process.execPath}' '${ROLECRED_BIN}' saml --profile dev`], { env, cwd: REPO_ROOT });
    await terminal.waitFor("Role to assume (type to filter)");
    terminal.type("\x03");
    const { exitCode } = await terminal.exited;
    outputs.push(terminal.screen());
    expect(exitCode).toBe(130);
    expect(terminal.screen()).toContain("rolecred: cancelled: no role was chosen, nothing was sent");
    expect(world.sts.calls.length).toBe(calls);
    expect(await credentialsFile()).toBe(before);
  });

  it("with nothing piped in (stdin is the terminal), says how to pipe the assertion", async () => {
    const terminal = runInPty(process.execPath, [ROLECRED_BIN, "saml", "--list"], { env, cwd: REPO_ROOT });
    const { exitCode } = await terminal.exited;
    expect(exitCode).toBe(2);
    expect(terminal.screen()).toContain(
      "rolecred: nothing is piped in: rolecred saml reads the SAML response from stdin — e.g. okta-login -u jo | rolecred saml --profile dev",
    );
  });

  it("without a terminal, fails listing the roles and naming the flags, and sends nothing", async () => {
    const before = await credentialsFile();
    const calls = world.sts.calls.length;
    const result = await rolecred(["--profile", "dev"], assertion({ roles: [OFFER.developer, OFFER.readOnly] }));
    expect(result.stderr).toBe(
      `rolecred: no terminal to ask for which of 2 roles to assume (${SANDBOX} (sandbox):Developer, ${PROD} (prod):ReadOnly) — choose with --role-arn ARN, --role PATTERN or --account ID\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(world.sts.calls.length).toBe(calls);
    expect(await credentialsFile()).toBe(before);
  });

  const three = () => assertion({ roles: [OFFER.developer, OFFER.short, OFFER.readOnly] });
  it.each<[string, string[], string]>([
    ["--role-arn", ["--role-arn", ROLE.short], ROLE.short],
    ["--role on ACCOUNT:ROLE", ["--role", `${SANDBOX}:Dev*`], ROLE.developer],
    ["--role on ALIAS:ROLE", ["--role", "prod:*"], ROLE.readOnly],
    ["--role on the ARN", ["--role", "arn:aws:iam::*:role/Short"], ROLE.short],
    ["--account by id", ["--account", PROD], ROLE.readOnly],
    ["--account by alias with --role", ["--account", "sandbox", "--role", "Developer"], ROLE.developer],
  ])("%s picks the role without asking", async (_name, flags, roleArn) => {
    const result = await rolecred([...flags, "--profile", "dev"], three());
    expect(result.stderr).toMatch(/^dev: assumed /);
    expect(result.exitCode).toBe(0);
    expect(samlCalls().at(-1)?.params.RoleArn).toBe(roleArn);
  });

  it.each<[string, string[], string]>([
    ["--role-arn", ["--role-arn", `arn:aws:iam::${SANDBOX}:role/Admin`], `--role-arn arn:aws:iam::${SANDBOX}:role/Admin`],
    ["--role", ["--role", "*:Admin"], "--role '*:Admin'"],
    ["--account", ["--account", "999999999999"], "--account 999999999999"],
  ])("a %s that matches nothing: exit 2, the roles offered, nothing sent", async (_name, flags, asked) => {
    const before = await credentialsFile();
    const calls = world.sts.calls.length;
    const result = await rolecred([...flags, "--profile", "dev"], three());
    expect(result.stderr).toBe(
      `rolecred: no role in the assertion matches ${asked} — the assertion offers ${SANDBOX} (sandbox):Developer, ${SANDBOX} (sandbox):Short, ${PROD} (prod):ReadOnly\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(world.sts.calls.length).toBe(calls);
    expect(await credentialsFile()).toBe(before);
  });
});

describe("rolecred saml --list", () => {
  const full = () =>
    assertion({
      roles: [OFFER.developer, OFFER.readOnly],
      sessionDuration: 7200,
      sourceIdentity: "alice",
      principalTags: { Project: "Marketing", CostCenter: "12345" },
      transitiveTagKeys: ["Project"],
    });

  it("prints the roles and attributes, and calls nothing", async () => {
    const calls = world.sts.calls.length;
    const result = await rolecred(["--list"], full());
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      new RegExp(
        [
          "^ACCOUNT       ALIAS    ROLE       PROVIDER",
          `${SANDBOX}  sandbox  Developer  ${SANDBOX_IDP}`,
          `${PROD}  prod     ReadOnly   ${PROD_IDP}`,
          "",
          "session name:        alice@example.com",
          "session duration:    7200s \\(2h 0m\\)",
          "source identity:     alice",
          "principal tags:      Project=Marketing, CostCenter=12345",
          "transitive tag keys: Project",
          "subject:             jo@example.com",
          "issuer:              https://idp.rolecred.test/saml",
          "audience:            urn:amazon:webservices",
          "valid until:         \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ \\(in [45]m\\)",
          "signature:           not checked \\(STS checks it; --idp-cert checks it here first\\)",
          "$",
        ].join("\\n"),
      ),
    );
    expect(world.sts.calls.length).toBe(calls);
  });

  it("--account and --role narrow the list; a filter that matches nothing is the same error as for a choice", async () => {
    const byAccount = await rolecred(["--list", "--json", "--account", "prod"], full());
    expect(byAccount.exitCode).toBe(0);
    expect((JSON.parse(byAccount.stdout) as { roles: Array<{ roleName: string }> }).roles.map((role) => role.roleName)).toEqual(["ReadOnly"]);
    const byPattern = await rolecred(["--list", "--role", "*:Dev*"], full());
    expect(byPattern.stdout).toMatch(/^ACCOUNT +ALIAS +ROLE +PROVIDER\n\d{12} +sandbox +Developer /);
    expect(byPattern.stdout).not.toContain("ReadOnly");
    const none = await rolecred(["--list", "--role", "Nope"], full());
    expect(none.stderr).toMatch(/^rolecred: no role in the assertion matches --role 'Nope' — the assertion offers /);
    expect(none.exitCode).toBe(2);
  });

  it("--json prints the same as data, signature verified with --idp-cert, and calls nothing", async () => {
    const calls = world.sts.calls.length;
    const certificate = join(home, "idp.pem");
    await writeFile(certificate, idp.certificatePem);
    const result = await rolecred(["--list", "--json", "--idp-cert", certificate], full());
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({
      roles: [
        { account: SANDBOX, alias: "sandbox", roleName: "Developer", roleArn: ROLE.developer, principalArn: SANDBOX_IDP },
        { account: PROD, alias: "prod", roleName: "ReadOnly", roleArn: ROLE.readOnly, principalArn: PROD_IDP },
      ],
      sessionName: "alice@example.com",
      sessionDuration: 7200,
      sourceIdentity: "alice",
      principalTags: { Project: "Marketing", CostCenter: "12345" },
      transitiveTagKeys: ["Project"],
      subject: "jo@example.com",
      issuer: "https://idp.rolecred.test/saml",
      audiences: ["urn:amazon:webservices"],
      recipient: "https://signin.aws.amazon.com/saml",
      issueInstant: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      notOnOrAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      expired: false,
      signature: "verified",
    });
    expect(world.sts.calls.length).toBe(calls);
  });

  it("loads saml2-js (and its xml-crypto) only to check a signature (timing is measured in bench/, not here)", async () => {
    const loaded = async (args: string[]) => {
      const result = await rolecred(args, full(), { env: { ...env, NODE_DEBUG: "module" } });
      expect(result.exitCode).toBe(0);
      return ["saml2-js", "xml-crypto"].filter((name) => result.stderr.includes(`node_modules/${name}/`));
    };
    expect(await loaded(["--list"])).toEqual([]);
    const certificate = join(home, "idp.pem");
    await writeFile(certificate, idp.certificatePem);
    expect(await loaded(["--list", "--idp-cert", certificate])).toEqual(["saml2-js", "xml-crypto"]);
  });

  it("--list loads none of what assuming needs: STS, session policies, the credentials file, a child process", async () => {
    // A module hook (run by Node's loader for every ES module) names each of rolecred's modules on stderr.
    const hook =
      'export async function load(url, context, next) { if (url.includes("/dist/src/")) process._rawDebug("loaded " + url); return next(url, context); }';
    const register = `import { register } from "node:module"; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const assumePath = /\/dist\/src\/(commands\/saml-assume|session\/deliver|policy\/compose|sts\/client|store\/credentials-file|exec\/run-child)\.js$/;
    const loaded = async (args: string[]) => {
      const nodeOptions = `--import=${`data:text/javascript,${encodeURIComponent(register)}`}`;
      const result = await rolecred(args, full(), { env: { ...env, NODE_OPTIONS: nodeOptions, ROLECRED_CACHE_DIR: join(home, "no-cache") } });
      const modules = [...result.stderr.matchAll(/^loaded (\S+)$/gm)].map((match) => match[1] ?? "");
      expect(modules).toContainEqual(expect.stringMatching(/\/dist\/src\/commands\/saml\.js$/));
      return modules.filter((url) => assumePath.test(url)).map((url) => url.replace(/^.*\/dist\/src\//, ""));
    };
    expect(await loaded(["--list"])).toEqual([]);
    // The same hook sees them when a role is assumed.
    expect(await loaded(["--role-arn", ROLE.developer, "--profile", "loaded"])).toEqual(
      expect.arrayContaining(["commands/saml-assume.js", "session/deliver.js"]),
    );
  });

  it("says on stderr what would stop the assertion from being used", async () => {
    const result = await rolecred(["--list"], assertion({ sessionName: "Alice Smith" }));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('warning: the assertion\'s RoleSessionName "Alice Smith" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64})\n');
  });
});

describe("rolecred saml --all-roles", () => {
  it("writes one profile per role, named by the template, in one write", async () => {
    const before = await credentialsFile();
    const result = await rolecred(["--all-roles", "--profile-template", "{account}-{role}"], assertion({ roles: [OFFER.developer, OFFER.readOnly] }));
    expect(result.stderr).toMatch(
      new RegExp(
        `^${SANDBOX}-Developer: assumed Developer in ${SANDBOX} as alice@example.com, ${EXPIRY}\\n${PROD}-ReadOnly: assumed ReadOnly in ${PROD} as alice@example.com, ${EXPIRY}\\n$`,
      ),
    );
    expect(result.exitCode).toBe(0);
    const after = await credentialsFile();
    expect(after.startsWith(before)).toBe(true);
    expect([...after.matchAll(/^\[([^\]]+)\]$/gm)].map((match) => match[1])).toEqual(["default", `${SANDBOX}-Developer`, `${PROD}-ReadOnly`]);
    expect((await identityViaSdk(env, `${PROD}-ReadOnly`)).Arn).toBe(`arn:aws:sts::${PROD}:assumed-role/ReadOnly/alice@example.com`);
  });

  it("with --account, only that account's roles; {alias} names them", async () => {
    const result = await rolecred(
      ["--all-roles", "--account", "sandbox", "--profile-template", "{alias}-{role}"],
      assertion({ roles: [OFFER.developer, OFFER.short, OFFER.readOnly] }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/^sandbox-Developer: assumed Developer .*\nsandbox-Short: assumed Short .*\n$/);
    expect(await credentialsFile()).not.toContain("ReadOnly");
  });

  it("writes nothing at all when one role is refused", async () => {
    const before = await credentialsFile();
    const result = await rolecred(["--all-roles"], assertion({ roles: [OFFER.developer, OFFER.untrusting] }));
    expect(result.stderr).toMatch(
      /^rolecred: not allowed to assume Untrusting \(arn:aws:iam::111122223333:role\/Untrusting\): Not authorized to perform sts:AssumeRoleWithSAML — /,
    );
    expect(result.exitCode).toBe(4);
    expect(await credentialsFile()).toBe(before);
  });
});

describe("rolecred saml: how long", () => {
  it.each<[string, string[], Partial<IssueOptions>, string, string]>([
    ["the SessionDuration attribute when no --duration is given", [], { sessionDuration: 7200 }, "7200", ""],
    ["--duration below the SessionDuration", ["--duration", "30m"], { sessionDuration: 7200 }, "1800", ""],
    ["--duration without a SessionDuration", ["--duration", "8h"], {}, "28800", ""],
    [
      "at most the SessionDuration, with a warning",
      ["--duration", "8h"],
      { sessionDuration: 7200 },
      "7200",
      "warning: --duration 28800s is more than the identity provider allows (SessionDuration 7200s); asking for 7200s\n",
    ],
  ])("%s", async (_name, flags, attributes, sent, warning) => {
    const result = await rolecred([...flags, "--profile", "dev"], assertion(attributes));
    expect(result.exitCode).toBe(0);
    expect(result.stderr.startsWith(`${warning}dev: assumed Developer`)).toBe(true);
    expect(samlCalls().at(-1)?.params.DurationSeconds).toBe(sent);
  });

  it("a role whose maximum is below the SessionDuration: retried once with one hour, and said", async () => {
    const calls = samlCalls().length;
    const result = await rolecred(["--profile", "dev"], assertion({ roles: [OFFER.short], sessionDuration: 7200 }));
    expect(result.stderr).toMatch(
      new RegExp(
        `^warning: Short allows less than 7200s; retrying with 3600s\\ndev: assumed Short in ${SANDBOX} as alice@example.com, expires (\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d \\(in (1h 0m|59m)\\)\\n$`,
      ),
    );
    expect(result.exitCode).toBe(0);
    expect(
      samlCalls()
        .slice(calls)
        .map((call) => [call.params.DurationSeconds, call.errorCode]),
    ).toEqual([
      ["7200", "ValidationError"],
      ["3600", undefined],
    ]);
  });
});

describe("rolecred saml --idp-cert", () => {
  let certificate: string;
  beforeEach(async () => {
    certificate = join(home, "idp.pem");
    await writeFile(certificate, idp.certificatePem);
  });

  it.each<[string, IssueOptions["sign"]]>([
    ["the Assertion", "assertion"],
    ["the Response", "response"],
    ["both", "both"],
  ])("a response with %s signed by the identity provider passes", async (_name, sign) => {
    const result = await rolecred(["--idp-cert", certificate, "--profile", "dev", "--verbose"], assertion({ sign }));
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("rolecred: assertion read by saml2-js; signature verified\n");
    expect(samlCalls().at(-1)?.errorCode).toBeUndefined();
  });

  it("a certificate file that is missing or not PEM: one line, exit 3", async () => {
    const notPem = join(home, "cert.der");
    await writeFile(notPem, randomBytes(64));
    const missing = await rolecred(["--idp-cert", join(home, "nope.pem"), "--list"], assertion());
    expect(missing.stderr).toBe(`rolecred: the --idp-cert file ${join(home, "nope.pem")} does not exist\n`);
    expect(missing.exitCode).toBe(3);
    const garbled = await rolecred(["--idp-cert", notPem, "--list"], assertion());
    expect(garbled.stderr).toBe(`rolecred: --idp-cert ${notPem} is not a PEM certificate (no BEGIN CERTIFICATE line)\n`);
    expect(garbled.exitCode).toBe(3);
  });

  const SIGNATURE_FAILED =
    "rolecred: the SAML response's signature is invalid: it does not verify against --idp-cert (SAML Assertion signature check failed! (checked 1 certificate(s))) — nothing was sent to STS; check the certificate is the identity provider's current signing certificate\n";
  it.each<[string, () => Promise<{ stdin: string; cert?: string }>, string]>([
    [
      "a tampered assertion (a role renamed after signing)",
      async () => ({ stdin: Buffer.from(Buffer.from(assertion(), "base64").toString("utf8").replace("role/Developer,", "role/Admin,")).toString("base64") }),
      SIGNATURE_FAILED,
    ],
    [
      "an unsigned assertion",
      async () => ({ stdin: assertion({ sign: "none" }) }),
      "rolecred: the SAML response is not signed, so --idp-cert cannot verify it — nothing was sent to STS; identity providers sign the assertion or the response for AWS, so this did not come from yours\n",
    ],
    [
      "a certificate that is not the signer's",
      async () => {
        const other = join(home, "other.pem");
        await writeFile(other, stranger.certificatePem);
        return { stdin: assertion(), cert: other };
      },
      SIGNATURE_FAILED,
    ],
  ])("refuses %s before anything is sent", async (_name, setup, stderr) => {
    const { stdin, cert } = await setup();
    const before = await credentialsFile();
    const calls = world.sts.calls.length;
    const result = await rolecred(["--idp-cert", cert ?? certificate, "--profile", "dev"], stdin);
    expect(result.stderr).toBe(stderr);
    expect(result.exitCode).toBe(4);
    expect(world.sts.calls.length).toBe(calls);
    expect(await credentialsFile()).toBe(before);
  });
});

describe("rolecred saml: what reaches STS", () => {
  it("PrincipalTag, TransitiveTagKeys and SourceIdentity become the session's tags and source identity", async () => {
    const result = await rolecred(
      ["--profile", "dev", "--verbose"],
      assertion({ sourceIdentity: "alice", principalTags: { Project: "Marketing", CostCenter: "12345" }, transitiveTagKeys: ["Project"] }),
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("rolecred: RoleSessionName alice@example.com; SessionDuration (none); SourceIdentity alice\n");
    expect(result.stderr).toContain("rolecred: principal tags Project=Marketing, CostCenter=12345; transitive Project\n");
    expect(world.sts.session(await keyIdOf("dev"))).toMatchObject({
      arn: `arn:aws:sts::${SANDBOX}:assumed-role/Developer/alice@example.com`,
      sessionName: "alice@example.com",
      sourceIdentity: "alice",
      tags: { Project: "Marketing", CostCenter: "12345" },
      transitiveTagKeys: ["Project"],
    });
  });

  it("--policy and --policy-arn reach STS exactly, minified", async () => {
    const policyFile = join(home, "policy.json");
    await writeFile(policyFile, '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" } ]\n}\n');
    const result = await rolecred(
      [
        "--profile",
        "dev",
        "--policy",
        policyFile,
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--policy-arn",
        `arn:aws:iam::${SANDBOX}:policy/Team`,
        "--json",
      ],
      assertion(),
    );
    expect(result.exitCode).toBe(0);
    expect(samlCalls().at(-1)?.params).toMatchObject({
      Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
      "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "PolicyArns.member.2.arn": `arn:aws:iam::${SANDBOX}:policy/Team`,
    });
    expect(world.sts.session(await keyIdOf("dev"))?.policyArns).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess", `arn:aws:iam::${SANDBOX}:policy/Team`]);
    expect(JSON.parse(result.stdout)).toMatchObject({
      profile: "dev",
      roleArn: ROLE.developer,
      account: SANDBOX,
      sessionName: "alice@example.com",
      packedPolicySizePercent: expect.any(Number),
    });
    expect(result.stdout).not.toMatch(/secret|token/i);
  });

  it("refuses --policy - : stdin carries the assertion", async () => {
    const result = await rolecred(["--profile", "dev", "--policy", "-"], assertion());
    expect(result.stderr).toBe("rolecred: --policy - cannot be used with saml: stdin carries the SAML response\n");
    expect(result.exitCode).toBe(2);
  });
});

describe("rolecred saml -- COMMAND", () => {
  const printEnv = [
    "node",
    "-e",
    "const e=process.env; console.log(JSON.stringify({id:e.AWS_ACCESS_KEY_ID, secret:Boolean(e.AWS_SECRET_ACCESS_KEY), token:Boolean(e.AWS_SESSION_TOKEN), region:e.AWS_REGION, marker:e.ROLECRED_PROFILE}))",
  ];

  it.each([["--"], ["--exec"]])("%s runs the command with the session, writes no file, and passes its exit code through", async (separator) => {
    const before = await credentialsFile();
    const result = await rolecred([separator, ...printEnv], assertion());
    expect(result.exitCode).toBe(0);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ secret: true, token: true, region: "us-east-1", marker: ROLE.developer });
    expect(world.sts.session(String(seen.id))?.roleArn).toBe(ROLE.developer);
    expect(await credentialsFile()).toBe(before);

    const failing = await rolecred([separator, "sh", "-c", "exit 7"], assertion());
    expect(failing.exitCode).toBe(7);
  });
});

describe("rolecred saml: what STS refuses, in one line each", () => {
  const packedTags = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`Tag${index}`, randomBytes(128).toString("hex")]));

  it.each<[string, () => { args?: string[]; stdin: string; env?: Record<string, string> }, number, RegExp, string?]>([
    [
      "InvalidIdentityToken: signed by a key AWS does not know",
      () => ({ stdin: assertion({}, stranger) }),
      4,
      /^rolecred: STS rejected the SAML assertion: Response signature invalid — check the identity provider's signing certificate and the SAML provider registered in IAM$/,
      "InvalidIdentityToken",
    ],
    [
      "ExpiredTokenException: issued 6 minutes ago",
      () => ({ stdin: assertion({ issueInstant: new Date(Date.now() - 6 * 60_000) }) }),
      4,
      /^warning: the assertion was issued 6m ago; STS refuses assertions older than 5 minutes \(log in again if it does\)\nrolecred: STS refused the SAML assertion as too old: Token must be redeemed within 5 minutes of issuance — assertions must be redeemed within 5 minutes of issuance: log in again and pipe the new one straight in$/,
      "ExpiredTokenException",
    ],
    [
      "AccessDenied: a role that does not trust the provider",
      () => ({ args: ["--role-arn", ROLE.untrusting], stdin: assertion({ roles: [OFFER.developer, OFFER.untrusting] }) }),
      4,
      /^rolecred: not allowed to assume Untrusting \(arn:aws:iam::111122223333:role\/Untrusting\): Not authorized to perform sts:AssumeRoleWithSAML — /,
      "AccessDenied",
    ],
    [
      "AccessDenied: a Recipient the trust policy's SAML:aud does not allow",
      () => ({ stdin: assertion({ recipient: "https://eu-west-1.signin.aws.amazon.com/saml" }) }),
      4,
      /^rolecred: not allowed to assume Developer \(arn:aws:iam::111122223333:role\/Developer\): Not authorized to perform sts:AssumeRoleWithSAML — /,
      "AccessDenied",
    ],
    [
      "MalformedPolicyDocument: a managed policy outside the role's account",
      () => ({ args: ["--policy-arn", "arn:aws:iam::999999999999:policy/Elsewhere"], stdin: assertion() }),
      3,
      /^rolecred: STS rejected the session policy: Policy arn:aws:iam::999999999999:policy\/Elsewhere does not exist or is not attachable\. — \S/,
      "MalformedPolicyDocument",
    ],
    [
      "PackedPolicyTooLarge: the identity provider's principal tags",
      () => ({ stdin: assertion({ principalTags: packedTags }) }),
      3,
      /^rolecred: the session policy, policy ARNs and tags are too large for STS: Packed policy consumes \d+% of allotted space, please use smaller policy\. — /,
      "PackedPolicyTooLarge",
    ],
    [
      "an unreachable endpoint",
      () => ({ stdin: assertion(), env: { ...env, AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" } }),
      5,
      /^rolecred: cannot reach STS at http:\/\/127.0.0.1:9: connection refused — check --region, AWS_ENDPOINT_URL_STS and your network or proxy$/,
    ],
  ])("%s", async (_name, setup, exitCode, stderr, errorCode) => {
    const { args = [], stdin, env: caseEnv } = setup();
    const before = await credentialsFile();
    const calls = samlCalls().length;
    const result = await rolecred([...args, "--profile", "dev"], stdin, { env: caseEnv });
    expect(result.stderr.trimEnd()).toMatch(stderr);
    expect(result.stderr.trimEnd().split("\n")).toHaveLength(errorCode === "ExpiredTokenException" ? 2 : 1);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe("");
    expect(await credentialsFile()).toBe(before);
    if (errorCode !== undefined)
      expect(
        samlCalls()
          .slice(calls)
          .map((call) => call.errorCode),
      ).toEqual([errorCode]);
  });
});

describe("rolecred saml: bad input gets one line, a non-zero exit, and nothing is written or sent", () => {
  const xmlOf = (options: Partial<IssueOptions> = {}) => Buffer.from(assertion(options), "base64").toString("utf8");
  const laughs = [
    '<?xml version="1.0"?>',
    `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, level) => `<!ENTITY lol${level + 1} "${`&lol${level === 0 ? "" : level};`.repeat(10)}">`).join("")}]>`,
    '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><x>&lol9;</x></samlp:Response>',
  ].join("\n");

  it.each<[string, () => string | Buffer, number, string]>([
    ["empty stdin", () => "", 3, "rolecred: stdin is empty: no SAML response was piped in — e.g. okta-login -u jo | rolecred saml --profile dev"],
    [
      "garbage",
      () => "Login failed: your password has expired!\n",
      3,
      "rolecred: stdin is not a SAML response: it is neither XML nor base64 — pipe in what your identity provider's login helper prints: base64, XML, the HTML form page, or SAMLResponse=... form data",
    ],
    ["2 MiB of random bytes", () => randomBytes(2 * 1024 * 1024), 3, "rolecred: stdin is larger than 1 MiB; that is not what rolecred expects there"],
    [
      "a truncated assertion",
      () => {
        const xml = xmlOf();
        return Buffer.from(xml.slice(0, xml.indexOf("<saml:AttributeStatement>") + 25)).toString("base64");
      },
      3,
      "rolecred: the SAML response is not well-formed XML (cut off?): unclosed xml tag(s): saml2p:Response, saml:Assertion, saml:AttributeStatement",
    ],
    [
      "the billion laughs",
      () => laughs,
      3,
      "rolecred: the SAML response contains a DOCTYPE or entity declarations; rolecred refuses those (no entity is ever expanded)",
    ],
    [
      "an external entity",
      () =>
        xmlOf()
          .replace(/^<\?xml[^>]*>\n/, '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n')
          .replace("alice@example.com", "&xxe;"),
      3,
      "rolecred: the SAML response contains a DOCTYPE or entity declarations; rolecred refuses those (no entity is ever expanded)",
    ],
    [
      "a Response whose Status is not Success",
      () => assertion({ statusCode: "urn:oasis:names:tc:SAML:2.0:status:Responder" }),
      4,
      "rolecred: the identity provider's response is not a success: urn:oasis:names:tc:SAML:2.0:status:Responder — log in again; the identity provider refused or failed the login",
    ],
    [
      "an assertion with no Role attribute",
      () => assertion({ roles: [] }),
      3,
      "rolecred: the assertion grants no AWS roles (it has no https://aws.amazon.com/SAML/Attributes/Role attribute) — is this the AWS app's assertion? its attribute mapping must send Role values",
    ],
    [
      "an expired assertion",
      () =>
        assertion({
          now: new Date(Date.now() - 10 * 60_000),
          issueInstant: new Date(Date.now() - 10 * 60_000),
          notOnOrAfter: new Date(Date.now() - 5 * 60_000),
        }),
      3,
      "rolecred: the SAML assertion expired at \\S+ \\(5m ago\\): log in again",
    ],
    [
      "a RoleSessionName STS would refuse",
      () => assertion({ sessionName: "Alice Smith" }),
      3,
      "rolecred: the assertion's RoleSessionName \"Alice Smith\" is not one STS accepts ([a-zA-Z_0-9+=,.@-]{2,64}) — the identity provider's RoleSessionName mapping must produce 2-64 letters, digits or _+=,.@- (no spaces)",
    ],
  ])("%s", async (_name, stdin, exitCode, stderr) => {
    const before = await credentialsFile();
    const calls = world.sts.calls.length;
    const result = await rolecred(["--profile", "dev"], stdin());
    if (stderr.includes("\\S+")) expect(result.stderr).toMatch(new RegExp(`^${stderr}\\n$`));
    else expect(result.stderr).toBe(`${stderr}\n`);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe("");
    expect(await credentialsFile()).toBe(before);
    expect(world.sts.calls.length).toBe(calls);
  });
});
