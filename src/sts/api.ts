/**
 * The STS calls rolecred makes, as one injectable interface (`deps.sts`), the way the AWS SDK's
 * fromIni takes a `roleAssumer`: commands and credential links call STS only through it, so they
 * run in-process against an in-memory STS in unit tests (test/support/fake-sts.ts), while the
 * command line uses the real one. Parameters and results are rolecred's own types (here);
 * a failure is a RolecredError, never an SDK error.
 */
import type { AwsCredentials, RoleSession, TemporaryCredentials } from "../credentials/types.js";
import type { StsEndpoint } from "./client.js";

export interface MfaProof {
  readonly serial: string;
  readonly code: string;
}

export interface SessionTag {
  readonly key: string;
  readonly value: string;
}

/** What narrows and labels a session: shared by AssumeRole and AssumeRoleWithSAML. */
export interface SessionShape {
  readonly durationSeconds?: number | undefined;
  /** Minified inline session policy JSON. */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

export interface AssumeRoleParams extends SessionShape {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly externalId?: string | undefined;
  readonly mfa?: MfaProof | undefined;
  readonly tags?: readonly SessionTag[] | undefined;
  readonly transitiveTagKeys?: readonly string[] | undefined;
  readonly sourceIdentity?: string | undefined;
}

export interface AssumeRoleWithSamlParams extends SessionShape {
  readonly roleArn: string;
  readonly principalArn: string;
  /** Standard base64 of the Response XML. */
  readonly samlAssertion: string;
}

export interface CallerIdentity {
  readonly account: string;
  readonly arn: string;
  readonly userId: string;
}

export interface SamlRoleSession extends RoleSession {
  /** The NameID STS read from the assertion. */
  readonly subject: string | undefined;
  readonly issuer: string | undefined;
}

export interface GetSessionTokenParams {
  readonly durationSeconds?: number | undefined;
  readonly mfa?: MfaProof | undefined;
}

export interface GetFederationTokenParams {
  /** The federated user's name (2-32 of [\w+=,.@-]): shown in CloudTrail and the console. */
  readonly name: string;
  readonly durationSeconds?: number | undefined;
  /** Minified inline session policy: the session gets the user's permissions intersected with it. */
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

export interface StsApi {
  assumeRole(endpoint: StsEndpoint, credentials: AwsCredentials, params: AssumeRoleParams): Promise<RoleSession>;
  /** Unsigned: the assertion is the proof. */
  assumeRoleWithSaml(endpoint: StsEndpoint, params: AssumeRoleWithSamlParams): Promise<SamlRoleSession>;
  getSessionToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetSessionTokenParams): Promise<TemporaryCredentials>;
  getCallerIdentity(endpoint: StsEndpoint, credentials: AwsCredentials): Promise<CallerIdentity>;
  getFederationToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetFederationTokenParams): Promise<RoleSession>;
}
