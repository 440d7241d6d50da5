/** `rolecred status [PROFILE] [--json] [--min 15m]` */
import { usageError } from "../errors.js";
import { parseDuration } from "../duration.js";
import { defineCommand, lazyRun } from "./command.js";
import { flagValue } from "./session-flags.js";
import type { StatusOptions } from "../commands/status.js";

export const statusCommand = defineCommand<StatusOptions>({
  name: "status",
  declare(command) {
    command
      .description("list the sessions rolecred holds (cache and credentials file) with time left")
      .argument("[profile]", "only this profile")
      .option("--json", "print JSON")
      .option("--min <time>", "with a profile: exit 0 only if its session is valid for at least this long (e.g. 15m)");
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("status runs no command");
    const min = flagValue.optionalString(flags, "min");
    const minSeconds = min === undefined ? undefined : parseDuration(min);
    if (min !== undefined && minSeconds === undefined) throw usageError(`invalid --min "${min}"`, "use seconds or a time such as 15m or 1h");
    if (minSeconds !== undefined && args[0] === undefined) throw usageError("--min needs a profile: rolecred status dev --min 15m");
    return { profile: args[0], json: flags.json === true, minSeconds };
  },
  run: lazyRun(
    () => import("../commands/status.js"),
    (module) => module.runStatus,
  ),
});
