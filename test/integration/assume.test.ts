/**
 * `assume`, the interactive switch: a picker on a real terminal when no profile is named, one line
 * on stderr saying what the shell now is, variables for shell prompts that never outrank the
 * exported keys (proven with the real AWS CLI and SDK), `-c` for the console, and the opt-in
 * auto-renew hook in real bash, zsh and fish.
 */
import { chmod, mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLocalFederation, type LocalFederation } from "../support/federation-server.js";
import { DEBIAN_AWS_CLI } from "../support/readback.js";
import { runInPty } from "../support/pty.js";
import { REPO_ROOT, ROLECRED_BIN, runCli, runProcess, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

const CONFIG = `
[rolecred]
account_aliases =
  111111111111 = acme-dev

[profile dev]
role_arn = ${ROLES.developer}
source_profile = jo
region = eu-west-1

[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
region = eu-central-1

[profile ci-short]
role_arn = ${ROLES.ci}
source_profile = jo-script
`;

let world: World;
let shortWorld: World;
let federation: LocalFederation;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld();
  // Role sessions of 290 s: already inside the 5-minute renewal window when issued.
  shortWorld = await startWorld({ roleSessionLifetimeSeconds: 290 });
  federation = await startLocalFederation(world.sts);
});
afterAll(async () => {
  await federation.close();
  await world.close();
  await shortWorld.close();
});
beforeEach(async () => {
  // [default] holds jo's long-term keys: exported session keys must still win over it.
  const extraCredentials = `\n[default]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`;
  ({ home, env } = await makeJoHome(world, { config: CONFIG, extraCredentials, rolecredOnPath: true, env: { ROLECRED_FEDERATION_URL: federation.url } }));
});

const rolecred = (args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> => runCli(args, { env: { ...env, ...extra } });
const shell = (path: string, args: readonly string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  runProcess(path, args, { env: { ...env, ...extra }, cwd: home, timeoutMs: 60_000 });

describe("rolecred assume", () => {
  it("says in one line what the shell now is, on the full path and from the cache", async () => {
    const first = await rolecred(["assume", "ci", "--shell", "bash"], { AWS_REGION: "" });
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toMatch(/^ci: Ci in 111111111111 \(acme-dev\), eu-central-1, expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in 1h 0m\)\n$/);
    const cached = await rolecred(["assume", "ci", "--shell", "bash"], { AWS_REGION: "" });
    expect(cached.stderr).toMatch(/^ci: Ci in 111111111111 \(acme-dev\), eu-central-1, expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in (1h 0m|59m)\)\n$/);
    expect(cached.stdout).toBe(first.stdout);
    // `env` is for scripts: the same exports, nothing on stderr.
    expect((await rolecred(["env", "ci", "--shell", "bash"])).stderr).toBe("");
  });

  it("a recent-profiles file that is a FIFO or a symlink neither hangs assume nor is written through", async () => {
    const cache = join(home, "cache");
    await mkdir(cache, { recursive: true, mode: 0o700 });
    const fifo = await runProcess("/usr/bin/mkfifo", [join(cache, "recent-profiles")], { env, cwd: home });
    expect(fifo.exitCode).toBe(0);
    const throughFifo = await rolecred(["assume", "ci", "--shell", "bash"], { ROLECRED_CACHE_DIR: cache });
    expect(throughFifo.exitCode).toBe(0);
    expect(throughFifo.stdout).toContain("AWS_ACCESS_KEY_ID=");

    const elsewhere = join(home, "not-the-recent-file");
    await writeFile(elsewhere, "keep\n");
    const linked = join(home, "cache2");
    await mkdir(linked, { mode: 0o700 });
    await symlink(elsewhere, join(linked, "recent-profiles"));
    const throughLink = await rolecred(["assume", "ci", "--shell", "bash"], { ROLECRED_CACHE_DIR: linked });
    expect(throughLink.exitCode).toBe(0);
    expect(await readFile(elsewhere, "utf8")).toBe("keep\n");
  });

  it("exports what prompts read, and the keys still win over [default] in the AWS CLI and the SDK", async () => {
    const probe = [
      'eval "$(rolecred shell-init bash)"',
      "assume ci 2>/dev/null",
      'echo "prompt:${AWSUME_PROFILE}:${AWS_SESSION_EXPIRATION}:${ROLECRED_EXPIRES_AT}:${AWS_PROFILE-unset}"',
      `${DEBIAN_AWS_CLI} sts get-caller-identity --endpoint-url "$AWS_ENDPOINT_URL_STS" --query Arn --output text`,
      `cd '${REPO_ROOT}' && node --input-type=module -e 'import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts"; console.log((await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn)'`,
    ].join("\n");
    const result = await shell("/bin/bash", ["--norc", "-c", probe], { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" });
    const [prompt, cliArn, sdkArn] = result.stdout.trim().split("\n");
    const [, profile, expiration, epoch, awsProfile] = /^prompt:([^:]*):(.*Z):(\d+):(.*)$/.exec(prompt ?? "") ?? [];
    expect(profile).toBe("ci");
    expect(Math.floor(new Date(expiration ?? "").getTime() / 1000)).toBe(Number(epoch));
    expect(awsProfile).toBe("unset");
    expect(cliArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
    expect(sdkArn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`);
  });

  it("with no profile and no terminal, names the profile argument (exit 2)", async () => {
    const result = await rolecred(["assume", "--shell", "bash"]);
    expect(result.stderr).toBe("rolecred: name the profile: assume PROFILE — the picker needs a terminal, and there is none\n");
    expect(result.exitCode).toBe(2);
  });

  it("picks on the terminal: recently used first, fuzzy multi-word filter, exports on stdout", async () => {
    await rolecred(["assume", "ci", "--shell", "bash"]);
    const out = join(home, "exports");
    const terminal = runInPty("/bin/sh", ["-c", `'${process.execPath}' '${ROLECRED_BIN}' assume --shell bash > '${out}'`], {
      env,
      cwd: REPO_ROOT,
      cols: 120,
      rows: 20,
    });
    await terminal.waitFor("Profile to assume");
    // ci was used last, so it is listed first, with its role, account alias and time left.
    await terminal.waitFor(/ci\s+Ci\s+111111111111 \(acme-dev\)\s+eu-central-1\s+(1h 0m|59m) left/);
    terminal.type("ci shrt");
    await terminal.waitFor(/❯ ci-short/);
    terminal.type("\r");
    const { exitCode } = await terminal.exited;
    expect(exitCode).toBe(0);
    expect(terminal.screen()).toMatch(/ci-short: Ci in 111111111111 \(acme-dev\), us-east-1, expires/);
    const exported = await runProcess("/bin/bash", ["--norc", "-c", `. '${out}'; echo "$ROLECRED_PROFILE"`], { env });
    expect(exported.stdout.trim()).toBe("ci-short");
  });

  it("-c opens the console with the profile's session instead of exporting it", async () => {
    const browser = join(home, "browser");
    await writeFile(
      browser,
      `#!/bin/sh\nexec node -e 'fetch(process.argv[1]).then(r => r.text()).then(t => require("fs").writeFileSync(process.argv[2], t))' "$1" '${join(home, "page.html")}'\n`,
    );
    await chmod(browser, 0o755);
    const result = await rolecred(["assume", "-c", "ci", "-r", "eu-west-1"], { BROWSER: browser });
    expect(result.stderr).toBe(`ci (Ci in ${ACCOUNT}): opened the console in your browser\n`);
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(0);
    let page = "";
    for (let attempt = 0; attempt < 100 && !page.includes("</html>"); attempt++) {
      page = await readFile(join(home, "page.html"), "utf8").catch(() => "");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(page).toContain('id="who">Ci<');
    expect(page).toContain("https://console.aws.amazon.com/console/home?region=eu-west-1");
  });
});

describe("assume --help through the shell function", () => {
  // The function evaluates what `rolecred assume` prints; help on stdout would be run as code.
  it.each([
    ["bash", "/bin/bash", ["--norc", "-c"], 'eval "$(rolecred shell-init bash)"', "$?"],
    ["zsh", "/usr/bin/zsh", ["-f", "-c"], 'eval "$(rolecred shell-init zsh)"', "$?"],
    ["fish", "/usr/bin/fish", ["--no-config", "-c"], "rolecred shell-init fish | source", "$status"],
  ] as const)("%s: shows the help and runs none of it", async (_name, path, flags, init, status) => {
    const result = await shell(path, [...flags, `${init}; assume --help; echo "status ${status}"`]);
    expect(result.stderr).toMatch(/^Usage: rolecred assume \[options\] \[profile\]\n/);
    expect(result.stderr).not.toMatch(/not found|unknown command|syntax error/i);
    expect(result.stdout).toBe("status 0\n");
  });
});

describe("the opt-in auto-renew hook", () => {
  const shortEnv = (): Record<string, string> => ({ AWS_ENDPOINT_URL_STS: shortWorld.sts.url });

  it.each([
    ["bash", "/bin/bash", ["--norc", "-c"], "_rolecred_auto_renew"],
    ["zsh", "/usr/bin/zsh", ["-f", "-c"], "_rolecred_auto_renew"],
  ] as const)("%s: renews a session near its end from the cache, between commands", async (name, path, flags, hook) => {
    const script = `eval "$(rolecred shell-init ${name} --auto-renew)"; assume ci-short 2>/dev/null; before=$AWS_ACCESS_KEY_ID; ${hook}; echo "$before $AWS_ACCESS_KEY_ID $ROLECRED_PROFILE"`;
    const result = await shell(path, [...flags, script], shortEnv());
    const [before, after, profile] = result.stdout.trim().split(" ");
    expect(before).toMatch(/^ASIA/);
    expect(after).toMatch(/^ASIA/);
    expect(after).not.toBe(before);
    expect(profile).toBe("ci-short");
    expect(result.stderr).toBe("");
  });

  it("fish: renews on the prompt event", async () => {
    const script =
      "rolecred shell-init fish --auto-renew | source; assume ci-short 2>/dev/null; set before $AWS_ACCESS_KEY_ID; emit fish_prompt; echo $before $AWS_ACCESS_KEY_ID";
    const result = await shell("/usr/bin/fish", ["--no-config", "-c", script], shortEnv());
    const [before, after] = result.stdout.trim().split(" ");
    expect(before).toMatch(/^ASIA/);
    expect(after).not.toBe(before);
  });

  // ROLECRED_EXPIRES_AT comes from the environment, which an outer tool (direnv, a CI job, a
  // parent shell) may have set: in bash, $(( VAR )) evaluates a value such as `a[$(cmd)]` as code.
  it.each([
    ["bash", "/bin/bash", ["--norc", "-c"], 'eval "$(rolecred shell-init bash --auto-renew)"', "_rolecred_auto_renew"],
    ["zsh", "/usr/bin/zsh", ["-f", "-c"], 'eval "$(rolecred shell-init zsh --auto-renew)"', "_rolecred_auto_renew"],
    ["fish", "/usr/bin/fish", ["--no-config", "-c"], "rolecred shell-init fish --auto-renew | source", "emit fish_prompt"],
  ] as const)("%s: a hostile ROLECRED_EXPIRES_AT is not run as code and the hook stays quiet", async (_name, path, flags, init, hook) => {
    const marker = join(home, "pwned");
    const script = `${init}; ${hook}; echo done`;
    const result = await shell(path, [...flags, script], { ROLECRED_PROFILE: "dev", ROLECRED_EXPIRES_AT: `a[$(touch ${marker})]` });
    expect(result.stdout).toBe("done\n");
    expect(result.stderr).toBe("");
    await expect(readFile(marker)).rejects.toThrow(/ENOENT/);
  });

  // ROLECRED_PROFILE comes from the environment too: `assume --shell bash --help` exits 0 with the
  // help text on stdout, which the hook would then evaluate line by line as shell code.
  it.each([
    ["bash", "/bin/bash", ["--norc", "-c"], 'eval "$(rolecred shell-init bash --auto-renew)"', "_rolecred_auto_renew"],
    ["zsh", "/usr/bin/zsh", ["-f", "-c"], 'eval "$(rolecred shell-init zsh --auto-renew)"', "_rolecred_auto_renew"],
    ["fish", "/usr/bin/fish", ["--no-config", "-c"], "rolecred shell-init fish --auto-renew | source", "emit fish_prompt"],
  ] as const)("%s: a ROLECRED_PROFILE that reads as a flag is not passed to assume", async (_name, path, flags, init, hook) => {
    const script = `${init}; ${hook}; echo done`;
    const result = await shell(path, [...flags, script], { ROLECRED_PROFILE: "--help", ROLECRED_EXPIRES_AT: String(Math.floor(Date.now() / 1000)) });
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("done\n");
  });

  it("never prompts: a session that needs an MFA code is left alone, and the user is told once", async () => {
    const script = [
      'eval "$(rolecred shell-init bash --auto-renew)"',
      `assume dev --mfa-token ${world.nextMfaCode()} 2>/dev/null`,
      "before=$AWS_ACCESS_KEY_ID",
      // As if the session ended in a minute and rolecred held no fresh copy: renewing needs a code.
      "ROLECRED_EXPIRES_AT=$(( $(date +%s) + 60 ))",
      "rolecred logout dev >/dev/null 2>&1",
      "_rolecred_auto_renew; _rolecred_auto_renew",
      'echo "$before $AWS_ACCESS_KEY_ID"',
    ].join("\n");
    const result = await shell("/bin/bash", ["--norc", "-c", script]);
    const [before, after] = result.stdout.trim().split(" ");
    expect(after).toBe(before);
    expect(result.stderr).toBe("rolecred: dev's session ends within 5 minutes and cannot renew without you: run assume dev\n");
  });
});
