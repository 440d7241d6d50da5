/** `rolecred shell-init bash|zsh|fish|powershell`: the `assume` function and completions. */
import { Argument } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { INIT_SHELLS, type InitShell } from "../output/shell-init.js";
import { defineCommand, SUCCESS, type Outcome } from "./command.js";

export interface ShellInitOptions {
  readonly shell: InitShell;
}

/** Commands whose first argument is a profile of ~/.aws/config. */
const PROFILE_COMMANDS = new Set(["env", "exec", "process", "write", "status", "logout"]);

export const shellInitCommand = defineCommand<ShellInitOptions>({
  name: "shell-init",
  declare(command) {
    command
      .description('print the `assume` shell function and completions: eval "$(rolecred shell-init bash)"')
      .addArgument(new Argument("<shell>", "the shell").choices([...INIT_SHELLS]));
  },
  toOptions(args, _flags, context) {
    if (context.childCommand !== undefined) throw usageError("shell-init runs no command");
    return { shell: args[0] as InitShell };
  },
  async run(options: ShellInitOptions, deps: Deps): Promise<Outcome> {
    const [{ renderShellInit }, { buildProgram, loadCommandSpecs }] = await Promise.all([import("../output/shell-init.js"), import("./program.js")]);
    // Completions are generated from the same definitions --help is, so they never drift.
    const program = buildProgram({ env: {}, childCommand: undefined, writeOut: () => undefined, writeErr: () => undefined, dispatch: async () => undefined }, await loadCommandSpecs([]));
    const commands = program.commands
      .filter((command) => command.name() !== "help")
      .map((command) => ({
        name: command.name(),
        aliases: command.aliases(),
        flags: command.options.map((option) => option.long).filter((flag): flag is string => flag !== undefined),
        takesProfile: PROFILE_COMMANDS.has(command.name()),
      }));
    deps.stdout.write(renderShellInit(options.shell, commands));
    return SUCCESS;
  },
});
