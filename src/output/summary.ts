/** What a person reads after a session was obtained (stderr), and the same as JSON data (stdout). */
import { accountOf, roleNameOf } from "../arn.js";
import type { RoleSession, Session } from "../credentials/types.js";
import type { CachedSession, SessionKind } from "../store/session-cache.js";
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

/** What `assume` tells the user it switched to: a cached session, with the region of this call. */
export type AssumedSession = Pick<CachedSession, "kind" | "profile" | "roleArn" | "region" | "credentials">;

/** Where a session whose role is not known came from, in words, given the profile that made it. */
const ORIGIN: Readonly<Record<SessionKind, (profile: string) => string>> = {
  "session-token": (profile) => `session of ${profile}'s keys`,
  "assume-role": (profile) => `AssumeRole session of ${profile}`,
  "roles-anywhere": (profile) => `Roles Anywhere session of ${profile}`,
  "identity-center": (profile) => `IAM Identity Center session of ${profile}`,
  "credential-process": (profile) => `credential_process session of ${profile}`,
  "credentials-file": (profile) => `session written to ${profile}`,
};

const originOf = (session: Pick<CachedSession, "kind" | "profile">): string => ORIGIN[session.kind](session.profile);

/** `dev: Developer in 111111111111 (acme-dev), eu-west-1, expires 18:44 (in 7h 59m)` */
export function describeAssumed(profile: string, session: AssumedSession, aliases: ReadonlyMap<string, string>, now: Date): string {
  const parts: string[] = [];
  if (session.roleArn !== undefined && session.roleArn.includes(":role/")) {
    const account = accountOf(session.roleArn);
    const alias = aliases.get(account);
    parts.push(`${roleNameOf(session.roleArn)} in ${account}${alias === undefined ? "" : ` (${alias})`}`);
  } else {
    parts.push(originOf(session));
  }
  if (session.region !== undefined) parts.push(session.region);
  parts.push(describeExpiry(session.credentials.expiration, now));
  return `${profile}: ${parts.join(", ")}`;
}

/**
 * `dev: assumed Developer in 111111111111 as jo, expires 14:32 (in 1h 0m)`; without "as …" when
 * the session name is not known (the service did not name the assumed-role user).
 */
export function describeSession(session: RoleSession, now: Date, destination: string | undefined): string {
  const as = session.sessionName === undefined ? "" : ` as ${session.sessionName}`;
  const what = `assumed ${roleNameOf(session.roleArn)} in ${accountOf(session.roleArn)}${as}, ${describeExpiry(session.credentials.expiration, now)}`;
  return destination === undefined ? what : `${destination}: ${what}`;
}

/** A profile's session for the user: the role when it is known, else where the session came from. */
export function describeProfileSession(destination: string, session: Session & Pick<CachedSession, "kind" | "profile">, now: Date): string {
  const { roleArn } = session;
  if (roleArn !== undefined) return describeSession({ ...session, roleArn }, now, destination);
  return `${destination}: ${originOf(session)}, ${describeExpiry(session.credentials.expiration, now)}`;
}

/** The summary as data: everything but the secrets. */
export function sessionSummaryJson(session: RoleSession, profile: string | undefined): Record<string, unknown> {
  return {
    ...(profile === undefined ? {} : { profile }),
    roleArn: session.roleArn,
    account: accountOf(session.roleArn),
    // Omitted, like region, when unknown: a consumer tests for the key rather than reading "".
    ...(session.assumedRoleArn === undefined ? {} : { assumedRoleArn: session.assumedRoleArn }),
    ...(session.sessionName === undefined ? {} : { sessionName: session.sessionName }),
    accessKeyId: session.credentials.accessKeyId,
    expiration: session.credentials.expiration.toISOString(),
    ...(session.region === undefined ? {} : { region: session.region }),
    ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
    ...(session.packedPolicySize === undefined ? {} : { packedPolicySizePercent: session.packedPolicySize }),
  };
}

/** `write dev` where dev assumes a role: said by the full path and the fast path alike. */
export function roleProfileWriteWarning(profile: string): string {
  return `[profile ${profile}] has role_arn in the config file, so the AWS CLI and SDKs will assume the role themselves rather than use the written keys; --to another name avoids that`;
}
