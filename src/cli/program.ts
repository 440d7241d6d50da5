/**
 * The command surface on one screen: every command file is listed here, and this is where argv
 * becomes options. Building the program does no I/O and loads no command's dependencies.
 */
import { Command, CommanderError } from "commander";
import type { Env } from "../deps.js";
import { packageVersion } from "../version.js";
import type { CommandSpec } from "./command.js";
import { userCommand } from "./user.js";
import { samlCommand } from "./saml.js";
import { envCommand } from "./env.js";
import { execCommand } from "./exec.js";
import { processCommand } from "./process.js";
import { writeCommand } from "./write.js";
import { statusCommand } from "./status.js";
import { logoutCommand } from "./logout.js";
import { profilesCommand } from "./profiles.js";
import { shellInitCommand } from "./shell-init.js";
import { lintCommand } from "./lint.js";

/** Every command, in the order `rolecred --help` lists them. */
export const COMMANDS: ReadonlyArray<CommandSpec<unknown>> = [
  userCommand,
  samlCommand,
  envCommand,
  execCommand,
  processCommand,
  writeCommand,
  statusCommand,
  logoutCommand,
  profilesCommand,
  shellInitCommand,
  lintCommand,
];

export interface ProgramHooks {
  readonly env: Env;
  readonly childCommand: readonly string[] | undefined;
  /** Help and --version go here (stdout). */
  readonly writeOut: (text: string) => void;
  /** Usage errors go here (stderr). */
  readonly writeErr: (text: string) => void;
  /** Runs a command whose argv became options. Tests pass one that records instead. */
  readonly dispatch: (spec: CommandSpec<unknown>, options: unknown, verbose: boolean) => Promise<void>;
}

export function buildProgram(hooks: ProgramHooks): Command {
  const program = new Command("rolecred")
    .description("Short-lived AWS credentials from a SAML assertion or IAM user + MFA, delivered as a profile, exports, exec or credential_process.")
    .version(packageVersion(), "-V, --version", "print rolecred's version")
    .option("--verbose", "explain each decision on stderr (secrets are never shown)")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: hooks.writeOut,
      writeErr: hooks.writeErr,
      outputError: (message, write) => write(`${message.trimEnd().replace(/^error: /, "rolecred: ")}\n`),
    });

  for (const spec of COMMANDS) {
    const command = program.command(spec.name);
    spec.declare(command);
    command
      .exitOverride()
      .configureOutput({
        writeOut: hooks.writeOut,
        writeErr: hooks.writeErr,
        // commander's message, then the one usage line that applies, not the whole help.
        outputError: (message, write) => write(`${message.trimEnd().replace(/^error: /, "rolecred: ")}\nusage: rolecred ${spec.name} ${command.usage()}\n`),
      })
      .action(async () => {
        const flags = command.optsWithGlobals<Record<string, unknown>>();
        const options = spec.toOptions(command.args, flags, { childCommand: hooks.childCommand, env: hooks.env });
        await hooks.dispatch(spec, options, flags.verbose === true);
      });
  }
  return program;
}

/** A commander exit (help shown, version printed, usage error) as an exit code. */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : 2;
}
