/**
 * The full command line: commander parses argv into options, the command runs, and every error
 * that travels up is printed here once, in one line, and turned into an {@link Outcome}.
 * `main.ts` turns that outcome into the process's exit.
 */
import { CommanderError } from "commander";
import { defaultDeps, type Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { splitChildCommand } from "./argv.js";
import type { Outcome } from "./command.js";
import { buildProgram, commanderExitCode, loadCommandSpecs } from "./program.js";

const ISSUES_URL = "https://github.com/rolecred/rolecred/issues";

export async function runCli(args: readonly string[]): Promise<Outcome> {
  const { rolecredArgs, childCommand } = splitChildCommand(args);
  let deps: Deps | undefined;
  let outcome: Outcome = { exitCode: ExitCode.ok };
  const specs = await loadCommandSpecs(rolecredArgs);
  const program = buildProgram({
    env: process.env,
    childCommand,
    writeOut: (text) => process.stdout.write(text),
    writeErr: (text) => process.stderr.write(text),
    dispatch: async (spec, options, verbose, quiet) => {
      deps = defaultDeps({ verbose, quiet: quiet ?? false });
      outcome = await spec.run(options, deps);
    },
  }, specs);
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
