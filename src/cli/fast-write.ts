/**
 * `rolecred write PROFILE [--to NAME]` with a fresh cached session, from the bundled fast path:
 * fifty tools writing their profiles at once each pay a Node start, not the whole command line.
 * It says and writes exactly what the full path (commands/profile-delivery.ts runWrite) does:
 * the role-profile warning, a lock-wait notice, the summary line or the error line, the file.
 */
import { errorLine, RolecredError } from "../errors.js";
import { escapeControl, SecretRegistry } from "../log.js";
import { describeProfileSession, roleProfileWriteWarning } from "../output/summary.js";
import type { ResolvedChain } from "../profiles/resolve.js";
import { writeProfiles } from "../store/credentials-file.js";
import type { CachedSession } from "../store/session-cache.js";

export interface FastWriteRequest {
  readonly profile: string;
  /** The credentials-file profile written: --to, else the profile itself. */
  readonly to: string;
}

export interface FastWriteResult {
  readonly stderr: string;
  readonly exitCode: number;
}

/**
 * The write, the precheck having passed and the session found. Lines said before the end (the
 * warning, a lock wait) go to `writeErr` when they happen, as the full path's logger would; the
 * last line comes back. Only an error that is no RolecredError (a bug) is thrown: the full path
 * then runs the write again and reports it.
 */
export async function writeFromCache(
  request: FastWriteRequest,
  credentialsPath: string,
  chain: ResolvedChain,
  session: CachedSession,
  now: Date,
  writeErr: (text: string) => void,
  cacheDirectory?: string,
): Promise<FastWriteResult> {
  // What the full path's cached link registers before anything is said.
  const secrets = new SecretRegistry();
  secrets.add(session.credentials.secretAccessKey);
  secrets.add(session.credentials.sessionToken);
  // The logger's line (log.ts createLogger) and run.ts's error line.
  const line = (message: string) => `${escapeControl(secrets.redact(message))}\n`;
  if (request.to === request.profile && chain.hops.length > 0) writeErr(line(`warning: ${roleProfileWriteWarning(request.profile)}`));
  try {
    await writeProfiles(credentialsPath, [{ profile: request.to, session }], {
      force: false,
      onLockWait: (message) => writeErr(line(message)),
      cacheDirectory,
    });
  } catch (error) {
    if (!(error instanceof RolecredError)) throw error;
    return { stderr: `${escapeControl(secrets.redact(errorLine(error)), false)}\n`, exitCode: error.exitCode };
  }
  return { stderr: line(describeProfileSession(request.to, session, now)), exitCode: 0 };
}
