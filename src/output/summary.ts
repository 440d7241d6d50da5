/** What a person reads after a session was obtained (stderr), and the same as JSON data (stdout). */
import { accountOf, roleNameOf } from "../arn.js";
import type { RoleSession } from "../credentials/types.js";
import { formatDuration } from "../duration.js";

const pad = (value: number) => String(value).padStart(2, "0");

/** `14:32` today, `2026-11-23 09:10` another day, both in local time. */
export function formatExpiry(expiration: Date, now: Date): string {
  const time = `${pad(expiration.getHours())}:${pad(expiration.getMinutes())}`;
  // The local date's fields, not toDateString(): building two strings per row was a visible part
  // of `status` with thousands of sessions.
  const sameDay = expiration.getDate() === now.getDate() && expiration.getMonth() === now.getMonth() && expiration.getFullYear() === now.getFullYear();
  return sameDay ? time : `${expiration.getFullYear()}-${pad(expiration.getMonth() + 1)}-${pad(expiration.getDate())} ${time}`;
}

/** `expires 14:32 (in 1h 0m)` */
export function describeExpiry(expiration: Date, now: Date): string {
  const seconds = (expiration.getTime() - now.getTime()) / 1000;
  return seconds > 0 ? `expires ${formatExpiry(expiration, now)} (in ${formatDuration(seconds)})` : `expired ${formatExpiry(expiration, now)}`;
}

/** What `assume` tells the user it switched to. */
export interface AssumedSession {
  readonly roleArn?: string | undefined;
  readonly region?: string | undefined;
  readonly credentials: { readonly expiration: Date };
  /** For a session of keys (GetSessionToken): the profile holding them. */
  readonly profile?: string | undefined;
}

/** `dev: Developer in 111111111111 (acme-dev), eu-west-1, expires 18:44 (in 7h 59m)` */
export function describeAssumed(profile: string, session: AssumedSession, aliases: ReadonlyMap<string, string>, now: Date): string {
  const parts: string[] = [];
  if (session.roleArn !== undefined && session.roleArn.includes(":role/")) {
    const account = accountOf(session.roleArn);
    const alias = aliases.get(account);
    parts.push(`${roleNameOf(session.roleArn)} in ${account}${alias === undefined ? "" : ` (${alias})`}`);
  } else {
    parts.push(`session of ${session.profile ?? profile}'s keys`);
  }
  if (session.region !== undefined) parts.push(session.region);
  parts.push(describeExpiry(session.credentials.expiration, now));
  return `${profile}: ${parts.join(", ")}`;
}

/** `dev: assumed Developer in 111111111111 as jo, expires 14:32 (in 1h 0m)` */
export function describeSession(session: RoleSession, now: Date, destination: string | undefined): string {
  const what = `assumed ${roleNameOf(session.roleArn)} in ${accountOf(session.roleArn)} as ${session.sessionName}, ${describeExpiry(session.credentials.expiration, now)}`;
  return destination === undefined ? what : `${destination}: ${what}`;
}

/** The summary as data: everything but the secrets. */
export function sessionSummaryJson(session: RoleSession, profile: string | undefined): Record<string, unknown> {
  return {
    ...(profile === undefined ? {} : { profile }),
    roleArn: session.roleArn,
    account: accountOf(session.roleArn),
    assumedRoleArn: session.assumedRoleArn,
    sessionName: session.sessionName,
    accessKeyId: session.credentials.accessKeyId,
    expiration: session.credentials.expiration.toISOString(),
    ...(session.region === undefined ? {} : { region: session.region }),
    ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
    ...(session.packedPolicySize === undefined ? {} : { packedPolicySizePercent: session.packedPolicySize }),
  };
}
