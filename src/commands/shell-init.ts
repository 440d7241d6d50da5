/** `rolecred shell-init bash|zsh|fish|powershell`: the `assume` function and completions. */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import type { CompletionCommand, InitShell } from "../output/shell-init.js";

export interface ShellInitOptions {
  readonly shell: InitShell;
  /** --auto-renew: a prompt hook renewing the exported session from the cache (bash, zsh, fish). */
  readonly autoRenew: boolean;
}

/** `commands`: what completion offers, read by src/cli from the same declarations --help shows. */
export async function runShellInit(options: ShellInitOptions, commands: readonly CompletionCommand[], deps: Deps): Promise<Outcome> {
  const { renderShellInit } = await import("../output/shell-init.js");
  deps.stdout.write(renderShellInit(options.shell, commands, options.autoRenew));
  return SUCCESS;
}
