/**
 * `rolecred keys …` and profiles whose keys live in the key store, end to end with the built CLI
 * against the local STS endpoint. The encrypted-file backend is used here (no D-Bus in these
 * runs); the Secret Service backend has its own test under a real gnome-keyring
 * (test/keys/secret-service.test.ts).
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, ROLECRED_BIN, runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, ROLES, startWorld, writeJoProfile, type World } from "../support/world.js";
import { runInPty } from "../support/pty.js";

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
  home = await makeTempHome();
  await writeJoProfile(home, CONFIG);
  env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_KEYS_BACKEND: "file", ROLECRED_KEYS_PASSPHRASE: PASSPHRASE });
});

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, stdin });
  outputs.push(result.stderr);
  if (!args.includes("process") && !args.includes("env")) outputs.push(result.stdout); // those print session credentials on purpose
  return result;
}

async function addJo(): Promise<void> {
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
const callsSince = (mark: number) => world.sts.calls.slice(mark);

describe("keys add, list, remove", () => {
  it("stores keys piped on stdin in the encrypted file (0600), lists them masked, and removes them", async () => {
    await addJo();
    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    const table = await rolecred(["keys", "list"]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toBe("NAME  KEY ID    BACKEND  AGE\njo    ****0001  file     today\n");
    const json = await rolecred(["keys", "list", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual([{ name: "jo", accessKeyId: "****0001", backend: "file", location: keyFile(), createdAt: expect.any(String), ageDays: 0 }]);
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
    const temporary = await rolecred(["keys", "add", "jo", "--env"], { AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey, AWS_SESSION_TOKEN: "token-token" });
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
    const result = await rolecred(["keys", "add", "ana", "--stdin"], { ROLECRED_KEYS_PASSPHRASE: "not the passphrase" }, `AKIAANAEXAMPLE000002\n${JO_KEYS.secretAccessKey}\n`);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toBe(`rolecred: cannot open the key file ${keyFile()}: the passphrase is wrong, or the file was altered — check ROLECRED_KEYS_PASSPHRASE or what you typed; the file was left as it is\n`);
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
    expect(world.sts.session((JSON.parse(dev.stdout) as { AccessKeyId: string }).AccessKeyId)).toMatchObject({ arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Developer/jo`, mfaPresent: true });
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
  });

  it("names the profile and the missing entry when the store does not hold it", async () => {
    const result = await rolecred(["process", "ci-vault"]);
    expect(result.stderr).toBe(`rolecred: profile "jo-vault-nomfa": no keys named "jo" in ${keyFile()} — store them with \`rolecred keys add jo\` (or \`rolecred keys import\` from ~/.aws/credentials)\n`);
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
    const credentials = join(home, ".aws", "credentials");
    const result = await rolecred(["keys", "import", "jo"]);
    expect(result.stderr).toBe(
      `moved the keys of arn:aws:iam::${ACCOUNT}:user/jo (****0001) into ${keyFile()}\n${credentials}: [jo], [jo-script] now say rolecred_keys = jo instead of holding the keys\n`,
    );
    expect(result.exitCode).toBe(0);
    expect(await readFile(credentials, "utf8")).toBe("# jo's own keys: must survive every rolecred write\n[jo]\nrolecred_keys = jo\n\n[jo-script]\nrolecred_keys = jo\n");
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
