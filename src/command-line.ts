/**
 * Command lines given as one string, split into words and run directly, never through a shell.
 * One scanner, two dialects, because the strings come from two places whose owners already
 * split them differently, and rolecred must split each the way its owner would:
 *
 * - "shlex": a command line kept in a setting (credential_process, mfa_process, a keyring
 *   command, a $BROWSER entry). botocore runs credential_process through Python's shlex.split,
 *   and Python's webbrowser splits $BROWSER the same way, so a line that works for the AWS CLI
 *   must give the same words here. shlex gives `|`, `$`, `*` and `#` no meaning: they are
 *   ordinary characters of a word, as in the AWS CLI.
 * - "shell": `--exec 'CMD STRING'`, the one-word form aws_role_credentials took, which a user
 *   writes as they would at a shell prompt. It is split as sh splits words; what only a shell
 *   could do (pipes, redirections, `;`/`&`/a newline between commands, variables, command
 *   substitution, globs, `~`, comments, a leading `NAME=value` or bash's `NAME+=value` assignment) is refused rather
 *   than run with other meaning, so `aws s3 ls | head` never runs `aws` with the arguments `|`
 *   and `head`, nor `AWS_PAGER= aws s3 ls` a program named `AWS_PAGER=`.
 *
 * The two also differ where shlex and sh differ: a backslash inside "…" escapes only `"` and `\`
 * in shlex, also `$`, backquote and a newline in sh; shlex separates words at space, tab, CR and
 * LF, sh at space and tab (a newline ends the command). Neither separates at other Unicode
 * spaces (a no-break space is part of a word). A line that ends in a lone backslash, or leaves a
 * quote open, cannot be split in either.
 */

export type CommandLineDialect = "shlex" | "shell";

export type SplitCommand = { readonly words: string[] } | { readonly error: string } | { readonly needsShell: true };

/** Characters outside quotes that mean something only to a shell (sh's operators, expansions, globs, `#`, `~`, a newline). */
const SHELL_ONLY = /[|&;<>()$`*?[\]{}~#\n]/;
/** After a backslash inside "…": shlex escapes these… */
const SHLEX_ESCAPED_IN_DOUBLE = /["\\]/;
/** …sh these (a backslash before a newline joins the lines). */
const SHELL_ESCAPED_IN_DOUBLE = /["\\$`\n]/;
/** A shell variable's name (and bash's `+` of `NAME+=value`, which appends): before an unquoted `=` in the first word, an assignment. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]*\+?$/;
/**
 * sh's reserved words (POSIX's, and the `[[`, `]]`, `function`, `select` it lets shells reserve):
 * unquoted as the first word they start a compound command or negate a pipeline; run without a
 * shell, `! tool` would look for a program named `!` (exit 127). bash's `coproc` too. bash's
 * `time` is left out: there is a program of that name, which times the command as the user asked.
 */
const RESERVED = new Set([
  "!",
  "if",
  "then",
  "else",
  "elif",
  "fi",
  "case",
  "esac",
  "for",
  "while",
  "until",
  "do",
  "done",
  "in",
  "[[",
  "]]",
  "function",
  "select",
  "coproc",
]);
const SHLEX_BLANK = /[ \t\r\n]/;
const SHELL_BLANK = /[ \t]/;

/** `line` as words, split as `dialect`'s owner splits it (see the module comment). */
export function scanCommandLine(line: string, dialect: CommandLineDialect): SplitCommand {
  const shell = dialect === "shell";
  const blank = shell ? SHELL_BLANK : SHLEX_BLANK;
  const escapedInDouble = shell ? SHELL_ESCAPED_IN_DOUBLE : SHLEX_ESCAPED_IN_DOUBLE;
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  // sh: a first word `NAME=…` (the name and `=` unquoted) sets a variable for the command that follows; it is not a program to run.
  let plainSoFar = true;
  // The first word as written had no quote or backslash: only then can it be a reserved word.
  let firstWordPlain = true;
  for (let index = 0; index < line.length; index++) {
    const char = line[index] ?? "";
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      const next = line[index + 1] ?? "";
      if (char === '"') quote = undefined;
      else if (char === "\\" && escapedInDouble.test(next)) {
        index++;
        if (next !== "\n") word += next; // sh: backslash-newline joins the lines
      } else if (shell && (char === "$" || char === "`")) return { needsShell: true };
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
      plainSoFar = false;
    } else if (char === "\\") {
      if (index + 1 >= line.length) return { error: "it ends with a lone backslash" };
      const next = line[++index] ?? "";
      if (shell && next === "\n") continue; // a line continuation, not a character
      word += next;
      inWord = true;
      plainSoFar = false;
    } else if (blank.test(char)) {
      if (inWord && words.length === 0) firstWordPlain = plainSoFar;
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else if (shell && SHELL_ONLY.test(char)) {
      return { needsShell: true };
    } else if (shell && char === "=" && words.length === 0 && plainSoFar && NAME.test(word)) {
      return { needsShell: true };
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return { error: `its ${quote === "'" ? "single" : "double"} quote is never closed` };
  if (inWord && words.length === 0) firstWordPlain = plainSoFar;
  if (inWord) words.push(word);
  if (shell && firstWordPlain && RESERVED.has(words[0] ?? "")) return { needsShell: true };
  return { words };
}

/**
 * A command line kept in a setting (credential_process, mfa_process, a keyring command, a
 * $BROWSER entry) as words, exactly as Python's shlex.split gives them; the reason when it
 * cannot be split.
 */
export function splitCommandLine(line: string): { words: string[] } | { error: string } {
  const split = scanCommandLine(line, "shlex");
  // shlex never asks for a shell: every character is a word's or a separator.
  return "needsShell" in split ? { error: "it needs a shell" } : split;
}
