/** A flag's entry on a `--help` page, its wrapped lines joined; "" when the page has no such flag. */
export function flagHelp(help: string, flag: string): string {
  const lines = help.split("\n");
  const start = lines.findIndex((line) => line.trimStart().startsWith(`${flag} `));
  if (start === -1) return "";
  const end = lines.findIndex((line, index) => index > start && /^\s*-/.test(line));
  return lines
    .slice(start, end === -1 ? undefined : end)
    .join(" ")
    .trim()
    .replace(/\s+/g, " ");
}
