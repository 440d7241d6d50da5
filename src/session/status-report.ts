/**
 * What `rolecred status` prints: every session rolecred holds, from its cache (through the
 * session index), from the credentials file and the IAM Identity Center sign-ins, with time left.
 * Shared by the command (src/commands/status.ts) and the bundled fast path (src/cli/fast-status.ts),
 * so both print the same bytes; it reads files and the given environment only.
 */
import type { Env } from "../deps.js";
import { accountOf } from "../arn.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { join } from "node:path";
import { listSessionsIndexed, statusIndexFolder } from "../store/session-index.js";
import { rememberedWrittenSessions, WRITTEN_SESSIONS_MEMO_FILE } from "../store/written-sessions.js";
import { renderStatusTable, type SessionStatus } from "../output/status.js";

export interface StatusRequest {
  readonly profile: string | undefined;
  readonly json: boolean;
  /** With a profile: exit 0 only if a session of it is valid for at least this many seconds. */
  readonly minSeconds: number | undefined;
}

export interface StatusReport {
  readonly stdout: string;
  /** Lines for stderr (without the `warning: ` prefix): a credentials file `write` would refuse. */
  readonly warnings: readonly string[];
  readonly exitCode: 0 | 1;
}

const IDENTITY_CENTER_ROLE_SESSION = "(IAM Identity Center role session)";

async function collectSessions(env: Env, now: Date, warnings: string[]): Promise<SessionStatus[]> {
  // The cache through its index (src/store/session-index.ts): a stat per file, a read only of what changed.
  const cache = cacheDirectory(env);
  const cached = await listSessionsIndexed(cache, now.getTime());
  const credentialsPath = credentialsFilePath(env);
  // Remembered with the file's identity: an unchanged 10 MB file is `stat`ed, not read.
  const written = await rememberedWrittenSessions(credentialsPath, join(statusIndexFolder(cache), WRITTEN_SESSIONS_MEMO_FILE), now.getTime());
  if (written.writeProblem !== undefined)
    warnings.push(`${credentialsPath}, ${written.writeProblem}; listed as the AWS SDKs read it, but rolecred will not write to this file until that is fixed`);
  const rows: SessionStatus[] = [];
  for (const session of cached) {
    rows.push({
      profile: session.profile,
      where: session.kind === "session-token" ? "cache (MFA session)" : "cache",
      roleArn: session.roleArn,
      expiration: new Date(session.expiresAt),
      sourceIdentity: session.sourceIdentity,
      policyCharacters: session.policyCharacters,
      policyArns: session.policyArns,
      tags: session.tags,
      packedPolicySize: session.packedPolicySize,
      ...(session.kind === "identity-center" ? { description: IDENTITY_CENTER_ROLE_SESSION } : {}),
    });
  }
  const { listSsoSignIns } = await import("../sso/status.js");
  for (const signIn of await listSsoSignIns({ env })) {
    rows.push({
      profile: signIn.name,
      where: "SSO sign-in",
      roleArn: undefined,
      expiration: signIn.expiresAt,
      sourceIdentity: undefined,
      policyCharacters: undefined,
      policyArns: [],
      tags: {},
      packedPolicySize: undefined,
      description: `${signIn.startUrl}${signIn.refreshable ? " (refreshable)" : ""}`,
    });
  }
  for (const session of written.sessions) {
    rows.push({
      profile: session.profile,
      where: "credentials file",
      roleArn: session.roleArn,
      expiration: session.expiration,
      sourceIdentity: session.sourceIdentity,
      policyCharacters: undefined,
      policyArns: [],
      tags: {},
      packedPolicySize: undefined,
    });
  }
  // One collator: the order localeCompare gives (the same default locale and options), without
  // setting one up on each of the ~300,000 comparisons 20,000 rows take.
  const { compare } = new Intl.Collator();
  return rows.sort((a, b) => compare(a.profile, b.profile) || compare(a.where, b.where));
}

/** A row as `status --json` prints it (the key order is part of the output). */
function jsonRow(session: SessionStatus, now: Date) {
  return {
    profile: session.profile,
    where: session.where,
    roleArn: session.roleArn,
    // Worked out here, not for every row: the table does not show it.
    account: session.roleArn === undefined ? undefined : accountOf(session.roleArn),
    expiration: session.expiration?.toISOString() ?? null,
    sourceIdentity: session.sourceIdentity,
    policyCharacters: session.policyCharacters,
    policyArns: session.policyArns,
    tags: session.tags,
    packedPolicySize: session.packedPolicySize,
    ...("description" in session ? { description: session.description } : {}),
    secondsLeft: session.expiration === undefined ? null : Math.floor((session.expiration.getTime() - now.getTime()) / 1000),
  };
}

/** `color`: the LEFT column coloured (stdout is a terminal and NO_COLOR is unset). */
export async function statusReport(request: StatusRequest, env: Env, now: Date, color: boolean): Promise<StatusReport> {
  const warnings: string[] = [];
  const all = await collectSessions(env, now, warnings);
  const sessions = request.profile === undefined ? all : all.filter((session) => session.profile === request.profile);
  const stdout = request.json
    ? `${JSON.stringify(
        sessions.map((session) => jsonRow(session, now)),
        null,
        2,
      )}\n`
    : renderStatusTable(sessions, now, color);
  if (request.minSeconds === undefined) return { stdout, warnings, exitCode: 0 };
  const needed = now.getTime() + request.minSeconds * 1000;
  const enough = sessions.some((session) => session.expiration !== undefined && session.expiration.getTime() >= needed);
  return { stdout, warnings, exitCode: enough ? 0 : 1 };
}
