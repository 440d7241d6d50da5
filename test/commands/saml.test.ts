/**
 * `rolecred saml` in-process: runSaml with fake deps (the assertion on a fake stdin, a temporary
 * HOME, a fake clock) and the in-memory STS. The assertion is genuinely signed by the tests'
 * identity provider (test/support/saml-idp.ts); the fake STS accepts exactly the base64 rolecred
 * sends. The wire and the signature check by STS stay covered by test/integration/saml.test.ts.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runSaml, type SamlOptions } from "../../src/commands/saml.js";
import { fakeDeps, runInProcess } from "../support/fake-deps.js";
import { FakeSts } from "../support/fake-sts.js";
import { createTestIdp, issueSamlResponseBase64 } from "../support/saml-idp.js";

const ACCOUNT = "111122223333";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:saml-provider/TestIdP`;
const DEVELOPER = `arn:aws:iam::${ACCOUNT}:role/Developer`;
const UNTRUSTING = `arn:aws:iam::${ACCOUNT}:role/Untrusting`;
const NOW = new Date("2026-11-24T12:00:00Z");
const idp = createTestIdp("https://idp.rolecred.test/saml");

let home: string;
let sts: FakeSts;
let assertion: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-unit-saml-"));
  await mkdir(join(home, ".aws"), { mode: 0o700 });
  await writeFile(join(home, ".aws", "credentials"), "# mine\n[keep]\nregion = eu-west-1\n", { mode: 0o600 });
  sts = new FakeSts({
    now: () => NOW,
    roles: [
      { arn: DEVELOPER, trusts: [], samlProviders: [PROVIDER], maxSessionSeconds: 4 * 3600 },
      { arn: UNTRUSTING, trusts: [] },
    ],
  });
  assertion = issueSamlResponseBase64(idp, {
    now: NOW,
    roles: [
      { roleArn: DEVELOPER, providerArn: PROVIDER },
      { roleArn: UNTRUSTING, providerArn: PROVIDER },
    ],
    sessionName: "jo@example.com",
    sessionDuration: 7200,
  });
  sts.acceptSamlAssertion(assertion, { subject: "jo@example.com", issuer: idp.issuer, notOnOrAfter: new Date(NOW.getTime() + 5 * 60_000) });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

function options(roleArn: string, profile = "dev"): SamlOptions {
  return {
    mode: { kind: "assume", delivery: { to: "profile", profile, json: false, force: false } },
    selector: { roleArn },
    idpCertFiles: [],
    session: { durationSeconds: undefined, region: undefined, policy: undefined, policyArns: [], scopes: [] },
  };
}

const credentialsFile = () => readFile(join(home, ".aws", "credentials"), "utf8");

describe("runSaml", () => {
  it("redeems the assertion for the chosen role for its SessionDuration and writes the profile", async () => {
    const fake = fakeDeps({ home, now: NOW, sts, stdin: assertion });
    const result = await runInProcess(fake, (deps) => runSaml(options(DEVELOPER), deps));
    expect(result.stderr).toBe("dev: assumed Developer in 111122223333 as jo@example.com, expires 14:00 (in 2h 0m)\n");
    expect(result.exitCode).toBe(0);
    expect(sts.calls).toEqual([expect.objectContaining({ operation: "AssumeRoleWithSAML", roleArn: DEVELOPER, durationSeconds: 7200 })]);
    const written = await credentialsFile();
    expect(written).toMatch(/^# mine\n\[keep\]\nregion = eu-west-1\n\n\[dev\]\naws_access_key_id = ASIAFAKE/);
  });

  it("a role whose trust policy does not name the provider: exit 4 with STS's reason, nothing written", async () => {
    const fake = fakeDeps({ home, now: NOW, sts, stdin: assertion });
    const result = await runInProcess(fake, (deps) => runSaml(options(UNTRUSTING), deps));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^rolecred: not allowed to assume Untrusting \(arn:aws:iam::111122223333:role\/Untrusting\): Not authorized to perform sts:AssumeRoleWithSAML — the role's trust policy must trust this SAML provider/,
    );
    expect(result.stderr.split("\n")).toHaveLength(2);
    expect(await credentialsFile()).toBe("# mine\n[keep]\nregion = eu-west-1\n");
  });

  it("an assertion STS finds too old: exit 4 saying to log in again; the assertion itself never printed", async () => {
    sts.acceptSamlAssertion(assertion, { subject: "jo@example.com", issuer: idp.issuer, notOnOrAfter: new Date(NOW.getTime() - 1000) });
    const fake = fakeDeps({ home, now: NOW, sts, stdin: assertion });
    const result = await runInProcess(fake, (deps) => runSaml(options(DEVELOPER), deps));
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      "rolecred: STS refused the SAML assertion as too old: Token must be redeemed within 5 minutes of issuance — assertions must be redeemed within 5 minutes of issuance: log in again and pipe the new one straight in\n",
    );
    expect(result.stderr).not.toContain(assertion.slice(0, 40));
  });

  it("--list shows the roles on stdout and calls STS not at all", async () => {
    const fake = fakeDeps({ home, now: NOW, sts, stdin: assertion });
    const result = await runInProcess(fake, (deps) => runSaml({ ...options(DEVELOPER), mode: { kind: "list", json: true }, selector: {} }, deps));
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout) as { roles: Array<{ roleArn: string }> };
    expect(listed.roles.map((role) => role.roleArn)).toEqual([DEVELOPER, UNTRUSTING]);
    expect(sts.calls).toEqual([]);
  });
});
