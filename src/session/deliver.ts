/**
 * The sinks every session-making command shares: write profiles into the credentials file, or run
 * a child with the credentials; then tell the user what happened (stderr) and, with --json, print
 * the summary as data (stdout).
 */
import type { Deps } from "../deps.js";
import type { RoleSession } from "../credentials/types.js";
import type { DeliveryOptions } from "./options.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { precheckProfileWrites, writeProfiles } from "../store/credentials-file.js";
import { describeSession, sessionSummaryJson } from "../output/summary.js";
import { ACTIVE_PROFILE_ENV, childEnvironment } from "../exec/child-env.js";
import { runChild } from "../exec/run-child.js";
import { RolecredError } from "../errors.js";
import { describePolicySize, type ComposedSessionPolicy } from "../policy/compose.js";
import { stsClockOffsetMs, takeClockSkewWarning } from "../sts/client.js";

/** Secrets of a new session must never be printed, even by accident. */
export function registerSessionSecrets(session: RoleSession, deps: Deps): void {
  deps.secrets.add(session.credentials.secretAccessKey);
  deps.secrets.add(session.credentials.sessionToken);
}

/** Before spending an MFA code or an assertion: would writing these profiles be refused? */
export async function precheckDelivery(profiles: readonly string[], delivery: DeliveryOptions, deps: Deps): Promise<void> {
  if (delivery.childCommand !== undefined || profiles.length === 0) return;
  await precheckProfileWrites(credentialsFilePath(deps.env), profiles, { force: delivery.force });
}

export interface NamedSession {
  readonly profile: string | undefined;
  readonly session: RoleSession;
}

/** Deliver one or more sessions as the options say. More than one session only ever goes to profiles. */
export async function deliverSessions(
  sessions: readonly NamedSession[],
  delivery: DeliveryOptions,
  deps: Deps,
  composed?: ComposedSessionPolicy,
): Promise<Outcome> {
  if (delivery.childCommand !== undefined) {
    const [only] = sessions;
    if (only === undefined || sessions.length !== 1) throw new RolecredError("internal: exec needs exactly one session");
    return execWithSession(only.session, delivery.childCommand, deps);
  }
  const writes = sessions.map(({ profile, session }) => {
    // A session without a name would be written as `[]`: a bug, not something to write.
    if (profile === undefined) throw new RolecredError("internal: a session to write has no profile name");
    return { profile, session };
  });
  await writeProfiles(credentialsFilePath(deps.env), writes, {
    force: delivery.force,
    onLockWait: (message) => deps.log.info(message),
    cacheDirectory: cacheDirectory(deps.env),
  });
  const skew = takeClockSkewWarning();
  if (skew !== undefined) deps.log.warn(skew);
  // "valid for 1h" on STS's clock: a machine clock 2 h ahead must not report a fresh session as expired.
  const now = new Date(deps.now().getTime() + (stsClockOffsetMs() ?? 0));
  for (const { profile, session } of writes) deps.log.info(describeSession(session, now, profile));
  const [first] = writes;
  if (composed !== undefined && first !== undefined) reportPolicyUse(first.session, composed, deps);
  if (delivery.json) {
    const summaries = writes.map(({ profile, session }) => sessionSummaryJson(session, profile));
    deps.stdout.write(`${JSON.stringify(summaries.length === 1 ? summaries[0] : summaries, null, 2)}\n`);
  }
  return SUCCESS;
}

async function execWithSession(session: RoleSession, command: readonly string[], deps: Deps): Promise<Outcome> {
  const label = session.roleArn;
  const outer = deps.env[ACTIVE_PROFILE_ENV];
  if (outer !== undefined && outer !== label) {
    deps.log.warn(`already inside a rolecred session for ${outer}; the command gets ${label} instead`);
  }
  deps.log.verbose(describeSession(session, deps.now(), undefined));
  return runChild(command, childEnvironment(deps.env, { credentials: session.credentials, region: session.region, label }));
}

/** What narrows the session, before the call: warnings always, the policy itself with --verbose. */
export function logSessionPolicy(composed: ComposedSessionPolicy, deps: Deps): void {
  for (const warning of composed.warnings) deps.log.warn(warning);
  if (composed.policy !== undefined) deps.log.verbose(`session policy, ${describePolicySize(composed.policy)}: ${composed.policy}`);
  if (composed.policyArns.length > 0) deps.log.verbose(`managed session policies: ${composed.policyArns.join(", ")}`);
}

/**
 * After the call, when anything narrowed the session: how much of STS's budgets it used (the
 * 2,048-character inline policy limit and STS's packed size for policies and tags).
 */
function reportPolicyUse(session: RoleSession, composed: ComposedSessionPolicy, deps: Deps): void {
  const parts: string[] = [];
  if (composed.policy !== undefined) parts.push(`session policy ${describePolicySize(composed.policy)}`);
  if (composed.policyArns.length > 0) parts.push(`${composed.policyArns.length} managed policy ARN${composed.policyArns.length > 1 ? "s" : ""}`);
  if (session.packedPolicySize !== undefined) parts.push(`packed into ${session.packedPolicySize}% of STS's limit`);
  if (parts.length === 0) return;
  const line = parts.join(", ");
  if (session.packedPolicySize !== undefined && session.packedPolicySize >= 90) deps.log.warn(`${line}: close to PackedPolicyTooLarge`);
  else deps.log.info(line);
}
