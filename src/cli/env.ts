/** `rolecred env PROFILE`: shell exports for `eval "$(...)"` in scripts (the interactive switch is `assume`). */
import { Option } from "commander";
import type { Deps } from "../deps.js";
import { usageError, type RolecredError } from "../errors.js";
import { quoteForShell, SHELLS, shellFromEnvironment, type Shell } from "../output/exports.js";
import { defineCommand } from "./command.js";
import type { Outcome } from "../outcome.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import type { EnvOptions } from "../commands/profile-delivery.js";
import { flagValue } from "./session-flags.js";

/** A profile name as the user could paste it into a command line (a hostile name stays inert). */
function asShellWord(profile: string): string {
  return /^[\w.@+=,:/-]+$/.test(profile) ? profile : quoteForShell.sh(profile);
}

/** How to define `assume` in each shell, for the message that refuses to print to a terminal. */
const SHELL_INIT_LINE: Record<Shell, string> = {
  bash: 'eval "$(rolecred shell-init bash)" in ~/.bashrc',
  zsh: 'eval "$(rolecred shell-init zsh)" in ~/.zshrc',
  sh: "rolecred shell-init bash|zsh|fish|powershell in your shell's start-up file",
  fish: "rolecred shell-init fish | source in ~/.config/fish/config.fish",
  powershell: "rolecred shell-init powershell | Out-String | Invoke-Expression in your $PROFILE",
};

/**
 * `rolecred assume dev` typed without the shell function, or `rolecred env dev` on its own, would
 * show the secret key and session token on the screen (and in scroll-back, screen sharing,
 * terminal logs) while exporting nothing. Exports are for a shell's eval, so a terminal gets
 * directions instead, unless the user explicitly asks to see them with --show-secrets.
 */
export function refuseTerminal(options: { readonly profile: string; readonly shell: Shell }): RolecredError {
  return usageError(
    `not printing ${options.profile}'s credentials to a terminal: they would be shown, not exported`,
    `to switch this shell, define assume with ${SHELL_INIT_LINE[options.shell]}, or run eval "$(rolecred env ${asShellWord(options.profile)})"; --show-secrets prints them anyway`,
  );
}

export const envCommand = defineCommand<EnvOptions>({
  name: "env",
  declare(command) {
    command
      .description('print shell exports of a profile\'s session, for eval "$(rolecred env dev)" (interactive switching: assume)')
      .argument("[profile]", "profile in ~/.aws/config")
      .addOption(new Option("--shell <shell>", "shell to quote for (default: from $SHELL)").choices([...SHELLS]))
      .option("--unset", "print the lines that clear a session from the shell instead")
      .option("--show-secrets", "print the exports even when stdout is a terminal (by default a terminal gets directions, not secrets)");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    const shell = (flagValue.optionalString(flags, "shell") as Shell | undefined) ?? shellFromEnvironment(context.env.SHELL);
    if (context.childCommand !== undefined) throw usageError("env prints exports; to run a command use rolecred exec PROFILE -- COMMAND");
    if (flags.unset === true) {
      if (args[0] !== undefined) throw usageError("--unset clears the session; it takes no profile");
      return { kind: "unset", shell };
    }
    return { kind: "export", shell, showSecrets: flags.showSecrets === true, ...profileRequestOptions(args[0], flags, context) };
  },
  async run(options: EnvOptions, deps: Deps): Promise<Outcome> {
    if (options.kind === "unset") {
      const { runUnset } = await import("../commands/unset.js");
      return runUnset(options, deps);
    }
    // Checked before anything else: no MFA code is spent on exports nobody can use.
    if (deps.stdout.isTTY === true && !options.showSecrets) throw refuseTerminal(options);
    const { runEnv } = await import("../commands/profile-delivery.js");
    return runEnv(options, deps);
  },
});
