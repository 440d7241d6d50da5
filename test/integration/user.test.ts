/**
 * `rolecred user` end to end: the built CLI, a temporary HOME, the local STS endpoint checking
 * signatures, MFA codes and trust; profiles read back by the AWS SDK and the AWS CLI.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFile, stat, writeFile, appendFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";
import { identityViaAwsCli, identityViaSdk } from "../support/readback.js";
import { runInPty } from "../support/pty.js";

let world: World;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

/** aws_role_credentials' README example role: MFA required, any session name. */
const DOCUMENTED_ROLE = `arn:aws:iam::${ACCOUNT}:role/dev`;

beforeAll(async () => {
  world = await startWorld({ extraRoles: [{ arn: DOCUMENTED_ROLE, trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:user/jo`], requireMfa: true }] }] });
});
afterAll(async () => {
  await world.close();
  // Across every run in this file: no secret ever reached stdout or stderr.
  const everything = outputs.join("\n");
  expect(everything).not.toContain(JO_KEYS.secretAccessKey);
  for (const call of world.sts.calls) {
    if (call.params.TokenCode) expect(everything).not.toContain(call.params.TokenCode);
  }
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { env: { AWS_PROFILE: "jo" } }));
});

/** Roles that need no MFA code are assumed from [jo-script], whose config has no mfa_serial. */
const scriptEnv = () => ({ ...env, AWS_PROFILE: "jo-script" });

async function rolecred(args: readonly string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
  const needsMfa = args.includes(ROLES.developer);
  const result = await runCli(args, { env: options.env ?? (needsMfa ? env : scriptEnv()), stdin: options.stdin });
  outputs.push(result.stdout, result.stderr);
  return result;
}

const credentialsPath = () => join(home, ".aws", "credentials");
const credentialsFile = () => readFile(credentialsPath(), "utf8");

describe("rolecred user: the happy path", () => {
  it("assumes the role with the MFA code, writes the profile, and the AWS SDK and AWS CLI use it", async () => {
    const before = await credentialsFile();
    const result = await rolecred(["user", ROLES.developer, "--profile", "dev", "--mfa-token", world.nextMfaCode(), "--duration", "8h"]);
    expect(result.stderr).toMatch(/^dev: assumed Developer in 111111111111 as jo, expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in 8h 0m\)\n$/);
    expect(result.stdout).toBe("");
    expect(result.exitCode).toBe(0);

    const after = await credentialsFile();
    expect(after.startsWith(before)).toBe(true); // jo's keys and comment untouched, dev appended
    expect(after).toMatch(
      /\n\[dev\]\naws_access_key_id = ASIA\w+\naws_secret_access_key = \S+\naws_session_token = \S+\nx_security_token_expires = \d{4}-\d\d-\d\dT[\d:.]+Z\nx_rolecred_managed = true\n/,
    );
    expect((await stat(credentialsPath())).mode & 0o777).toBe(0o600);

    const call = world.sts.calls.at(-1);
    expect(call).toMatchObject({ action: "AssumeRole", callerArn: `arn:aws:iam::${ACCOUNT}:user/jo` });
    expect(call?.errorCode).toBeUndefined();
    expect(call?.params).toMatchObject({ RoleArn: ROLES.developer, RoleSessionName: "jo", SerialNumber: MFA_SERIAL, DurationSeconds: "28800" });

    const expected = `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`;
    expect((await identityViaSdk(env, "dev")).Arn).toBe(expected);
    expect((await identityViaAwsCli(env, "dev", world.sts.url)).Arn).toBe(expected);
  });

  it("takes the MFA serial from the source profile in ~/.aws/config and the code from ROLECRED_MFA_TOKEN", async () => {
    const result = await rolecred(["user", ROLES.developer, "--profile", "dev"], { env: { ...env, ROLECRED_MFA_TOKEN: world.nextMfaCode() } });
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-1)?.params.SerialNumber).toBe(MFA_SERIAL);
  });

  it("reads the MFA code from stdin with --mfa-token -", async () => {
    const result = await rolecred(["user", ROLES.developer, "--profile", "dev", "--mfa-token", "-"], { stdin: `${world.nextMfaCode()}\n` });
    expect(result.exitCode).toBe(0);
  });

  it("uses --source-profile instead of the default chain", async () => {
    const result = await rolecred(["user", ROLES.vendor, "jo-vendor", "--source-profile", "jo-script", "--external-id", "vendor-42", "--profile", "vendor"], {
      env: { ...cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url }) },
    });
    expect(result.stderr).toContain("vendor: assumed Vendor in 111111111111 as jo-vendor");
    expect(world.sts.calls.at(-1)?.params).toMatchObject({ ExternalId: "vendor-42", RoleSessionName: "jo-vendor" });
  });

  it("sends the minified inline policy and the managed policy ARNs", async () => {
    const policyFile = join(home, "policy.json");
    await writeFile(policyFile, '{\n  "Version": "2012-10-17",\n  "Statement": [ { "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*" } ]\n}\n');
    const result = await rolecred([
      "user",
      ROLES.ci,
      "--profile",
      "ci",
      "--policy",
      policyFile,
      "--policy-arn",
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
      "--json",
    ]);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-1)?.params).toMatchObject({
      Policy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
      "PolicyArns.member.1.arn": "arn:aws:iam::aws:policy/ReadOnlyAccess",
    });
    const summary = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(summary).toMatchObject({ profile: "ci", roleArn: ROLES.ci, account: ACCOUNT, sessionName: "jo" });
    expect(summary.packedPolicySizePercent).toBeGreaterThan(0);
    expect(result.stdout).not.toMatch(/secret|token/i);
  });

  it("refreshes its own profile in place on the next run", async () => {
    await rolecred(["user", ROLES.ci, "--profile", "ci"]);
    const first = await credentialsFile();
    await rolecred(["user", ROLES.ci, "--profile", "ci"]);
    const second = await credentialsFile();
    expect(second.split("\n").length).toBe(first.split("\n").length);
    expect(second).not.toBe(first);
  });
});

describe("rolecred user: the profile its keys, MFA device and region come from", () => {
  it("with only AWS_DEFAULT_PROFILE set, [default]'s keys go with [default]'s settings, not the legacy profile's MFA device", async () => {
    await appendFile(
      join(home, ".aws", "credentials"),
      `\n[default]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
    );
    await appendFile(join(home, ".aws", "config"), "\n[profile legacy]\nmfa_serial = arn:aws:iam::111111111111:mfa/someone-else\n");
    const { AWS_PROFILE: _unset, ...withoutProfile } = env;
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"], { env: { ...withoutProfile, AWS_DEFAULT_PROFILE: "legacy" } });
    expect(result.stderr).toMatch(/^dev: assumed Ci in 111111111111 as jo, /);
    expect(result.exitCode).toBe(0);
  });
});

describe("rolecred user: the MFA prompt on a real terminal", () => {
  it("asks on the terminal, masks the code, and works while stdin is a pipe", async () => {
    const code = world.nextMfaCode();
    const command = `echo 'this is stdin, not the terminal' | '${process.execPath}' '${ROLECRED_BIN}' user ${ROLES.developer} --profile dev`;
    const terminal = runInPty("/bin/sh", ["-c", command], { env, cwd: REPO_ROOT });
    await terminal.waitFor(`MFA code for ${MFA_SERIAL}:`);
    terminal.type("12a");
    terminal.type("\r");
    await terminal.waitFor("the code is 6 digits");
    terminal.type("\x7f\x7f\x7f"); // erase and type the real code
    terminal.type(`${code}\r`);
    const { exitCode } = await terminal.exited;
    outputs.push(terminal.screen());
    expect(exitCode).toBe(0);
    expect(terminal.screen()).toContain("dev: assumed Developer in 111111111111 as jo");
    expect(terminal.screen()).not.toContain(code);
    expect(terminal.screen()).toContain("******");
  });

  it("Ctrl-C at the MFA prompt cancels with 130, as a shell reports an interrupt, and writes nothing", async () => {
    const before = await credentialsFile();
    const command = `echo 'stdin' | '${process.execPath}' '${ROLECRED_BIN}' user ${ROLES.developer} --profile dev`;
    const terminal = runInPty("/bin/sh", ["-c", command], { env, cwd: REPO_ROOT });
    await terminal.waitFor(`MFA code for ${MFA_SERIAL}:`);
    terminal.type("\x03");
    const { exitCode } = await terminal.exited;
    expect(exitCode).toBe(130);
    expect(terminal.screen()).toContain(`rolecred: cancelled while asking for the MFA code for ${MFA_SERIAL}`);
    expect(await credentialsFile()).toBe(before);
  });

  it("without a terminal, fails naming --mfa-token and writes nothing", async () => {
    const before = await credentialsFile();
    const result = await rolecred(["user", ROLES.developer, "--profile", "dev"]);
    expect(result.stderr).toBe(
      `rolecred: no terminal to ask for the MFA code for ${MFA_SERIAL} — pass --mfa-token CODE, --mfa-token - to read it from stdin, or set ROLECRED_MFA_TOKEN\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(await credentialsFile()).toBe(before);
  });
});

describe("rolecred user --exec / -- COMMAND", () => {
  const printEnv = [
    "node",
    "-e",
    "const e=process.env; console.log(JSON.stringify({id:e.AWS_ACCESS_KEY_ID, token:Boolean(e.AWS_SESSION_TOKEN), exp:e.AWS_CREDENTIAL_EXPIRATION, region:e.AWS_REGION, profile:e.AWS_PROFILE ?? null, marker:e.ROLECRED_PROFILE}))",
  ];

  it("runs the command with the session in its environment and writes no file", async () => {
    const before = await credentialsFile();
    const result = await rolecred(["user", ROLES.ci, "--", ...printEnv]);
    expect(result.exitCode).toBe(0);
    const seen = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(seen).toMatchObject({ token: true, region: "us-east-1", profile: null, marker: ROLES.ci });
    expect(String(seen.id)).toMatch(/^ASIA/);
    expect(String(seen.exp)).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await credentialsFile()).toBe(before);
  });

  it("accepts --exec as the same thing", async () => {
    const result = await rolecred(["user", ROLES.ci, "--exec", ...printEnv]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ token: true });
  });

  it("falls back to 1h, visibly, when a role without MFA allows less than the duration asked", async () => {
    const result = await rolecred(["user", ROLES.ci, "--duration", "3h", "--", "sh", "-c", "echo ran"]);
    expect(result.stderr).toBe("warning: Ci allows less than 10800s; retrying with 3600s\n");
    expect(result.stdout).toBe("ran\n");
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.slice(-2).map((call) => call.params.DurationSeconds)).toEqual(["10800", "3600"]);
  });

  it("passes the child's exit code through", async () => {
    const result = await rolecred(["user", ROLES.ci, "--", "sh", "-c", "exit 7"]);
    expect(result.exitCode).toBe(7);
  });

  it("dies of the signal that killed the child", async () => {
    const result = await rolecred(["user", ROLES.ci, "--", "sh", "-c", "kill -TERM $$"]);
    expect(result.signal).toBe("SIGTERM");
  });

  it("forwards SIGTERM sent to rolecred to the child", async () => {
    // "ready" comes from the child after its trap is set; rolecred's forwarding is in place before
    // the child starts (run-child.ts), so the signal cannot arrive in between.
    const marker = join(home, "child-got-term");
    const script = `trap 'echo term > ${marker}; exit 143' TERM; echo ready; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done`;
    const { spawn } = await import("node:child_process");
    const child = spawn(process.execPath, [ROLECRED_BIN, "user", ROLES.ci, "--", "sh", "-c", script], { env: scriptEnv(), detached: true });
    await new Promise<void>((resolve) => child.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve()));
    child.kill("SIGTERM");
    const exitCode = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    expect(exitCode).toBe(143);
    expect(await readFile(marker, "utf8")).toBe("term\n");
  });

  it("forwards a SIGTERM that arrives the moment the child starts", async () => {
    // The child's first act is to signal rolecred: no delay anywhere, so this passes only if
    // rolecred's forwarding is in place before the child can run.
    const marker = join(home, "child-got-early-term");
    const script = `trap 'echo term > ${marker}; exit 143' TERM; kill -TERM $PPID; i=0; while [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done`;
    const result = await rolecred(["user", ROLES.ci, "--", "sh", "-c", script]);
    expect(result.signal).toBeNull();
    expect(result.exitCode).toBe(143);
    expect(await readFile(marker, "utf8")).toBe("term\n");
  });

  it("says when the command does not exist", async () => {
    const result = await rolecred(["user", ROLES.ci, "--", "no-such-command-here"]);
    expect(result.stderr).toBe("rolecred: command not found: no-such-command-here\n");
    expect(result.exitCode).toBe(127);
  });
});

describe("rolecred user: one clear line, a non-zero exit, and nothing written", () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  async function silentEndpoint(): Promise<string> {
    server = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const cases: Array<[string, () => Promise<{ args: string[]; env?: Record<string, string>; stdin?: string }>, number, RegExp, number?]> = [
    [
      "an invalid role ARN",
      async () => ({ args: ["user", "arn:aws:iam::1111:role/Developer", "--profile", "dev"] }),
      2,
      /^rolecred: invalid role ARN "arn:aws:iam::1111:role\/Developer" — expected arn:aws:iam::123456789012:role\/NAME/,
    ],
    [
      "a bad session name",
      async () => ({ args: ["user", ROLES.ci, "jo smith", "--profile", "dev"] }),
      2,
      /^rolecred: invalid session name "jo smith": STS accepts 2-64 characters/,
    ],
    [
      "a duration out of range",
      async () => ({ args: ["user", ROLES.ci, "--duration", "5m", "--profile", "dev"] }),
      2,
      /^rolecred: --duration must be between 900 and 43200 seconds \(15m to 12h\), got 300$/m,
    ],
    [
      "a duration that is not one",
      async () => ({ args: ["user", ROLES.ci, "--duration", "soon", "--profile", "dev"] }),
      2,
      /^rolecred: invalid --duration "soon"/,
    ],
    [
      "a missing policy file",
      async () => ({ args: ["user", ROLES.ci, "--policy", "/nope/policy.json", "--profile", "dev"] }),
      3,
      /^rolecred: cannot read policy file \/nope\/policy.json: no such file$/m,
    ],
    [
      "a policy that is not JSON",
      async () => {
        const file = join(home, "bad.json");
        await writeFile(file, '{\n  "Version": "2012-10-17",\n  "Statement": [ oops ]\n}\n');
        return { args: ["user", ROLES.ci, "--policy", file, "--profile", "dev"] };
      },
      3,
      /^rolecred: \S+bad.json is not valid JSON: .* at line 3, column \d+$/m,
    ],
    [
      "a policy over 2048 characters",
      async () => ({
        args: [
          "user",
          ROLES.ci,
          "--profile",
          "dev",
          "--policy",
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: Array.from({ length: 100 }, (_, i) => `arn:aws:s3:::bucket-${i}/*`) }],
          }),
        ],
      }),
      3,
      /^rolecred: the --policy JSON is \d+ characters minified, \d+ over STS's 2048-character limit for session policies/,
    ],
    [
      "eleven policy ARNs",
      async () => ({
        args: ["user", ROLES.ci, "--profile", "dev", ...Array.from({ length: 11 }, (_, i) => ["--policy-arn", `arn:aws:iam::aws:policy/P${i}`]).flat()],
      }),
      2,
      /^rolecred: at most 10 --policy-arn are allowed, got 11$/m,
    ],
    [
      "no source credentials anywhere",
      async () => ({
        args: ["user", ROLES.ci, "--profile", "dev"],
        env: cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, AWS_SHARED_CREDENTIALS_FILE: join(home, "none"), AWS_CONFIG_FILE: join(home, "none2") }),
      }),
      1,
      /^rolecred: no AWS credentials found to call STS with .* — set AWS_PROFILE/,
    ],
    [
      "a wrong MFA code",
      async () => ({ args: ["user", ROLES.developer, "--profile", "dev", "--mfa-token", "000000"] }),
      4,
      /^rolecred: STS rejected the MFA code for arn:aws:iam::111111111111:mfa\/jo: it is wrong or was already used — each code works only once/,
    ],
    [
      "an MFA code that was already used",
      async () => {
        const code = world.nextMfaCode();
        expect((await rolecred(["user", ROLES.developer, "--profile", "first", "--mfa-token", code])).exitCode).toBe(0);
        return { args: ["user", ROLES.developer, "--profile", "dev", "--mfa-token", code] };
      },
      4,
      /^rolecred: STS rejected the MFA code for arn:aws:iam::111111111111:mfa\/jo: it is wrong or was already used — each code works only once: wait for the next code and try again$/m,
    ],
    [
      "an MFA code that is not six digits",
      async () => ({ args: ["user", ROLES.developer, "--profile", "dev", "--mfa-token", "12345"] }),
      2,
      /^rolecred: --mfa-token must be the 6 digits your MFA device shows$/m,
    ],
    [
      "a role that does not trust the caller",
      async () => ({ args: ["user", ROLES.locked, "--profile", "dev"] }),
      4,
      /^rolecred: not allowed to assume Locked \(arn:aws:iam::111111111111:role\/Locked\): User: arn:aws:iam::111111111111:user\/jo is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::111111111111:role\/Locked — .*requires MFA: pass --mfa-serial$/m,
    ],
    [
      "a session name the trust policy forbids (after the guard's warning)",
      async () => ({ args: ["user", ROLES.developer, "someone-else", "--profile", "dev", "--mfa-token", world.nextMfaCode()] }),
      4,
      /^warning: session name "someone-else" is not your IAM user name "jo": .*\nrolecred: not allowed to assume Developer/,
      2,
    ],
    [
      "no region",
      async () => ({ args: ["user", ROLES.ci, "--profile", "dev"], env: { ...scriptEnv(), AWS_REGION: "", AWS_CONFIG_FILE: join(home, "no-config") } }),
      2,
      /^rolecred: no AWS region: STS is regional and rolecred will not guess one — pass --region/,
    ],
    [
      "an unreachable endpoint",
      async () => ({ args: ["user", ROLES.ci, "--profile", "dev"], env: { ...scriptEnv(), AWS_ENDPOINT_URL_STS: "http://127.0.0.1:9" } }),
      5,
      /^rolecred: cannot reach STS at http:\/\/127.0.0.1:9: connection refused — /,
    ],
    [
      "an endpoint that never answers",
      async () => ({
        args: ["user", ROLES.ci, "--profile", "dev"],
        env: { ...scriptEnv(), AWS_ENDPOINT_URL_STS: await silentEndpoint(), ROLECRED_STS_TIMEOUT: "1" },
      }),
      5,
      /^rolecred: STS at http:\/\/127.0.0.1:\d+ did not answer in time — /,
    ],
    [
      "an unknown flag",
      async () => ({ args: ["user", ROLES.ci, "--profle", "dev"] }),
      2,
      /^rolecred: unknown option '--profle'\n.*\nusage: rolecred user \[options\] <role-arn> \[session-name\]$/m,
    ],
    ["no destination", async () => ({ args: ["user", ROLES.ci] }), 2, /^rolecred: say where the credentials go: --profile NAME, or -- COMMAND/],
    [
      "the source profile's own section as destination",
      async () => ({ args: ["user", ROLES.ci, "--profile", "jo"] }),
      1,
      /^rolecred: profile \[jo\] in \S+ holds long-term access keys; rolecred will not overwrite them — choose another --profile name, or pass --force/,
    ],
  ];

  it.each(cases)("%s", async (_name, setup, exitCode, message, lines = 1) => {
    const { args, env: caseEnv, stdin } = await setup();
    const before = await credentialsFile();
    const result = await rolecred(args, { env: caseEnv, stdin });
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(args.includes("--profle") ? 3 : lines);
    expect(result.exitCode).toBe(exitCode);
    expect(result.stdout).toBe("");
    expect(await credentialsFile()).toBe(before);
  });

  it("expired source credentials: says so", async () => {
    const session = await rolecred(["user", ROLES.ci, "--profile", "ci-temp"]);
    expect(session.exitCode).toBe(0);
    const keyId = /\[ci-temp\]\naws_access_key_id = (\S+)/.exec(await credentialsFile())?.[1] ?? "";
    world.sts.expireCredentials(keyId);
    const before = await credentialsFile();
    const result = await rolecred(["user", ROLES.prodReadOnly, "--source-profile", "ci-temp", "--profile", "prod"]);
    expect(result.stderr).toMatch(/^rolecred: the source credentials have expired/);
    expect(result.exitCode).toBe(4);
    expect(await credentialsFile()).toBe(before);
  });

  it("a credentials file rolecred cannot parse is left byte for byte, and the line is named", async () => {
    const broken = `${await credentialsFile()}this line is not ini\n`;
    await writeFile(credentialsPath(), broken);
    const brokenLine = broken.split("\n").length - 1;
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(result.stderr).toBe(
      `rolecred: cannot parse ${credentialsPath()}, line ${brokenLine}: not a [section], a key = value line or a comment — fix that line; rolecred has left the file untouched\n`,
    );
    expect(result.exitCode).toBe(3);
    expect(await credentialsFile()).toBe(broken);
  });
});

describe("rolecred user: concurrent runs", () => {
  it("20 runs writing 20 profiles into one file at once lose nothing", async () => {
    const before = await credentialsFile();
    const results = await Promise.all(Array.from({ length: 20 }, (_, index) => rolecred(["user", ROLES.ci, "--profile", `p${index}`])));
    for (const result of results) expect(result.exitCode, result.stderr).toBe(0);
    const after = await credentialsFile();
    expect(after.startsWith(before)).toBe(true);
    for (let index = 0; index < 20; index++) expect(after).toContain(`\n[p${index}]\naws_access_key_id = ASIA`);
    expect(after.match(/^\[/gm)?.length).toBe((before.match(/^\[/gm)?.length ?? 0) + 20);
  }, 90_000);
});

describe("rolecred user --verbose", () => {
  it("explains its decisions without showing a secret", async () => {
    const code = world.nextMfaCode();
    const result = await rolecred(["user", ROLES.developer, "--profile", "dev", "--mfa-token", code, "--verbose"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`rolecred: MFA device ${MFA_SERIAL} (mfa_serial of profile jo)`);
    expect(result.stderr).toContain("rolecred: session name jo (the caller arn:aws:iam::111111111111:user/jo, from GetCallerIdentity)");
    expect(result.stderr).toContain(`source credentials: access key ****${JO_KEYS.accessKeyId.slice(-4)}`);
    expect(result.stderr).not.toContain(JO_KEYS.accessKeyId);
    expect(result.stderr).not.toContain(code);
    const file = await credentialsFile();
    const secret = /\[dev\][\s\S]*?aws_secret_access_key = (\S+)/.exec(file)?.[1] ?? "missing";
    const token = /\[dev\][\s\S]*?aws_session_token = (\S+)/.exec(file)?.[1] ?? "missing";
    expect(result.stderr).not.toContain(secret);
    expect(result.stderr).not.toContain(token);
  });
});

describe("rolecred user: aws_role_credentials' flags", () => {
  it("runs its documented invocation: ROLE SESSION --profile --mfa-serial-number --mfa-token", async () => {
    // aws_role_credentials' README: `user arn:aws:iam::111111:role/dev jobloggs-session --profile dev
    // --mfa-serial-number arn:aws:iam::111111:mfa/Jo --mfa-token 102345`, with this world's role,
    // device and a code the local STS accepts.
    const result = await rolecred([
      "user",
      DOCUMENTED_ROLE,
      "jobloggs-session",
      "--profile",
      "dev",
      "--mfa-serial-number",
      MFA_SERIAL,
      "--mfa-token",
      world.nextMfaCode(),
    ]);
    expect(result.stderr).toMatch(/^dev: assumed dev in 111111111111 as jobloggs-session, expires /m);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-1)?.params).toMatchObject({ RoleArn: DOCUMENTED_ROLE, RoleSessionName: "jobloggs-session", SerialNumber: MFA_SERIAL });
    expect((await identityViaSdk(env, "dev")).Arn).toBe(`arn:aws:sts::${ACCOUNT}:assumed-role/dev/jobloggs-session`);
  });

  it("takes the role from --role-arn, the session name staying positional", async () => {
    const result = await rolecred(["user", "--role-arn", ROLES.ci, "ci-session", "--profile", "ci"]);
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-1)?.params).toMatchObject({ RoleArn: ROLES.ci, RoleSessionName: "ci-session" });
  });

  it.each([
    [
      ["user", "--role-arn", ROLES.ci, ROLES.ci, "s", "--profile", "ci"],
      "rolecred: the role is named twice: give ROLE_ARN or --role-arn, then the session name\n",
    ],
    [["user", "--profile", "ci"], "rolecred: missing required argument 'role-arn' (or --role-arn ARN)\n"],
    [
      ["user", ROLES.developer, "--mfa-serial", MFA_SERIAL, "--mfa-serial-number", `${MFA_SERIAL}2`, "--profile", "dev"],
      "rolecred: --mfa-serial and --mfa-serial-number are the same flag and were given different values\n",
    ],
  ])("refuses %j in one line, exit 2", async (args, stderr) => {
    const calls = world.sts.calls.length;
    const result = await rolecred(args);
    expect(result.stderr).toBe(stderr);
    expect(result.exitCode).toBe(2);
    expect(world.sts.calls.length).toBe(calls);
  });

  it("runs --exec 'CMD STRING' split into words, without a shell", async () => {
    const result = await rolecred([
      "user",
      ROLES.ci,
      "--exec",
      `node -e 'console.log(process.argv.slice(1).join("|"), process.env.AWS_SESSION_TOKEN ? "token" : "none")' "two words" x\\ y`,
    ]);
    expect(result.stdout).toBe("two words|x y token\n");
    expect(result.exitCode).toBe(0);
  });

  it("refuses an --exec string that needs a shell, naming the form that has one", async () => {
    const calls = world.sts.calls.length;
    const result = await rolecred(["user", ROLES.ci, "--exec", "aws s3 ls | head"]);
    expect(result.stderr).toBe(
      `rolecred: --exec "aws s3 ls | head" needs a shell (pipes, redirections, variables, globs, a leading NAME=value or a word such as if or !); rolecred runs commands without one — write -- sh -c 'aws s3 ls | head'\n`,
    );
    expect(result.exitCode).toBe(2);
    expect(world.sts.calls.length).toBe(calls);
  });

  it("-q/--quiet drops the result line; -V prints the version", async () => {
    for (const quiet of ["-q", "--quiet"]) {
      const result = await rolecred([quiet, "user", ROLES.ci, "--profile", "ci"]);
      expect(result.stderr).toBe("");
      expect(result.exitCode).toBe(0);
    }
    expect(await credentialsFile()).toContain("[ci]");
    const version = await rolecred(["-V"]);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    expect(version.exitCode).toBe(0);
  });
});

describe("rolecred user: a duration above the role's maximum", () => {
  // A world of its own: its clock starts with no MFA offset, so no test before it can push the
  // local STS's Date header past the SDK's clock-skew threshold (the SDK then retries any error).
  let fresh: World;
  beforeAll(async () => {
    fresh = await startWorld({ extraRoles: [{ arn: DOCUMENTED_ROLE, trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:user/jo`], requireMfa: true }] }] });
  });
  afterAll(() => fresh.close());
  const freshEnv = () => ({ ...env, AWS_ENDPOINT_URL_STS: fresh.sts.url });

  it("falls back to 1h, asking on the terminal for the next code and saying why", async () => {
    const command = `'${process.execPath}' '${ROLECRED_BIN}' user ${DOCUMENTED_ROLE} --profile dev --duration 12h`;
    const terminal = runInPty("/bin/sh", ["-c", command], { env: freshEnv(), cwd: REPO_ROOT });
    await terminal.waitFor(`MFA code for ${MFA_SERIAL}:`);
    terminal.type(`${fresh.nextMfaCode()}\r`);
    await terminal.waitFor(
      "warning: dev allows less than 43200s; retrying with 3600s, which needs the next MFA code (the first went with the refused request)",
    );
    await terminal.waitFor(/warning: [^\n]*\n[^]*MFA code for /);
    terminal.type(`${fresh.nextMfaCode()}\r`);
    const { exitCode } = await terminal.exited;
    outputs.push(terminal.screen());
    expect(exitCode).toBe(0);
    expect(terminal.screen()).toMatch(/dev: assumed dev in 111111111111 as jo, expires (\d{4}-\d\d-\d\d )?\d\d:\d\d \(in 1h \d+m\)/);
    expect(fresh.sts.calls.slice(-2).map((call) => [call.params.DurationSeconds, call.errorCode])).toEqual([
      ["43200", "ValidationError"],
      ["3600", undefined],
    ]);
  });

  it("with the code given in argv, says the code is spent and what to run instead; nothing written", async () => {
    const before = await credentialsFile();
    const result = await runCli(["user", DOCUMENTED_ROLE, "--profile", "dev", "--duration", "12h", "--mfa-token", fresh.nextMfaCode()], { env: freshEnv() });
    outputs.push(result.stdout, result.stderr);
    expect(result.stderr).toBe(
      "rolecred: dev allows less than 43200s, and the MFA code went with the refused request (STS takes a code once) — run again with --duration 1h (or the role's maximum) and the next code\n",
    );
    expect(result.exitCode).toBe(2);
    expect(await credentialsFile()).toBe(before);
  });

  it("the local STS spends a code on a request it then refuses for its duration (the model the fallback is built on)", async () => {
    const code = fresh.nextMfaCode();
    const first = await runCli(["user", DOCUMENTED_ROLE, "--profile", "dev", "--duration", "12h", "--mfa-token", code], { env: freshEnv() });
    expect(first.exitCode).toBe(2);
    const again = await runCli(["user", DOCUMENTED_ROLE, "--profile", "dev", "--duration", "1h", "--mfa-token", code], { env: freshEnv() });
    expect(again.stderr).toMatch(/^rolecred: STS rejected the MFA code for .*: it is wrong or was already used/);
    expect(again.exitCode).toBe(4);
  });
});

describe("rolecred user: a caller name STS would refuse as a session name", () => {
  it("exits 3 (input rolecred was given, not a usage error), says where to give a name, and writes nothing", async () => {
    // An endpoint that reports the caller as the one-letter IAM user "j" (STS wants 2-64 characters).
    const oneLetter = await startWorld({ tamper: (xml, action) => (action === "GetCallerIdentity" ? xml.replace(":user/jo<", ":user/j<") : xml) });
    try {
      const before = await credentialsFile();
      const result = await rolecred(["user", ROLES.ci, "--profile", "ci"], { env: { ...scriptEnv(), AWS_ENDPOINT_URL_STS: oneLetter.sts.url } });
      expect(result.stderr).toBe(
        `rolecred: cannot use "j" (from arn:aws:iam::${ACCOUNT}:user/j) as the session name — give one as the second argument: rolecred user ROLE_ARN SESSION_NAME\n`,
      );
      expect(result.exitCode).toBe(3);
      expect(await credentialsFile()).toBe(before);
      expect(oneLetter.sts.calls.map((call) => call.action)).toEqual(["GetCallerIdentity"]);
    } finally {
      await oneLetter.close();
    }
  });
});

describe("a profile rolecred wrote, used by the other sinks", () => {
  const printKeys = ["node", "-e", "const e=process.env; console.log(JSON.stringify({id:e.AWS_ACCESS_KEY_ID, exp:e.AWS_CREDENTIAL_EXPIRATION}))"];
  const section = (text: string, name: string) => new RegExp(`\\n\\[${name}\\]\\n([^[]*)`).exec(text)?.[1] ?? "";
  const keyOf = (text: string, key: string) => new RegExp(`^${key} = (.*)$`, "m").exec(text)?.[1];

  it("exec, process and env hand out the written session as it is, with its expiry, and call STS for none of it", async () => {
    const written = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(written.exitCode).toBe(0);
    const dev = section(await credentialsFile(), "dev");
    const calls = world.sts.calls.length;
    const withRegion = { ...scriptEnv(), AWS_REGION: "eu-west-1" };

    const child = await rolecred(["exec", "dev", "--", ...printKeys], { env: withRegion });
    expect(child.stderr).toBe("");
    expect(child.exitCode).toBe(0);
    expect(JSON.parse(child.stdout)).toEqual({ id: keyOf(dev, "aws_access_key_id"), exp: keyOf(dev, "x_security_token_expires") });

    const processJson = await rolecred(["process", "dev"], { env: withRegion });
    expect(processJson.exitCode).toBe(0);
    expect(JSON.parse(processJson.stdout)).toMatchObject({
      AccessKeyId: keyOf(dev, "aws_access_key_id"),
      SessionToken: keyOf(dev, "aws_session_token"),
      Expiration: keyOf(dev, "x_security_token_expires"),
    });
    const exports = await rolecred(["env", "dev", "--shell", "bash"], { env: withRegion });
    expect(exports.stdout).toContain(`export AWS_ACCESS_KEY_ID='${keyOf(dev, "aws_access_key_id")}'\n`);
    expect(world.sts.calls.length).toBe(calls);
  });

  it("an expired one or one with no readable expiry: one line saying so, exit 1 / 3, and no secret shown", async () => {
    const keys = "aws_access_key_id = ASIAWRITTENEXAMPLE\naws_secret_access_key = written-secret-value\naws_session_token = written-token-value\n";
    await appendFile(credentialsPath(), `\n[old]\n${keys}x_security_token_expires = 2020-01-01T00:00:00Z\n\n[bare]\n${keys}`);
    const env = { ...scriptEnv(), AWS_REGION: "eu-west-1" };
    const expired = await rolecred(["exec", "old", "--", "true"], { env });
    expect(expired.stderr).toBe(
      'rolecred: profile "old" holds a session that expired at 2020-01-01T00:00:00.000Z — get a new one with the command that wrote it (rolecred saml or user --profile)\n',
    );
    expect(expired.exitCode).toBe(1);
    const bare = await rolecred(["process", "bare"], { env });
    expect(bare.stderr).toMatch(/^rolecred: profile "bare" holds temporary keys with no expiry rolecred can read .*AWS_PROFILE=bare.*\n$/);
    expect(bare.exitCode).toBe(3);
    expect(bare.stdout).toBe("");
    for (const result of [expired, bare]) expect(result.stderr).not.toMatch(/written-(secret|token)-value/);
  });
});
