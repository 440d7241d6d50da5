/**
 * `rolecred console [PROFILE] [--service S] [--region R] [--duration D] [--print]`: open the AWS
 * console with a profile's session (or the one `assume` exported), or print its sign-in link.
 */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import { declareProfileFlags, profileRequestOptions } from "./profile-flags.js";
import { flagValue } from "./session-flags.js";
import type { ConsoleOptions } from "../commands/console.js";

export const consoleCommand = defineCommand<ConsoleOptions>({
  name: "console",
  declare(command) {
    command
      .description("open the AWS console with a profile's session (or the one assume exported), or --print its sign-in URL")
      .argument("[profile]", "profile in ~/.aws/config (default: the exported session, else AWS_PROFILE)")
      .option("--service <name|path|url>", "where the console opens: s3, ec2, a console path such as /iam/home, or a console URL")
      .option("--print", "print the sign-in URL (a secret for 15 minutes) instead of opening the browser")
      .option("--federation-url <url>", "the federation endpoint (default: ROLECRED_FEDERATION_URL, else the partition's sign-in endpoint)");
    declareProfileFlags(command);
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined) throw usageError("console runs no command; use rolecred exec PROFILE -- COMMAND");
    // The profile flags' parsing needs a name; with none, a placeholder that is never used.
    const request = profileRequestOptions(args[0] ?? "default", flags, context);
    return {
      profile: args[0] === undefined ? undefined : request.profile,
      request,
      service: flagValue.optionalString(flags, "service"),
      print: flags.print === true,
      federationUrl: flagValue.optionalString(flags, "federationUrl"),
    };
  },
  run: lazyRun(
    () => import("../commands/console.js"),
    (module) => module.runConsole,
  ),
});
