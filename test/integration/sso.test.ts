/**
 * IAM Identity Center end to end, with the built CLI: sign-in (PKCE on a loopback redirect, the
 * device code, no browser, denial), the token cache the AWS CLI and SDKs share, silent refresh,
 * sign-out, and SSO profiles as the base of chains whose sessions are read back by the AWS SDK's
 * fromSSO and default chain and by Debian's AWS CLI.
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { makeTempHome, REPO_ROOT, runCli, runProcess, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, ROLES } from "../support/world.js";
import { identityViaAwsCli, identityViaSdk } from "../support/readback.js";
import {
  approvingHttpBrowser,
  chromiumBrowser,
  recordingBrowser,
  ssoEnv,
  SSO_SESSION,
  startIdentityCenterFixture,
  writeSsoConfig,
  type IdentityCenterFixture,
} from "../support/identity-center-fixture.js";

let fixture: IdentityCenterFixture;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

const PROFILES = `[profile sso-admin]
sso_session = ${SSO_SESSION}
sso_account_id = ${ACCOUNT}
sso_role_name = AdministratorAccess
region = us-east-1

[profile sso-ro]
sso_session = ${SSO_SESSION}
sso_account_id = ${ACCOUNT}
sso_role_name = ReadOnly
region = us-east-1

[profile sso-ci]
role_arn = ${ROLES.ci}
source_profile = sso-admin
region = us-east-1

[profile sso-nope]
sso_session = ${SSO_SESSION}
sso_account_id = 222222222222
sso_role_name = AdministratorAccess
region = us-east-1
`;

beforeAll(async () => {
  fixture = await startIdentityCenterFixture();
});
afterAll(async () => {
  await fixture.close();
});
beforeEach(async () => {
  home = await makeTempHome();
  await writeSsoConfig(home, fixture.center, PROFILES);
  env = ssoEnv(home, fixture);
});

const tokenPath = (id: string) => join(home, ".aws", "sso", "cache", `${createHash("sha1").update(id).digest("hex")}.json`);

interface TokenFile {
  startUrl: string;
  region: string;
  accessToken: string;
  expiresAt: string;
  refreshToken?: string;
  clientId?: string;
  clientSecret?: string;
  registrationExpiresAt?: string;
}

async function readToken(id = SSO_SESSION): Promise<TokenFile> {
  return JSON.parse(await readFile(tokenPath(id), "utf8")) as TokenFile;
}

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv } });
  outputs.push(result.stderr, args[0] === "process" || args[0] === "env" ? "" : result.stdout);
  return result;
}

/** Approve the next device authorization that appears, as the person would in the browser. */
async function approveWhenAsked(decision: "allow" | "deny" = "allow"): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [userCode] = fixture.center.pendingUserCodes();
    if (userCode !== undefined) {
      if (decision === "allow") fixture.center.approveDevice(userCode);
      else fixture.center.denyDevice(userCode);
      return userCode;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no device authorization was started");
}

async function login(): Promise<void> {
  const browser = await approvingHttpBrowser(join(home, "browser"));
  const result = await rolecred(["sso", "login", "--session", SSO_SESSION], { BROWSER: browser });
  expect(result.stderr).toContain(`signed in to ${fixture.center.startUrl}`);
  expect(result.exitCode).toBe(0);
}

/** No token, refresh token, client secret or role credential ever reached a terminal. */
function expectNoSecretsIn(token: TokenFile): void {
  const everything = outputs.join("\n");
  for (const secret of [token.accessToken, token.refreshToken, token.clientSecret]) {
    if (secret !== undefined) expect(everything).not.toContain(secret);
  }
}

/** What `read` gives once it stops failing (a file another process is about to write), within 10 s. */
async function eventually<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt >= 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe("rolecred sso login", () => {
  it("signs in with PKCE through the browser's redirect to a loopback listener, caching the token as the AWS CLI does", async () => {
    const browser = await approvingHttpBrowser(join(home, "browser"));
    const result = await rolecred(["sso", "login", "--session", SSO_SESSION], { BROWSER: browser });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`signed in to ${fixture.center.startUrl} (sso-session "corp")`);
    // The browser got exactly one argument, the authorization URL (no shell, nothing else).
    const argv = JSON.parse(await readFile(join(home, "browser", "browser-argv.json"), "utf8")) as string[];
    expect(argv).toHaveLength(1);
    const authorize = new URL(argv[0] ?? "");
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${fixture.center.url}authorize`);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("redirect_uri")).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback$/);
    // The browser is detached: rolecred may exit before it has written the page it was shown.
    expect(await eventually(() => readFile(join(home, "browser", "browser-result.html"), "utf8"))).toContain("Signed in");

    const token = await readToken();
    expect(Object.keys(token).sort()).toEqual([
      "accessToken",
      "clientId",
      "clientSecret",
      "expiresAt",
      "refreshToken",
      "region",
      "registrationExpiresAt",
      "startUrl",
    ]);
    expect(token).toMatchObject({ startUrl: fixture.center.startUrl, region: "us-east-1" });
    expect(token.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(true);
    expect((await stat(tokenPath(SSO_SESSION))).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".aws", "sso", "cache"))).mode & 0o777).toBe(0o700);
    expect(fixture.center.calls.filter((call) => call.operation === "CreateToken").at(-1)).toMatchObject({
      grantType: "authorization_code",
      errorCode: undefined,
    });
    expectNoSecretsIn(token);
  });

  it("signs in with a device code, and without a browser on the machine chooses it by itself", async () => {
    const running = rolecred(["sso", "login", "--session", SSO_SESSION]);
    const userCode = await approveWhenAsked();
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("no browser on this machine");
    expect(result.stderr).toContain(`confirm the code ${userCode}`);
    expect(result.stderr).toContain(`${fixture.center.url}device?user_code=${userCode}`);
    const token = await readToken();
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(true);
    expect(fixture.center.calls.filter((call) => call.operation === "CreateToken").at(-1)).toMatchObject({
      grantType: "urn:ietf:params:oauth:grant-type:device_code",
      errorCode: undefined,
    });
    expectNoSecretsIn(token);
  });

  it("--no-browser only prints the URL; a legacy profile's token is cached under its start URL", async () => {
    await writeFile(
      join(home, ".aws", "config"),
      `[profile legacy]\nsso_start_url = ${fixture.center.startUrl}\nsso_region = us-east-1\nsso_account_id = ${ACCOUNT}\nsso_role_name = ReadOnly\n`,
    );
    const browser = await recordingBrowser(join(home, "browser"));
    const running = rolecred(["sso", "login", "legacy", "--use-device-code", "--no-browser"], { BROWSER: browser });
    await approveWhenAsked();
    const result = await running;
    expect(result.exitCode).toBe(0);
    expect(existsSync(join(home, "browser", "browser-argv.json"))).toBe(false);
    expect((await readToken(fixture.center.startUrl)).startUrl).toBe(fixture.center.startUrl);
    expect(existsSync(tokenPath(SSO_SESSION))).toBe(false);
  });

  it("a sign-in denied in the browser exits 4 and caches nothing", async () => {
    const browser = await approvingHttpBrowser(join(home, "browser"), "deny");
    const result = await rolecred(["sso", "login", "--session", SSO_SESSION], { BROWSER: browser });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^rolecred: the sign-in was not completed in the browser \(access_denied\)/m);
    expect(existsSync(tokenPath(SSO_SESSION))).toBe(false);

    const running = rolecred(["sso", "login", "--session", SSO_SESSION, "--use-device-code"]);
    await approveWhenAsked("deny");
    const denied = await running;
    expect(denied.exitCode).toBe(4);
    expect(denied.stderr).toContain("the sign-in was denied in the browser");
    expect(existsSync(tokenPath(SSO_SESSION))).toBe(false);
  });

  it("names a missing sso-session and its neighbours (exit 3)", async () => {
    const result = await rolecred(["sso", "login", "--session", "nope"]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toBe(`rolecred: there is no [sso-session nope] in ${join(home, ".aws", "config")} — sessions there: corp\n`);
  });
});

describe("rolecred sso login with a real headless Chromium", () => {
  it("PKCE: Chromium loads the approval page, presses Allow and follows the redirect to rolecred's loopback listener", async () => {
    const browser = await chromiumBrowser(join(home, "chromium"));
    const result = await rolecred(["sso", "login", "--session", SSO_SESSION], { BROWSER: browser });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`signed in to ${fixture.center.startUrl}`);
    const token = await readToken();
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(true);
    // The page Chromium ended on is the one rolecred's listener served after the redirect.
    await expect
      .poll(async () => readFile(join(home, "chromium", "chromium-dom.html"), "utf8").catch(() => ""), { timeout: 15_000 })
      .toContain("rolecred has your sign-in");
    const pages = fixture.center.calls.map((call) => call.operation);
    expect(pages).toContain("Authorize");
    expect(pages).toContain("AuthorizeDecision");
    expectNoSecretsIn(token);
  });

  it("device code: Chromium loads the verification page and confirms the code while rolecred polls", async () => {
    const browser = await chromiumBrowser(join(home, "chromium"));
    const result = await rolecred(["sso", "login", "--session", SSO_SESSION, "--use-device-code"], { BROWSER: browser });
    expect(result.exitCode).toBe(0);
    const token = await readToken();
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(true);
    await expect
      .poll(async () => readFile(join(home, "chromium", "chromium-dom.html"), "utf8").catch(() => ""), { timeout: 15_000 })
      .toContain("Request approved");
    expect(fixture.center.calls.map((call) => call.operation)).toContain("DeviceDecision");
    expectNoSecretsIn(token);
  });
});

describe("Identity Center profiles", () => {
  it("resolve through GetRoleCredentials, are cached, and carry a chained AssumeRole on top", async () => {
    await login();
    const direct = await rolecred(["process", "sso-admin"]);
    expect(direct.stderr).toBe("");
    expect(direct.exitCode).toBe(0);
    const credentials = JSON.parse(direct.stdout) as { AccessKeyId: string; SessionToken: string };
    expect(fixture.world.sts.session(credentials.AccessKeyId)?.arn).toBe(
      `arn:aws:sts::${ACCOUNT}:assumed-role/${fixture.center.roleArnOf(ACCOUNT, "AdministratorAccess").split("/").at(-1) ?? ""}/jo`,
    );
    const portalCalls = fixture.center.calls.filter((call) => call.operation === "GetRoleCredentials").length;
    const again = await rolecred(["process", "sso-admin"]);
    expect(JSON.parse(again.stdout)).toEqual(JSON.parse(direct.stdout));
    expect(fixture.center.calls.filter((call) => call.operation === "GetRoleCredentials").length).toBe(portalCalls);

    const chained = await rolecred(["process", "sso-ci", "--verbose"]);
    expect(chained.exitCode).toBe(0);
    expect(chained.stderr).toContain("sso source of sso-admin: Identity Center role AdministratorAccess in 111111111111 (sso-session corp) → AssumeRole");
    const hop = fixture.world.sts.session((JSON.parse(chained.stdout) as { AccessKeyId: string }).AccessKeyId);
    expect(hop?.arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
    expectNoSecretsIn(await readToken());
  });

  it("are described as Identity Center sessions, not as a session of keys, when written to a profile", async () => {
    await login();
    const written = await rolecred(["write", "sso-admin", "--to", "sso-written"]);
    expect(written.exitCode).toBe(0);
    expect(written.stderr).toMatch(/^sso-written: IAM Identity Center session of sso-admin, expires /m);
    expect(written.stderr).not.toContain("'s keys");
  });

  it("are read back by the AWS SDK (fromSSO on the token rolecred cached, and the default chain) and by Debian's AWS CLI", async () => {
    await login();
    const viaFromSso = await runProcess(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { fromSSO } from "@aws-sdk/credential-providers";
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const client = new STSClient({ maxAttempts: 1, credentials: fromSSO({ profile: "sso-ro" }) });
process.stdout.write((await client.send(new GetCallerIdentityCommand({}))).Arn);`,
      ],
      { env: { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" }, cwd: REPO_ROOT },
    );
    expect(viaFromSso.stderr).toBe("");
    expect(viaFromSso.stdout).toMatch(new RegExp(`^arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{16}/jo$`));
    expect((await identityViaSdk(env, "sso-admin")).Arn).toMatch(/assumed-role\/AWSReservedSSO_AdministratorAccess_[0-9a-f]{16}\/jo$/);

    const written = await rolecred(["write", "sso-ci", "--to", "ci-out"]);
    expect(written.exitCode).toBe(0);
    expect((await identityViaAwsCli(env, "ci-out", fixture.world.sts.url)).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
    expect((await identityViaSdk(env, "ci-out")).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
  });

  it("refresh the token silently with the refresh token when it is about to expire", async () => {
    await login();
    const before = await readToken();
    await writeFile(tokenPath(SSO_SESSION), JSON.stringify({ ...before, expiresAt: new Date(Date.now() + 60_000).toISOString().replace(/\.\d+Z$/, "Z") }));
    const result = await rolecred(["process", "sso-ro"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const after = await readToken();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(new Date(after.expiresAt).getTime()).toBeGreaterThan(Date.now() + 3600_000);
    expect(fixture.center.calls.filter((call) => call.operation === "CreateToken").at(-1)).toMatchObject({ grantType: "refresh_token", errorCode: undefined });
    expect((await stat(tokenPath(SSO_SESSION))).mode & 0o777).toBe(0o600);
    outputs.push(result.stdout === "" ? "" : "");
    expectNoSecretsIn(after);
    expectNoSecretsIn(before);
  });

  it("say how to sign in when there is no token (exit 1), and when the sign-in expired (exit 4)", async () => {
    const missing = await rolecred(["process", "sso-admin"]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe('rolecred: not signed in to IAM Identity Center for sso-session "corp" — run `rolecred sso login --session corp`\n');
    await login();
    const token = await readToken();
    await writeFile(tokenPath(SSO_SESSION), JSON.stringify({ ...token, refreshToken: undefined, expiresAt: "2020-01-01T00:00:00Z" }));
    const expired = await rolecred(["process", "sso-admin"]);
    expect(expired.exitCode).toBe(4);
    expect(expired.stderr).toContain('the IAM Identity Center sign-in for sso-session "corp" expired at 2020-01-01T00:00:00.000Z');
  });

  it("are narrowed only through a further AssumeRole: narrowing one that assumes no role is refused, never dropped", async () => {
    await login();
    const refused = await rolecred(["env", "sso-admin", "--scope", "deny-iam"]);
    expect(refused.exitCode).toBe(2);
    expect(refused.stdout).toBe("");
    expect(refused.stderr).toBe(
      'rolecred: profile "sso-admin" assumes no role, so a session policy (--policy, --policy-arn, --scope, rolecred_policy*, rolecred_scopes) cannot apply to its session — narrow a profile with role_arn and source_profile = sso-admin instead\n',
    );
    const narrowed = await rolecred(["process", "sso-ci"], {});
    expect(narrowed.exitCode).toBe(0);
    const scoped = await rolecred(["env", "sso-ci", "--scope", "deny-iam", "--refresh"]);
    expect(scoped.exitCode).toBe(0);
    const keyId = /AWS_ACCESS_KEY_ID='?([A-Z0-9]+)/.exec(scoped.stdout)?.[1] ?? "";
    expect(fixture.world.sts.session(keyId)?.policy).toContain("iam:*");
  });

  it("refuse a role that is not assigned (exit 4)", async () => {
    await login();
    const result = await rolecred(["process", "sso-nope"]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/^rolecred: the IAM Identity Center portal refused role AdministratorAccess in account 222222222222/);
  });
});

describe("rolecred status", () => {
  it("shows the SSO sign-in's time left beside the role sessions, and answers --min for it", async () => {
    await login();
    expect((await rolecred(["process", "sso-admin"])).exitCode).toBe(0);
    const table = await rolecred(["status"]);
    expect(table.exitCode).toBe(0);
    const lines = table.stdout.split("\n");
    expect(lines.find((line) => line.startsWith("sso:corp "))).toMatch(
      new RegExp(`^sso:corp +SSO sign-in +${fixture.center.startUrl} \\(refreshable\\) +(?:\\d{4}-\\d\\d-\\d\\d )?\\d\\d:\\d\\d +(?:7h 59m|8h 0m)$`),
    );
    expect(lines.find((line) => line.startsWith("sso-admin "))).toMatch(/^sso-admin +cache +\(IAM Identity Center role session\) /);
    expect((await rolecred(["status", "sso:corp", "--min", "1h"])).exitCode).toBe(0);
    expect((await rolecred(["status", "sso:corp", "--min", "9h"])).exitCode).toBe(1);
    const json = await rolecred(["status", "--json"]);
    expect(JSON.parse(json.stdout)).toContainEqual(expect.objectContaining({ profile: "sso:corp", where: "SSO sign-in" }));
    expectNoSecretsIn(await readToken());
  });
});

describe("rolecred sso logout", () => {
  it("calls the portal's Logout, deletes the token and the role sessions cached from it", async () => {
    await login();
    const token = await readToken();
    expect((await rolecred(["process", "sso-admin"])).exitCode).toBe(0);
    const result = await rolecred(["sso", "logout", "--session", SSO_SESSION]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`signed out of ${fixture.center.startUrl}`);
    expect(result.stderr).toContain("removed 1 cached Identity Center role session");
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(false);
    expect(existsSync(tokenPath(SSO_SESSION))).toBe(false);
    const after = await rolecred(["process", "sso-admin"]);
    expect(after.exitCode).toBe(1);
    expectNoSecretsIn(token);
  });
});

describe("rolecred sso populate", () => {
  const HAND_WRITTEN = `\r\n; my own profile, keep it exactly\r\n[profile sandbox-team.ReadOnly]\r\nregion = eu-central-1 ; mine\r\n`;

  it("writes a profile per account and role, leaves every hand-written byte alone, and the profiles work", async () => {
    await login();
    const config = join(home, ".aws", "config");
    await writeFile(config, (await readFile(config, "utf8")) + HAND_WRITTEN);
    const original = await readFile(config, "utf8");

    const dryRun = await rolecred(["sso", "populate", "--session", SSO_SESSION, "--dry-run"]);
    expect(dryRun.exitCode).toBe(0);
    expect(await readFile(config, "utf8")).toBe(original);
    expect(dryRun.stdout.split("\n").filter((line) => line !== "")).toEqual(
      [
        "add prod.Billing (Billing in 333333333333 prod)",
        "add prod.ReadOnly (ReadOnly in 333333333333 prod)",
        "skip sandbox-team.ReadOnly (ReadOnly in 111111111111 Sandbox Team): a hand-written profile has that name",
        "add sandbox-team.AdministratorAccess (AdministratorAccess in 111111111111 Sandbox Team)",
        "add shared.ReadOnly (ReadOnly in 222222222222 shared)",
      ].sort((a, b) => a.split(" ")[1]!.localeCompare(b.split(" ")[1]!)),
    );
    expect(dryRun.stderr).toContain("would write");

    const result = await rolecred(["sso", "populate", "--session", SSO_SESSION]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("4 added, 0 updated, 0 removed, 0 unchanged, 1 skipped");
    const written = await readFile(config, "utf8");
    expect(written.startsWith(original)).toBe(true);
    // New lines take the file's first line ending; the hand-written CRLF lines above keep theirs.
    expect(written).toContain(
      "[profile sandbox-team.AdministratorAccess]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\nregion = us-east-1\nrolecred_managed = sso:corp\n",
    );

    const used = await rolecred(["process", "prod.Billing"]);
    expect(used.exitCode).toBe(0);
    expect(fixture.world.sts.session((JSON.parse(used.stdout) as { AccessKeyId: string }).AccessKeyId)?.arn).toMatch(
      /^arn:aws:sts::333333333333:assumed-role\/AWSReservedSSO_Billing_/,
    );
    // `assume` completes profile names from `rolecred profiles --names`: the written profiles are there.
    expect((await rolecred(["profiles", "--names"])).stdout.split("\n")).toEqual(
      expect.arrayContaining(["prod.Billing", "prod.ReadOnly", "sandbox-team.AdministratorAccess", "shared.ReadOnly", "sso-admin"]),
    );

    const again = await rolecred(["sso", "populate", "--session", SSO_SESSION]);
    expect(again.stderr).toContain("0 added, 0 updated, 0 removed, 4 unchanged, 1 skipped");
    expect(await readFile(config, "utf8")).toBe(written);
  });

  it("removes the profiles it wrote once access is gone, and updates their region", async () => {
    const center = await startIdentityCenterFixture();
    try {
      const localEnv = ssoEnv(home, center);
      await writeSsoConfig(home, center.center, "");
      const browser = await approvingHttpBrowser(join(home, "browser"));
      expect((await runCli(["sso", "login", "--session", SSO_SESSION], { env: { ...localEnv, BROWSER: browser } })).exitCode).toBe(0);
      expect((await runCli(["sso", "populate", "--session", SSO_SESSION, "--prefix", "c-"], { env: localEnv })).exitCode).toBe(0);
      center.center.revokeAssignment("333333333333", "Billing");
      const result = await runCli(["sso", "populate", "--session", SSO_SESSION, "--prefix", "c-", "--region", "eu-west-1"], { env: localEnv });
      outputs.push(result.stderr);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain("remove c-prod.Billing");
      expect(result.stderr).toContain("0 added, 4 updated, 1 removed");
      const config = await readFile(join(home, ".aws", "config"), "utf8");
      expect(config).not.toContain("c-prod.Billing");
      expect(config).toContain("[profile c-prod.ReadOnly]\nsso_session = corp\nsso_account_id = 333333333333\nsso_role_name = ReadOnly\nregion = eu-west-1\n");
      expect(config.startsWith("# hand-written: must survive\n[sso-session corp]\n")).toBe(true);
    } finally {
      await center.close();
    }
  });

  it("refuses a config file it cannot parse before asking the portal anything (exit 3)", async () => {
    await login();
    const config = join(home, ".aws", "config");
    await writeFile(config, (await readFile(config, "utf8")) + "this is not ini\n");
    const before = await readFile(config, "utf8");
    const listed = fixture.center.calls.filter((call) => call.operation === "ListAccounts").length;
    const result = await rolecred(["sso", "populate", "--session", SSO_SESSION]);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/^rolecred: cannot parse .*config, line \d+: not a \[section\]/);
    expect(await readFile(config, "utf8")).toBe(before);
    expect(fixture.center.calls.filter((call) => call.operation === "ListAccounts").length).toBe(listed);
  });
});
