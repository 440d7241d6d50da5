/**
 * Role switching from ~/.aws/config profiles, end to end: chains against the local STS endpoint
 * (which enforces trust, MFA and the chaining limit), the session cache and its MFA session,
 * exports evaluated by real shells, exec, credential_process read by the AWS SDK and the AWS CLI.
 */
import { execFile } from "node:child_process";
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runCli, runProcess, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, PROD_ACCOUNT, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";
import { identityViaAwsCli, identityViaSdk } from "../support/readback.js";
import { runInPty } from "../support/pty.js";

const run = promisify(execFile);

let world: World;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

const CONFIG = `
[profile dev]
role_arn = ${ROLES.developer}
source_profile = jo
duration_seconds = 28800

[profile prod-ro]
role_arn = ${ROLES.prodReadOnly}
source_profile = dev
duration_seconds = 14400

[profile audit]
role_arn = ${ROLES.prodAudit}
source_profile = prod-ro

[profile dev-session]
role_arn = ${ROLES.developer}
source_profile = jo
rolecred_mfa_mode = session

[profile vendor-session]
role_arn = ${ROLES.vendor}
source_profile = jo
external_id = vendor-42
rolecred_mfa_mode = session

[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script

[profile loop-a]
role_arn = ${ROLES.ci}
source_profile = loop-b

[profile loop-b]
role_arn = ${ROLES.ci}
source_profile = loop-a

[profile on-ec2]
role_arn = ${ROLES.ci}
credential_source = Ec2InstanceMetadata

[profile orphan]
role_arn = ${ROLES.ci}
source_profile = nobody
`;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
  const everything = outputs.join("\n");
  expect(everything).not.toContain(JO_KEYS.secretAccessKey);
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CONFIG }));
});

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, stdin });
  outputs.push(result.stderr); // stdout carries credentials on purpose here
  return result;
}

/** Warm the cache for `profile` (one MFA code if the chain needs one) and return its JSON credentials. */
async function warm(profile: string): Promise<{ AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string }> {
  const result = await rolecred(["process", profile], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
}

const callsSince = (mark: number) => world.sts.calls.slice(mark);

describe("rolecred process: credential_process", () => {
  it("prints only the Version 1 JSON, and a second call is served from the cache without STS or an MFA code", async () => {
    const first = await warm("dev");
    expect(Object.keys(first)).toEqual(["Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"]);
    expect(first).toMatchObject({ Version: 1 });
    expect(new Date(first.Expiration).getTime() - Date.now()).toBeGreaterThan(7.9 * 3600 * 1000);
    const mark = world.sts.calls.length;
    const second = await rolecred(["process", "dev"]); // no code and no terminal: a prompt would fail
    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual(first);
    expect(callsSince(mark)).toEqual([]);
  });

  it("is what the AWS SDK's default chain and the AWS CLI use through credential_process in ~/.aws/config", async () => {
    await warm("dev");
    const config = join(home, ".aws", "config");
    await writeFile(
      config,
      `${await readFile(config, "utf8")}\n[profile dev-cp]\ncredential_process = ${process.execPath} ${ROLECRED_BIN} process dev\nregion = us-east-1\n`,
    );
    const expected = `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`;
    expect((await identityViaSdk(env, "dev-cp")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "dev-cp", world.sts.url)).Arn).toBe(expected);
  });

  it("refreshes a session that is within 5 minutes of expiry", async () => {
    await warm("ci");
    const cacheDir = join(home, ".cache", "rolecred");
    const [file] = await readdir(cacheDir);
    const path = join(cacheDir, file ?? "");
    const cached = JSON.parse(await readFile(path, "utf8")) as { credentials: { Expiration: string } };
    cached.credentials.Expiration = new Date(Date.now() + 4 * 60 * 1000).toISOString();
    await writeFile(path, JSON.stringify(cached));
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "ci", "--verbose"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("within 5 minutes");
    expect(callsSince(mark).map((call) => call.action)).toEqual(["GetCallerIdentity", "AssumeRole"]);
  });

  it("ignores and replaces a corrupt cache file", async () => {
    await warm("ci");
    const cacheDir = join(home, ".cache", "rolecred");
    const [file] = await readdir(cacheDir);
    await writeFile(join(cacheDir, file ?? ""), "{ this is not json");
    const result = await rolecred(["process", "ci"]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(await readFile(join(cacheDir, file ?? ""), "utf8"))).toMatchObject({ version: 1, kind: "assume-role", profile: "ci" });
  });

  it("keeps the cache private: folder 0700, files 0600", async () => {
    await warm("ci");
    const cacheDir = join(home, ".cache", "rolecred");
    expect((await stat(cacheDir)).mode & 0o777).toBe(0o700);
    for (const file of await readdir(cacheDir)) expect((await stat(join(cacheDir, file))).mode & 0o777).toBe(0o600);
  });

  it("asks for the MFA code on the terminal, and stdout still carries only the JSON", async () => {
    const out = join(home, "out.json");
    const terminal = runInPty("/bin/sh", ["-c", `'${process.execPath}' '${ROLECRED_BIN}' process dev > '${out}'`], { env, cwd: REPO_ROOT });
    await terminal.waitFor(`MFA code for ${MFA_SERIAL}:`);
    terminal.type(`${world.nextMfaCode()}\r`);
    expect((await terminal.exited).exitCode).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8"))).toMatchObject({ Version: 1 });
  });
});

describe("profile chains", () => {
  it("follows three hops, each trust enforced by STS, capping the chained hop at one hour with a note", async () => {
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "audit"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe("note: prod-ro: asking for 1h, not 14400s: STS limits a role assumed with temporary credentials (role chaining) to 1 hour\n");
    const assumed = callsSince(mark).filter((call) => call.action === "AssumeRole");
    expect(assumed.map((call) => [call.params.RoleArn, call.callerArn, call.params.DurationSeconds])).toEqual([
      [ROLES.developer, `arn:aws:iam::${ACCOUNT}:user/jo`, "28800"],
      [ROLES.prodReadOnly, `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`, "3600"],
      [ROLES.prodAudit, `arn:aws:sts::${PROD_ACCOUNT}:assumed-role/ReadOnly/jo`, undefined],
    ]);
    expect(assumed.every((call) => call.errorCode === undefined)).toBe(true);
  });

  it("shares one MFA session (GetSessionToken) across profiles with the same device: one code, one prompt", async () => {
    const mark = world.sts.calls.length;
    expect((await rolecred(["process", "dev-session"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() })).exitCode).toBe(0);
    const second = await rolecred(["process", "vendor-session"]); // no code, no terminal
    expect(second.stderr).toBe("");
    expect(second.exitCode).toBe(0);
    const calls = callsSince(mark);
    expect(calls.filter((call) => call.action === "GetSessionToken")).toHaveLength(1);
    expect(calls.filter((call) => call.action === "GetSessionToken")[0]?.params.SerialNumber).toBe(MFA_SERIAL);
    expect(calls.filter((call) => call.action === "AssumeRole").map((call) => [call.params.RoleArn, call.params.SerialNumber, call.params.ExternalId])).toEqual(
      [
        [ROLES.developer, undefined, undefined],
        [ROLES.vendor, undefined, "vendor-42"],
      ],
    );
  });

  it.each([
    ["a loop", "loop-a", "profile chain loops: loop-a → loop-b → loop-a — fix source_profile in ~/.aws/config"],
    ["a missing source profile", "orphan", /^profile "nobody" \(source_profile of orphan\) is not in /],
    [
      "credential_source",
      "on-ec2",
      'profile "on-ec2": credential_source (EC2 instance, ECS container or environment credentials) is out of rolecred\'s scope; use source_profile — add source_profile = <the profile holding your keys>',
    ],
    ["a profile that does not exist", "nope", /^profile "nope" is not in .* — `rolecred profiles` lists the profiles there are$/],
  ])("refuses %s with one clear line", async (_name, profile, message) => {
    const result = await rolecred(["process", profile]);
    const line = result.stderr.replace(/^rolecred: /, "").trimEnd();
    if (typeof message === "string") expect(line).toBe(message);
    else expect(line).toMatch(message);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe("");
  });
});

describe("rolecred env / assume in real shells", () => {
  const shells: Array<[string, string, (script: string) => string[]]> = [
    ["bash", "/bin/bash", (script) => ["-c", script]],
    ["zsh", "/usr/bin/zsh", (script) => ["-f", "-c", script]],
    ["sh", "/bin/sh", (script) => ["-c", script]],
  ];

  it.each(shells)("%s evaluates the exports: keys set exactly, AWS_PROFILE gone", async (shell, path, args) => {
    const credentials = await warm("dev");
    const script = `export AWS_PROFILE=stale AWS_SECURITY_TOKEN=stale; eval "$('${process.execPath}' '${ROLECRED_BIN}' env dev --shell ${shell})"; printf '%s\\n' "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" "$AWS_REGION" "$ROLECRED_PROFILE" "\${AWS_PROFILE-unset}" "\${AWS_SECURITY_TOKEN-unset}"`;
    const { stdout } = await run(path, args(script), { env });
    expect(stdout.split("\n").slice(0, 7)).toEqual([
      credentials.AccessKeyId,
      credentials.SecretAccessKey,
      credentials.SessionToken,
      "us-east-1",
      "dev",
      "unset",
      "unset",
    ]);
  });

  it("fish evaluates its exports", async () => {
    const credentials = await warm("dev");
    const script = `set -gx AWS_PROFILE stale; '${process.execPath}' '${ROLECRED_BIN}' env dev --shell fish | source; printf '%s\\n' $AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY $AWS_SESSION_TOKEN $ROLECRED_PROFILE; set -q AWS_PROFILE; or echo unset`;
    const { stdout } = await run("/usr/bin/fish", ["--no-config", "-c", script], { env });
    expect(stdout.split("\n").slice(0, 5)).toEqual([credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken, "dev", "unset"]);
  });

  it("quotes values that would break out of the assignment", async () => {
    const { renderExports } = await import("../../src/output/exports.js");
    const nasty = `it's "quoted" $HOME \`id\` \\ end`;
    const session = { credentials: { accessKeyId: "ASIA", secretAccessKey: nasty, sessionToken: "t", expiration: new Date() }, region: undefined, label: "x" };
    for (const [shell, path, args] of [...shells, ["fish", "/usr/bin/fish", (script: string) => ["--no-config", "-c", script]] as const]) {
      const file = join(home, `exports.${shell}`);
      await writeFile(file, renderExports(session, shell === "sh" ? "sh" : (shell as "bash" | "zsh" | "fish")));
      const script = shell === "fish" ? `source ${file}; printf '%s' $AWS_SECRET_ACCESS_KEY` : `. ${file}; printf '%s' "$AWS_SECRET_ACCESS_KEY"`;
      const { stdout } = await run(path, args(script), { env });
      expect(stdout, shell).toBe(nasty);
    }
  });

  it("--unset prints lines that clear the session", async () => {
    await warm("dev");
    const script = `eval "$('${process.execPath}' '${ROLECRED_BIN}' env dev --shell bash)"; eval "$('${process.execPath}' '${ROLECRED_BIN}' env --unset --shell bash)"; echo "\${AWS_ACCESS_KEY_ID-unset} \${ROLECRED_PROFILE-unset}"`;
    const { stdout } = await run("/bin/bash", ["-c", script], { env });
    expect(stdout.trim()).toBe("unset unset");
  });

  describe("shell-init", () => {
    let bin: string;
    beforeEach(async () => {
      // `assume` calls `rolecred` by name, as it would be installed.
      bin = join(home, "bin");
      await mkdir(bin);
      await symlink(ROLECRED_BIN, join(bin, "rolecred"));
      await chmod(ROLECRED_BIN, 0o755);
    });
    const pathEnv = () => ({ ...env, PATH: `${bin}:${env.PATH}` });

    it.each([
      ["bash", "/bin/bash", ["-c"]],
      ["zsh", "/usr/bin/zsh", ["-f", "-c"]],
    ])("%s: `assume dev` switches the current shell", async (shell, path, flags) => {
      const credentials = await warm("dev");
      const script = `eval "$(rolecred shell-init ${shell})"; assume dev; echo "$AWS_ACCESS_KEY_ID $ROLECRED_PROFILE"; assume nope 2>/dev/null; echo "status $?"`;
      const { stdout } = await run(path, [...flags, script], { env: pathEnv() });
      expect(stdout.trim().split("\n")).toEqual([`${credentials.AccessKeyId} dev`, "status 3"]);
    });

    it("fish: `assume dev` switches the current shell", async () => {
      const credentials = await warm("dev");
      const script = `rolecred shell-init fish | source; assume dev; echo "$AWS_ACCESS_KEY_ID $ROLECRED_PROFILE"`;
      const { stdout } = await run("/usr/bin/fish", ["--no-config", "-c", script], { env: pathEnv() });
      expect(stdout.trim()).toBe(`${credentials.AccessKeyId} dev`);
    });

    it("bash completes commands, flags and profile names", async () => {
      const complete = async (words: string[]) => {
        const script = `eval "$(rolecred shell-init bash)"; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _rolecred_complete; echo "\${COMPREPLY[@]}"`;
        return (await run("/bin/bash", ["-c", script], { env: pathEnv() })).stdout.trim().split(" ");
      };
      expect(await complete(["rolecred", "pro"])).toEqual(["process", "profiles"]);
      expect(await complete(["rolecred", "env", "dev"])).toEqual(["dev", "dev-session"]);
      expect(await complete(["rolecred", "exec", "dev", "--mfa-"])).toEqual(["--mfa-token", "--mfa-mode"]);
    });
  });
});

describe("the region is the delivery's, not the cached session's", () => {
  const exportedRegion = (stdout: string) => /^export AWS_REGION='([^']*)'$/m.exec(stdout)?.[1];

  it("env/assume and exec take --region, then AWS_REGION, then the profile's region, on every call", async () => {
    await writeFile(
      join(home, ".aws", "config"),
      `${await readFile(join(home, ".aws", "config"), "utf8")}\n[profile dev-eu]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n`,
    );
    await warm("dev-eu"); // made in us-east-1 (AWS_REGION of the test environment)
    const mark = world.sts.calls.length;
    // The test environment's AWS_REGION left out, and these set instead.
    const regionEnv = (extra: Record<string, string>) => ({ ...Object.fromEntries(Object.entries(env).filter(([name]) => name !== "AWS_REGION")), ...extra });
    const envWith = (extra: Record<string, string>) => runCli(["env", "dev-eu", "--shell", "bash"], { env: regionEnv(extra) }); // the cached fast path
    expect(exportedRegion((await envWith({ AWS_REGION: "eu-west-1" })).stdout)).toBe("eu-west-1");
    expect(exportedRegion((await envWith({ AWS_DEFAULT_REGION: "ap-south-1" })).stdout)).toBe("ap-south-1");
    expect(exportedRegion((await envWith({})).stdout)).toBe("eu-central-1");
    const flagged = await rolecred(["assume", "dev-eu", "--shell", "bash", "--region", "sa-east-1"]);
    expect(exportedRegion(flagged.stdout)).toBe("sa-east-1");
    const child = await rolecred(["exec", "dev-eu", "--region", "ca-central-1", "--", "sh", "-c", 'echo "$AWS_REGION $AWS_DEFAULT_REGION"']);
    expect(child.stdout).toBe("ca-central-1 ca-central-1\n");
    const fromEnv = await runCli(["exec", "dev-eu", "--", "sh", "-c", 'echo "$AWS_REGION"'], { env: regionEnv({}) });
    expect(fromEnv.stdout).toBe("eu-central-1\n");
    expect(callsSince(mark)).toEqual([]); // every answer came from the cache: no MFA code spent
  });
});

describe("a profile's duration_seconds above the role's maximum", () => {
  it("falls back to 1h with a warning, and the session is cached", async () => {
    await writeFile(
      join(home, ".aws", "config"),
      `${await readFile(join(home, ".aws", "config"), "utf8")}\n[profile ci-long]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nduration_seconds = 10800\n`,
    );
    const mark = world.sts.calls.length;
    const first = await rolecred(["exec", "ci-long", "--", "sh", "-c", "echo ran"]);
    expect(first.stderr).toBe("warning: Ci allows less than 10800s; retrying with 3600s\n");
    expect(first.stdout).toBe("ran\n");
    expect(first.exitCode).toBe(0);
    expect(
      callsSince(mark)
        .filter((call) => call.action === "AssumeRole")
        .map((call) => [call.params.DurationSeconds, call.errorCode]),
    ).toEqual([
      ["10800", "ValidationError"],
      ["3600", undefined],
    ]);
    const again = await rolecred(["process", "ci-long"]);
    expect(again.stderr).toBe("");
    expect(callsSince(mark).filter((call) => call.action === "AssumeRole")).toHaveLength(2);
  });
});

describe("rolecred exec", () => {
  it("runs the command with the profile's session and passes its exit code", async () => {
    const credentials = await warm("dev");
    const result = await rolecred(["exec", "dev", "--", "sh", "-c", 'echo "$AWS_ACCESS_KEY_ID ${AWS_PROFILE-none} $ROLECRED_PROFILE"; exit 3'], {
      AWS_PROFILE: "jo",
    });
    expect(result.stdout.trim()).toBe(`${credentials.AccessKeyId} none dev`);
    expect(result.exitCode).toBe(3);
  });

  it("warns when nested inside another profile's exec", async () => {
    await warm("ci");
    const result = await rolecred(["exec", "ci", "--", "true"], { ROLECRED_PROFILE: "dev" });
    expect(result.stderr).toBe("warning: already inside a rolecred session for dev; the command gets ci instead\n");
    expect(result.exitCode).toBe(0);
  });

  it("starts the user's shell with the session when no command is given, and exit returns its status", async () => {
    const credentials = await warm("dev");
    const result = await runProcess(process.execPath, [ROLECRED_BIN, "exec", "dev"], {
      env: { ...env, SHELL: "/bin/sh" },
      stdin: 'echo "$ROLECRED_PROFILE $AWS_ACCESS_KEY_ID"; exit 4\n',
    });
    expect(result.stdout.trim()).toBe(`dev ${credentials.AccessKeyId}`);
    expect(result.stderr).toBe("dev: starting /bin/sh with the session (ROLECRED_PROFILE=dev); exit to return\n");
    expect(result.exitCode).toBe(4);
  });

  it("leaves a --verbose after -- to the command: rolecred prints its one line, no stack", async () => {
    await warm("dev");
    // A path under a regular file: spawn throws ENOTDIR at once. It is "not found" as the shell
    // says it (127), in one line; the cause's stack is for rolecred's own --verbose only.
    const underFile = join(home, ".aws", "config", "tool");
    const result = await rolecred(["exec", "dev", "--", underFile, "--verbose"]);
    expect(result.stderr).toBe(`rolecred: command not found: ${underFile}\n`);
    expect(result.exitCode).toBe(127);
    const verbose = await rolecred(["exec", "dev", "--verbose", "--", underFile]);
    expect(verbose.stderr).toContain("\n    at ");
  });

  it("refuses an empty command after --", async () => {
    const result = await rolecred(["exec", "dev", "--"]);
    expect(result.stderr).toBe("rolecred: name the command to run after --, e.g. rolecred exec dev -- aws s3 ls, or leave out -- for a shell\n");
    expect(result.exitCode).toBe(2);
  });
});

describe("rolecred write, status and logout", () => {
  it("write puts the session in the credentials file for tools that only read files", async () => {
    await warm("dev");
    const result = await rolecred(["write", "dev", "--to", "dev-creds"]);
    expect(result.stderr).toMatch(/^dev-creds: assumed Developer in 111111111111 as jo, expires/);
    expect((await identityViaSdk(env, "dev-creds")).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`);
  });

  it("write refuses to replace long-term keys", async () => {
    await warm("ci");
    const before = await readFile(join(home, ".aws", "credentials"), "utf8");
    const result = await rolecred(["write", "ci", "--to", "jo"]);
    expect(result.stderr).toMatch(/holds long-term access keys; rolecred will not overwrite them — choose another --profile name, or pass --force/);
    expect(result.exitCode).toBe(1);
    expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toBe(before);
  });

  it("status lists cached and written sessions; --min answers by exit code", async () => {
    await warm("dev");
    await rolecred(["write", "dev", "--to", "dev-creds"]);
    const table = await rolecred(["status"]);
    expect(table.stdout).toMatch(/^PROFILE +WHERE +ROLE +EXPIRES +LEFT/);
    expect(table.stdout).toMatch(/\ndev +cache +arn:aws:iam::111111111111:role\/Developer +(\d{4}-\d\d-\d\d )?\d\d:\d\d +[78]h \d+m/);
    expect(table.stdout).toMatch(/\ndev-creds +credentials file +arn:aws:iam::111111111111:role\/Developer/);
    const json = JSON.parse((await rolecred(["status", "dev", "--json"])).stdout) as Array<Record<string, unknown>>;
    expect(json).toHaveLength(1);
    expect(json[0]).toMatchObject({ profile: "dev", where: "cache", roleArn: ROLES.developer, account: ACCOUNT });
    expect(Number(json[0]?.secondsLeft)).toBeGreaterThan(7 * 3600);
    expect((await rolecred(["status", "dev", "--min", "15m"])).exitCode).toBe(0);
    expect((await rolecred(["status", "dev", "--min", "9h"])).exitCode).toBe(1);
    expect((await rolecred(["status", "prod-ro", "--min", "1m"])).exitCode).toBe(1);
  });

  it("logout deletes cached and written sessions, never long-term keys", async () => {
    await warm("dev");
    await warm("ci");
    await rolecred(["write", "dev", "--to", "dev-creds"]);
    const keysBefore = (await readFile(join(home, ".aws", "credentials"), "utf8")).split("\n\n[dev-creds]")[0];
    const one = await rolecred(["logout", "dev"]);
    expect(one.stderr).toBe("removed 1 cached session\n");
    expect((await rolecred(["status", "dev", "--min", "1m"])).exitCode).toBe(1);
    expect((await rolecred(["status", "ci", "--min", "1m"])).exitCode).toBe(0);
    const all = await rolecred(["logout", "--all"]);
    expect(all.stderr).toBe(`removed 1 cached session and [dev-creds] from ${join(home, ".aws", "credentials")}\n`);
    expect(await readFile(join(home, ".aws", "credentials"), "utf8")).toBe(`${keysBefore}\n`);
    expect((await rolecred(["status"])).stdout).toBe("no sessions: rolecred holds none in its cache or the credentials file\n");
  });
});

describe("rolecred profiles", () => {
  it("lists names for completion, and a table", async () => {
    expect((await rolecred(["profiles", "--names"])).stdout).toBe(
      ["audit", "ci", "dev", "dev-session", "jo", "jo-script", "loop-a", "loop-b", "on-ec2", "orphan", "prod-ro", "vendor-session"]
        .map((name) => `${name}\n`)
        .join(""),
    );
    expect((await rolecred(["profiles"])).stdout).toMatch(/\ndev +role +arn:aws:iam::111111111111:role\/Developer +jo\n/);
  });

  it("--names is answered without the full command line (shell completion runs it on every TAB)", async () => {
    const result = await rolecred(["profiles", "--names"], { NODE_DEBUG: "module" });
    expect(result.exitCode).toBe(0);
    expect(result.stdout.split("\n")).toContain("dev-session");
    for (const heavy of ["commander", "@aws-sdk", "saml2-js"]) expect(result.stderr, heavy).not.toContain(`node_modules/${heavy}`);
    expect(result.stderr).not.toContain("run.js");
  });

  it("--names: a broken config file gets the full command line's one-line error; a reader that stops early, no crash", async () => {
    const broken = await makeTempHome();
    await mkdir(join(broken, ".aws", "config"), { recursive: true });
    const result = await runCli(["profiles", "--names"], { env: cliEnv(broken) });
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`rolecred: the config file ${join(broken, ".aws", "config")} is a directory, not a regular file\n`);
    expect(result.exitCode).toBe(3);

    const many = await makeTempHome();
    await mkdir(join(many, ".aws"), { recursive: true });
    await writeFile(join(many, ".aws", "config"), Array.from({ length: 20_000 }, (_, index) => `[profile p-${index}]\nregion = eu-west-1\n`).join(""));
    const piped = await runProcess(
      "/bin/bash",
      ["-c", `'${process.execPath}' '${ROLECRED_BIN}' profiles --names 2>err.txt | head -n 1; echo "exit \${PIPESTATUS[0]}"; cat err.txt`],
      { env: cliEnv(many), cwd: many },
    );
    expect(piped.stdout).toBe("p-0\nexit 0\n");
  });
});

it("the warm path answers without the full command line (timing is measured in bench/, not here)", async () => {
  await warm("dev");
  const result = await runProcess(process.execPath, ["--trace-warnings", ROLECRED_BIN, "process", "dev"], { env: { ...env, NODE_DEBUG: "module" } });
  expect(result.exitCode).toBe(0);
  for (const heavy of ["@aws-sdk", "inquirer", "saml2-js", "commander"]) expect(result.stderr, heavy).not.toContain(`node_modules/${heavy}`);
});
