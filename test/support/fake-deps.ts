/**
 * Deps for in-process tests of commands: a fake clock, captured stdout and stderr, an
 * environment whose HOME and AWS files point into a temporary folder, no terminal, and an STS
 * (test/support/fake-sts.ts by default, or none). What a user would see is then read back as
 * text: the exit code from the command's Outcome or RolecredError, and the lines on stderr.
 */
import { Readable } from "node:stream";
import { join } from "node:path";
import type { Deps, Env } from "../../src/deps.js";
import { errorLine } from "../../src/cli/run.js";
import { RolecredError } from "../../src/errors.js";
import { createLogger, escapeControl, SecretRegistry } from "../../src/log.js";
import type { Outcome } from "../../src/outcome.js";
import type { StsApi } from "../../src/sts/api.js";
import { NO_STS } from "./fake-sts.js";

export interface FakeDeps {
  readonly deps: Deps;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Move the fake clock on (ms). */
  readonly advance: (ms: number) => void;
}

export interface FakeDepsOptions {
  /** The temporary HOME: HOME, the AWS files and the cache folder point into it. */
  readonly home: string;
  readonly env?: Env;
  readonly sts?: StsApi;
  /** The clock's start; it moves only with advance(). */
  readonly now?: Date;
  readonly stdin?: string;
  readonly verbose?: boolean;
}

/** The environment a command sees: only what the test gives it, as run-cli.ts's cliEnv does for a spawned CLI. */
export function homeEnv(home: string, extra: Env = {}): Env {
  return {
    HOME: home,
    AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    AWS_CONFIG_FILE: join(home, ".aws", "config"),
    ROLECRED_CACHE_DIR: join(home, "cache"),
    AWS_REGION: "us-east-1",
    ...extra,
  };
}

export function fakeDeps(options: FakeDepsOptions): FakeDeps {
  let out = "";
  let err = "";
  let clock = (options.now ?? new Date("2026-11-24T12:00:00Z")).getTime();
  const stderr = { write: (text: string) => ((err += text), true) };
  const secrets = new SecretRegistry();
  return {
    deps: {
      env: options.env ?? homeEnv(options.home),
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
      stdout: { write: (text: string) => ((out += text), true) },
      stderr,
      openTerminal: () => undefined,
      now: () => new Date(clock),
      secrets,
      log: createLogger(stderr, secrets, options.verbose ?? false),
      sts: options.sts ?? NO_STS,
    },
    stdout: () => out,
    stderr: () => err,
    advance: (ms) => {
      clock += ms;
    },
  };
}

/** What a user would see of one in-process run: the exit code, and stderr with the error line run.ts prints. */
export interface InProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command's runX in-process and reports it as the CLI would: an Outcome's exit code, or a
 * RolecredError printed as its one line (src/cli/run.ts's errorLine, secrets redacted, control
 * characters escaped) with its exit code. Anything else is a bug and is rethrown.
 */
export async function runInProcess(fake: FakeDeps, run: (deps: Deps) => Promise<Outcome>): Promise<InProcessResult> {
  try {
    const outcome = await run(fake.deps);
    return { exitCode: "exitCode" in outcome ? outcome.exitCode : 128, stdout: fake.stdout(), stderr: fake.stderr() };
  } catch (error) {
    if (!(error instanceof RolecredError)) throw error;
    fake.deps.stderr.write(`${escapeControl(fake.deps.secrets.redact(errorLine(error)), false)}\n`);
    return { exitCode: error.exitCode, stdout: fake.stdout(), stderr: fake.stderr() };
  }
}
