/**
 * What the Identity Center tests share: the local STS endpoint and Identity Center, a HOME whose
 * ~/.aws/config has an [sso-session], the environment pointing the SDK at both endpoints, and
 * "browsers" for BROWSER: a small HTTP client that presses Allow on the approval pages, and a real
 * headless Chromium (Debian's `chromium`) that loads them and presses it itself.
 */
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  startLocalIdentityCenter,
  type IdentityCenterAssignment,
  type LocalIdentityCenter,
  type LocalIdentityCenterOptions,
} from "./identity-center-server.js";
import { cliEnv } from "./run-cli.js";
import { ACCOUNT, PROD_ACCOUNT, startWorld, type World } from "./world.js";

export const SSO_SESSION = "corp";

export const ASSIGNMENTS: readonly IdentityCenterAssignment[] = [
  { accountId: ACCOUNT, accountName: "Sandbox Team", roles: ["AdministratorAccess", "ReadOnly"] },
  { accountId: "222222222222", accountName: "shared", roles: ["ReadOnly"] },
  { accountId: PROD_ACCOUNT, accountName: "prod", roles: ["ReadOnly", "Billing"] },
];

export interface IdentityCenterFixture {
  readonly world: World;
  readonly center: LocalIdentityCenter;
  close(): Promise<void>;
}

export async function startIdentityCenterFixture(options: Partial<Omit<LocalIdentityCenterOptions, "sts">> = {}): Promise<IdentityCenterFixture> {
  const world = await startWorld();
  const center = await startLocalIdentityCenter({ sts: world.sts, assignments: ASSIGNMENTS, ...options });
  return {
    world,
    center,
    close: async () => {
      await center.close();
      await world.close();
    },
  };
}

/** ~/.aws/config with [sso-session corp] and whatever profiles the test adds. */
export async function writeSsoConfig(home: string, center: LocalIdentityCenter, profiles = ""): Promise<void> {
  await mkdir(join(home, ".aws"), { recursive: true, mode: 0o700 });
  await writeFile(
    join(home, ".aws", "config"),
    [
      "# hand-written: must survive",
      `[sso-session ${SSO_SESSION}]`,
      `sso_start_url = ${center.startUrl}`,
      `sso_region = ${center.region}`,
      "sso_registration_scopes = sso:account:access",
      "",
      profiles,
    ].join("\n"),
  );
}

/** The CLI's environment: the SDK sent to the local OIDC, portal and STS endpoints; no display. */
export function ssoEnv(home: string, fixture: IdentityCenterFixture, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return cliEnv(home, {
    AWS_ENDPOINT_URL_SSO_OIDC: fixture.center.url,
    AWS_ENDPOINT_URL_SSO: fixture.center.url,
    AWS_ENDPOINT_URL_STS: fixture.world.sts.url,
    ...extra,
  });
}

/**
 * A BROWSER that approves like a person with a plain HTTP client: it loads the page it is given,
 * submits the form with its Allow button, and follows the redirect (to rolecred's loopback
 * listener, for PKCE). Its argv is recorded in `<dir>/browser-argv.json`.
 */
export async function approvingHttpBrowser(dir: string, decision: "allow" | "deny" = "allow"): Promise<string> {
  await mkdir(dir, { recursive: true });
  const script = join(dir, "approve-browser.mjs");
  await writeFile(
    script,
    `#!${process.execPath}
import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(join(dir, "browser-argv.json"))}, JSON.stringify(process.argv.slice(2)));
const url = new URL(process.argv[2]);
const page = await (await fetch(url)).text();
const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
const fields = new URLSearchParams();
for (const match of page.matchAll(/<input (?:type="hidden" )?name="([^"]+)" value="([^"]*)"/g)) fields.set(match[1], match[2]);
fields.set("decision", ${JSON.stringify(decision)});
const answer = await fetch(new URL(action, url), { method: "POST", body: fields, redirect: "follow" });
writeFileSync(${JSON.stringify(join(dir, "browser-result.html"))}, await answer.text());
`,
  );
  await chmod(script, 0o755);
  return script;
}

/** A BROWSER that only records that it was started (and with what): for --no-browser. */
export async function recordingBrowser(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const script = join(dir, "record-browser.mjs");
  await writeFile(
    script,
    `#!${process.execPath}\nimport { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(join(dir, "browser-argv.json"))}, JSON.stringify(process.argv.slice(2)));\n`,
  );
  await chmod(script, 0o755);
  return script;
}

/** Debian's Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/**
 * A BROWSER that runs a real headless Chromium on the URL, with everything that would reach the
 * network turned off. The approval page presses its own Allow button once loaded when the URL
 * carries the test-only flag `rolecred_test_approve=1`; Chromium then follows the form post and
 * the redirect chain (to rolecred's loopback listener, for PKCE). The DOM it ends on is saved in
 * `<dir>/chromium-dom.html`.
 */
export async function chromiumBrowser(dir: string): Promise<string> {
  await mkdir(join(dir, "chromium-profile"), { recursive: true });
  const script = join(dir, "chromium-browser.sh");
  await writeFile(
    script,
    `#!/bin/sh
exec ${CHROMIUM} --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \\
  --disable-component-update --disable-sync --disable-default-apps --disable-extensions --no-pings \\
  --user-data-dir=${JSON.stringify(join(dir, "chromium-profile"))} --virtual-time-budget=15000 \\
  --dump-dom "$1&rolecred_test_approve=1" >${JSON.stringify(join(dir, "chromium-dom.html"))} 2>${JSON.stringify(join(dir, "chromium.log"))}
`,
  );
  await chmod(script, 0o755);
  return script;
}
