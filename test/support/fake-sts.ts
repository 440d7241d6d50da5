/**
 * An in-memory STS for in-process tests of commands (`deps.sts`), as aws-vault's
 * ExampleExportCommand runs the real command against an array keyring. It keeps the rules a
 * command's user can run into: unknown or wrong keys, expired session credentials, trust (who may
 * assume which role, with MFA, with an external id), single-use MFA codes and the devices they
 * belong to, the duration limits (per call, the role's maximum, role chaining), SAML assertions.
 * The limits are STS's documented ones, written here from the API reference, not imported from
 * src/sts/limits.ts, so a wrong limit there cannot make this fake agree with it.
 *
 * Failures are thrown as the AWS SDK throws them (an Error whose `name` is STS's code, with
 * `$fault` and `$metadata.httpStatusCode`) and passed through src/sts/errors.ts with the same
 * context src/sts/calls.ts gives it, so a command sees exactly the RolecredError it would see
 * from the real endpoint. The end-to-end tests keep the HTTP endpoint (sts-server.ts) for the wire.
 */
import type { AwsCredentials, RoleSession, TemporaryCredentials } from "../../src/credentials/types.js";
import type {
  AssumeRoleParams,
  AssumeRoleWithSamlParams,
  CallerIdentity,
  GetFederationTokenParams,
  GetSessionTokenParams,
  MfaProof,
  SamlRoleSession,
  StsApi,
} from "../../src/sts/api.js";
import { stsCallContext } from "../../src/sts/calls.js";
import type { StsEndpoint } from "../../src/sts/client.js";
import { toStsError } from "../../src/sts/errors.js";

/** From the STS API reference (AssumeRole, GetSessionToken, GetFederationToken DurationSeconds). */
const ASSUME_ROLE_SECONDS = { min: 900, max: 43_200 };
const SESSION_TOKEN_SECONDS = { min: 900, max: 129_600 };
const FEDERATION_TOKEN_SECONDS = { min: 900, max: 129_600 };
/** "Role chaining limits your … session to a maximum of one hour." */
const CHAINED_MAX_SECONDS = 3600;
const DEFAULT_SECONDS = 3600;
const SESSION_TOKEN_DEFAULT_SECONDS = 43_200;
/** RoleSessionName: [\w+=,.@-]{2,64}. */
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export interface FakeUser {
  /** arn:aws:iam::ACCOUNT:user/NAME */
  readonly arn: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** The user's MFA devices (serials). */
  readonly mfaSerials?: readonly string[];
}

export interface FakeRole {
  readonly arn: string;
  /** Principal ARNs the trust policy names: users, roles (their sessions), or arn:aws:iam::ACCOUNT:root. */
  readonly trusts: readonly string[];
  readonly requireMfa?: boolean;
  readonly externalId?: string;
  /** The role's MaxSessionDuration; IAM's default is one hour. */
  readonly maxSessionSeconds?: number;
  /** SAML provider ARNs the trust policy names. */
  readonly samlProviders?: readonly string[];
}

/** What a test can check about a call, as STS would log it (no secrets). */
export interface FakeStsCall {
  readonly operation: "AssumeRole" | "AssumeRoleWithSAML" | "GetSessionToken" | "GetCallerIdentity" | "GetFederationToken";
  readonly endpoint: string;
  readonly callerArn?: string | undefined;
  readonly roleArn?: string | undefined;
  readonly durationSeconds?: number | undefined;
  readonly mfaSerial?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly policy?: string | undefined;
  readonly tags?: readonly { key: string; value: string }[] | undefined;
  readonly sourceIdentity?: string | undefined;
}

interface IssuedSession {
  readonly callerArn: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** A role session (AssumeRole*): assuming a role with it is role chaining. */
  readonly isRoleSession: boolean;
  readonly kind: "role" | "session-token" | "federation";
  readonly sourceIdentity?: string | undefined;
}

interface SamlAssertionRecord {
  readonly subject: string;
  /** The assertion's RoleSessionName attribute; the session is named after it. Default: the subject. */
  readonly roleSessionName?: string;
  readonly issuer: string;
  /** When the assertion stops being accepted (STS: 5 minutes after issue, or NotOnOrAfter). */
  readonly notOnOrAfter: Date;
}

/** An error as the SDK throws it for a STS error response. */
export function sdkStyleError(code: string, message: string, httpStatusCode = 400): Error {
  return Object.assign(new Error(message), { name: code, $fault: httpStatusCode >= 500 ? "server" : "client", $metadata: { httpStatusCode } });
}

export interface FakeStsOptions {
  readonly users?: readonly FakeUser[];
  readonly roles?: readonly FakeRole[];
  /** STS's clock; pass the test's fake clock (the same one deps.now reads). */
  readonly now: () => Date;
}

export class FakeSts implements StsApi {
  readonly calls: FakeStsCall[] = [];
  readonly #users = new Map<string, FakeUser>();
  readonly #roles = new Map<string, FakeRole>();
  readonly #sessions = new Map<string, IssuedSession>();
  readonly #usedCodes = new Set<string>();
  readonly #codeCounter = new Map<string, number>();
  readonly #assertions = new Map<string, SamlAssertionRecord>();
  /** Session-token sessions obtained with an MFA code: trust policies requiring MFA accept them. */
  readonly #mfaSessions = new Set<string>();
  readonly #now: () => Date;
  #issued = 0;
  /** A failure the next call throws instead of answering (Throttling, a network error…). */
  #nextFailure: Error | undefined;

  constructor(options: FakeStsOptions) {
    for (const user of options.users ?? []) this.#users.set(user.accessKeyId, user);
    for (const role of options.roles ?? []) this.#roles.set(role.arn, role);
    this.#now = options.now;
  }

  /** The next code of a device: each is accepted once, as a TOTP code is. */
  nextMfaCode(serial: string): string {
    const count = (this.#codeCounter.get(serial) ?? 0) + 1;
    this.#codeCounter.set(serial, count);
    return this.#codeFor(serial, count);
  }

  /** Register an assertion (its base64) as one the identity provider issued. */
  acceptSamlAssertion(base64: string, record: SamlAssertionRecord): void {
    this.#assertions.set(base64, record);
  }

  /** Make the next call fail with this error, as the SDK would throw it. */
  failNextCall(error: Error): void {
    this.#nextFailure = error;
  }

  async assumeRole(endpoint: StsEndpoint, credentials: AwsCredentials, params: AssumeRoleParams): Promise<RoleSession> {
    return this.#run("AssumeRole", endpoint, params, () => {
      const caller = this.#authenticate(credentials);
      this.calls.push({
        operation: "AssumeRole",
        endpoint: endpoint.url ?? endpoint.region,
        callerArn: caller.arn,
        roleArn: params.roleArn,
        durationSeconds: params.durationSeconds,
        mfaSerial: params.mfa?.serial,
        sessionName: params.sessionName,
        policy: params.policy,
        tags: params.tags,
        sourceIdentity: params.sourceIdentity,
      });
      if (!SESSION_NAME.test(params.sessionName)) {
        throw sdkStyleError(
          "ValidationError",
          `1 validation error detected: Value '${params.sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
        );
      }
      const seconds = this.#duration(params.durationSeconds, ASSUME_ROLE_SECONDS, DEFAULT_SECONDS);
      const role = this.#roles.get(params.roleArn);
      const trusted = role !== undefined && this.#trusts(role, caller.principalArn);
      if (params.mfa !== undefined) this.#checkMfa(params.mfa, caller);
      if (
        role === undefined ||
        !trusted ||
        (role.requireMfa === true && params.mfa === undefined && !caller.mfaAuthenticated) ||
        (role.externalId !== undefined && role.externalId !== params.externalId)
      ) {
        throw sdkStyleError("AccessDenied", `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${params.roleArn}`, 403);
      }
      if (caller.isRoleSession && seconds > CHAINED_MAX_SECONDS) {
        throw sdkStyleError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
      }
      if (seconds > (role.maxSessionSeconds ?? DEFAULT_SECONDS)) {
        throw sdkStyleError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
      }
      const sourceIdentity = caller.sourceIdentity ?? params.sourceIdentity;
      if (caller.sourceIdentity !== undefined && params.sourceIdentity !== undefined && params.sourceIdentity !== caller.sourceIdentity) {
        throw sdkStyleError("AccessDenied", "SourceIdentity cannot be changed by a role session", 403);
      }
      return this.#roleSession(
        endpoint,
        params.roleArn,
        params.sessionName,
        seconds,
        "role",
        sourceIdentity,
        params.policy === undefined && (params.tags ?? []).length === 0 ? undefined : 10,
      );
    });
  }

  async assumeRoleWithSaml(endpoint: StsEndpoint, params: AssumeRoleWithSamlParams): Promise<SamlRoleSession> {
    return this.#run("AssumeRoleWithSAML", endpoint, params, () => {
      this.calls.push({
        operation: "AssumeRoleWithSAML",
        endpoint: endpoint.url ?? endpoint.region,
        roleArn: params.roleArn,
        durationSeconds: params.durationSeconds,
        policy: params.policy,
      });
      const seconds = this.#duration(params.durationSeconds, ASSUME_ROLE_SECONDS, DEFAULT_SECONDS);
      const assertion = this.#assertions.get(params.samlAssertion);
      if (assertion === undefined)
        throw sdkStyleError("InvalidIdentityToken", "Invalid SAML response: the signature does not verify against the provider's metadata", 400);
      if (this.#now().getTime() >= assertion.notOnOrAfter.getTime())
        throw sdkStyleError("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", 400);
      const role = this.#roles.get(params.roleArn);
      if (role === undefined || !(role.samlProviders ?? []).includes(params.principalArn)) {
        throw sdkStyleError("AccessDenied", `Not authorized to perform sts:AssumeRoleWithSAML`, 403);
      }
      if (seconds > (role.maxSessionSeconds ?? DEFAULT_SECONDS)) {
        throw sdkStyleError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
      }
      return {
        ...this.#roleSession(endpoint, params.roleArn, assertion.roleSessionName ?? assertion.subject, seconds, "role", undefined, undefined),
        subject: assertion.subject,
        issuer: assertion.issuer,
      };
    });
  }

  async getSessionToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetSessionTokenParams): Promise<TemporaryCredentials> {
    return this.#run("GetSessionToken", endpoint, params, () => {
      const caller = this.#authenticate(credentials);
      this.calls.push({
        operation: "GetSessionToken",
        endpoint: endpoint.url ?? endpoint.region,
        callerArn: caller.arn,
        durationSeconds: params.durationSeconds,
        mfaSerial: params.mfa?.serial,
      });
      if (caller.issued !== undefined) throw sdkStyleError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
      const seconds = this.#duration(params.durationSeconds, SESSION_TOKEN_SECONDS, SESSION_TOKEN_DEFAULT_SECONDS);
      if (params.mfa !== undefined) this.#checkMfa(params.mfa, caller);
      return this.#issue(caller.arn, seconds, "session-token", params.mfa !== undefined, undefined);
    });
  }

  async getCallerIdentity(endpoint: StsEndpoint, credentials: AwsCredentials): Promise<CallerIdentity> {
    return this.#run("GetCallerIdentity", endpoint, {}, () => {
      const caller = this.#authenticate(credentials);
      this.calls.push({ operation: "GetCallerIdentity", endpoint: endpoint.url ?? endpoint.region, callerArn: caller.arn });
      return { account: accountOf(caller.arn), arn: caller.arn, userId: `AIDA${accountOf(caller.arn)}` };
    });
  }

  async getFederationToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetFederationTokenParams): Promise<RoleSession> {
    return this.#run("GetFederationToken", endpoint, params, () => {
      const caller = this.#authenticate(credentials);
      this.calls.push({
        operation: "GetFederationToken",
        endpoint: endpoint.url ?? endpoint.region,
        callerArn: caller.arn,
        durationSeconds: params.durationSeconds,
        policy: params.policy,
      });
      if (caller.issued !== undefined) throw sdkStyleError("AccessDenied", "Cannot call GetFederationToken with session credentials", 403);
      const seconds = this.#duration(params.durationSeconds, FEDERATION_TOKEN_SECONDS, SESSION_TOKEN_DEFAULT_SECONDS);
      const arn = `arn:aws:sts::${accountOf(caller.arn)}:federated-user/${params.name}`;
      const federated = this.#issue(arn, seconds, "federation", false, undefined);
      return { credentials: federated, roleArn: arn, assumedRoleArn: arn, sessionName: params.name };
    });
  }

  /** Runs one call: an injected failure first, then the call; every error leaves through src/sts/errors.ts. */
  async #run<T>(
    operation: FakeStsCall["operation"],
    endpoint: StsEndpoint,
    params: { roleArn?: string; mfa?: MfaProof | undefined; durationSeconds?: number | undefined },
    call: () => T,
  ): Promise<T> {
    try {
      const failure = this.#nextFailure;
      if (failure !== undefined) {
        this.#nextFailure = undefined;
        throw failure;
      }
      return call();
    } catch (error) {
      throw toStsError(error, stsCallContext(operation, endpoint, params));
    }
  }

  #authenticate(credentials: AwsCredentials): {
    arn: string;
    principalArn: string;
    isRoleSession: boolean;
    mfaAuthenticated: boolean;
    sourceIdentity: string | undefined;
    mfaSerials: readonly string[];
    issued: IssuedSession | undefined;
  } {
    const user = this.#users.get(credentials.accessKeyId);
    if (user !== undefined) {
      if (user.secretAccessKey !== credentials.secretAccessKey) {
        throw sdkStyleError(
          "SignatureDoesNotMatch",
          "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.",
          403,
        );
      }
      return {
        arn: user.arn,
        principalArn: user.arn,
        isRoleSession: false,
        mfaAuthenticated: false,
        sourceIdentity: undefined,
        mfaSerials: user.mfaSerials ?? [],
        issued: undefined,
      };
    }
    const issued = this.#sessions.get(credentials.accessKeyId);
    if (issued === undefined) throw sdkStyleError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    if (issued.secretAccessKey !== credentials.secretAccessKey)
      throw sdkStyleError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.", 403);
    if (issued.sessionToken !== credentials.sessionToken)
      throw sdkStyleError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    if (this.#now().getTime() >= issued.expiration.getTime()) throw sdkStyleError("ExpiredToken", "The security token included in the request is expired", 403);
    // A role session acts as its role for trust: arn:aws:sts::A:assumed-role/R/S → arn:aws:iam::A:role/R.
    const assumed = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\//.exec(issued.callerArn);
    const principalArn = assumed === null ? issued.callerArn : `arn:aws:iam::${assumed[1]}:role/${assumed[2]}`;
    const owner = [...this.#users.values()].find((candidate) => candidate.arn === issued.callerArn);
    return {
      arn: issued.callerArn,
      principalArn,
      isRoleSession: issued.isRoleSession,
      mfaAuthenticated: issued.kind === "session-token" && this.#mfaSessions.has(credentials.accessKeyId),
      sourceIdentity: issued.sourceIdentity,
      mfaSerials: owner?.mfaSerials ?? [],
      issued,
    };
  }

  #trusts(role: FakeRole, principalArn: string): boolean {
    return role.trusts.some((trusted) => trusted === principalArn || trusted === `arn:aws:iam::${accountOf(principalArn)}:root`);
  }

  #checkMfa(mfa: MfaProof, caller: { mfaSerials: readonly string[] }): void {
    if (!caller.mfaSerials.includes(mfa.serial))
      throw sdkStyleError(
        "AccessDenied",
        "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
        403,
      );
    const issuedCount = this.#codeCounter.get(mfa.serial) ?? 0;
    const valid = Array.from({ length: issuedCount }, (_, index) => this.#codeFor(mfa.serial, index + 1)).includes(mfa.code);
    const key = `${mfa.serial} ${mfa.code}`;
    if (!valid || this.#usedCodes.has(key)) throw sdkStyleError("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", 403);
    this.#usedCodes.add(key);
  }

  #codeFor(serial: string, count: number): string {
    let hash = 7;
    for (const char of `${serial}#${count}`) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_000;
    return String(hash).padStart(6, "0");
  }

  #duration(asked: number | undefined, limits: { min: number; max: number }, fallback: number): number {
    if (asked === undefined) return fallback;
    if (asked < limits.min)
      throw sdkStyleError(
        "ValidationError",
        `1 validation error detected: Value '${asked}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to ${limits.min}`,
      );
    if (asked > limits.max)
      throw sdkStyleError(
        "ValidationError",
        `1 validation error detected: Value '${asked}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to ${limits.max}`,
      );
    return asked;
  }

  #issue(callerArn: string, seconds: number, kind: IssuedSession["kind"], withMfa: boolean, sourceIdentity: string | undefined): TemporaryCredentials {
    this.#issued += 1;
    const serial = String(this.#issued).padStart(12, "0");
    const credentials: TemporaryCredentials = {
      accessKeyId: `ASIAFAKE${serial}`,
      secretAccessKey: `fake/secret/${serial}/${"s".repeat(20)}`,
      sessionToken: `FakeSessionToken${serial}${"t".repeat(40)}`,
      // STS's expirations are whole seconds.
      expiration: new Date(Math.floor(this.#now().getTime() / 1000) * 1000 + seconds * 1000),
    };
    this.#sessions.set(credentials.accessKeyId, {
      callerArn,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
      isRoleSession: kind === "role",
      kind,
      sourceIdentity,
    });
    if (withMfa) this.#mfaSessions.add(credentials.accessKeyId);
    return credentials;
  }

  #roleSession(
    endpoint: StsEndpoint,
    roleArn: string,
    sessionName: string,
    seconds: number,
    kind: IssuedSession["kind"],
    sourceIdentity: string | undefined,
    packedPolicySize: number | undefined,
  ): RoleSession {
    const roleName = roleArn.slice(roleArn.lastIndexOf("/") + 1);
    const assumedRoleArn = `arn:aws:sts::${accountOf(roleArn)}:assumed-role/${roleName}/${sessionName}`;
    return {
      credentials: this.#issue(assumedRoleArn, seconds, kind, false, sourceIdentity),
      roleArn,
      assumedRoleArn,
      sessionName,
      sourceIdentity,
      packedPolicySize,
      region: endpoint.region,
    };
  }
}

function accountOf(arn: string): string {
  return arn.split(":")[4] ?? "";
}

/** For Deps built by tests that must not call STS at all: any call fails the test. */
export const NO_STS: StsApi = {
  assumeRole: () => Promise.reject(new Error("this test expected no STS call (AssumeRole)")),
  assumeRoleWithSaml: () => Promise.reject(new Error("this test expected no STS call (AssumeRoleWithSAML)")),
  getSessionToken: () => Promise.reject(new Error("this test expected no STS call (GetSessionToken)")),
  getCallerIdentity: () => Promise.reject(new Error("this test expected no STS call (GetCallerIdentity)")),
  getFederationToken: () => Promise.reject(new Error("this test expected no STS call (GetFederationToken)")),
};
