/**
 * Run a child with the session in its environment and hand its fate back: its exit code, or the
 * signal that killed it (main re-raises it, so `rolecred exec` is transparent to the parent).
 *
 * Signals: SIGTERM, SIGHUP, SIGUSR1 and SIGUSR2 are forwarded — they are sent to a pid, usually
 * ours. SIGINT and SIGQUIT are not: they come from the keyboard to the whole foreground process
 * group, so the child already has one; forwarding would deliver it twice (Terraform reads a
 * second Ctrl-C as "exit immediately"). rolecred ignores them and waits for the child.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { ExitCode, RolecredError } from "../errors.js";
import type { Outcome } from "../outcome.js";

const FORWARDED: readonly NodeJS.Signals[] = ["SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2"];
const LEFT_TO_CHILD: readonly NodeJS.Signals[] = ["SIGINT", "SIGQUIT"];

/** Why a command could not start, as the shell reports it: 127 not found, 126 not executable. */
function startFailure(file: string, error: NodeJS.ErrnoException): RolecredError {
  if (error.code === "ENOENT" || error.code === "ENOTDIR")
    return new RolecredError(`command not found: ${file}`, { exitCode: ExitCode.commandNotFound, cause: error });
  if (error.code === "EACCES") return new RolecredError(`permission denied running ${file}`, { exitCode: ExitCode.cannotExecute, cause: error });
  return new RolecredError(`cannot run ${file}: ${error.message}`, { cause: error });
}

export async function runChild(command: readonly string[], env: Record<string, string>): Promise<Outcome> {
  const [file, ...args] = command;
  if (file === undefined || file === "") throw new RolecredError("no command to run after --", { exitCode: ExitCode.usage });
  // The handlers go in before the child exists: once the child can run (and tell a parent it is
  // ready), a SIGTERM to rolecred must reach it, not kill rolecred with the default action and
  // leave the child behind. A signal that lands before spawn() returns is held and sent after.
  let child: ChildProcess | undefined;
  const held: NodeJS.Signals[] = [];
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const signal of FORWARDED) handlers.set(signal, () => (child === undefined ? held.push(signal) : child.kill(signal)));
  for (const signal of LEFT_TO_CHILD) handlers.set(signal, () => undefined);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    let started: ChildProcess;
    try {
      started = spawn(file, args, { stdio: "inherit", env });
    } catch (error) {
      // Some failures (ENOTDIR: a path through a regular file) are thrown at once, not emitted.
      throw startFailure(file, error as NodeJS.ErrnoException);
    }
    child = started;
    for (const signal of held.splice(0)) started.kill(signal);
    return await new Promise<Outcome>((resolve, reject) => {
      started.once("error", (error: NodeJS.ErrnoException) => reject(startFailure(file, error)));
      started.once("exit", (code, signal) => resolve(signal === null ? { exitCode: code ?? ExitCode.failure } : { signal }));
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
