/**
 * The full command line: commander parses argv into options, the command runs, and every error
 * that travels up is printed here once, in one line, and turned into an {@link Outcome}.
 * `main.ts` turns that outcome into the process's exit.
 */
import { CommanderError } from "commander";
import { defaultDeps, type Deps } from "../deps.js";
import { errorLine, ExitCode, RolecredError } from "../errors.js";
import { escapeControl } from "../log.js";
import { splitChildCommand } from "./argv.js";
import type { Outcome } from "../outcome.js";
import { buildProgram, commanderExitCode, loadCommandSpecs } from "./program.js";

const ISSUES_URL = "https://github.com/rolecred/rolecred/issues";

export async function runCli(args: readonly string[]): Promise<Outcome> {
  const { rolecredArgs, childCommand } = splitChildCommand(args);
  let deps: Deps | undefined;
  let outcome: Outcome = { exitCode: ExitCode.ok };
  // `rolecred x --help | head -1`, `rolecred profiles --names | head`: a reader that stops early
  // closes the pipe; what is left to write is dropped, as `cat` and `ls` would, instead of a crash.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
  const specs = await loadCommandSpecs(rolecredArgs);
  const program = buildProgram(
    {
      env: process.env,
      childCommand,
      writeOut: (text) => process.stdout.write(text),
      // commander echoes unknown flags and bad values as typed: shown escaped like every message.
      writeErr: (text) => process.stderr.write(escapeControl(text)),
      dispatch: async (spec, options, verbose, quiet) => {
        deps = defaultDeps({ verbose, quiet: quiet ?? false });
        outcome = await spec.run(options, deps);
      },
    },
    specs,
  );
  try {
    await program.parseAsync(rolecredArgs, { from: "user" });
    return outcome;
  } catch (error) {
    // Only rolecred's own flags count: a --verbose after -- belongs to the child's command line.
    return { exitCode: report(error, deps, rolecredArgs.includes("--verbose")) };
  }
}

// The one line a RolecredError is shown as; in-process tests import it from here.
export { errorLine };

function report(error: unknown, deps: Deps | undefined, verbose: boolean): number {
  if (error instanceof CommanderError) return commanderExitCode(error); // commander already printed it
  const redact = (text: string) => deps?.secrets.redact(text) ?? text;
  // The error is one line: newlines inside it (an echoed input, a SAML value) are shown as \n.
  const printLine = (line: string) => process.stderr.write(`${escapeControl(redact(line), false)}\n`);
  const printStack = (stack: string) => process.stderr.write(`${escapeControl(redact(stack))}\n`);
  if (error instanceof RolecredError) {
    printLine(errorLine(error));
    if (verbose && error.cause instanceof Error && error.cause.stack) printStack(error.cause.stack);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  printLine(`rolecred: internal error: ${message} — please report it at ${ISSUES_URL} (--verbose shows the stack)`);
  if (verbose && error instanceof Error && error.stack) printStack(error.stack);
  return ExitCode.failure;
}
