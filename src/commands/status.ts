/**
 * `rolecred status`: every session rolecred holds, from its cache and from the credentials file,
 * with time left; `status PROFILE --min 15m` answers "is it good for 15 more minutes?" by exit code.
 */
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { accountOf } from "../arn.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { listSessionsIndexed } from "../store/session-index.js";
import { EXPIRY_KEY, MANAGED_MARKER_KEY, ROLE_ARN_KEY, SOURCE_IDENTITY_KEY } from "../store/credentials-file.js";
import { BoundedReadError, READ_LIMITS, readRegularFileSync } from "../store/bounded-read.js";
import { readIniSections } from "../store/ini-document.js";
import { renderStatusTable, type SessionStatus } from "../output/status.js";

export interface StatusOptions {
  readonly profile: string | undefined;
  readonly json: boolean;
  /** With a profile: exit 0 only if a session of it is valid for at least this many seconds. */
  readonly minSeconds: number | undefined;
}

interface WrittenSession {
  readonly profile: string;
  readonly roleArn: string | undefined;
  readonly expiration: Date | undefined;
  readonly sourceIdentity: string | undefined;
}

/**
 * The sessions rolecred wrote into the credentials file (its marker key set), read as every
 * read-only path reads the file (the tolerant parse, as the AWS SDK reads it), not with the
 * writer's strict parse and line model: a listing changes nothing, and 10,000 managed sections
 * are 10 MB of session tokens.
 */
function readWrittenSessions(path: string): WrittenSession[] {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(path, { what: "the credentials file", maxBytes: READ_LIMITS.awsFile });
  } catch (error) {
    if (error instanceof BoundedReadError && error.reason === "missing") return [];
    throw error;
  }
  const written: WrittenSession[] = [];
  for (const [profile, section] of readIniSections(bytes.toString("utf8"))) {
    if (section.get(MANAGED_MARKER_KEY) !== "true") continue;
    const expires = section.get(EXPIRY_KEY);
    const expiration = expires === undefined ? undefined : new Date(expires);
    written.push({
      profile,
      roleArn: section.get(ROLE_ARN_KEY),
      expiration: expiration !== undefined && !Number.isNaN(expiration.getTime()) ? expiration : undefined,
      sourceIdentity: section.get(SOURCE_IDENTITY_KEY),
    });
  }
  return written;
}

async function collectSessions(deps: Deps): Promise<SessionStatus[]> {
  // The cache through its index (src/store/session-index.ts): a stat per file, a read only of what changed.
  const cached = await listSessionsIndexed(cacheDirectory(deps.env));
  const written = readWrittenSessions(credentialsFilePath(deps.env));
  const fromCache: SessionStatus[] = cached.map(({ description: session, expiration }) => ({
    profile: session.profile,
    where: session.kind === "session-token" ? "cache (MFA session)" : "cache",
    roleArn: session.roleArn,
    account: session.roleArn === undefined ? undefined : accountOf(session.roleArn),
    // On this machine's clock: a clock 2 h ahead of STS's must not show a fresh session as expired.
    expiration: new Date(expiration.getTime() - (session.clockOffsetMs ?? 0)),
    sourceIdentity: session.sourceIdentity,
    policyCharacters: session.policy?.length,
    policyArns: session.policyArns ?? [],
    tags: session.tags ?? {},
    packedPolicySize: session.packedPolicySize,
    ...(session.kind === "identity-center" ? { description: "(IAM Identity Center role session)" } : {}),
  }));
  const { listSsoSignIns } = await import("../sso/status.js");
  const signIns: SessionStatus[] = (await listSsoSignIns(deps)).map((signIn) => ({
    profile: signIn.name,
    where: "SSO sign-in",
    roleArn: undefined,
    account: undefined,
    expiration: signIn.expiresAt,
    sourceIdentity: undefined,
    policyCharacters: undefined,
    policyArns: [],
    tags: {},
    packedPolicySize: undefined,
    description: `${signIn.startUrl}${signIn.refreshable ? " (refreshable)" : ""}`,
  }));
  const fromFile: SessionStatus[] = written.map((profile) => ({
    profile: profile.profile,
    where: "credentials file",
    roleArn: profile.roleArn,
    account: profile.roleArn === undefined ? undefined : accountOf(profile.roleArn),
    expiration: profile.expiration,
    sourceIdentity: profile.sourceIdentity,
    policyCharacters: undefined,
    policyArns: [],
    tags: {},
    packedPolicySize: undefined,
  }));
  // One collator: the order localeCompare gives (the same default locale and options), without
  // setting one up on each of the ~300,000 comparisons 20,000 rows take.
  const { compare } = new Intl.Collator();
  return [...fromCache, ...signIns, ...fromFile].sort((a, b) => compare(a.profile, b.profile) || compare(a.where, b.where));
}

export async function runStatus(options: StatusOptions, deps: Deps): Promise<Outcome> {
  const now = deps.now();
  const sessions = (await collectSessions(deps)).filter((session) => options.profile === undefined || session.profile === options.profile);
  if (options.json) {
    deps.stdout.write(
      `${JSON.stringify(
        sessions.map((session) => ({
          ...session,
          expiration: session.expiration?.toISOString() ?? null,
          secondsLeft: session.expiration === undefined ? null : Math.floor((session.expiration.getTime() - now.getTime()) / 1000),
        })),
        null,
        2,
      )}\n`,
    );
  } else {
    const color = deps.stdout.isTTY === true && deps.env.NO_COLOR === undefined;
    deps.stdout.write(renderStatusTable(sessions, now, color));
  }
  if (options.minSeconds === undefined) return { exitCode: 0 };
  const needed = now.getTime() + options.minSeconds * 1000;
  const enough = sessions.some((session) => session.expiration !== undefined && session.expiration.getTime() >= needed);
  return { exitCode: enough ? 0 : 1 };
}
