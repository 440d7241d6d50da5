/**
 * What both bundled entry points (main.ts, main-warm.ts) do around their fast path: the only place
 * rolecred exits. A run the fast path answers writes its answer and ends; anything else goes
 * through the full command line. A child process's fate (exit code or signal) comes back as an
 * Outcome and is mirrored here.
 */
import { fstatSync, writeSync } from "node:fs";
import type { Outcome } from "../outcome.js";
import { errnoCode } from "../errors.js";
import type { Env } from "../deps.js";
import type { FastAnswer } from "./warm-path.js";

// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22. rolecred
// pins an SDK that supports Node 20 and says so in its README; a warning on every credential
// refresh would only train users to ignore stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** A bundle's fast path: the answer, or undefined for the full command line. */
export type FastPath = (
  args: readonly string[],
  env: Env,
  now: Date,
  stdoutIsTerminal: () => Promise<boolean>,
  writeErr: (text: string) => void,
) => Promise<FastAnswer | undefined>;

async function main(serve: FastPath, args: readonly string[]): Promise<Outcome> {
  // Asked only by the commands that care (`env`, `status`): a writer whose stdout is /dev/null
  // (a character device) would otherwise load node:tty, and with it streams, net and the ES
  // module loader, for an answer it never uses: ~15 % of a fast `write`'s instructions.
  const cached = await serve(args, process.env, new Date(), stdoutIsTerminal, (text) => writeAll(2, text));
  if (cached !== undefined) {
    writeAll(1, cached.stdout);
    if (cached.stderr !== undefined) writeAll(2, cached.stderr);
    return { exitCode: cached.exitCode ?? 0 };
  }
  const { runCli } = await import("./run.js");
  return runCli(args);
}

/**
 * Whether fd 1 is a terminal, without loading node:tty (it pulls in streams and net, which the
 * warm path avoids) unless fd 1 is a character device: a pipe or a file is answered by one fstat.
 */
async function stdoutIsTerminal(): Promise<boolean> {
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  const { isatty } = await import("node:tty"); // a terminal, or /dev/null
  return isatty(1);
}

/**
 * A few hundred bytes straight to fd 1 (or 2): creating process.stdout's stream costs the warm
 * path more than the write. A reader that stopped early (`profiles --names | head -1`,
 * `process dev | true`) closed the pipe: what is left is dropped quietly and the exit status is
 * the command's own, as on the full path (run.ts), with no "EPIPE" and no stack trace. A pipe
 * that is full and non-blocking (EAGAIN: a parent left O_NONBLOCK on the pipe it shares) falls
 * back to the stream, which waits for the reader; the same holds for a reader that stops then.
 */
function writeAll(fd: 1 | 2, text: string | Uint8Array): void {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(fd, bytes, written);
  } catch (error) {
    if (errnoCode(error) === "EPIPE") return;
    const stream = fd === 1 ? process.stdout : process.stderr;
    if (stream.listenerCount("error") === 0) stream.on("error", (streamError) => endQuietlyOnClosedReader(fd, streamError));
    stream.write(bytes.subarray(written));
  }
}

/** The stream's write failed later: a closed reader is not an error; anything else is one line and exit 1, never a stack trace. */
function endQuietlyOnClosedReader(fd: 1 | 2, error: Error): void {
  const code = errnoCode(error);
  if (code === "EPIPE") return;
  process.exitCode = 1;
  if (fd === 1) writeAll(2, `rolecred: cannot write to stdout: ${code ?? error.message}\n`);
}

function finish(outcome: Outcome): void {
  if ("signal" in outcome) {
    // The child was killed by a signal: die the same way, so a parent shell sees what it would
    // have seen without rolecred in between. Handlers installed for forwarding are gone by now.
    process.kill(process.pid, outcome.signal);
  } else {
    process.exitCode = outcome.exitCode;
  }
}

/** Runs rolecred with this fast path. No top-level await: the entry points are bundled as CommonJS for a fast start (see package.json). */
export function runEntry(serve: FastPath): void {
  void main(serve, process.argv.slice(2)).then(finish);
}
