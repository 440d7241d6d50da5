/** `rolecred write PROFILE [--to NAME]`: a profile's session into the credentials file, for tools that only read files. */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import type { WriteOptions } from "../commands/profile-delivery.js";
import { flagValue } from "./session-flags.js";
import { requireProfileName } from "../store/profile-name.js";

export const writeCommand = defineCommand<WriteOptions>({
  name: "write",
  declare(command) {
    command
      .description("write a profile's session into the shared credentials file")
      .argument("<profile>", "profile in ~/.aws/config")
      .option("--to <name>", "credentials-file profile to write (default: the same name)")
      .option("--force", "overwrite the target even if it holds long-term access keys");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("write runs no command; use rolecred exec PROFILE -- COMMAND");
    const request = profileRequestOptions(args[0], flags, context);
    const to = flagValue.optionalString(flags, "to");
    return { ...request, to: to === undefined ? request.profile : requireProfileName(to, "--to"), force: flags.force === true };
  },
  run: lazyRun(
    () => import("../commands/profile-delivery.js"),
    (module) => module.runWrite,
  ),
});
