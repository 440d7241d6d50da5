/**
 * The command surface on one screen: every command is listed here, and this is where argv
 * becomes options. Each command's file is imported only when that command runs (or when help
 * needs them all), so `rolecred lint` never loads the flag definitions of `rolecred saml`.
 */
import { Command, CommanderError } from "commander";
import type { Env } from "../deps.js";
import { packageVersion } from "../version.js";
import type { CommandSpec } from "./command.js";
import { PEER_WORDS } from "./peer-words.js";

interface CommandEntry {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly load: () => Promise<CommandSpec<unknown>>;
}

/** Every command, in the order `rolecred --help` lists them. */
const COMMAND_ENTRIES: readonly CommandEntry[] = [
  { name: "user", load: async () => (await import("./user.js")).userCommand },
  { name: "saml", load: async () => (await import("./saml.js")).samlCommand },
  { name: "x509", load: async () => (await import("./x509.js")).x509Command },
  { name: "env", load: async () => (await import("./env.js")).envCommand },
  { name: "assume", load: async () => (await import("./assume.js")).assumeCommand },
  { name: "exec", load: async () => (await import("./exec.js")).execCommand },
  { name: "console", load: async () => (await import("./console.js")).consoleCommand },
  { name: "process", load: async () => (await import("./process.js")).processCommand },
  { name: "write", load: async () => (await import("./write.js")).writeCommand },
  { name: "status", load: async () => (await import("./status.js")).statusCommand },
  { name: "logout", load: async () => (await import("./logout.js")).logoutCommand },
  { name: "profiles", load: async () => (await import("./profiles.js")).profilesCommand },
  { name: "shell-init", load: async () => (await import("./shell-init.js")).shellInitCommand(() => loadCommandSpecs([])) },
  { name: "policy show", load: async () => (await import("./policy.js")).policyShowCommand },
  { name: "policy check", load: async () => (await import("./policy.js")).policyCheckCommand },
  { name: "lint", load: async () => (await import("./lint.js")).lintCommand },
  { name: "sso login", load: async () => (await import("./sso.js")).ssoLoginCommand },
  { name: "sso logout", load: async () => (await import("./sso.js")).ssoLogoutCommand },
  { name: "sso populate", load: async () => (await import("./sso.js")).ssoPopulateCommand },
  ...(["add", "list", "remove", "import", "export", "rotate"] as const).map((sub) => ({
    name: `keys ${sub}`,
    load: async () => (await import("./keys.js")).keysCommands[sub],
  })),
];

/** Descriptions of commands that only group subcommands. */
const PARENT_DESCRIPTIONS: Readonly<Record<string, string>> = {
  policy: "show or check the session policy that --policy, --policy-arn and --scope produce (offline)",
  sso: "IAM Identity Center: sign in and out, write a profile per account and role",
  keys: "keep IAM users' long-term keys in the OS keyring instead of ~/.aws/credentials",
};

/** `policy show` is a subcommand of `policy`: the first word is what argv names. */
const commandWord = (entry: CommandEntry) => entry.name.split(" ")[0];

/**
 * The specs argv needs: just the named command when there is one, every command otherwise
 * (top-level help, `help CMD`, a mistyped command that commander should suggest a fix for).
 */
export async function loadCommandSpecs(args: readonly string[]): Promise<Array<CommandSpec<unknown>>> {
  const named = args.find((arg) => !arg.startsWith("-"));
  const entries = COMMAND_ENTRIES.filter((candidate) => commandWord(candidate) === named || candidate.aliases?.includes(named ?? ""));
  return Promise.all((entries.length > 0 ? entries : COMMAND_ENTRIES).map((candidate) => candidate.load()));
}

export interface ProgramHooks {
  readonly env: Env;
  readonly childCommand: readonly string[] | undefined;
  /** Help and --version go here (stdout). */
  readonly writeOut: (text: string) => void;
  /** Usage errors go here (stderr). */
  readonly writeErr: (text: string) => void;
  /** Runs a command whose argv became options. Tests pass one that records instead. */
  readonly dispatch: (spec: CommandSpec<unknown>, options: unknown, verbose: boolean, quiet?: boolean) => Promise<void>;
}

export function buildProgram(hooks: ProgramHooks, specs: ReadonlyArray<CommandSpec<unknown>>): Command {
  const program = new Command("rolecred")
    .description("Short-lived AWS credentials from a SAML assertion or IAM user + MFA, delivered as a profile, exports, exec or credential_process.")
    .version(packageVersion(), "-V, --version", "print rolecred's version")
    .option("--verbose", "explain each decision on stderr (secrets are never shown)")
    .option("-q, --quiet", "no progress or result lines on stderr; warnings and errors still show")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: hooks.writeOut,
      writeErr: hooks.writeErr,
      outputError: (message, write) => write(`${message.trimEnd().replace(/^error: /, "rolecred: ")}\n`),
    });

  // A peer tool's word (login, list…) gets a hint by meaning, through a hidden command that only
  // fails: hidden, it is no candidate for commander's spelling suggestions either.
  // A word that is (or becomes) a command of rolecred's own is that command, never a hint.
  const ownWords = new Set(COMMAND_ENTRIES.flatMap((entry) => [commandWord(entry), ...(entry.aliases ?? [])]));
  for (const [word, hint] of PEER_WORDS.filter(([word]) => !ownWords.has(word))) {
    program
      .command(word, { hidden: true })
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => program.error(`error: unknown command '${word}' — ${hint}`, { code: "commander.unknownCommand", exitCode: 2 }));
  }

  const parents = new Map<string, Command>();
  const parentOf = (word: string): Command => {
    let parent = parents.get(word);
    if (parent === undefined) {
      parent = program
        .command(word)
        .description(PARENT_DESCRIPTIONS[word] ?? "")
        .exitOverride()
        .configureOutput({
          writeOut: hooks.writeOut,
          writeErr: hooks.writeErr,
          outputError: (message, write) => write(`${message.trimEnd().replace(/^error: /, "rolecred: ")}\n`),
        });
      parents.set(word, parent);
    }
    return parent;
  };

  for (const spec of specs) {
    const [word = spec.name, sub] = spec.name.split(" ");
    const command = sub === undefined ? program.command(word) : parentOf(word).command(sub);
    spec.declare(command);
    command
      .exitOverride()
      .configureOutput({
        writeOut: spec.helpOnStderr === true ? hooks.writeErr : hooks.writeOut,
        writeErr: hooks.writeErr,
        // commander's message, then the one usage line that applies, not the whole help.
        outputError: (message, write) => write(`${message.trimEnd().replace(/^error: /, "rolecred: ")}\nusage: rolecred ${spec.name} ${command.usage()}\n`),
      })
      .action(async () => {
        const flags = command.optsWithGlobals<Record<string, unknown>>();
        const options = spec.toOptions(command.args, flags, { childCommand: hooks.childCommand, env: hooks.env });
        await hooks.dispatch(spec, options, flags.verbose === true, flags.quiet === true);
      });
  }
  return program;
}

/** A commander exit (help shown, version printed, usage error) as an exit code. */
export function commanderExitCode(error: CommanderError): number {
  return error.exitCode === 0 ? 0 : 2;
}
