/**
 * What narrows a profile's session: the flags, else the profile's own rolecred_* keys in
 * ~/.aws/config (documented in docs/profiles.md). A flag replaces the profile's value of the
 * same kind; it never silently adds to it.
 */
import type { Deps } from "../deps.js";
import type { SessionRequestOptions } from "../cli/session-flags.js";
import type { ResolvedChain } from "../profiles/resolve.js";
import type { SessionExtras } from "../credentials/links.js";
import { policySourceOf, prepareInlinePolicy, requirePolicyArns } from "../policy/session-policy.js";
import { readStdinText } from "../stdin.js";
import { inputError } from "../errors.js";

/** A comma-separated config value as a list. */
export function configList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

export async function profileSessionExtras(flags: SessionRequestOptions, chain: ResolvedChain, deps: Deps): Promise<SessionExtras> {
  const settings = chain.targetSettings;
  const configuredPolicy = settings.get("rolecred_policy");
  const policySource = flags.policy ?? (configuredPolicy === undefined || configuredPolicy === "" ? undefined : policySourceOf(configuredPolicy));
  if (flags.policy === undefined && policySource?.kind === "stdin") throw inputError(`profile "${chain.target}": rolecred_policy cannot be - (stdin)`);
  const policy = await prepareInlinePolicy(policySource, () => readStdinText(deps.stdin, 64 * 1024, "the policy on stdin"));
  const policyArns = flags.policyArns.length > 0 ? [...flags.policyArns] : requirePolicyArns(configList(settings.get("rolecred_policy_arns")));
  return {
    ...(policy === undefined ? {} : { policy }),
    ...(policyArns.length === 0 ? {} : { policyArns }),
  };
}
