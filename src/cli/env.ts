/** `rolecred env PROFILE` (alias `assume`): shell exports for `eval "$(...)"` and the `assume` function. */
import { Option } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { SHELLS, shellFromEnvironment, type Shell } from "../output/exports.js";
import { defineCommand, SUCCESS, type Outcome } from "./command.js";
import { declareProfileFlags, profileRequestOptions, type ProfileRequestOptions } from "./profile-flags.js";
import { flagValue } from "./session-flags.js";

export type EnvOptions = { readonly kind: "unset"; readonly shell: Shell } | ({ readonly kind: "export"; readonly shell: Shell } & ProfileRequestOptions);

export const envCommand = defineCommand<EnvOptions>({
  name: "env",
  declare(command) {
    command
      .alias("assume")
      .description("print shell exports of a profile's session, for eval \"$(rolecred env dev)\" (alias: assume)")
      .argument("[profile]", "profile in ~/.aws/config")
      .addOption(new Option("--shell <shell>", "shell to quote for (default: from $SHELL)").choices([...SHELLS]))
      .option("--unset", "print the lines that clear a session from the shell instead");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    const shell = (flagValue.optionalString(flags, "shell") as Shell | undefined) ?? shellFromEnvironment(context.env.SHELL);
    if (context.childCommand !== undefined) throw usageError("env prints exports; to run a command use rolecred exec PROFILE -- COMMAND");
    if (flags.unset === true) {
      if (args[0] !== undefined) throw usageError("--unset clears the session; it takes no profile");
      return { kind: "unset", shell };
    }
    return { kind: "export", shell, ...profileRequestOptions(args[0], flags, context) };
  },
  async run(options: EnvOptions, deps: Deps): Promise<Outcome> {
    if (options.kind === "unset") {
      const { renderUnset } = await import("../output/exports.js");
      deps.stdout.write(renderUnset(options.shell));
      return SUCCESS;
    }
    const { runEnv } = await import("../commands/profile-delivery.js");
    return runEnv(options, deps);
  },
});
