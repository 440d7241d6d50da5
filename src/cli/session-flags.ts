/**
 * Flags every session-making command shares (user, saml, and the profile commands): how long,
 * where, how narrow, and where the credentials go. Declared once so `--help` reads the same
 * everywhere, converted once so the rules (ranges, conflicts) hold everywhere.
 */
import { splitCommandString } from "./argv.js";
import type { Command } from "commander";
import { usageError } from "../errors.js";
import { parseDuration } from "../duration.js";
import { DURATION_LIMITS, requireDurationIn } from "../sts/limits.js";
import { policySourceOf, requirePolicyArns } from "../policy/session-policy.js";
import type { ParseContext } from "./command.js";
import { parseScope, SCOPE_NAMES } from "../policy/scopes.js";
import { parseSessionTag, requireSessionTags } from "../sts/session-tags.js";
import { requireSourceIdentity } from "../sts/limits.js";
import type { DeliveryOptions, SessionIdentityOptions, SessionRequestOptions } from "../session/options.js";
import { requireProfileName } from "../store/profile-name.js";

/** commander collector for repeatable flags. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** `shortFlags`: also -d and -r, for `assume`, typed many times a day. */
export function declareSessionFlags(command: Command, shortFlags = false): Command {
  command
    .option(`${shortFlags ? "-d, " : ""}--duration <time>`, "session length: 900-43200 seconds, or 15m, 1h, 12h (default: 1h, or what the source allows)")
    .option(`${shortFlags ? "-r, " : ""}--region <region>`, "STS region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile's region)");
  return declarePolicyFlags(command);
}

/** The session policy's three sources; also `rolecred policy show|check`, which read them offline. */
export function declarePolicyFlags(command: Command): Command {
  return command
    .option("--policy <file|-|json>", "inline session policy: a file, - for stdin, or the JSON itself")
    .option("--policy-arn <arn>", "managed session policy ARN (repeatable, at most 10)", collect)
    .option("--scope <name[=arg]>", `narrow the session with a built-in template (repeatable): ${SCOPE_NAMES.join(", ")}`, collect);
}

export function declareIdentityFlags(command: Command): Command {
  return command
    .option("--tag <key=value>", "session tag (repeatable, at most 50)", collect)
    .option("--transitive-tag <key>", "make a session tag transitive: it follows the session into roles it assumes (repeatable)", collect)
    .option("--source-identity <name|auto>", "set the session's source identity (auto: your IAM user name); it cannot be changed further down a role chain")
    .option("--strict", "fail, instead of warning, on session set-ups IAM's history shows are abusable");
}

export function sessionIdentityOptions(flags: Readonly<Record<string, unknown>>): SessionIdentityOptions {
  const tags = stringList(flags, "tag").map((text) => parseSessionTag(text));
  const transitiveTagKeys = stringList(flags, "transitiveTag");
  requireSessionTags(tags, transitiveTagKeys);
  const sourceIdentity = optionalString(flags, "sourceIdentity");
  return {
    tags,
    transitiveTagKeys,
    sourceIdentity: sourceIdentity === undefined || sourceIdentity === "auto" ? sourceIdentity : requireSourceIdentity(sourceIdentity),
    strict: flags.strict === true,
  };
}

function optionalString(flags: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = flags[name];
  return typeof value === "string" ? value : undefined;
}

function stringList(flags: Readonly<Record<string, unknown>>, name: string): string[] {
  const value = flags[name];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

export const flagValue = { optionalString, stringList };

function requireDurationFlag(text: string): number {
  const seconds = parseDuration(text);
  if (seconds === undefined) throw usageError(`invalid --duration "${text}"`, "use seconds (3600) or a time such as 15m, 1h, 8h");
  return requireDurationIn(seconds, DURATION_LIMITS.assumeRole);
}

export function sessionRequestOptions(flags: Readonly<Record<string, unknown>>): SessionRequestOptions {
  const duration = optionalString(flags, "duration");
  const policy = optionalString(flags, "policy");
  return {
    durationSeconds: duration === undefined ? undefined : requireDurationFlag(duration),
    region: optionalString(flags, "region"),
    policy: policy === undefined ? undefined : policySourceOf(policy),
    policyArns: requirePolicyArns(stringList(flags, "policyArn")),
    scopes: stringList(flags, "scope").map(parseScope),
  };
}

export function declareDeliveryFlags(command: Command): Command {
  return command
    .option("--profile <name>", "write the session to this profile of the shared credentials file")
    .option("--force", "overwrite the profile even if it holds long-term access keys")
    .option("--json", "print the session summary as JSON on stdout (never secrets)")
    .option("--exec <command...>", "run COMMAND with the credentials in its environment instead (same as -- COMMAND)");
}

export function deliveryOptions(flags: Readonly<Record<string, unknown>>, context: ParseContext): DeliveryOptions {
  const profile = optionalString(flags, "profile");
  // `--exec CMD ...` is normally cut off before commander (see argv.ts); `--exec=CMD` is not.
  const execFlag = stringList(flags, "exec");
  // One word with spaces is aws_role_credentials' `--exec 'CMD STRING'`: split like a shell would.
  const [execString] = execFlag;
  const execCommand = execFlag.length === 1 && execString !== undefined && /\s/.test(execString) ? splitCommandString(execString) : execFlag;
  const childCommand = context.childCommand ?? (execCommand.length > 0 ? execCommand : undefined);
  if (profile !== undefined && childCommand !== undefined) {
    throw usageError("--profile and -- COMMAND are alternatives: write a profile, or run a command with the credentials");
  }
  const json = flags.json === true;
  const force = flags.force === true;
  if (childCommand !== undefined) {
    if (childCommand.length === 0) throw usageError("no command given after --exec or --");
    return { to: "childCommand", childCommand, json, force };
  }
  if (profile === undefined) {
    throw usageError("say where the credentials go: --profile NAME, or -- COMMAND [ARGS...] to run a command with them");
  }
  return { to: "profile", profile: requireProfileName(profile), json, force };
}
