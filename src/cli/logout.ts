/** `rolecred logout [PROFILE | --all]` */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import type { LogoutOptions } from "../commands/logout.js";

export const logoutCommand = defineCommand<LogoutOptions>({
  name: "logout",
  declare(command) {
    command
      .description("delete cached and written temporary sessions (never long-term keys)")
      .argument("[profile]", "the profile whose sessions to delete")
      .option("--all", "delete every session rolecred holds")
      .option("--force", "also delete sections marked as rolecred's that hold long-term keys");
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("logout runs no command");
    const all = flags.all === true;
    if (all === (args[0] !== undefined)) throw usageError("name a profile or pass --all (not both)");
    return { profile: args[0], all, ...(flags.force === true ? { force: true } : {}) };
  },
  run: lazyRun(
    () => import("../commands/logout.js"),
    (module) => module.runLogout,
  ),
});
