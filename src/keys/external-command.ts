/**
 * Commands a profile names for secrets, `credential_process` and `mfa_process`, run the way the
 * AWS CLI runs credential_process: the line is split like a POSIX shell splits words (Python's
 * shlex.split, which botocore uses) and executed directly, never through a shell. stdout is
 * captured (capped); stderr goes to rolecred's stderr, so the command's own prompts and errors
 * reach the user. A timeout kills it.
 */
import { spawn } from "node:child_process";
import type { Env } from "../deps.js";
import { ExitCode, RolecredError, usageError } from "../errors.js";
import type { TextSink } from "../log.js";
import { splitCommandLine } from "../command-line.js";

const PROCESS_TIMEOUT_ENV = "ROLECRED_PROCESS_TIMEOUT";
const DEFAULT_PROCESS_TIMEOUT_SECONDS = 120;
const MAX_STDOUT_BYTES = 64 * 1024;

export function processTimeoutMs(env: Env): number {
  const text = env[PROCESS_TIMEOUT_ENV];
  if (text === undefined || text === "") return DEFAULT_PROCESS_TIMEOUT_SECONDS * 1000;
  const seconds = Number(text);
  if (!(seconds > 0)) throw usageError(`invalid ${PROCESS_TIMEOUT_ENV} "${text}": expected seconds, e.g. 60`);
  return seconds * 1000;
}

export interface ExternalCommand {
  /** What the user should see the command called in messages: `profile "dev": credential_process`. */
  readonly label: string;
  readonly line: string;
  readonly env: Record<string, string>;
  readonly timeoutMs: number;
  /** Where the command's stderr goes (rolecred's stderr). */
  readonly stderr: TextSink;
}

/** Run the command; its stdout on success, else a RolecredError naming it (never its output). */
export async function runExternalCommand(command: ExternalCommand): Promise<string> {
  const split = splitCommandLine(command.line);
  if ("error" in split) throw new RolecredError(`${command.label} cannot be split into words: ${split.error}`, { exitCode: ExitCode.badInput });
  const [file, ...args] = split.words;
  if (file === undefined || file === "") throw new RolecredError(`${command.label} is empty`, { exitCode: ExitCode.badInput });
  return new Promise<string>((resolve, reject) => {
    const child = spawn(file, args, { env: command.env, stdio: ["ignore", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let size = 0;
    let failure: RolecredError | undefined;
    const fail = (error: RolecredError) => {
      failure ??= error;
      child.kill("SIGKILL");
    };
    const timer = setTimeout(
      () =>
        fail(
          new RolecredError(`${command.label} (${file}) did not finish within ${command.timeoutMs / 1000} s`, {
            exitCode: ExitCode.failure,
            hint: `${PROCESS_TIMEOUT_ENV} sets the wait in seconds`,
          }),
        ),
      command.timeoutMs,
    );
    child.stdout.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_STDOUT_BYTES)
        fail(new RolecredError(`${command.label} (${file}) printed more than ${MAX_STDOUT_BYTES / 1024} KiB`, { exitCode: ExitCode.badInput }));
      else chunks.push(chunk);
    });
    // Passed through as it comes (prompts, progress, errors): it is the command's voice, not data.
    child.stderr.on("data", (chunk: Buffer) => command.stderr.write(chunk.toString("utf8")));
    child.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const why = error.code === "ENOENT" ? "command not found" : error.code === "EACCES" ? "permission denied" : error.message;
      reject(new RolecredError(`${command.label} cannot run ${file}: ${why}`, { exitCode: ExitCode.badInput }));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (failure !== undefined) return reject(failure);
      if (code !== 0)
        return reject(
          new RolecredError(`${command.label} (${file}) failed: ${signal === null ? `exit code ${code ?? "?"}` : `killed by ${signal}`}`, {
            exitCode: ExitCode.failure,
            hint: "its own messages, if any, are above",
          }),
        );
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** The environment for a child: every variable that is set, as strings. */
export function childEnvironment(env: Env, extra: Readonly<Record<string, string>> = {}): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) result[name] = value;
  return { ...result, ...extra };
}
