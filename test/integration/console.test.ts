/**
 * `rolecred console`: a session → the federation endpoint → a console page, opened by a real
 * headless Chromium (Debian's chromium) through $BROWSER, against the local STS and the strict
 * local federation endpoint (test/support/federation-server.ts).
 */
import { mkdtemp, readFile, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalFederation, type LocalFederation } from "../support/federation-server.js";
import { runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

const CHROMIUM = "/usr/bin/chromium";

let world: World;
let federation: LocalFederation;
let home: string;
let env: Record<string, string>;

const CONFIG = `
[profile dev]
role_arn = ${ROLES.developer}
source_profile = jo
duration_seconds = 28800
region = eu-west-1

[profile prod-ro]
role_arn = ${ROLES.prodReadOnly}
source_profile = dev

[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
`;

beforeAll(async () => {
  world = await startWorld();
  federation = await startLocalFederation(world.sts);
});
afterAll(async () => {
  await federation.close();
  await world.close();
});
beforeEach(async () => {
  const extraCredentials = `\n[jo-keys]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`;
  ({ home, env } = await makeJoHome(world, { config: CONFIG, extraCredentials, env: { ROLECRED_FEDERATION_URL: federation.url } }));
});

/** A $BROWSER that records its argv and has headless Chromium render what it was given. */
async function chromiumBrowser(): Promise<{ command: string; page: () => Promise<string>; argv: () => Promise<string> }> {
  const dir = await mkdtemp(join(tmpdir(), "rolecred-browser-"));
  const script = join(dir, "browser");
  await writeFile(
    script,
    [
      "#!/bin/sh",
      `printf '%s\\n' "$@" > '${dir}/argv'`,
      `'${CHROMIUM}' --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir='${dir}/profile' --dump-dom "$1" > '${dir}/page.tmp' 2>/dev/null`,
      `mv '${dir}/page.tmp' '${dir}/page.html'`,
    ].join("\n"),
  );
  await chmod(script, 0o755);
  const waitFor = async (name: string): Promise<string> => {
    for (let attempt = 0; attempt < 300; attempt++) {
      const text = await readFile(join(dir, name), "utf8").catch(() => undefined);
      if (text !== undefined) return text;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the browser wrote no ${name}`);
  };
  return { command: script, page: () => waitFor("page.html"), argv: () => waitFor("argv") };
}

const rolecred = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, { env: { ...env, ...extra }, timeoutMs: 60_000 });
const textOf = (page: string, id: string): string | undefined => new RegExp(`id="${id}">([^<]*)<`).exec(page)?.[1];

describe("rolecred console", () => {
  it("opens the console for a role profile in a real browser, with the token never in any argv", async () => {
    const browser = await chromiumBrowser();
    // No AWS_REGION: the profile's region is the console's.
    const result = await rolecred(["console", "dev", "--service", "s3", "--duration", "8h", "--mfa-token", world.nextMfaCode()], {
      BROWSER: browser.command,
      AWS_REGION: "",
    });
    expect(result.stderr).toBe(`dev (Developer in ${ACCOUNT}): opened the console in your browser\n`);
    expect(result.exitCode).toBe(0);
    const page = await browser.page();
    expect(textOf(page, "who")).toBe("Developer");
    expect(textOf(page, "account")).toBe(ACCOUNT);
    expect(textOf(page, "arn")).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`);
    expect(textOf(page, "duration")).toBe("28800");
    expect(textOf(page, "destination")).toBe("https://console.aws.amazon.com/s3/home?region=eu-west-1");
    expect(textOf(page, "issuer")).toBe("rolecred");
    // The browser was handed a one-time loopback address, not the sign-in URL with its token.
    expect((await browser.argv()).trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
  });

  it("turns an IAM user's keys into a federated session with GetFederationToken, narrowed by --scope", async () => {
    const result = await rolecred(["console", "jo-keys", "--print", "--scope", "read-only", "--scope", "deny-iam"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(
      "note: jo-keys is an IAM user's keys; the console needs a federated session, so rolecred asks GetFederationToken for one narrowed by your session policy; it carries no MFA\n",
    );
    const call = world.sts.calls.filter((entry) => entry.action === "GetFederationToken").at(-1);
    expect(call?.params.Name).toBe("jo");
    expect(call?.params["PolicyArns.member.1.arn"]).toBe("arn:aws:iam::aws:policy/ReadOnlyAccess");
    expect(call?.params.Policy).toContain('"Sid":"ScopeDenyIam","Effect":"Deny"');
    const login = await fetch(result.stdout.trim());
    const page = await login.text();
    expect(textOf(page, "arn")).toBe(`arn:aws:sts::${ACCOUNT}:federated-user/jo`);
    expect(federation.requests.at(-2)).toEqual({ action: "getSigninToken", status: 200 });
  });

  it("signs in with a profile rolecred wrote (saml2aws console's job), from its keys alone", async () => {
    const written = await rolecred(["write", "ci", "--to", "ci-written"]);
    expect(written.exitCode).toBe(0);
    const before = world.sts.calls.length;
    const result = await rolecred(["console", "ci-written", "--print"]);
    expect(result.stderr).toBe(`ci-written (Ci in ${ACCOUNT}): console sign-in link, good for 15 minutes; it is a secret until then\n`);
    expect(result.exitCode).toBe(0);
    const page = await (await fetch(result.stdout.trim())).text();
    expect(textOf(page, "arn")).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
    // The written session was used as it is: no STS call made a new one.
    expect(world.sts.calls.length).toBe(before);
  });

  it("refuses a console session over an hour for a chained role before any STS call", async () => {
    const before = world.sts.calls.length;
    const result = await rolecred(["console", "prod-ro", "--duration", "2h", "--print"]);
    expect(result.stderr).toBe(
      "rolecred: prod-ro is a role reached by role chaining: its console session can last at most 1h, not 7200s — ask for --duration 1h or less\n",
    );
    expect(result.exitCode).toBe(2);
    expect(world.sts.calls.length).toBe(before);
  });

  it("uses the session `assume` exported, and says plainly when the endpoint refuses a GetSessionToken session", async () => {
    const exported = await rolecred(["process", "ci"]);
    const role = JSON.parse(exported.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const sessionEnv = {
      AWS_ACCESS_KEY_ID: role.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: role.SecretAccessKey,
      AWS_SESSION_TOKEN: role.SessionToken,
      ROLECRED_PROFILE: "ci",
    };
    const printed = await rolecred(["console", "--print", "--service", "/ec2/home#Instances"], sessionEnv);
    expect(printed.exitCode).toBe(0);
    const page = await (await fetch(printed.stdout.trim())).text();
    expect(textOf(page, "who")).toBe("Ci");
    expect(textOf(page, "destination")).toBe("https://console.aws.amazon.com/ec2/home#Instances");
    expect(printed.stderr).toBe("ci: console sign-in link, good for 15 minutes; it is a secret until then\n");

    const keysOnly = JSON.parse((await rolecred(["process", "jo-script"])).stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
    const refused = await rolecred(["console", "--print"], {
      AWS_ACCESS_KEY_ID: keysOnly.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: keysOnly.SecretAccessKey,
      AWS_SESSION_TOKEN: keysOnly.SessionToken,
    });
    expect(refused.stderr).toBe(
      "rolecred: the federation endpoint refused the session (HTTP 400): Credentials from GetSessionToken cannot be used to sign in to the console — console sign-in takes role or federated-user sessions, not GetSessionToken ones; a chained role allows at most --duration 1h\n",
    );
    expect(refused.exitCode).toBe(4);
    expect(refused.stdout).toBe("");
  });

  it("refuses a destination off the console and a missing opener, in one line each", async () => {
    const offsite = await rolecred(["console", "ci", "--service", "https://example.com/steal"], { BROWSER: join(home, "no-such-browser") });
    expect(offsite.stderr).toBe(
      'rolecred: --service "https://example.com/steal" is neither a service name (s3, ec2), a console path (/s3/home) nor a console.aws.amazon.com URL\n',
    );
    expect(offsite.exitCode).toBe(2);
    const noOpener = await rolecred(["console", "ci"], { BROWSER: join(home, "no-such-browser") });
    expect(noOpener.stderr).toBe(
      `rolecred: cannot start the browser opener ${join(home, "no-such-browser")}: ENOENT — set BROWSER to your browser's command, or use --print\n`,
    );
    expect(noOpener.exitCode).toBe(127);
    // No BROWSER and no graphical session (SSH, a container): said before any call, not after a timeout.
    const noBrowser = await rolecred(["console", "ci"], { BROWSER: "", DISPLAY: "", WAYLAND_DISPLAY: "" });
    expect(noBrowser.stderr).toBe(
      "rolecred: no browser on this machine (no BROWSER, no graphical session) — run again with --print and open the URL yourself\n",
    );
    expect(noBrowser.exitCode).toBe(2);
    // A quoted path with a space in a colon-separated list: the first entry is the command.
    const listed = await rolecred(["console", "ci"], { BROWSER: `"${join(home, "no such browser")}" --new-tab:firefox` });
    expect(listed.stderr).toBe(
      `rolecred: cannot start the browser opener ${join(home, "no such browser")}: ENOENT — set BROWSER to your browser's command, or use --print\n`,
    );
  });

  it("knows the other partitions' endpoints and console hosts", async () => {
    const result = await rolecred(["console", "ci", "--print", "--region", "cn-north-1"], { ROLECRED_FEDERATION_URL: "" });
    // No network here: the China sign-in endpoint cannot be reached, and the message names it.
    expect(result.stderr).toMatch(/^rolecred: cannot reach the federation endpoint https:\/\/signin\.amazonaws\.cn\/federation/);
    expect(result.exitCode).toBe(5);
  });
});
