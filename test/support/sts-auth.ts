/**
 * Who signed a request: long-term keys of the configured IAM users (or of the IAM extension),
 * or temporary credentials this endpoint issued, checked with a real SigV4 verification; and the
 * users' MFA devices, whose TOTP codes are good once each (RFC 6238 §5.2).
 */
import { MESSAGES, StsError } from "./sts-protocol.js";
import { rootArn, partitionOfArn, uniqueId, userArn, type IssuedSession, type SessionStore } from "./sts-sessions.js";
import type { LocalStsExtension, LocalStsUser } from "./sts-types.js";
import { parseAuthorization, SigV4Rejection, verifySignature, type ReceivedRequest } from "./sigv4-verify.js";
import { generateTotp, matchTotp } from "./totp.js";

export interface Caller {
  arn: string;
  account: string;
  userId: string;
  /** The IAM user making the call, with long-term keys or through a GetSessionToken session. */
  user?: LocalStsUser;
  /** Set when the call is signed with temporary credentials this server issued. */
  session?: IssuedSession;
}

function callerOfUser(user: LocalStsUser): Caller {
  const arn = userArn(user);
  return { arn, account: user.account, userId: uniqueId("AIDA", arn), user };
}

function callerOfSession(session: IssuedSession): Caller {
  return {
    arn: session.arn,
    account: session.account,
    userId: session.userId,
    user: session.user,
    session,
  };
}

/** The ARNs a trust policy principal may name to mean this caller. */
export function principalNamesOf(caller: Caller): string[] {
  const names = [caller.arn, rootArn(partitionOfArn(caller.arn), caller.account)];
  if (caller.session?.roleArn !== undefined) names.push(caller.session.roleArn);
  return names;
}

export class Authenticator {
  private readonly usersByKey = new Map<string, LocalStsUser>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly extension: LocalStsExtension | undefined,
    private readonly now: () => Date,
  ) {}

  addUser(user: LocalStsUser): void {
    if (!/^\d{12}$/.test(user.account)) throw new Error(`user ${user.name}: account must be 12 digits`);
    if (!/^\w{16,128}$/.test(user.accessKeyId)) throw new Error(`user ${user.name}: accessKeyId must be 16-128 of [A-Za-z0-9_]`);
    if (this.usersByKey.has(user.accessKeyId)) throw new Error(`access key ${user.accessKeyId} is given twice`);
    this.usersByKey.set(user.accessKeyId, user);
  }

  /** The caller behind a signed request, for `service`'s signature ("sts", or the extension's). */
  authenticate(request: ReceivedRequest, service = "sts"): Caller {
    const header = request.headers["authorization"]?.[0];
    if (header === undefined) throw new StsError("MissingAuthenticationToken", MESSAGES.missingAuthentication);
    try {
      const auth = parseAuthorization(header);
      const { caller, secretAccessKey } = this.identityOfKey(auth.accessKeyId, request.headers["x-amz-security-token"]?.[0]);
      verifySignature(request, auth, secretAccessKey, { service, now: this.now() });
      if (caller.session !== undefined && this.now().getTime() >= caller.session.expiration.getTime()) {
        throw new StsError("ExpiredToken", MESSAGES.expiredToken);
      }
      return caller;
    } catch (error) {
      if (error instanceof SigV4Rejection) throw new StsError(error.code, error.message);
      throw error;
    }
  }

  private identityOfKey(accessKeyId: string, securityToken: string | undefined): { caller: Caller; secretAccessKey: string } {
    const extended = securityToken === undefined ? this.extension?.longTermKey(accessKeyId) : undefined;
    if (extended === "refused") throw new StsError("InvalidClientTokenId", MESSAGES.invalidToken);
    if (extended !== undefined) return { caller: callerOfUser(extended.user), secretAccessKey: extended.secretAccessKey };
    const user = this.usersByKey.get(accessKeyId);
    // Long-term keys carry no token; temporary keys are good only with the token issued with them.
    if (user !== undefined && securityToken === undefined) {
      return { caller: callerOfUser(user), secretAccessKey: user.secretAccessKey };
    }
    const session = this.sessions.get(accessKeyId);
    if (session !== undefined && securityToken === session.sessionToken) {
      return { caller: callerOfSession(session), secretAccessKey: session.secretAccessKey };
    }
    throw new StsError("InvalidClientTokenId", MESSAGES.invalidToken);
  }
}

interface MfaDevice {
  serial: string;
  secret: string;
  user: LocalStsUser;
}

/** The IAM users' MFA devices and the codes they have already accepted. */
export class MfaDevices {
  private readonly devices = new Map<string, MfaDevice>();
  /** Per device, the time step of the last accepted code: a code is good once (RFC 6238 §5.2). */
  private readonly lastStep = new Map<string, number>();

  constructor(private readonly now: () => Date) {}

  addUser(user: LocalStsUser): void {
    for (const device of user.mfaDevices ?? []) {
      if (this.devices.has(device.serial)) throw new Error(`MFA serial ${device.serial} is given twice`);
      this.devices.set(device.serial, { ...device, user });
    }
  }

  /** The currently valid code of a device (or the one at `at`). */
  code(serial: string, at?: Date): string {
    const device = this.devices.get(serial);
    if (device === undefined) throw new Error(`no MFA device ${serial} is configured`);
    return generateTotp(device.secret, at ?? this.now());
  }

  /** Checks an MFA serial + code pair of an IAM user; true when a valid code was given. */
  check(user: LocalStsUser, serial: string | undefined, code: string | undefined): boolean {
    if (serial === undefined && code === undefined) return false;
    if (serial === undefined || code === undefined) throw new StsError("AccessDenied", MESSAGES.mfaNeedsBoth);
    const device = this.devices.get(serial);
    if (device === undefined || device.user !== user) throw new StsError("AccessDenied", MESSAGES.mfaUnknownDevice);
    const step = matchTotp(device.secret, code, this.now());
    const lastStep = this.lastStep.get(serial);
    if (step === undefined || (lastStep !== undefined && step <= lastStep)) {
      throw new StsError("AccessDenied", MESSAGES.mfaInvalidCode);
    }
    this.lastStep.set(serial, step);
    return true;
  }

  /** A role session has no MFA devices of its own, so any serial it names cannot be validated. */
  refuse(serial: string | undefined, code: string | undefined): false {
    if (serial === undefined && code === undefined) return false;
    if (serial === undefined || code === undefined) throw new StsError("AccessDenied", MESSAGES.mfaNeedsBoth);
    throw new StsError("AccessDenied", MESSAGES.mfaUnknownDevice);
  }
}
