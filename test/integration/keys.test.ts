/**
 * `rolecred keys …` and profiles whose keys live in the key store, end to end with the built CLI
 * against the local STS endpoint. The encrypted-file backend is used here (no D-Bus in these
 * runs); the Secret Service backend has its own test under a real gnome-keyring
 * (test/keys/secret-service.test.ts).
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, ROLES, makeJoHome, startWorld, writeJoProfile, type World } from "../support/world.js";
import { runInPty } from "../support/pty.js";
import { writeEmptyKeyFile } from "../support/key-file.js";
import { createLocalIam, type LocalIam } from "../support/iam-server.js";
import { startLocalSts, type LocalSts } from "../support/sts-server.js";
import { newTotpSecret, TOTP_STEP_SECONDS } from "../support/totp.js";

const PASSPHRASE = "test passphrase 1234";

let world: World;
let home: string;
let env: Record<string, string>;
const outputs: string[] = [];

const CONFIG = `
[profile jo-vault]
rolecred_keys = jo
mfa_serial = ${MFA_SERIAL}

[profile jo-vault-nomfa]
rolecred_keys = jo

[profile dev-vault]
role_arn = ${ROLES.developer}
source_profile = jo-vault

[profile dev-vault-session]
role_arn = ${ROLES.developer}
source_profile = jo-vault
rolecred_mfa_mode = session

[profile ci-vault]
role_arn = ${ROLES.ci}
source_profile = jo-vault-nomfa

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
  // Across every run in this file (stdout and stderr, terminals included): no secret.
  const everything = outputs.join("\n");
  for (const secret of [JO_KEYS.secretAccessKey, PASSPHRASE]) expect(everything).not.toContain(secret);
});
beforeEach(async () => {
  ({ home, env } = await makeJoHome(world, { config: CONFIG, env: { ROLECRED_KEYS_BACKEND: "file", ROLECRED_KEYS_PASSPHRASE: PASSPHRASE } }));
});

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, stdin });
  outputs.push(result.stderr);
  if (!args.includes("process") && !args.includes("env")) outputs.push(result.stdout); // those print session credentials on purpose
  return result;
}

/**
 * `keys add jo`, into a key file made beforehand at scrypt's cheapest accepted cost (see
 * test/support/key-file.ts) unless `creating`: then rolecred creates the file itself.
 */
async function addJo({ creating = false } = {}): Promise<void> {
  if (!creating) await seedKeyFile();
  const added = await rolecred(["keys", "add", "jo", "--stdin"], {}, `${JO_KEYS.accessKeyId}\n${JO_KEYS.secretAccessKey}\n`);
  expect(added.stderr).toContain("stored jo (****0001) in ");
  expect(added.exitCode).toBe(0);
}

/** Every file under HOME that holds `secret` (the key file is encrypted, so it never should). */
async function filesHolding(secret: string, folder = home): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await filesHolding(secret, path)));
    else if (entry.isFile() && (await readFile(path, "utf8")).includes(secret)) found.push(path);
  }
  return found;
}

const keyFile = () => join(home, ".local", "share", "rolecred", "keys.enc");
/** An empty key file, unless one is there already. */
const seedKeyFile = async () => {
  if (
    !(await stat(keyFile()).then(
      () => true,
      () => false,
    ))
  )
    await writeEmptyKeyFile(keyFile(), PASSPHRASE);
};
const callsSince = (mark: number) => world.sts.calls.slice(mark);

describe("keys add, list, remove", () => {
  it("stores keys piped on stdin in the encrypted file (0600), lists them masked, and removes them", async () => {
    await addJo({ creating: true });
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((JSON.parse(await readFile(keyFile(), "utf8")) as { kdf: { N: number } }).kdf.N).toBe(2 ** 17); // rolecred's own cost
    const table = await rolecred(["keys", "list"]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe("NAME  KEY ID    BACKEND  AGE\njo    ****0001  file     today\n");
    const json = await rolecred(["keys", "list", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: "jo", accessKeyId: "****0001", backend: "file", location: keyFile(), createdAt: expect.any(String), ageDays: 0 },
    ]);
    expect(json.stdout).not.toContain(JO_KEYS.accessKeyId);
    const removed = await rolecred(["keys", "remove", "jo"]);
    expect(removed.exitCode).toBe(0);
    expect(removed.stderr).toContain(`removed jo (****0001) from ${keyFile()}`);
    expect((await rolecred(["keys", "list", "--json"])).stdout).toBe("[]\n");
    const again = await rolecred(["keys", "remove", "jo"]);
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toBe(`rolecred: no keys named "jo" in ${keyFile()} — \`rolecred keys list\` shows what is stored\n`);
  });

  it("takes the keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY with --env, and refuses temporary ones", async () => {
    await seedKeyFile();
    const temporary = await rolecred(["keys", "add", "jo", "--env"], {
      AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey,
      AWS_SESSION_TOKEN: "token-token",
    });
    expect(temporary.exitCode).toBe(3);
    expect(temporary.stderr).toMatch(/^rolecred: AWS_SESSION_TOKEN is set/);
    const added = await rolecred(["keys", "add", "jo", "--env"], { AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey });
    expect(added.exitCode).toBe(0);
    expect((await rolecred(["keys", "list", "--json"])).stdout).toContain('"****0001"');
  });

  it("refuses to replace stored keys without --force", async () => {
    await addJo();
    const again = await rolecred(["keys", "add", "jo", "--stdin"], {}, `AKIAJOEXAMPLE0000009\n${JO_KEYS.secretAccessKey}\n`);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toMatch(/^rolecred: keys named "jo" are already stored \(\*\*\*\*0001, in .*\) — pass --force/);
  });

  it("refuses bad input with one line and stores nothing", async () => {
    const cases: Array<[string[], string | undefined, number, RegExp]> = [
      [["keys", "add", "jo", "--stdin"], "only-one-line\n", 3, /^rolecred: stdin must hold two lines/],
      [["keys", "add", "jo", "--stdin"], `ASIAJOEXAMPLE0000001\n${JO_KEYS.secretAccessKey}\n`, 3, /temporary access key/],
      [["keys", "add", "jo", "--stdin"], `AKIAJOEXAMPLE0000001\nshort\n`, 3, /the secret access key is not one/],
      [["keys", "add", "bad/name", "--stdin"], "", 3, /"bad\/name" is not a valid key name/],
      [["keys", "add", "jo"], undefined, 2, /^rolecred: no terminal to ask for the access key of jo — pipe the key id and secret/],
      [["keys", "add", "jo", "--stdin", "--env"], "", 2, /--stdin and --env are alternatives/],
    ];
    for (const [args, stdin, exitCode, message] of cases) {
      const result = await rolecred(args, {}, stdin);
      expect(result.stderr).toMatch(message);
      expect(result.exitCode).toBe(exitCode);
    }
    await expect(stat(keyFile())).rejects.toThrow(/ENOENT/);
  });

  it("asks for the keys on the terminal, the secret masked", async () => {
    await seedKeyFile();
    const terminal = runInPty(process.execPath, [ROLECRED_BIN, "keys", "add", "jo"], { env, cwd: REPO_ROOT });
    await terminal.waitFor("Access key ID for jo:");
    terminal.type(`${JO_KEYS.accessKeyId}\r`);
    await terminal.waitFor("Secret access key:");
    terminal.type(`${JO_KEYS.secretAccessKey}\r`);
    const { exitCode } = await terminal.exited;
    outputs.push(terminal.screen());
    expect(exitCode).toBe(0);
    expect(terminal.screen()).toContain("stored jo (****0001)");
    expect(terminal.screen()).not.toContain(JO_KEYS.secretAccessKey);
  });

  it("refuses a wrong passphrase with one line, and leaves the file as it was", async () => {
    await addJo();
    const before = await readFile(keyFile());
    const result = await rolecred(
      ["keys", "add", "ana", "--stdin"],
      { ROLECRED_KEYS_PASSPHRASE: "not the passphrase" },
      `AKIAANAEXAMPLE000002\n${JO_KEYS.secretAccessKey}\n`,
    );
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(
      `rolecred: cannot open the key file ${keyFile()}: the passphrase is wrong, or the file was altered — check ROLECRED_KEYS_PASSPHRASE or what you typed; the file was left as it is\n`,
    );
    expect(await readFile(keyFile())).toEqual(before);
  });
});

describe("profiles with rolecred_keys", () => {
  it("a keys-only profile hands out a GetSessionToken session made with the stored keys and MFA", async () => {
    await addJo();
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "jo-vault"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const session = world.sts.session((JSON.parse(result.stdout) as { AccessKeyId: string }).AccessKeyId);
    expect(session).toMatchObject({ kind: "session-token", userName: "jo", mfaPresent: true });
    expect(callsSince(mark).map((call) => [call.action, call.params.SerialNumber, call.callerArn])).toEqual([
      ["GetSessionToken", MFA_SERIAL, `arn:aws:iam::${ACCOUNT}:user/jo`],
      ["GetCallerIdentity", undefined, `arn:aws:iam::${ACCOUNT}:user/jo`],
    ]);
  });

  it("is a source_profile like any other: a role with MFA, the MFA session mode, a role without MFA, env and exec", async () => {
    await addJo();
    const dev = await rolecred(["process", "dev-vault"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
    expect(dev.exitCode).toBe(0);
    expect(world.sts.session((JSON.parse(dev.stdout) as { AccessKeyId: string }).AccessKeyId)).toMatchObject({
      arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`,
      mfaPresent: true,
    });
    const mark = world.sts.calls.length;
    const session = await rolecred(["process", "dev-vault-session"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
    expect(session.exitCode).toBe(0);
    expect(callsSince(mark).map((call) => call.action)).toEqual(["GetSessionToken", "GetCallerIdentity", "AssumeRole"]);
    const exports = await rolecred(["env", "ci-vault", "--shell", "bash"]);
    expect(exports.exitCode).toBe(0);
    expect(exports.stdout).toMatch(/^export AWS_ACCESS_KEY_ID='ASIA/m);
    const exec = await rolecred(["exec", "ci-vault", "--", "/bin/sh", "-c", 'test -n "$AWS_SESSION_TOKEN" && echo ok']);
    expect(exec.stdout).toBe("ok\n");
    expect(exec.exitCode).toBe(0);
  });

  it("works for `user --source-profile`", async () => {
    await addJo();
    const result = await rolecred(["user", ROLES.developer, "--source-profile", "jo-vault", "--mfa-token", world.nextMfaCode(), "--profile", "out"]);
    expect(result.stderr).toContain("out: assumed Developer in 111111111111 as jo");
    expect(result.exitCode).toBe(0);
    // And as the active profile, with no keys in the environment (the SDK's default chain cannot read the store).
    const active = await rolecred(["user", ROLES.ci, "--profile", "out2"], { AWS_PROFILE: "jo-vault-nomfa" });
    expect(active.stderr).toContain("out2: assumed Ci in 111111111111 as jo");
    expect(active.exitCode).toBe(0);
    // With AWS_PROFILE set, the SDK takes the profile over keys in the environment: so does rolecred's key store.
    const overEnvironment = await rolecred(["user", ROLES.ci, "--profile", "out3"], {
      AWS_PROFILE: "jo-vault-nomfa",
      AWS_ACCESS_KEY_ID: "AKIANOTTHEONE0000000",
      AWS_SECRET_ACCESS_KEY: "not-the-one",
    });
    expect(overEnvironment.stderr).toContain("out3: assumed Ci in 111111111111 as jo");
    expect(overEnvironment.exitCode).toBe(0);
  });

  it("names the profile and the missing entry when the store does not hold it", async () => {
    const result = await rolecred(["process", "ci-vault"]);
    expect(result.stderr).toBe(
      `rolecred: profile "jo-vault-nomfa": no keys named "jo" in ${keyFile()} — store them with \`rolecred keys add jo\` (or \`rolecred keys import\` from ~/.aws/credentials)\n`,
    );
    expect(result.exitCode).toBe(3);
  });

  it("forgets the sessions of keys that were replaced", async () => {
    await addJo();
    expect((await rolecred(["process", "ci-vault"])).exitCode).toBe(0);
    const mark = world.sts.calls.length;
    expect((await rolecred(["process", "ci-vault"])).exitCode).toBe(0);
    expect(callsSince(mark)).toEqual([]); // served from the cache
    const replaced = await rolecred(["keys", "add", "jo", "--stdin", "--force"], {}, `${JO_KEYS.accessKeyId}\n${JO_KEYS.secretAccessKey}\n`);
    expect(replaced.exitCode).toBe(0);
    expect((await rolecred(["process", "ci-vault"])).exitCode).toBe(0);
    expect(callsSince(mark).map((call) => call.action)).toEqual(["GetCallerIdentity", "AssumeRole"]);
  });
});

describe("keys import and export", () => {
  it("moves [jo]'s keys into the store after proving them; every section holding them now refers to the store; profiles keep working", async () => {
    await seedKeyFile();
    const credentials = join(home, ".aws", "credentials");
    const result = await rolecred(["keys", "import", "jo"]);
    expect(result.stderr).toBe(
      `moved the keys of arn:aws:iam::${ACCOUNT}:user/jo (****0001) into ${keyFile()}\n${credentials}: [jo], [jo-script] now say rolecred_keys = jo instead of holding the keys\n`,
    );
    expect(result.exitCode).toBe(0);
    expect(await readFile(credentials, "utf8")).toBe(
      "# jo's own keys: must survive every rolecred write\n[jo]\nrolecred_keys = jo\n\n[jo-script]\nrolecred_keys = jo\n",
    );
    expect(await filesHolding(JO_KEYS.secretAccessKey)).toEqual([]);
    expect(await filesHolding(JO_KEYS.accessKeyId)).toEqual([]);
    expect(world.sts.calls.at(-1)).toMatchObject({ action: "GetCallerIdentity", callerArn: `arn:aws:iam::${ACCOUNT}:user/jo` });
    // The profiles that used [jo] and [jo-script] work as before.
    expect((await rolecred(["process", "dev"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() })).exitCode).toBe(0);
    expect((await rolecred(["process", "ci"])).exitCode).toBe(0);
    const user = await rolecred(["user", ROLES.ci, "--source-profile", "jo-script", "--profile", "out"]);
    expect(user.exitCode).toBe(0);
    // Repeating the import is refused, changing nothing.
    const again = await rolecred(["keys", "import", "jo"]);
    expect(again.exitCode).toBe(3);
    expect(again.stderr).toMatch(/^rolecred: \[jo\] in .* holds no long-term keys to import/);
  });

  it("refuses keys STS does not accept, moving nothing", async () => {
    const credentials = join(home, ".aws", "credentials");
    await writeFile(credentials, `[old]\naws_access_key_id = AKIADELETED000000001\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`);
    const result = await rolecred(["keys", "import", "old"]);
    expect(result.stderr).toMatch(/^rolecred: STS does not recognise the source access key/);
    expect(result.exitCode).toBe(4);
    expect(await readFile(credentials, "utf8")).toContain(JO_KEYS.secretAccessKey);
    await expect(stat(keyFile())).rejects.toThrow(/ENOENT/);
  });

  it("export shows the keys only on a terminal, after a yes", async () => {
    await addJo();
    const piped = await rolecred(["keys", "export", "jo"]);
    expect(piped.exitCode).toBe(2);
    expect(piped.stdout).toBe("");
    expect(piped.stderr).toMatch(/^rolecred: no terminal to ask for confirmation to show the keys of jo — keys export shows a secret, and only on a terminal/);
    const declined = runInPty(process.execPath, [ROLECRED_BIN, "keys", "export", "jo"], { env, cwd: REPO_ROOT });
    await declined.waitFor("on this terminal?");
    declined.type("n\r");
    expect((await declined.exited).exitCode).toBe(1);
    expect(declined.screen()).not.toContain(JO_KEYS.secretAccessKey);
    const out = join(home, "stdout.txt");
    const shown = runInPty("/bin/sh", ["-c", `'${process.execPath}' '${ROLECRED_BIN}' keys export jo > '${out}'`], { env, cwd: REPO_ROOT });
    await shown.waitFor("on this terminal?");
    shown.type("y\r");
    expect((await shown.exited).exitCode).toBe(0);
    expect(shown.screen()).toContain(`aws_secret_access_key = ${JO_KEYS.secretAccessKey}`);
    expect(await readFile(out, "utf8")).toBe(""); // the terminal only, never stdout
  });
});

/**
 * A stand-in for a password manager's CLI: records its argv (which must never carry a secret),
 * then prints what the test put in a file next to it (credential JSON, an MFA code, anything).
 */
async function writeHelper(name: string, output: string, exitCode = 0): Promise<string> {
  const script = join(home, `${name} helper.mjs`);
  await writeFile(join(home, `${name}.out`), output);
  await writeFile(
    script,
    [
      'import { appendFileSync, readFileSync } from "node:fs";',
      `appendFileSync(${JSON.stringify(join(home, "argv.log"))}, JSON.stringify(process.argv) + "\\n");`,
      'process.stderr.write("helper: looking up the item\\n");',
      `process.stdout.write(readFileSync(${JSON.stringify(join(home, `${name}.out`))}, "utf8"));`,
      `process.exitCode = ${exitCode};`,
    ].join("\n"),
  );
  // Quoted as a user would: the path has a space, the item name too (split like the AWS CLI splits it).
  return `"${process.execPath}" '${script}' --item "jo \\"keys\\""`;
}

async function addConfig(text: string): Promise<void> {
  const config = join(home, ".aws", "config");
  await writeFile(config, `${await readFile(config, "utf8")}\n${text}\n`);
}

describe("credential_process as the source of a chain", () => {
  it("runs the command without a shell, passes its stderr through, and signs the role's AssumeRole with the long-term keys it prints", async () => {
    const command = await writeHelper("op", JSON.stringify({ Version: 1, AccessKeyId: JO_KEYS.accessKeyId, SecretAccessKey: JO_KEYS.secretAccessKey }));
    await addConfig(`[profile op-jo]\ncredential_process = ${command}\n\n[profile ci-op]\nrole_arn = ${ROLES.ci}\nsource_profile = op-jo`);
    const mark = world.sts.calls.length;
    const result = await rolecred(["process", "ci-op"]);
    expect(result.stderr).toBe("helper: looking up the item\n");
    expect(result.exitCode).toBe(0);
    expect(callsSince(mark).map((call) => [call.action, call.callerArn])).toEqual([
      ["GetCallerIdentity", `arn:aws:iam::${ACCOUNT}:user/jo`],
      ["AssumeRole", `arn:aws:iam::${ACCOUNT}:user/jo`],
    ]);
    const argv = (await readFile(join(home, "argv.log"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as string[]);
    expect(argv).toEqual([[process.execPath, join(home, "op helper.mjs"), "--item", 'jo "keys"']]);
  });

  it("does not hand out the long-term keys it prints when the profile is only that", async () => {
    await addConfig(
      `[profile op-only]\ncredential_process = ${await writeHelper("op", JSON.stringify({ Version: 1, AccessKeyId: JO_KEYS.accessKeyId, SecretAccessKey: JO_KEYS.secretAccessKey }))}`,
    );
    const result = await rolecred(["process", "op-only"]);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      'helper: looking up the item\nrolecred: profile "op-only": its process source gave long-term keys, and rolecred hands out only sessions — use the profile as the source_profile of a role, or store the keys with `rolecred keys add` and use rolecred_keys\n',
    );
    expect(result.exitCode).toBe(3);
  });

  it("uses a session it prints (here: rolecred's own, for another profile) and caches the role on top", async () => {
    await addConfig(
      `[profile cp-session]\ncredential_process = "${process.execPath}" "${ROLECRED_BIN}" process ci\n\n[profile prod-via-cp]\nrole_arn = ${ROLES.prodReadOnly}\nsource_profile = cp-session`,
    );
    const result = await rolecred(["process", "prod-via-cp"]);
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-1)).toMatchObject({
      action: "AssumeRole",
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/Ci/jo`,
      params: { RoleArn: ROLES.prodReadOnly },
    });
    const mark = world.sts.calls.length;
    expect((await rolecred(["process", "prod-via-cp"])).exitCode).toBe(0);
    expect(callsSince(mark)).toEqual([]);
  });

  it("stops a profile whose credential_process runs rolecred on itself", async () => {
    await addConfig(
      `[profile loop-cp]\ncredential_process = "${process.execPath}" "${ROLECRED_BIN}" process loop-cp\n\n[profile via-loop]\nrole_arn = ${ROLES.ci}\nsource_profile = loop-cp`,
    );
    const result = await rolecred(["process", "via-loop"]);
    expect(result.stderr).toContain('rolecred: profile "loop-cp": credential_process runs rolecred for "loop-cp" again: a loop (loop-cp → loop-cp)');
    expect(result.stderr).toMatch(/rolecred: profile "loop-cp": credential_process \(.*node\) failed: exit code 3 — its own messages, if any, are above\n$/);
    expect(result.exitCode).toBe(1);
  });

  it.each([
    ["not JSON", "Enter your password:", 0, 'printed something that is not JSON — expected {"Version": 1'],
    ["another version", JSON.stringify({ Version: 2, AccessKeyId: "a", SecretAccessKey: "b" }), 0, "printed Version 2, not 1"],
    ["no secret", JSON.stringify({ Version: 1, AccessKeyId: JO_KEYS.accessKeyId }), 0, "printed no SecretAccessKey"],
    [
      "expired credentials",
      JSON.stringify({ Version: 1, AccessKeyId: "ASIAX", SecretAccessKey: "s", SessionToken: "t", Expiration: "2020-01-01T00:00:00Z" }),
      0,
      "printed credentials that expired at 2020-01-01T00:00:00.000Z",
    ],
    ["a failure", "", 7, "failed: exit code 7"],
  ])("refuses a command that prints %s, naming the profile, never echoing its output", async (_name, output, exitCode, message) => {
    await addConfig(
      `[profile bad-cp]\ncredential_process = ${await writeHelper("bad", output, exitCode)}\n\n[profile via-bad]\nrole_arn = ${ROLES.ci}\nsource_profile = bad-cp`,
    );
    const result = await rolecred(["process", "via-bad"]);
    expect(result.stderr).toContain(`rolecred: profile "bad-cp": credential_process`);
    expect(result.stderr).toContain(message);
    expect(result.stderr).not.toContain("Enter your password");
    expect(result.exitCode).not.toBe(0);
  });

  it("kills a command that does not finish in time", async () => {
    await addConfig(`[profile slow-cp]\ncredential_process = sleep 30\n\n[profile via-slow]\nrole_arn = ${ROLES.ci}\nsource_profile = slow-cp`);
    const result = await rolecred(["process", "via-slow"], { ROLECRED_PROCESS_TIMEOUT: "1" });
    expect(result.stderr).toBe(
      'rolecred: profile "slow-cp": credential_process (sleep) did not finish within 1 s — ROLECRED_PROCESS_TIMEOUT sets the wait in seconds\n',
    );
    expect(result.exitCode).toBe(1);
  });
});

describe("mfa_process", () => {
  it("takes the code from the command's stdout: no prompt, no flag, and the code is never shown", async () => {
    const code = world.nextMfaCode();
    await addConfig(
      `[profile jo-otp]\nrolecred_keys = jo\nmfa_serial = ${MFA_SERIAL}\nmfa_process = ${await writeHelper("otp", `${code}\n`)}\n\n[profile dev-otp]\nrole_arn = ${ROLES.developer}\nsource_profile = jo-otp`,
    );
    await addJo();
    const result = await rolecred(["process", "dev-otp", "--verbose"]);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain(`MFA code for ${MFA_SERIAL} from mfa_process`);
    expect(result.stderr).not.toContain(code);
    expect(world.sts.calls.at(-1)).toMatchObject({ action: "AssumeRole", params: { SerialNumber: MFA_SERIAL, TokenCode: code } });
  });

  it("refuses a command that prints no code, naming it", async () => {
    await writeJoProfile(home, `mfa_process = ${await writeHelper("otp", "no item found\n")}\n${CONFIG}`);
    const result = await rolecred(["process", "dev"]);
    expect(result.stderr).toMatch(
      /^helper: looking up the item\nrolecred: mfa_process ".*otp helper\.mjs.*" \(profile "jo"\) printed no 6-digit code — run the command yourself/,
    );
    expect(result.exitCode).toBe(3);
  });
});

describe("keys rotate, against local STS + IAM", () => {
  let sts: LocalSts;
  let iam: LocalIam;
  let offsetMs = 0;
  const mfaSecret = newTotpSecret();
  const nextCode = () => {
    offsetMs += TOTP_STEP_SECONDS * 1000;
    return sts.totp(MFA_SERIAL);
  };

  beforeEach(async () => {
    // Fresh IAM state per test: jo's one original key, a user whose key actions need MFA.
    const users = [{ account: ACCOUNT, name: "jo", ...JO_KEYS, mfaDevices: [{ serial: MFA_SERIAL, secret: mfaSecret }] }];
    iam = createLocalIam({ users, requireMfa: ["jo"], consistencyDelayMs: 1500 });
    sts = await startLocalSts({
      users,
      roles: [{ arn: ROLES.ci, trust: [{ principals: [`arn:aws:iam::${ACCOUNT}:root`] }] }],
      now: () => new Date(Date.now() + offsetMs),
      extension: iam.extension,
    });
    env = { ...env, AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_IAM: sts.url };
    await addJo();
  });
  afterEach(async () => {
    await sts.close();
  });

  const storedKeyId = async () => (JSON.parse((await rolecred(["keys", "list", "--json"])).stdout) as Array<{ accessKeyId: string }>)[0]?.accessKeyId;

  it("creates a key with an MFA session, waits until it works, stores it, deletes the old one; profiles use the new key", async () => {
    const result = await rolecred(["keys", "rotate", "jo", "--verbose"], { ROLECRED_MFA_TOKEN: nextCode() });
    expect(result.exitCode).toBe(0);
    const [newKey] = iam.keysOf("jo");
    expect(iam.keysOf("jo")).toHaveLength(1);
    expect(newKey).not.toBe(JO_KEYS.accessKeyId);
    expect(result.stderr).toContain(`rotated jo: ****0001 → ${`****${newKey?.slice(-4)}`} (new key proved and stored in ${keyFile()}; old key deleted in IAM)`);
    expect(result.stderr).toContain("the new key is not active yet; trying again"); // IAM's propagation delay was met and tolerated
    expect(iam.calls.map((call) => [call.action, call.callerArn, call.errorCode])).toEqual([
      ["ListAccessKeys", `arn:aws:iam::${ACCOUNT}:user/jo`, undefined],
      ["CreateAccessKey", `arn:aws:iam::${ACCOUNT}:user/jo`, undefined],
      ["DeleteAccessKey", `arn:aws:iam::${ACCOUNT}:user/jo`, undefined],
    ]);
    expect(sts.calls.find((call) => call.action === "GetSessionToken")?.params.SerialNumber).toBe(MFA_SERIAL);
    expect(await storedKeyId()).toBe(`****${newKey?.slice(-4)}`);
    // The stored (new) key works for a profile; the old one is refused by STS.
    const mark = sts.calls.length;
    expect((await rolecred(["process", "ci-vault"])).exitCode).toBe(0);
    expect(sts.calls.slice(mark).every((call) => call.errorCode === undefined)).toBe(true);
    await writeFile(
      join(home, ".aws", "credentials"),
      `[old]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
    );
    expect((await rolecred(["keys", "import", "old"])).stderr).toMatch(/^rolecred: STS does not recognise the source access key/);
    expect(result.stderr).not.toContain(JO_KEYS.secretAccessKey);
  });

  it("refuses before creating anything when the user already has two keys", async () => {
    const spare = iam.addKey("jo");
    const result = await rolecred(["keys", "rotate", "jo"], { ROLECRED_MFA_TOKEN: nextCode() });
    expect(result.stderr).toBe(
      `rolecred: jo already has two access keys (****0001, ****${spare.slice(-4)}); IAM allows two, so no new one can be created — nothing changed in IAM; ****0001 is still the stored key; delete the unused key ****${spare.slice(-4)} in IAM, then rotate again\n`,
    );
    expect(result.exitCode).toBe(1);
    expect(iam.calls.map((call) => call.action)).toEqual(["ListAccessKeys"]);
    expect(await storedKeyId()).toBe("****0001");
  });

  it("needs the MFA code the user's policy requires, and asks for it before any IAM call", async () => {
    const result = await rolecred(["keys", "rotate", "jo"]);
    expect(result.stderr).toMatch(/^rolecred: no terminal to ask for the MFA code for arn:aws:iam::111111111111:mfa\/jo/);
    expect(result.exitCode).toBe(2);
    expect(iam.calls).toEqual([]);
  });

  it("without MFA, IAM's explicit deny is reported with IAM's state: nothing changed", async () => {
    // No profile names an MFA device here: the stored keys call IAM themselves.
    const plain = await rolecred(["keys", "rotate", "jo"], { AWS_CONFIG_FILE: join(home, "no-config") });
    expect(plain.stderr).toMatch(
      /^rolecred: IAM ListAccessKeys failed: AccessDenied: User: arn:aws:iam::111111111111:user\/jo is not authorized to perform: iam:ListAccessKeys .* — nothing changed in IAM; \*\*\*\*0001 is still the stored key\n$/,
    );
    expect(plain.exitCode).toBe(4);
    expect(iam.keysOf("jo")).toEqual([JO_KEYS.accessKeyId]);
  });

  it("when deleting the old key fails, says that both keys exist and which one is stored", async () => {
    iam.deny(["DeleteAccessKey"]);
    const result = await rolecred(["keys", "rotate", "jo"], { ROLECRED_MFA_TOKEN: nextCode() });
    const [, newKey = ""] = iam.keysOf("jo");
    expect(iam.keysOf("jo")).toHaveLength(2);
    expect(result.stderr).toMatch(/^rolecred: IAM DeleteAccessKey failed: AccessDenied: .*/);
    expect(result.stderr).toContain(
      `— the new key ****${newKey.slice(-4)} is stored and in use, but the old key ****0001 still exists in IAM: delete it there (aws iam delete-access-key --user-name jo --access-key-id ${JO_KEYS.accessKeyId})\n`,
    );
    expect(result.exitCode).toBe(4);
    expect(await storedKeyId()).toBe(`****${newKey.slice(-4)}`);
    expect((await rolecred(["process", "ci-vault"])).exitCode).toBe(0);
  });

  describe("a new key that never works", () => {
    it("is deleted again: IAM holds the old key only, still stored", async () => {
      // This IAM hands out new keys STS refuses (SignatureDoesNotMatch), and no propagation delay.
      await sts.close();
      const users = [{ account: ACCOUNT, name: "jo", ...JO_KEYS, mfaDevices: [{ serial: MFA_SERIAL, secret: mfaSecret }] }];
      iam = createLocalIam({ users, requireMfa: ["jo"], consistencyDelayMs: 0, brokenNewKeys: true });
      sts = await startLocalSts({ users, roles: [], now: () => new Date(Date.now() + offsetMs), extension: iam.extension });
      env = { ...env, AWS_ENDPOINT_URL_STS: sts.url, AWS_ENDPOINT_URL_IAM: sts.url };
      const result = await rolecred(["keys", "rotate", "jo"], { ROLECRED_MFA_TOKEN: nextCode() });
      expect(result.stderr).toMatch(
        /^rolecred: the source secret access key does not match its access key id .* — the new key \*\*\*\*\w{4} never worked; \*\*\*\*\w{4} was deleted again: IAM holds \*\*\*\*0001 as before, still stored\n$/,
      );
      expect(result.exitCode).toBe(4);
      expect(iam.calls.map((call) => call.action)).toEqual(["ListAccessKeys", "CreateAccessKey", "DeleteAccessKey"]);
      expect(iam.keysOf("jo")).toEqual([JO_KEYS.accessKeyId]);
      expect(await storedKeyId()).toBe("****0001");
    });
  });
});
