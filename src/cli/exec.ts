/**
 * `rolecred exec PROFILE [--server] [-- COMMAND [ARGS...]]`: run a command (by default the user's
 * shell) with the profile's session, as keys in its environment or, with --server, through a
 * loopback credentials endpoint that keeps refreshing the session.
 */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import type { ExecOptions } from "../commands/profile-delivery.js";

export const execCommand = defineCommand<ExecOptions>({
  name: "exec",
  declare(command) {
    command
      .description("run a command (default: your shell) with a profile's session: rolecred exec dev -- terraform plan")
      .argument("<profile>", "profile in ~/.aws/config")
      .usage("[options] <profile> [-- <command> [args...]]")
      .option("--server", "give the command a loopback credentials endpoint that refreshes the session (for runs longer than a session), not keys");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    const command = context.childCommand;
    if (command !== undefined && command.length === 0)
      throw usageError("name the command to run after --, e.g. rolecred exec dev -- aws s3 ls, or leave out -- for a shell");
    return { ...profileRequestOptions(args[0], flags, context), command, server: flags.server === true };
  },
  run: lazyRun(
    () => import("../commands/profile-delivery.js"),
    (module) => module.runExec,
  ),
});
