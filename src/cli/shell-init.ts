/** `rolecred shell-init bash|zsh|fish|powershell`: the `assume` function and completions. */
import { Argument } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { INIT_SHELLS, type InitShell } from "../output/shell-init.js";
import { defineCommand, SUCCESS, type Outcome } from "./command.js";

export interface ShellInitOptions {
  readonly shell: InitShell;
  /** --auto-renew: a prompt hook renewing the exported session from the cache (bash, zsh, fish). */
  readonly autoRenew: boolean;
}

/** Commands whose first argument is a profile of ~/.aws/config. */
const PROFILE_COMMANDS = new Set(["env", "assume", "exec", "process", "write", "status", "logout", "console"]);

export const shellInitCommand = defineCommand<ShellInitOptions>({
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
    deps.stdout.write(renderShellInit(options.shell, commands, options.autoRenew));
    return SUCCESS;
  },
});
