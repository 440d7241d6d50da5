import type { StsApi } from "./api.js";

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
