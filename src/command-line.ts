/**
 * One rule for a command line kept in a setting (credential_process, mfa_process, a keyring
 * command, a $BROWSER entry): split into words as Python's shlex.split splits them (botocore uses
 * it for credential_process), then run directly, never through a shell.
 */

/**
 * A command line as words, with shlex.split's POSIX rules: whitespace separates words; '…' keeps
 * everything literally; "…" keeps everything but a backslash before " or \; a backslash outside
 * quotes keeps the next character. Undefined with the reason when the line cannot be split.
 */
export function splitCommandLine(line: string): { words: string[] } | { error: string } {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let index = 0; index < line.length; index++) {
    const char = line[index] ?? "";
    if (quote === "'") {
      if (char === "'") quote = undefined;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = undefined;
      else if (char === "\\" && (line[index + 1] === '"' || line[index + 1] === "\\")) word += line[++index] ?? "";
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\") {
      if (index + 1 >= line.length) return { error: "it ends with a lone backslash" };
      word += line[++index] ?? "";
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (quote !== undefined) return { error: `its ${quote === "'" ? "single" : "double"} quote is never closed` };
  if (inWord) words.push(word);
  return { words };
}
