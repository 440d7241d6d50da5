/** `rolecred shell-init bash|zsh|fish|powershell`: the `assume` function and completions. */
import { Argument, Command } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { INIT_SHELLS, type CompletionCommand, type InitShell } from "../output/shell-init.js";
import { defineCommand, type CommandSpec } from "./command.js";
import type { Outcome } from "../outcome.js";
import type { ShellInitOptions } from "../commands/shell-init.js";

/** Commands whose first argument is a profile of ~/.aws/config. */
const PROFILE_COMMANDS = new Set(["env", "assume", "exec", "process", "write", "status", "logout", "console"]);

/**
 * Completions are generated from the same declarations --help is, so they never drift: each
 * command's flags are declared on a bare commander Command, without building the program.
 * `loadAllSpecs` is handed in by the registry (program.ts), so this file does not import it back.
 */
function completionCommands(specs: ReadonlyArray<CommandSpec<unknown>>): CompletionCommand[] {
  const commands: CompletionCommand[] = [];
  for (const spec of specs) {
    const [word = spec.name, sub] = spec.name.split(" ");
    if (sub !== undefined) {
      // `policy show`: the shell completes the parent word, which has no flags of its own.
      if (!commands.some((command) => command.name === word)) commands.push({ name: word, aliases: [], flags: [], takesProfile: PROFILE_COMMANDS.has(word) });
      continue;
    }
    const command = new Command(word);
    spec.declare(command);
    commands.push({
      name: command.name(),
      aliases: command.aliases(),
      flags: command.options.map((option) => option.long).filter((flag): flag is string => flag !== undefined),
      takesProfile: PROFILE_COMMANDS.has(command.name()),
    });
  }
  return commands;
}

export const shellInitCommand = (loadAllSpecs: () => Promise<ReadonlyArray<CommandSpec<unknown>>>) =>
  defineCommand<ShellInitOptions>({
    name: "shell-init",
    declare(command) {
      command
        .description('print the `assume` shell function and completions: eval "$(rolecred shell-init bash)"')
        .addArgument(new Argument("<shell>", "the shell").choices([...INIT_SHELLS]))
        .option("--auto-renew", "also renew the exported session from the cache before each prompt when it ends within 5 minutes (never prompts)");
    },
    toOptions(args, flags, context) {
      if (context.childCommand !== undefined) throw usageError("shell-init runs no command");
      const shell = args[0] as InitShell;
      if (flags.autoRenew === true && shell === "powershell") throw usageError("--auto-renew is for bash, zsh and fish");
      return { shell, autoRenew: flags.autoRenew === true };
    },
    async run(options: ShellInitOptions, deps: Deps): Promise<Outcome> {
      const [{ runShellInit }, specs] = await Promise.all([import("../commands/shell-init.js"), loadAllSpecs()]);
      return runShellInit(options, completionCommands(specs), deps);
    },
  });
