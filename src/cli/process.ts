/** `rolecred process PROFILE`: the credential_process helper (`credential_process = rolecred process dev`). */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import type { ProfileRequestOptions } from "../session/options.js";

export const processCommand = defineCommand<ProfileRequestOptions>({
  name: "process",
  declare(command) {
    command
      .description("print a profile's session as credential_process JSON (prompts, if any, go to the terminal)")
      .argument("<profile>", "profile in ~/.aws/config")
      .addHelpText("after", "\nIn ~/.aws/config:\n  [profile dev-cli]\n  credential_process = rolecred process dev\n");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("process prints credential_process JSON; it runs no command");
    return profileRequestOptions(args[0], flags, context);
  },
  run: lazyRun(
    () => import("../commands/profile-delivery.js"),
    (module) => module.runProcess,
  ),
});
