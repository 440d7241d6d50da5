/**
 * The contract every command file fulfils: declare flags, turn them into a typed options object
 * (pure: no I/O, throws usage errors), and run — by importing the module that does the work only
 * when the command is actually invoked, so `rolecred process` never loads the SAML parser.
 */
import type { Command } from "commander";
import type { Deps, Env } from "../deps.js";
import type { Outcome } from "../outcome.js";

/** What a command line carries besides commander's flags. */
export interface ParseContext {
  /** The child command after `--` or `--exec`, if the user gave one. */
  readonly childCommand: readonly string[] | undefined;
  readonly env: Env;
}

export interface CommandSpec<Options> {
  readonly name: string;
  /** Description, arguments and options, on the commander Command created for `name`. */
  declare(command: Command): void;
  /** argv → options. `flags` is commander's `opts()`; `args` are the positional operands. */
  toOptions(args: readonly string[], flags: Readonly<Record<string, unknown>>, context: ParseContext): Options;
  /**
   * Help goes to stderr: the command's stdout is evaluated by a shell function (`assume`), which
   * would otherwise run `assume --help`'s text as code.
   */
  readonly helpOnStderr?: boolean;
  // Method syntax on purpose: it lets the registry hold every spec as CommandSpec<unknown>.
  run(options: Options, deps: Deps): Promise<Outcome>;
}

/** Identity function that keeps the options type of a spec literal checked. */
export function defineCommand<Options>(spec: CommandSpec<Options>): CommandSpec<Options> {
  return spec;
}

/**
 * A spec's `run` that imports the command's module when the command runs, not when the program is
 * built: each module under src/commands pulls in what its command needs (the SDK, the SAML
 * parser, inquirer), and `rolecred --help` or `rolecred process` must load none of it.
 */
export function lazyRun<Options, Module>(
  load: () => Promise<Module>,
  pick: (module: Module) => (options: Options, deps: Deps) => Promise<Outcome>,
): (options: Options, deps: Deps) => Promise<Outcome> {
  return async (options, deps) => pick(await load())(options, deps);
}
