/**
 * The entry point and the only place rolecred exits. Errors travel up as values or exceptions;
 * here they are printed once, in one line, and turned into the exit code. A child process's fate
 * (exit code or signal) comes back as an {@link Outcome} and is mirrored.
 */
import { CommanderError } from "commander";
import { defaultDeps, type Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { splitChildCommand } from "./argv.js";
import type { Outcome } from "./command.js";
import { buildProgram, commanderExitCode } from "./program.js";

const ISSUES_URL = "https://github.com/rolecred/rolecred/issues";

export async function runCli(args: readonly string[]): Promise<Outcome> {
  const { rolecredArgs, childCommand } = splitChildCommand(args);
  let deps: Deps | undefined;
  let outcome: Outcome = { exitCode: ExitCode.ok };
  const program = buildProgram({
    env: process.env,
    childCommand,
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    dispatch: async (spec, options, verbose) => {
      deps = defaultDeps({ verbose });
      outcome = await spec.run(options, deps);
    },
  });
  try {
    await program.parseAsync(rolecredArgs, { from: "user" });
    return outcome;
  } catch (error) {
    return { exitCode: report(error, deps, args.includes("--verbose")) };
  }
}

function report(error: unknown, deps: Deps | undefined, verbose: boolean): number {
  if (error instanceof CommanderError) return commanderExitCode(error); // commander already printed it
  const redact = (text: string) => deps?.secrets.redact(text) ?? text;
  if (error instanceof RolecredError) {
    const hint = error.hint === undefined ? "" : ` — ${error.hint}`;
    process.stderr.write(redact(`rolecred: ${error.message}${hint}\n`));
    if (verbose && error.cause instanceof Error && error.cause.stack) process.stderr.write(redact(`${error.cause.stack}\n`));
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(redact(`rolecred: internal error: ${message} — please report it at ${ISSUES_URL} (--verbose shows the stack)\n`));
  if (verbose && error instanceof Error && error.stack) process.stderr.write(redact(`${error.stack}\n`));
  return ExitCode.failure;
}

// The AWS SDK warns on every run under Node 20 that its 2027 releases will need Node 22. rolecred
// pins an SDK that supports Node 20 and says so in its README; a warning on every credential
// refresh would only train users to ignore stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const outcome = await runCli(process.argv.slice(2));
if ("signal" in outcome) {
  // The child was killed by a signal: die the same way, so a parent shell sees what it would
  // have seen without rolecred in between. Handlers installed for forwarding are gone by now.
  process.kill(process.pid, outcome.signal);
} else {
  process.exitCode = outcome.exitCode;
}
