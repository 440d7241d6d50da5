/**
 * A role's MaxSessionDuration is not visible from outside IAM: rolecred learns it from STS's
 * refusal and asks once more for the one hour every role allows, saying so (as `saml` does).
 *
 * An MFA code is never sent twice. STS accepts a code once, and AWS does not say whether a request
 * refused for its duration has spent it (the local STS models it as spent). So the retry needs the
 * next code: asked for on the terminal, saying why, when the first was typed there; otherwise a
 * clear usage error naming the duration that will work.
 */
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { roleNameOf } from "../arn.js";
import { DEFAULT_SESSION_SECONDS } from "../sts/limits.js";
import type { RoleSession } from "./types.js";

export interface DurationFallbackRequest {
  readonly roleArn: string;
  readonly durationSeconds: number | undefined;
  readonly mfa: { readonly serial: string; readonly code: string } | undefined;
  /** Asks for the next code on the terminal; undefined when the code came from argv, env or stdin. */
  readonly nextCode: ((serial: string) => Promise<string>) | undefined;
}

type Mfa = DurationFallbackRequest["mfa"];

export async function assumeWithDurationFallback(
  request: DurationFallbackRequest,
  call: (durationSeconds: number | undefined, mfa: Mfa) => Promise<RoleSession>,
  deps: Deps,
): Promise<RoleSession> {
  try {
    return await call(request.durationSeconds, request.mfa);
  } catch (error) {
    const asked = request.durationSeconds;
    const tooLong = error instanceof RolecredError && /maximum session duration/.test(error.message);
    if (!tooLong || asked === undefined || asked <= DEFAULT_SESSION_SECONDS) throw error;
    const role = roleNameOf(request.roleArn);
    if (request.mfa === undefined) {
      deps.log.warn(`${role} allows less than ${asked}s; retrying with ${DEFAULT_SESSION_SECONDS}s`);
      return call(DEFAULT_SESSION_SECONDS, undefined);
    }
    if (request.nextCode === undefined) {
      throw new RolecredError(`${role} allows less than ${asked}s, and the MFA code went with the refused request (STS takes a code once)`, {
        exitCode: ExitCode.usage,
        hint: "run again with --duration 1h (or the role's maximum) and the next code",
        cause: error,
      });
    }
    deps.log.warn(
      `${role} allows less than ${asked}s; retrying with ${DEFAULT_SESSION_SECONDS}s, which needs the next MFA code (the first went with the refused request)`,
    );
    const code = await request.nextCode(request.mfa.serial);
    return call(DEFAULT_SESSION_SECONDS, { serial: request.mfa.serial, code });
  }
}
