/**
 * The child command of `rolecred user ... -- CMD ARGS` / `--exec CMD ARGS` / `rolecred exec P --
 * CMD ARGS` is cut off before commander sees the line: commander would otherwise hand the child's
 * first word to an optional positional (SESSION_NAME) and parse the child's own flags as ours.
 */
import { usageError, type RolecredError } from "../errors.js";
import { scanCommandLine } from "../command-line.js";

export interface SplitArgv {
  readonly rolecredArgs: string[];
  readonly childCommand: string[] | undefined;
}

export function splitChildCommand(args: readonly string[]): SplitArgv {
  const at = args.findIndex((arg) => arg === "--" || arg === "--exec");
  if (at === -1) return { rolecredArgs: [...args], childCommand: undefined };
  const childCommand = args.slice(at + 1);
  const [only] = childCommand;
  // aws_role_credentials' form, `--exec 'aws s3 ls'` (the whole command in one word), goes to
  // commander as `--exec=...`; the command's delivery flags split it (splitCommandString), where
  // a string that needs a shell becomes a usage error like any other.
  if (args[at] === "--exec" && childCommand.length === 1 && only !== undefined && /\s/.test(only)) {
    return { rolecredArgs: [...args.slice(0, at), `--exec=${only}`], childCommand: undefined };
  }
  return { rolecredArgs: args.slice(0, at), childCommand };
}

/**
 * `--exec 'CMD STRING'` split into words the way a POSIX shell splits them (whitespace, '...',
 * "...", backslash), and nothing more: no variables, globs, pipes or redirections. A string that
 * needs a shell is refused rather than half-run; `-- sh -c '...'` says so explicitly. The
 * scanner is the one settings' command lines use (src/command-line.ts), in its "shell" dialect:
 * settings are split as the AWS CLI splits them (shlex), where `|` is an ordinary character.
 */
export function splitCommandString(text: string): string[] {
  const split = scanCommandLine(text, "shell");
  if ("needsShell" in split) throw needsShell(text);
  if ("error" in split) throw usageError(`--exec "${text}" cannot be split into words: ${split.error}`);
  return split.words;
}

function needsShell(text: string): RolecredError {
  return usageError(
    `--exec "${text}" needs a shell (pipes, redirections, variables, globs, a leading NAME=value or a word such as if or !); rolecred runs commands without one`,
    `write -- sh -c '${text.replace(/'/g, "'\\''")}'`,
  );
}
