/**
 * Run the built CLI the way a user does: a separate process, its own environment, stdin a pipe
 * (or nothing), no controlling terminal unless a test asks for a pty. HOME and every AWS file
 * live in a temporary folder, and nothing may leave loopback.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The clone's root: two levels up from test/support, three from dist/test/support (the demo). */
export const REPO_ROOT =
  [new URL("../../", import.meta.url), new URL("../../../", import.meta.url)]
    .map((url) => fileURLToPath(url))
    .find((folder) => existsSync(join(folder, "bin", "rolecred"))) ?? fileURLToPath(new URL("../../", import.meta.url));
export const ROLECRED_BIN = join(REPO_ROOT, "bin", "rolecred");
/** Test data kept in the repository (SAML samples, trust policies): the tests read nothing outside the clone. */
export const FIXTURES_DIR = join(REPO_ROOT, "test", "fixtures");

export interface CliResult {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunCliOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly stdin?: string | Buffer | undefined;
  readonly cwd?: string | undefined;
  readonly timeoutMs?: number | undefined;
}

/** A fresh HOME with nothing in it. */
export async function makeTempHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), "rolecred-home-"));
}

/**
 * The environment every CLI test starts from: only PATH and locale from the real one, HOME and
 * the AWS files under `home`, a region, and the EC2 metadata probe off (no IMDS traffic).
 */
export function cliEnv(home: string, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C.UTF-8",
    TZ: "UTC",
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    NO_COLOR: "1",
    ...extra,
  };
}

/** Run `rolecred ...args`. `detached` puts it in its own session: no controlling terminal, like CI or cron. */
export function runCli(args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  return runProcess(process.execPath, [ROLECRED_BIN, ...args], options);
}

export function runProcess(file: string, args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env,
      cwd: options.cwd ?? REPO_ROOT,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8") });
    });
    child.stdin.on("error", () => undefined); // the CLI may exit before reading all of stdin
    child.stdin.end(options.stdin ?? "");
  });
}
