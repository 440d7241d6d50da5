/**
 * `rolecred assume [PROFILE]`, what the shell function `assume` runs: switch this shell to a
 * profile's session. Unlike `env` (plain exports for scripts), it is for people: with no profile
 * it opens a picker on the terminal, it says in one line on stderr what the shell now is, and
 * `-c` opens the console instead.
 */
import { Option } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { SHELLS, shellFromEnvironment, type Shell } from "../output/exports.js";
import { defineCommand } from "./command.js";
import type { Outcome } from "../outcome.js";
import { refuseTerminal } from "./env.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import type { AssumeOptions } from "../commands/assume.js";
import { flagValue } from "./session-flags.js";

export const assumeCommand = defineCommand<AssumeOptions>({
  name: "assume",
  helpOnStderr: true,
  declare(command) {
    command
      .description("switch this shell to a profile's session (through the shell function from rolecred shell-init); no profile: pick one")
      .argument("[profile]", "profile in ~/.aws/config (default: a picker on the terminal)")
      .addOption(new Option("--shell <shell>", "shell to quote for (default: from $SHELL)").choices([...SHELLS]))
      .option("-c, --console", "open the AWS console with the profile's session instead")
      .option("--unset", "print the lines that clear a session from the shell instead")
      .option("--show-secrets", "print the exports even when stdout is a terminal");
    declareProfileFlags(command, true);
  },
  toOptions(args, flags, context) {
    const shell = (flagValue.optionalString(flags, "shell") as Shell | undefined) ?? shellFromEnvironment(context.env.SHELL);
    if (context.childCommand !== undefined) throw usageError("assume switches this shell; to run a command use rolecred exec PROFILE -- COMMAND");
    if (flags.unset === true) {
      if (args[0] !== undefined) throw usageError("--unset clears the session; it takes no profile");
      return { kind: "unset", shell };
    }
    // The profile flags' parsing needs a name; the picker's choice replaces it.
    const request = profileRequestOptions(args[0] ?? "default", flags, context);
    return {
      kind: "switch",
      shell,
      profile: args[0] === undefined ? undefined : request.profile,
      console: flags.console === true,
      showSecrets: flags.showSecrets === true,
      request,
    };
  },
  async run(options: AssumeOptions, deps: Deps): Promise<Outcome> {
    if (options.kind === "unset") {
      const { runUnset } = await import("../commands/unset.js");
      return runUnset(options, deps);
    }
    // Checked before the picker, a prompt or a call: exports nobody can use cost nothing.
    if (!options.console && deps.stdout.isTTY === true && !options.showSecrets)
      throw refuseTerminal({ profile: options.profile ?? "PROFILE", shell: options.shell });
    const { runAssume } = await import("../commands/assume.js");
    return runAssume(options, deps);
  },
});
