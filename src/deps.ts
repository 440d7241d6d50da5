/**
 * Everything a command touches in the outside world, passed in rather than reached for. Only
 * `src/cli` calls {@link defaultDeps}; below it nothing reads `process.env`, the clock or the
 * terminal directly, so every stage runs the same in a test with a fake clock or environment.
 */
import { openSync, closeSync } from "node:fs";
import { ReadStream, WriteStream } from "node:tty";
import { createLogger, SecretRegistry, type Logger, type TextSink } from "./log.js";
import type { StsApi } from "./sts/api.js";
import { lazySdkSts } from "./sts/lazy-sts.js";

import type { Env } from "./env.js";
export type { Env } from "./env.js";

/** The user's terminal, opened apart from stdin/stdout so prompts work while stdin is a pipe. */
export interface Terminal {
  readonly input: ReadStream;
  readonly output: WriteStream;
  close(): void;
}

export interface Deps {
  readonly env: Env;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Data only: exports, JSON, lists. Never prompts, banners or warnings. */
  readonly stdout: TextSink & { readonly isTTY?: boolean };
  readonly stderr: TextSink & { readonly isTTY?: boolean };
  /** Opens the controlling terminal, or returns undefined when there is none (CI, cron, IDE). */
  readonly openTerminal: () => Terminal | undefined;
  readonly now: () => Date;
  readonly secrets: SecretRegistry;
  readonly log: Logger;
  /** Every STS call goes through here: the AWS SDK in the CLI, an in-memory fake in unit tests. */
  readonly sts: StsApi;
}

/** Open /dev/tty for a prompt. Fails quietly (undefined) when the process has no terminal. */
function openControllingTerminal(): Terminal | undefined {
  let readFd: number | undefined;
  let writeFd: number | undefined;
  try {
    // Two descriptors: tty.ReadStream and tty.WriteStream each close theirs when destroyed.
    readFd = openSync("/dev/tty", "r");
    writeFd = openSync("/dev/tty", "w");
    const input = new ReadStream(readFd);
    const output = new WriteStream(writeFd);
    return {
      input,
      output,
      close: () => {
        input.destroy();
        output.destroy();
      },
    };
  } catch {
    // ENXIO (no controlling terminal) or ENOENT (no /dev/tty, e.g. Windows): no prompt possible.
    if (readFd !== undefined) closeSync(readFd);
    if (writeFd !== undefined) closeSync(writeFd);
    return undefined;
  }
}

export interface DefaultDepsOptions {
  verbose: boolean;
  /** -q/--quiet: no progress or result lines on stderr (warnings and errors still show). */
  quiet?: boolean;
}

export function defaultDeps(options: DefaultDepsOptions): Deps {
  const secrets = new SecretRegistry();
  return {
    env: process.env,
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    // ROLECRED_NO_PROMPT=1: never ask (the auto-renew hook, scripts); a needed prompt then fails
    // naming the flag that avoids it, exactly as with no terminal at all.
    openTerminal: process.env.ROLECRED_NO_PROMPT === "1" ? () => undefined : openControllingTerminal,
    now: () => new Date(),
    secrets,
    log: createLogger(process.stderr, secrets, options.verbose, options.quiet ?? false),
    // One per run: its SDK clients (one per endpoint and credentials) are shared by every call.
    sts: lazySdkSts(),
  };
}
