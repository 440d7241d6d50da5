/** `rolecred profiles [--names] [--json]`: the profiles of ~/.aws/config and what each resolves to. */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import type { ProfilesOptions } from "../commands/profiles.js";

export const profilesCommand = defineCommand<ProfilesOptions>({
  name: "profiles",
  declare(command) {
    command
      .description("list the profiles in ~/.aws/config and ~/.aws/credentials")
      .option("--names", "names only, one per line (for shell completion)")
      .option("--json", "print JSON");
  },
  toOptions(_args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("profiles runs no command");
    if (flags.names === true && flags.json === true) throw usageError("--names and --json are alternatives");
    return { format: flags.names === true ? "names" : flags.json === true ? "json" : "table" };
  },
  run: lazyRun(
    () => import("../commands/profiles.js"),
    (module) => module.runProfiles,
  ),
});
