/**
 * `rolecred policy show` and `rolecred policy check`: see the exact session policy a set of
 * --policy / --policy-arn / --scope flags produces, and ask whether it allows a request.
 */
import type { Command } from "commander";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { defineCommand } from "./command.js";
import type { Outcome } from "../outcome.js";
import { collect, flagValue, sessionRequestOptions } from "./session-flags.js";
import type { PolicyCheckOptions, PolicyShowOptions, PolicySources } from "../commands/policy.js";
import { SCOPE_NAMES } from "../policy/scopes.js";

function declarePolicySources(command: Command): Command {
  return command
    .option("--policy <file|-|json>", "inline session policy: a file, - for stdin, or the JSON itself")
    .option("--policy-arn <arn>", "managed session policy ARN (repeatable, at most 10)", collect)
    .option("--scope <name[=arg]>", `built-in template (repeatable): ${SCOPE_NAMES.join(", ")}`, collect);
}

function policySources(flags: Readonly<Record<string, unknown>>): PolicySources {
  const { policy, policyArns, scopes } = sessionRequestOptions(flags);
  if (policy === undefined && policyArns.length === 0 && scopes.length === 0) throw usageError("give the session policy: --policy, --policy-arn or --scope");
  return { policy, policyArns, scopes };
}

export const policyShowCommand = defineCommand<PolicyShowOptions>({
  name: "policy show",
  declare(command) {
    command.description("print the exact session policy that --policy, --policy-arn and --scope produce, and the managed ARNs");
    declarePolicySources(command).option("--json", "print {Policy, PolicyArns} as STS receives them");
  },
  toOptions(_args, flags) {
    return { sources: policySources(flags), json: flags.json === true };
  },
  async run(options: PolicyShowOptions, deps: Deps): Promise<Outcome> {
    const { runPolicyShow } = await import("../commands/policy.js");
    return runPolicyShow(options, deps);
  },
});

export const policyCheckCommand = defineCommand<PolicyCheckOptions>({
  name: "policy check",
  declare(command) {
    command
      .description("evaluate the session policy alone against one request, as IAM does; exit 0 if allowed, 1 if denied")
      .argument("<action>", "e.g. s3:GetObject")
      .argument("<resource>", "e.g. arn:aws:s3:::my-data-bucket/123/file.txt")
      .option("--context <key=value>", "request context key (repeatable; repeat a key for several values), e.g. aws:RequestedRegion=eu-west-1", collect)
      .option("--json", 'print {"decision", "action", "resource", "reason"} as JSON');
    declarePolicySources(command);
  },
  toOptions(args, flags) {
    const [action = "", resource = ""] = args;
    if (!/^[A-Za-z0-9-]+:[A-Za-z0-9]+$/.test(action)) throw usageError(`"${action}" is not an action`, "expected service:Action, e.g. s3:GetObject");
    const context: Record<string, string | string[]> = {};
    for (const pair of flagValue.stringList(flags, "context")) {
      const equals = pair.indexOf("=");
      if (equals <= 0) throw usageError(`--context "${pair}" is not KEY=VALUE`);
      const key = pair.slice(0, equals);
      const value = pair.slice(equals + 1);
      const earlier = context[key];
      context[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    }
    return { sources: policySources(flags), action, resource, context, json: flags.json === true };
  },
  async run(options: PolicyCheckOptions, deps: Deps): Promise<Outcome> {
    const { runPolicyCheck } = await import("../commands/policy.js");
    return runPolicyCheck(options, deps);
  },
});
