/**
 * The keyring backend against a real Secret Service: Debian's gnome-keyring-daemon on a private
 * D-Bus session (dbus-run-session), its login keyring created and unlocked with a test password,
 * checked from outside with libsecret's `secret-tool`. Needs the packages in
 * .ci/install-debian-packages; where they are missing this test FAILS (it never skips): a keyring
 * backend that is not tested against a keyring is not tested.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli, type CliResult } from "../support/run-cli.js";
import { ACCOUNT, JO_KEYS, MFA_SERIAL, startWorld, writeJoProfile, type World } from "../support/world.js";

const run = promisify(execFile);

let session: ChildProcess;
let busAddress: string;
let home: string;
let world: World;
let env: Record<string, string>;
const outputs: string[] = [];

/** A private session bus with gnome-keyring's Secret Service on it; resolves with the bus address. */
function startKeyringSession(keyringHome: string): Promise<{ child: ChildProcess; address: string }> {
  const script = [
    "set -e",
    // --unlock reads the password on stdin, creating the login keyring on first use.
    'eval "$(printf %s keyring-test-password | gnome-keyring-daemon --unlock --components=secrets)"',
    'echo "BUS=$DBUS_SESSION_BUS_ADDRESS"',
    "exec sleep 3600",
  ].join("\n");
  const child = spawn("dbus-run-session", ["--", "sh", "-c", script], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: keyringHome,
      XDG_RUNTIME_DIR: join(keyringHome, "run"),
      XDG_DATA_HOME: join(keyringHome, "data"),
      LANG: "C.UTF-8",
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => reject(new Error(`gnome-keyring did not start within 15 s: ${stderr}`)), 15_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start dbus-run-session (install the packages in .ci/install-debian-packages): ${error.message}`));
    });
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const address = /^BUS=(.+)$/m.exec(stdout)?.[1];
      if (address !== undefined && address !== "") {
        clearTimeout(timer);
        resolve({ child, address });
      }
    });
    child.on("exit", (code) => reject(new Error(`dbus-run-session exited (${code}) before the keyring was up: ${stderr}`)));
  });
}

beforeAll(async () => {
  world = await startWorld();
  home = await makeTempHome();
  await mkdir(join(home, "run"), { mode: 0o700 });
  ({ child: session, address: busAddress } = await startKeyringSession(home));
  await writeJoProfile(home, `[profile jo-vault]\nrolecred_keys = jo\nmfa_serial = ${MFA_SERIAL}\n`);
  env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, DBUS_SESSION_BUS_ADDRESS: busAddress, XDG_RUNTIME_DIR: join(home, "run") });
}, 30_000);

afterAll(async () => {
  if (session?.pid !== undefined) process.kill(-session.pid, "SIGTERM");
  await world?.close();
  expect(outputs.join("\n")).not.toContain(JO_KEYS.secretAccessKey);
});

async function rolecred(args: readonly string[], extraEnv: Record<string, string> = {}, stdin?: string): Promise<CliResult> {
  const result = await runCli(args, { env: { ...env, ...extraEnv }, stdin });
  outputs.push(result.stderr);
  return result;
}

/** What the Secret Service holds for rolecred's entry `name`, read by libsecret's own tool. */
async function secretToolLookup(name: string): Promise<string> {
  const { stdout } = await run("secret-tool", ["lookup", "service", "rolecred", "username", name], { env: { ...env } }).catch(
    (error: { stdout?: string; code?: number }) => {
      if (error.code === 1) return { stdout: "" }; // secret-tool's "not found"
      throw error;
    },
  );
  return stdout;
}

async function filesHolding(secret: string, folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await filesHolding(secret, path)));
    else if (entry.isFile() && (await readFile(path)).includes(secret)) found.push(path);
  }
  return found;
}

describe("the Secret Service keyring (gnome-keyring over D-Bus)", () => {
  it("is chosen by default when it answers: stored there, seen by secret-tool, never on disk in the clear", async () => {
    const added = await rolecred(["keys", "add", "jo", "--stdin"], {}, `${JO_KEYS.accessKeyId}\n${JO_KEYS.secretAccessKey}\n`);
    expect(added.stderr).toContain("stored jo (****0001) in the Secret Service keyring");
    expect(added.exitCode).toBe(0);
    const stored = JSON.parse(await secretToolLookup("jo")) as Record<string, unknown>;
    expect(stored).toMatchObject({ v: 1, accessKeyId: JO_KEYS.accessKeyId, secretAccessKey: JO_KEYS.secretAccessKey });
    expect(await filesHolding(JO_KEYS.secretAccessKey, join(home, "data"))).toEqual([]); // gnome-keyring's own files: encrypted
    const listed = await rolecred(["keys", "list", "--json"], { ROLECRED_KEYS_BACKEND: "keyring" });
    expect(JSON.parse(listed.stdout)).toEqual([
      { name: "jo", accessKeyId: "****0001", backend: "keyring", location: "the Secret Service keyring", createdAt: expect.any(String), ageDays: 0 },
    ]);
  });

  it("feeds a profile's chain: rolecred_keys = jo signs STS calls with the stored keys", async () => {
    const result = await rolecred(["process", "jo-vault"], { ROLECRED_MFA_TOKEN: world.nextMfaCode() });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    expect(world.sts.calls.at(-2)).toMatchObject({ action: "GetSessionToken", callerArn: `arn:aws:iam::${ACCOUNT}:user/jo` });
  });

  it("removes the entry from the keyring", async () => {
    const removed = await rolecred(["keys", "remove", "jo"]);
    expect(removed.exitCode).toBe(0);
    expect(await secretToolLookup("jo")).toBe("");
  });

  it("ROLECRED_KEYS_BACKEND=keyring without a reachable keyring fails with one line, rather than falling back", async () => {
    const result = await rolecred(["keys", "list"], { ROLECRED_KEYS_BACKEND: "keyring", DBUS_SESSION_BUS_ADDRESS: "" });
    expect(result.stderr).toBe(
      "rolecred: the OS keyring is not reachable: no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set) — unset ROLECRED_KEYS_BACKEND (or set it to file) to use the encrypted key file\n",
    );
    expect(result.exitCode).toBe(5);
  });
});
