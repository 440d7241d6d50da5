/**
 * The child command of `rolecred user ... -- CMD ARGS` / `--exec CMD ARGS` / `rolecred exec P --
 * CMD ARGS` is cut off before commander sees the line: commander would otherwise hand the child's
 * first word to an optional positional (SESSION_NAME) and parse the child's own flags as ours.
 */
export interface SplitArgv {
  readonly rolecredArgs: string[];
  readonly childCommand: string[] | undefined;
}

export function splitChildCommand(args: readonly string[]): SplitArgv {
  const at = args.findIndex((arg) => arg === "--" || arg === "--exec");
  if (at === -1) return { rolecredArgs: [...args], childCommand: undefined };
  return { rolecredArgs: args.slice(0, at), childCommand: args.slice(at + 1) };
}
