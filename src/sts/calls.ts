/**
 * The STS calls rolecred makes, each returning rolecred's own types. Every failure leaves here as
 * a RolecredError (see ./errors.ts); nothing above this module sees an SDK error.
 */
import type { Credentials as StsCredentials, AssumedRoleUser } from "@aws-sdk/client-sts";
import { RolecredError } from "../errors.js";
import type { AwsCredentials, RoleSession, TemporaryCredentials } from "../credentials/types.js";
import { describeEndpoint, StsClientPool, type StsEndpoint } from "./client.js";
import { toStsError, type StsCallContext, type StsOperation } from "./errors.js";
import type {
  StsApi,
  MfaProof,
  AssumeRoleParams,
  AssumeRoleWithSamlParams,
  CallerIdentity,
  SamlRoleSession,
  GetSessionTokenParams,
  GetFederationTokenParams,
} from "./api.js";

/** What an error message may say about a call (./errors.ts): shared with test/support/fake-sts.ts. */
export function stsCallContext(
  operation: StsOperation,
  endpoint: StsEndpoint,
  params: { readonly roleArn?: string | undefined; readonly mfa?: MfaProof | undefined; readonly durationSeconds?: number | undefined } = {},
): StsCallContext {
  return {
    operation,
    endpoint: describeEndpoint(endpoint),
    roleArn: params.roleArn,
    mfaSerial: params.mfa?.serial,
    sentMfa: params.mfa !== undefined,
    durationSeconds: params.durationSeconds,
  };
}

/** The clients of the free functions below when no pool is passed: one process, one run. */
const processClients = new StsClientPool();

function temporaryCredentials(credentials: StsCredentials | undefined, operation: string): TemporaryCredentials {
  const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = credentials ?? {};
  if (!AccessKeyId || !SecretAccessKey || !SessionToken || !(Expiration instanceof Date)) {
    throw new RolecredError(`STS ${operation} answered without complete credentials`);
  }
  return { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration };
}

/**
 * How full the session token's budget is, in percent. STS's model deprecated PackedPolicySize
 * (2026-06-17) for SessionTokenUtilization, the share of the largest session token STS issues:
 * the same budget that PackedPolicyTooLarge enforces. The older field is read while STS sends it;
 * the newer one when it is the only one, so the "close to PackedPolicyTooLarge" warning survives
 * STS dropping the old field.
 */
function packedPercent(answer: { PackedPolicySize?: number | undefined; SessionTokenUtilization?: number | undefined }): number | undefined {
  return answer.PackedPolicySize ?? answer.SessionTokenUtilization;
}

function roleSession(
  roleArn: string,
  endpoint: StsEndpoint,
  answer: {
    Credentials?: StsCredentials | undefined;
    AssumedRoleUser?: AssumedRoleUser | undefined;
    PackedPolicySize?: number | undefined;
    SessionTokenUtilization?: number | undefined;
    SourceIdentity?: string | undefined;
  },
  operation: string,
): RoleSession {
  // STS names the assumed-role user in every answer it documents; if one did not, it stays unknown.
  const assumedRoleArn = answer.AssumedRoleUser?.Arn || undefined;
  return {
    credentials: temporaryCredentials(answer.Credentials, operation),
    roleArn,
    assumedRoleArn,
    sessionName: assumedRoleArn?.slice(assumedRoleArn.lastIndexOf("/") + 1),
    sourceIdentity: answer.SourceIdentity,
    packedPolicySize: packedPercent(answer),
    region: endpoint.region,
  };
}

function policyArnList(arns: readonly string[] | undefined): Array<{ arn: string }> | undefined {
  return arns === undefined || arns.length === 0 ? undefined : arns.map((arn) => ({ arn }));
}

export async function assumeRole(
  endpoint: StsEndpoint,
  credentials: AwsCredentials,
  params: AssumeRoleParams,
  clients: StsClientPool = processClients,
): Promise<RoleSession> {
  const context = stsCallContext("AssumeRole", endpoint, params);
  try {
    const { AssumeRoleCommand } = await import("@aws-sdk/client-sts");
    const client = await clients.client(endpoint, credentials);
    const answer = await client.send(
      new AssumeRoleCommand({
        RoleArn: params.roleArn,
        RoleSessionName: params.sessionName,
        DurationSeconds: params.durationSeconds,
        ExternalId: params.externalId,
        SerialNumber: params.mfa?.serial,
        TokenCode: params.mfa?.code,
        Policy: params.policy,
        PolicyArns: policyArnList(params.policyArns),
        Tags: params.tags?.length ? params.tags.map(({ key, value }) => ({ Key: key, Value: value })) : undefined,
        TransitiveTagKeys: params.transitiveTagKeys?.length ? [...params.transitiveTagKeys] : undefined,
        SourceIdentity: params.sourceIdentity,
      }),
    );
    return roleSession(params.roleArn, endpoint, answer, "AssumeRole");
  } catch (error) {
    throw toStsError(error, context);
  }
}

export async function assumeRoleWithSaml(
  endpoint: StsEndpoint,
  params: AssumeRoleWithSamlParams,
  clients: StsClientPool = processClients,
): Promise<SamlRoleSession> {
  const context = stsCallContext("AssumeRoleWithSAML", endpoint, params);
  try {
    const { AssumeRoleWithSAMLCommand } = await import("@aws-sdk/client-sts");
    // No credentials: AssumeRoleWithSAML is unsigned; the assertion is the proof.
    const client = await clients.client(endpoint, undefined);
    const answer = await client.send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: params.roleArn,
        PrincipalArn: params.principalArn,
        SAMLAssertion: params.samlAssertion,
        DurationSeconds: params.durationSeconds,
        Policy: params.policy,
        PolicyArns: policyArnList(params.policyArns),
      }),
    );
    return { ...roleSession(params.roleArn, endpoint, answer, "AssumeRoleWithSAML"), subject: answer.Subject, issuer: answer.Issuer };
  } catch (error) {
    throw toStsError(error, context);
  }
}

export async function getSessionToken(
  endpoint: StsEndpoint,
  credentials: AwsCredentials,
  params: GetSessionTokenParams,
  clients: StsClientPool = processClients,
): Promise<TemporaryCredentials> {
  const context = stsCallContext("GetSessionToken", endpoint, params);
  try {
    const { GetSessionTokenCommand } = await import("@aws-sdk/client-sts");
    const client = await clients.client(endpoint, credentials);
    const answer = await client.send(
      new GetSessionTokenCommand({ DurationSeconds: params.durationSeconds, SerialNumber: params.mfa?.serial, TokenCode: params.mfa?.code }),
    );
    return temporaryCredentials(answer.Credentials, "GetSessionToken");
  } catch (error) {
    throw toStsError(error, context);
  }
}

export async function getCallerIdentity(endpoint: StsEndpoint, credentials: AwsCredentials, clients: StsClientPool = processClients): Promise<CallerIdentity> {
  try {
    const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
    const client = await clients.client(endpoint, credentials);
    const answer = await client.send(new GetCallerIdentityCommand({}));
    return { account: answer.Account ?? "", arn: answer.Arn ?? "", userId: answer.UserId ?? "" };
  } catch (error) {
    throw toStsError(error, stsCallContext("GetCallerIdentity", endpoint));
  }
}

/** GetFederationToken with an IAM user's long-term keys: a session the console federation endpoint accepts. */
export async function getFederationToken(
  endpoint: StsEndpoint,
  credentials: AwsCredentials,
  params: GetFederationTokenParams,
  clients: StsClientPool = processClients,
): Promise<RoleSession> {
  try {
    const { GetFederationTokenCommand } = await import("@aws-sdk/client-sts");
    const client = await clients.client(endpoint, credentials);
    const answer = await client.send(
      new GetFederationTokenCommand({
        Name: params.name,
        DurationSeconds: params.durationSeconds,
        Policy: params.policy,
        PolicyArns: policyArnList(params.policyArns),
      }),
    );
    const arn = answer.FederatedUser?.Arn ?? "";
    return {
      credentials: temporaryCredentials(answer.Credentials, "GetFederationToken"),
      roleArn: arn,
      assumedRoleArn: arn,
      sessionName: params.name,
      packedPolicySize: packedPercent(answer),
    };
  } catch (error) {
    throw toStsError(error, stsCallContext("GetFederationToken", endpoint, params));
  }
}

/** The real STS, through the AWS SDK, with its own clients (one per endpoint and credentials). */
export function createSdkSts(clients: StsClientPool = new StsClientPool()): StsApi {
  return {
    assumeRole: (endpoint, credentials, params) => assumeRole(endpoint, credentials, params, clients),
    assumeRoleWithSaml: (endpoint, params) => assumeRoleWithSaml(endpoint, params, clients),
    getSessionToken: (endpoint, credentials, params) => getSessionToken(endpoint, credentials, params, clients),
    getCallerIdentity: (endpoint, credentials) => getCallerIdentity(endpoint, credentials, clients),
    getFederationToken: (endpoint, credentials, params) => getFederationToken(endpoint, credentials, params, clients),
  };
}
