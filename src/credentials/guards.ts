/**
 * Warnings about session set-ups that IAM's history shows are abusable. They are advice (on
 * stderr) unless --strict makes them errors; each says what goes wrong and what to do instead.
 *
 * - Re-assuming the role you already are: the new session's name and tags are chosen by the
 *   caller, so they say nothing about who the person is (and trust conditions on them are moot).
 * - Setting a tag the current session already carries as transitive, with another value: STS
 *   refuses to override an inherited transitive tag, and the attempt usually means a policy
 *   compares that tag.
 * - A session name other than your own IAM user name: CloudTrail can no longer tie the
 *   session to you, and trust policies pinning sts:RoleSessionName to ${aws:username} fail.
 */
import { callerKindOf, callerNameOf, roleNameOf, roleOfAssumedRoleArn, accountOf } from "../arn.js";
import { ExitCode, RolecredError } from "../errors.js";
import type { SessionTag } from "../sts/api.js";
import type { Logger } from "../log.js";

export interface GuardContext {
  /** Who is calling AssumeRole (GetCallerIdentity, or the parent session's ARN), when known. */
  readonly callerArn: string | undefined;
  readonly roleArn: string;
  readonly sessionName: string;
  readonly tags: readonly SessionTag[];
  /** Transitive tags the caller's session carries, when rolecred made it. */
  readonly callerTransitiveTags: Readonly<Record<string, string>>;
}

export function sessionWarnings(context: GuardContext): string[] {
  const warnings: string[] = [];
  const caller = context.callerArn;
  const callerRole = caller === undefined ? undefined : roleOfAssumedRoleArn(caller);
  if (callerRole !== undefined && callerRole.account === accountOf(context.roleArn) && callerRole.roleName === roleNameOf(context.roleArn)) {
    warnings.push(
      `the caller is already a session of ${callerRole.roleName}: re-assuming it lets the caller pick a new session name and tags, which then say nothing about who acts (use sts:SourceIdentity to carry identity)`,
    );
  }
  const inherited = new Map(Object.entries(context.callerTransitiveTags).map(([key, value]) => [key.toLowerCase(), { key, value }]));
  for (const tag of context.tags) {
    const carried = inherited.get(tag.key.toLowerCase());
    if (carried !== undefined && carried.value !== tag.value) {
      warnings.push(
        `tag ${tag.key}=${tag.value} would override the transitive tag ${carried.key}=${carried.value} the calling session carries; STS refuses that, and policies comparing aws:PrincipalTag/${carried.key} rely on it`,
      );
    }
  }
  if (caller !== undefined && callerKindOf(caller) === "user") {
    const userName = callerNameOf(caller);
    if (userName !== undefined && userName !== context.sessionName) {
      warnings.push(
        `session name "${context.sessionName}" is not your IAM user name "${userName}": CloudTrail will not tie the session to you, and trust policies requiring sts:RoleSessionName = \${aws:username} refuse it`,
      );
    }
  }
  return warnings;
}

/** Print the warnings, or with --strict refuse to go on. */
export function applyGuards(warnings: readonly string[], strict: boolean, log: Logger): void {
  const [first] = warnings;
  if (strict && first !== undefined) {
    throw new RolecredError(`refused by --strict: ${first}`, {
      exitCode: ExitCode.usage,
      hint: warnings.length > 1 ? `and ${warnings.length - 1} more` : "drop --strict to go on with a warning",
    });
  }
  for (const warning of warnings) log.warn(warning);
}
