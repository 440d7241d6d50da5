/** `rolecred exec PROFILE -- COMMAND [ARGS...]`: run a command with the profile's session. */
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { defineCommand, type Outcome } from "./command.js";
import { declareProfileFlags, profileRequestOptions, type ProfileRequestOptions } from "./profile-flags.js";

export type ExecOptions = ProfileRequestOptions & { readonly command: readonly string[] };

export const execCommand = defineCommand<ExecOptions>({
  name: "exec",
  declare(command) {
    command
      .description("run a command with a profile's session in its environment: rolecred exec dev -- terraform plan")
      .argument("<profile>", "profile in ~/.aws/config")
      .usage("[options] <profile> -- <command> [args...]");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    const command = context.childCommand;
    if (command === undefined || command.length === 0) throw usageError("name the command to run after --, e.g. rolecred exec dev -- aws s3 ls");
    return { ...profileRequestOptions(args[0], flags, context), command };
  },
  async run(options: ExecOptions, deps: Deps): Promise<Outcome> {
    const { runExec } = await import("../commands/profile-delivery.js");
    return runExec(options, deps);
  },
});
