/**
 * `rolecred keys add|list|remove|import|export|rotate`: an IAM user's long-term keys in the OS
 * keyring (or the encrypted key file) instead of ~/.aws/credentials. See docs/keys.md.
 */
import { usageError } from "../errors.js";
import { checkKeyName } from "../keys/entry.js";
import { MFA_CODE_ENV, mfaCodeInput } from "../mfa/code.js";
import { requireMfaSerial } from "../sts/limits.js";
import { mfaTokenOption } from "./mfa-token-flag.js";
import { defineCommand, lazyRun, type ParseContext } from "./command.js";
import type { KeysAddOptions, KeysImportOptions, KeysListOptions, KeysNameOptions } from "../commands/keys.js";
import type { KeysRotateOptions } from "../commands/keys-rotate.js";

function nameOf(args: readonly string[], context: ParseContext, command: string): string {
  if (context.childCommand !== undefined) throw usageError(`keys ${command} runs no command`);
  const [name] = args;
  if (name === undefined) throw usageError(`keys ${command} needs the NAME of the keys`);
  return checkKeyName(name, "NAME");
}

const regionOf = (flags: Readonly<Record<string, unknown>>) => (typeof flags.region === "string" ? flags.region : undefined);

const keysAddCommand = defineCommand<KeysAddOptions>({
  name: "keys add",
  declare(command) {
    command
      .description("store an IAM user's access key in the OS keyring (asked on the terminal; never on the command line)")
      .argument("<name>", "the name profiles use: rolecred_keys = NAME")
      .option("--stdin", "read the access key id and the secret from stdin, one per line")
      .option("--env", "take them from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
      .option("--force", "replace keys already stored under NAME");
  },
  toOptions(args, flags, context) {
    const name = nameOf(args, context, "add");
    if (flags.stdin === true && flags.env === true) throw usageError("--stdin and --env are alternatives");
    return { name, from: flags.stdin === true ? "stdin" : flags.env === true ? "env" : "terminal", force: flags.force === true };
  },
  run: lazyRun(
    () => import("../commands/keys.js"),
    (module) => module.runKeysAdd,
  ),
});

const keysListCommand = defineCommand<KeysListOptions>({
  name: "keys list",
  declare(command) {
    command.description("list stored keys: name, masked key id, where, age").option("--json", "print JSON");
  },
  toOptions(args, flags, context) {
    if (context.childCommand !== undefined || args.length > 0) throw usageError("keys list takes no arguments");
    return { json: flags.json === true };
  },
  run: lazyRun(
    () => import("../commands/keys.js"),
    (module) => module.runKeysList,
  ),
});

const keysRemoveCommand = defineCommand<KeysNameOptions>({
  name: "keys remove",
  declare(command) {
    command.description("delete stored keys (IAM keeps the key: delete or deactivate it there too)").argument("<name>", "the stored keys");
  },
  toOptions: (args, _flags, context) => ({ name: nameOf(args, context, "remove") }),
  run: lazyRun(
    () => import("../commands/keys.js"),
    (module) => module.runKeysRemove,
  ),
});

const keysImportCommand = defineCommand<KeysImportOptions>({
  name: "keys import",
  declare(command) {
    command
      .description("move a profile's keys from ~/.aws/credentials into the keyring, after checking they work")
      .argument("<profile>", "the section of ~/.aws/credentials holding the keys; the stored keys get the same name")
      .option("--region <region>", "region of the STS endpoint that checks the keys (default: the profile's)")
      .option("--force", "replace other keys already stored under that name");
  },
  toOptions: (args, flags, context) => ({ name: nameOf(args, context, "import"), region: regionOf(flags), force: flags.force === true }),
  run: lazyRun(
    () => import("../commands/keys.js"),
    (module) => module.runKeysImport,
  ),
});

const keysExportCommand = defineCommand<KeysNameOptions>({
  name: "keys export",
  declare(command) {
    command.description("show stored keys on the terminal, after a confirmation (the way back to ~/.aws/credentials)").argument("<name>", "the stored keys");
  },
  toOptions: (args, _flags, context) => ({ name: nameOf(args, context, "export") }),
  run: lazyRun(
    () => import("../commands/keys.js"),
    (module) => module.runKeysExport,
  ),
});

const keysRotateCommand = defineCommand<KeysRotateOptions>({
  name: "keys rotate",
  declare(command) {
    command
      .description("replace stored keys with a new IAM access key, then delete the old one in IAM")
      .argument("<name>", "the stored keys")
      .option("--mfa-serial <arn>", "MFA device for the IAM calls (default: mfa_serial of the profile NAME)")
      .addOption(mfaTokenOption())
      .option("--region <region>", "region of the STS endpoint (default: the profile's)");
  },
  toOptions(args, flags, context) {
    const mfaSerial = typeof flags.mfaSerial === "string" ? requireMfaSerial(flags.mfaSerial) : undefined;
    return {
      name: nameOf(args, context, "rotate"),
      mfaSerial,
      mfaCode: mfaCodeInput(typeof flags.mfaToken === "string" ? flags.mfaToken : undefined, context.env[MFA_CODE_ENV]),
      region: regionOf(flags),
    };
  },
  run: lazyRun(
    () => import("../commands/keys-rotate.js"),
    (module) => module.runKeysRotate,
  ),
});

/** The subcommands, by name, for src/cli/program.ts. */
export const keysCommands = {
  add: keysAddCommand,
  list: keysListCommand,
  remove: keysRemoveCommand,
  import: keysImportCommand,
  export: keysExportCommand,
  rotate: keysRotateCommand,
} as const;
