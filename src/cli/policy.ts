/**
 * `rolecred policy show` and `rolecred policy check`: see the exact session policy a set of
 * --policy / --policy-arn / --scope flags produces, and ask whether it allows a request.
 */
import { usageError } from "../errors.js";
import { defineCommand, lazyRun } from "./command.js";
import { collect, declarePolicyFlags, flagValue, sessionRequestOptions } from "./session-flags.js";
import type { PolicyCheckOptions, PolicyShowOptions, PolicySources } from "../commands/policy.js";

function policySources(flags: Readonly<Record<string, unknown>>): PolicySources {
  const { policy, policyArns, scopes } = sessionRequestOptions(flags);
  if (policy === undefined && policyArns.length === 0 && scopes.length === 0) throw usageError("give the session policy: --policy, --policy-arn or --scope");
  return { policy, policyArns, scopes };
}

export const policyShowCommand = defineCommand<PolicyShowOptions>({
  name: "policy show",
  declare(command) {
    command.description("print the exact session policy that --policy, --policy-arn and --scope produce, and the managed ARNs");
    declarePolicyFlags(command).option("--json", "print {Policy, PolicyArns} as STS receives them");
  },
  toOptions(_args, flags) {
    return { sources: policySources(flags), json: flags.json === true };
  },
  run: lazyRun(
    () => import("../commands/policy.js"),
    (module) => module.runPolicyShow,
  ),
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
    declarePolicyFlags(command);
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
  run: lazyRun(
    () => import("../commands/policy.js"),
    (module) => module.runPolicyCheck,
  ),
});
