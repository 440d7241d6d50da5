/**
 * The STS calls rolecred makes, as one injectable interface (`deps.sts`), the way the AWS SDK's
 * fromIni takes a `roleAssumer`: commands and credential links call STS only through it, so they
 * run in-process against an in-memory STS in unit tests (test/support/fake-sts.ts), while the
 * command line uses the real one. Parameters and results are rolecred's own types (./calls.ts);
 * a failure is a RolecredError, never an SDK error.
 */
import type { AwsCredentials, RoleSession, TemporaryCredentials } from "../credentials/types.js";
import type { AssumeRoleParams, AssumeRoleWithSamlParams, CallerIdentity, GetFederationTokenParams, GetSessionTokenParams, SamlRoleSession } from "./calls.js";
import type { StsEndpoint } from "./client.js";

export interface StsApi {
  assumeRole(endpoint: StsEndpoint, credentials: AwsCredentials, params: AssumeRoleParams): Promise<RoleSession>;
  /** Unsigned: the assertion is the proof. */
  assumeRoleWithSaml(endpoint: StsEndpoint, params: AssumeRoleWithSamlParams): Promise<SamlRoleSession>;
  getSessionToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetSessionTokenParams): Promise<TemporaryCredentials>;
  getCallerIdentity(endpoint: StsEndpoint, credentials: AwsCredentials): Promise<CallerIdentity>;
  getFederationToken(endpoint: StsEndpoint, credentials: AwsCredentials, params: GetFederationTokenParams): Promise<RoleSession>;
}

/**
 * The real STS, loaded on its first call: building Deps costs no import of ./calls.ts or the AWS
 * SDK, so commands that never call STS (status, profiles, lint…) never load them.
 */
export function lazySdkSts(): StsApi {
  let loaded: Promise<StsApi> | undefined;
  const real = () => (loaded ??= import("./calls.js").then(({ createSdkSts }) => createSdkSts()));
  return {
    assumeRole: async (endpoint, credentials, params) => (await real()).assumeRole(endpoint, credentials, params),
    assumeRoleWithSaml: async (endpoint, params) => (await real()).assumeRoleWithSaml(endpoint, params),
    getSessionToken: async (endpoint, credentials, params) => (await real()).getSessionToken(endpoint, credentials, params),
    getCallerIdentity: async (endpoint, credentials) => (await real()).getCallerIdentity(endpoint, credentials),
    getFederationToken: async (endpoint, credentials, params) => (await real()).getFederationToken(endpoint, credentials, params),
  };
}
