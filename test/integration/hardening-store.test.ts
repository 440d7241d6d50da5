/**
 * Issue 9, the credentials file, the locks and the clock, end to end: the built CLI against the
 * local STS endpoint (a hostile one where it matters), under a temporary HOME, as root.
 */
import { spawn, execFileSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { chmod, chown, lstat, mkdir, readdir, readFile, stat, symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { JO_KEYS, ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

let world: World;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

const CONFIG = `
[profile dev]
role_arn = ${ROLES.developer}
source_profile = jo

[profile ci]
role_arn = ${ROLES.ci}
source_profile = jo-script
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
  ({ home, env } = await makeJoHome(world, { config: CONFIG, env: { AWS_PROFILE: "jo-script" } }));
});

async function rolecred(args: readonly string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  const result = await runCli(args, { env: options.env ?? env });
  outputs.push(result.stdout, result.stderr);
  return result;
}

const credentialsPath = () => join(home, ".aws", "credentials");
const credentialsBytes = () => readFile(credentialsPath());
const stsCalls = () => world.sts.calls.length;

/** One line on stderr: `rolecred: … — …`. */
function oneLine(result: CliResult): string {
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  return result.stderr;
}

describe("1. long-term keys: AKIA, or no/empty session token", () => {
  const prodKeys = [
    "",
    "[prod-keys]",
    "aws_access_key_id = AKIAPRODEXAMPLE00001",
    "aws_secret_access_key = prod/secret/EXAMPLE",
    "aws_session_token =",
    "",
  ].join("\n");

  it("user and write refuse to overwrite an AKIA section with an empty aws_session_token, before any STS call", async () => {
    await writeFile(credentialsPath(), `${(await credentialsBytes()).toString()}${prodKeys}`);
    const before = await credentialsBytes();
    const calls = stsCalls();
    const user = await rolecred(["user", ROLES.ci, "--profile", "prod-keys"]);
    expect(user.exitCode).toBe(1);
    expect(oneLine(user)).toMatch(/profile \[prod-keys\] .* holds long-term access keys; rolecred will not overwrite them/);
    const write = await rolecred(["write", "ci", "--to", "prod-keys"]);
    expect(write.exitCode).toBe(1);
    expect(write.stderr).toMatch(/holds long-term access keys/);
    expect(stsCalls()).toBe(calls);
    expect(await credentialsBytes()).toEqual(before);
  });

  it("logout --all keeps a section marked as rolecred's that holds an AKIA key; --force removes it", async () => {
    const marked = [
      "",
      "[old]",
      "aws_access_key_id = AKIAPRODEXAMPLE00002",
      "aws_secret_access_key = s",
      "aws_session_token =",
      "x_rolecred_managed = true",
      "",
    ].join("\n");
    await writeFile(credentialsPath(), `${(await credentialsBytes()).toString()}${marked}`);
    const kept = await rolecred(["logout", "--all"]);
    expect(kept.exitCode).toBe(0);
    expect(kept.stderr).toMatch(/kept \[old\] .* it holds long-term access keys \(pass --force to remove it\)/);
    expect((await credentialsBytes()).toString()).toContain("[old]");
    const forced = await rolecred(["logout", "--all", "--force"]);
    expect(forced.exitCode).toBe(0);
    expect((await credentialsBytes()).toString()).not.toContain("[old]");
    expect((await credentialsBytes()).toString()).toContain("[jo]");
  });
});

describe("2. control characters are never written", () => {
  it("a hostile STS putting a newline into AccessKeyId: exit 5, one line, nothing written", async () => {
    const hostile = await startWorld({
      tamper: (xml, action) =>
        action === "AssumeRole"
          ? xml.replace(/<AccessKeyId>(\w+)<\/AccessKeyId>/, "<AccessKeyId>$1\n[injected]\naws_access_key_id = AKIAINJECTED</AccessKeyId>")
          : xml,
    });
    try {
      const before = await credentialsBytes();
      const result = await rolecred(["user", ROLES.ci, "--profile", "dev"], { env: { ...env, AWS_ENDPOINT_URL_STS: hostile.sts.url } });
      expect(hostile.sts.calls.map((call) => call.action)).toContain("AssumeRole");
      expect(result.exitCode).toBe(5);
      expect(oneLine(result)).toMatch(/STS returned an aws_access_key_id containing the control character U\+000A; nothing was written to \[dev\]/);
      expect(await credentialsBytes()).toEqual(before);
    } finally {
      await hostile.close();
    }
  });

  it("a carriage return in the session token from STS is refused the same way", async () => {
    const hostile = await startWorld({ tamper: (xml) => xml.replace(/<SessionToken>/, "<SessionToken>&#13;") });
    try {
      const before = await credentialsBytes();
      const result = await rolecred(["user", ROLES.ci, "--profile", "dev"], { env: { ...env, AWS_ENDPOINT_URL_STS: hostile.sts.url } });
      expect(result.exitCode).toBe(5);
      expect(oneLine(result)).toMatch(/aws_session_token containing the control character U\+000D/);
      expect(await credentialsBytes()).toEqual(before);
    } finally {
      await hostile.close();
    }
  });

  it("a profile name with a newline or ESC is refused before any STS call (exit 2)", async () => {
    const calls = stsCalls();
    const cases = [
      [
        ["user", ROLES.ci, "--profile", "a\n[b]"],
        /invalid --profile "a\\n\[b\]": a profile name cannot contain \[ \], line breaks or other control characters/,
      ],
      [["user", ROLES.ci, "--profile", "dev\u001b]52;c;eA==\u0007"], /invalid --profile "dev\\x1b\]52;c;eA==\\x07"/],
      [["write", "ci", "--to", "dev\u009b31m"], /invalid --to "dev\\x9b31m"/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await rolecred(args);
      expect(result.exitCode).toBe(2);
      expect(oneLine(result)).toMatch(message);
      expect(result.stderr).not.toMatch(/[\u001b\u0007\u009b]/);
    }
    expect(stsCalls()).toBe(calls);
  });
});

describe("3. non-regular credentials files: exit 3, never replaced, never a hang", () => {
  it("/dev/null, a symlink to it, a FIFO, a folder", async () => {
    const fifo = join(home, "fifo");
    execFileSync("mkfifo", [fifo]);
    const link = join(home, "null-link");
    await symlink("/dev/null", link);
    const folder = join(home, "a-folder");
    await mkdir(folder);
    const calls = stsCalls();
    for (const [target, kind] of [
      ["/dev/null", "a character device"],
      [link, "a character device"],
      [fifo, "a FIFO"],
      [folder, "a directory"],
    ] as const) {
      const result = await rolecred(["user", ROLES.ci, "--profile", "dev"], { env: { ...env, AWS_SHARED_CREDENTIALS_FILE: target } });
      expect(result.exitCode, target).toBe(3);
      expect(oneLine(result)).toContain(kind);
    }
    expect(stsCalls()).toBe(calls);
    expect((await stat("/dev/null")).isCharacterDevice()).toBe(true);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect((await stat(fifo)).isFIFO()).toBe(true);
    expect(await readdir("/dev")).not.toContain("null.rolecred.lock");
  });

  it("a FIFO or /dev/zero as ~/.aws/config: exit 3, one line", async () => {
    const fifo = join(home, "config-fifo");
    execFileSync("mkfifo", [fifo]);
    for (const target of [fifo, "/dev/zero"]) {
      const result = await rolecred(["process", "ci"], { env: { ...env, AWS_CONFIG_FILE: target } });
      expect(result.exitCode, target).toBe(3);
      expect(oneLine(result)).toMatch(/the config file .* is a (FIFO|character device), not a regular file/);
    }
  });
});

describe("4. the owner of a replaced file is kept", () => {
  it("a credentials file owned by uid 65534 stays owned by it after a write as root", async () => {
    await chown(credentialsPath(), 65534, 65534);
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(result.exitCode).toBe(0);
    const after = await stat(credentialsPath());
    expect([after.uid, after.gid]).toEqual([65534, 65534]);
    expect((await credentialsBytes()).toString()).toContain("[dev]");
  });
});

describe("4b. sudo rolecred with the user's HOME: what rolecred creates belongs to the user", () => {
  it("as root, new folders and files (credentials file, session cache) take the owner of the folder they are created in", async () => {
    // Everything in this HOME belongs to uid 65534, as a user's HOME would when sudo keeps HOME.
    execFileSync("chown", ["-R", "65534:65534", home]);
    const elsewhere = join(home, "new-folder", "credentials");
    const keys = { AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey, AWS_PROFILE: "" };
    const written = await rolecred(["user", ROLES.ci, "--profile", "dev"], { env: { ...env, ...keys, AWS_SHARED_CREDENTIALS_FILE: elsewhere } });
    expect(written.exitCode).toBe(0);
    const cached = await rolecred(["process", "ci"]);
    expect(cached.exitCode).toBe(0);
    // `assume` notes the profile in the recently-used list (the picker's order).
    const switched = await rolecred(["assume", "ci", "--shell", "bash"]);
    expect(switched.exitCode).toBe(0);
    const owners = new Map<string, string>();
    const walk = async (path: string): Promise<void> => {
      const info = await lstat(path);
      owners.set(path.slice(home.length) || "/", `${info.uid}:${info.gid}`);
      if (info.isDirectory()) for (const entry of await readdir(path)) await walk(join(path, entry));
    };
    await walk(home);
    expect(owners.get("/new-folder/credentials")).toBe("65534:65534");
    expect([...owners].filter(([, owner]) => owner !== "65534:65534")).toEqual([]);
  });
});

describe("5 and 6. read-only files and folders are refused before the STS call", () => {
  it("a 0400 credentials file: exit 3, mode and bytes kept, and the MFA code still works afterwards", async () => {
    await chmod(credentialsPath(), 0o400);
    const before = await credentialsBytes();
    const calls = stsCalls();
    const code = world.nextMfaCode();
    const refused = await rolecred(["user", ROLES.developer, "--profile", "dev", "--mfa-token", code], { env: { ...env, AWS_PROFILE: "jo" } });
    expect(refused.exitCode).toBe(3);
    expect(oneLine(refused)).toMatch(/is read-only \(mode 0400\); rolecred will not replace it/);
    expect(stsCalls()).toBe(calls);
    expect((await stat(credentialsPath())).mode & 0o777).toBe(0o400);
    expect(await credentialsBytes()).toEqual(before);
    // The code was not spent: STS accepts it now.
    await chmod(credentialsPath(), 0o600);
    const accepted = await rolecred(["user", ROLES.developer, "--profile", "dev", "--mfa-token", code], { env: { ...env, AWS_PROFILE: "jo" } });
    expect(accepted.exitCode).toBe(0);
  });

  it("a read-only ~/.aws: user refuses before any call", async () => {
    await chmod(join(home, ".aws"), 0o500);
    const calls = stsCalls();
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(result.exitCode).toBe(3);
    expect(oneLine(result)).toMatch(/the folder .*\.aws is read-only/);
    expect(stsCalls()).toBe(calls);
    await chmod(join(home, ".aws"), 0o700);
  });

  it("write dev --to jo (long-term keys) refuses without asking STS, and the MFA code is not burned", async () => {
    const calls = stsCalls();
    const code = world.nextMfaCode();
    const refused = await rolecred(["write", "dev", "--to", "jo", "--mfa-token", code]);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toMatch(/holds long-term access keys/);
    expect(stsCalls()).toBe(calls);
    const accepted = await rolecred(["write", "dev", "--to", "dev-creds", "--mfa-token", code]);
    expect(accepted.exitCode).toBe(0);
  });
});

describe("7 and 8. bytes outside the section; headers the AWS CLI would not find", () => {
  it("Latin-1 bytes in a comment and another section survive byte for byte", async () => {
    const latin1 = Buffer.concat([
      Buffer.from("# J"),
      Buffer.from([0xf6]),
      Buffer.from("rg's keys\n"),
      await credentialsBytes(),
      Buffer.from("\n[other]\naws_access_key_id = ASIAOTHER\naws_secret_access_key = x\naws_session_token = y\n# caf"),
      Buffer.from([0xe9]),
      Buffer.from("\n"),
    ]);
    await writeFile(credentialsPath(), latin1);
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(result.exitCode).toBe(0);
    const after = await credentialsBytes();
    expect(after.subarray(0, latin1.length)).toEqual(latin1);
    expect(after.subarray(latin1.length).toString()).toMatch(/^\n\[dev\]\naws_access_key_id = ASIA/);
  });

  it("[ devw ] (spaces inside the brackets) is refused naming the line, nothing asked of STS", async () => {
    await writeFile(credentialsPath(), `${(await credentialsBytes()).toString()}\n[ devw ]\naws_access_key_id = ASIAX\n`);
    const calls = stsCalls();
    const result = await rolecred(["user", ROLES.ci, "--profile", "devw"]);
    expect(result.exitCode).toBe(3);
    expect(oneLine(result)).toMatch(/line 10: section header \[ devw \] has spaces inside the brackets; the AWS CLI and SDKs do not read it as \[devw\]/);
    expect(stsCalls()).toBe(calls);
  });
});

describe("9. temporary files of killed runs", () => {
  it("are removed on the next write; a live writer's and other files are not", async () => {
    const folder = join(home, ".aws");
    const dead = join(folder, ".credentials.rolecred-999999-abcdefgh.tmp");
    const live = join(folder, `.credentials.rolecred-${process.pid}-ijklmnop.tmp`);
    const foreign = join(folder, ".credentials.other-tool.tmp");
    for (const file of [dead, live, foreign]) await writeFile(file, "[jo]\naws_access_key_id = AKIA...\n", { mode: 0o600 });
    const old = new Date(Date.now() - 60_000);
    for (const file of [dead, live, foreign]) await utimes(file, old, old);
    const result = await rolecred(["user", ROLES.ci, "--profile", "dev"]);
    expect(result.exitCode).toBe(0);
    const left = await readdir(folder);
    expect(left).not.toContain(".credentials.rolecred-999999-abcdefgh.tmp");
    expect(left).toContain(`.credentials.rolecred-${process.pid}-ijklmnop.tmp`);
    expect(left).toContain(".credentials.other-tool.tmp");
  });
});

/** An "STS" that accepts connections and never answers: a run stays inside its refresh, holding the cache lock. */
async function silentEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<import("node:net").Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("error", () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function lockFiles(folder: string): Promise<string[]> {
  return (await readdir(folder).catch(() => [] as string[])).filter((name) => name.endsWith(".rolecred.lock"));
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe("10. locks: released on signals, waits announced, dead owners detected", () => {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    it(`${signal} during the STS call releases the cache lock`, async () => {
      const silent = await silentEndpoint();
      const cache = join(home, ".cache", "rolecred");
      try {
        const child = spawn(process.execPath, [ROLECRED_BIN, "process", "ci"], {
          env: { ...env, AWS_ENDPOINT_URL_STS: silent.url },
          detached: true,
          stdio: "ignore",
        });
        const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("close", (_code, received) => resolve(received)));
        while ((await lockFiles(cache)).length === 0) await sleep(20);
        child.kill(signal);
        expect(await exited).toBe(signal);
        expect(await lockFiles(cache)).toEqual([]);
      } finally {
        await silent.close();
      }
    });
  }

  it("a run waiting over a second for a live owner says so once, and goes on as soon as that owner is gone", async () => {
    // Learn the lock's path from a run that holds it, then plant a lock owned by a live process.
    const silent = await silentEndpoint();
    const cache = join(home, ".cache", "rolecred");
    const holder = spawn(process.execPath, [ROLECRED_BIN, "process", "ci"], {
      env: { ...env, AWS_ENDPOINT_URL_STS: silent.url },
      detached: true,
      stdio: "ignore",
    });
    const holderExited = new Promise((resolve) => holder.on("close", resolve));
    while ((await lockFiles(cache)).length === 0) await sleep(20);
    const [lockName] = await lockFiles(cache);
    holder.kill("SIGTERM");
    await holderExited;
    await silent.close();

    const sleeper = spawn("sleep", ["2.5"], { stdio: "ignore" });
    const pid = sleeper.pid ?? 0;
    const stat = (await readFile(`/proc/${pid}/stat`, "utf8")).split(") ")[1]?.split(" ")[19];
    const boot = (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();
    const { hostname } = await import("node:os");
    await writeFile(join(cache, lockName ?? ""), `${JSON.stringify({ token: "planted", pid, host: hostname(), start: stat, boot })}\n`);
    const result = await rolecred(["process", "ci"]);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ Version: 1 });
    const notices = result.stderr.split("\n").filter((line) => line.includes("waiting for"));
    expect(notices).toEqual([`waiting for another rolecred (pid ${pid}) to release ${join(cache, lockName ?? "")}`]);
  });
});

describe("32. a clock 2 h ahead of STS's", () => {
  it("judges the cached session by STS's clock (one call, not one per run) and warns once", async () => {
    const skewed = await startWorld({ clockOffsetMs: -2 * 3600_000 });
    try {
      const skewEnv = { ...env, AWS_ENDPOINT_URL_STS: skewed.sts.url };
      const first = await rolecred(["process", "ci"], { env: skewEnv });
      expect(first.exitCode).toBe(0);
      expect(first.stderr.match(/this machine's clock is 2 hours ahead of STS's/g)).toHaveLength(1);
      expect(first.stderr).not.toMatch(/expires within 5 minutes/);
      const assumes = () => skewed.sts.calls.filter((call) => call.action === "AssumeRole" && call.errorCode === undefined).length;
      expect(assumes()).toBe(1);
      for (const args of [
        ["process", "ci"],
        ["env", "ci", "--shell", "bash"],
        ["exec", "ci", "--", "true"],
      ]) {
        const again = await rolecred(args, { env: skewEnv });
        expect(again.exitCode, args.join(" ")).toBe(0);
      }
      expect(assumes()).toBe(1);
      // status judges it on the same clock: valid for 30 more minutes of this machine's time.
      const status = await rolecred(["status", "ci", "--min", "30m"], { env: skewEnv });
      expect(status.exitCode).toBe(0);
    } finally {
      await skewed.close();
    }
  });
});

describe("1, 5 and 6 for saml: the assertion is not spent on a write that would be refused", () => {
  it("a 0400 file and an AKIA section with an empty token are refused before AssumeRoleWithSAML", async () => {
    const { createTestIdp, issueSamlResponseBase64 } = await import("../support/saml-idp.js");
    const idp = createTestIdp("https://idp.rolecred.test/saml");
    const provider = "arn:aws:iam::111122223333:saml-provider/TestIdP";
    const role = "arn:aws:iam::111122223333:role/Short";
    const samlWorld = await startWorld({
      samlProviders: [{ arn: provider, certificatePem: idp.certificatePem }],
      extraRoles: [{ arn: role, trust: [{ principals: [provider] }] }],
    });
    try {
      const samlEnv = { ...env, AWS_ENDPOINT_URL_STS: samlWorld.sts.url };
      const response = issueSamlResponseBase64(idp, { roles: [{ roleArn: role, providerArn: provider }], sessionName: "alice@example.com" });
      const saml = async (profile: string) => {
        const result = await runCli(["saml", "--profile", profile], { env: samlEnv, stdin: response });
        outputs.push(result.stdout, result.stderr);
        return result;
      };
      await writeFile(
        credentialsPath(),
        `${(await credentialsBytes()).toString()}\n[prod-keys]\naws_access_key_id = AKIAPRODEXAMPLE00001\naws_secret_access_key = x\naws_session_token =\n`,
      );
      const guarded = await saml("prod-keys");
      expect(guarded.exitCode).toBe(1);
      expect(guarded.stderr).toMatch(/holds long-term access keys/);
      await chmod(credentialsPath(), 0o400);
      const readOnly = await saml("dev");
      expect(readOnly.exitCode).toBe(3);
      expect(readOnly.stderr).toMatch(/is read-only \(mode 0400\)/);
      expect(samlWorld.sts.calls).toEqual([]);
      // The same response still works once the file is writable: nothing was spent.
      await chmod(credentialsPath(), 0o600);
      expect((await saml("dev")).exitCode).toBe(0);
    } finally {
      await samlWorld.close();
    }
  });
});
