/**
 * The only importer of @aws-sdk/client-sso-oidc and @aws-sdk/client-sso, both imported lazily:
 * only `sso` commands and a profile whose cached session expired reach here, never the cached
 * fast path. Each call returns plain data; failures become one-line RolecredErrors, except the
 * OAuth answers a device-code poll expects (authorization_pending, slow_down), which are data.
 */
import { describeNetworkError, ExitCode, messageOf, RolecredError } from "../errors.js";
import type { TemporaryCredentials } from "../credentials/types.js";
import type { SsoEndpoints } from "./endpoints.js";

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** An SDK failure as one line: unreachable (exit 5), refused (exit 4), or the service's words. */
function toSsoError(error: unknown, service: string, url: string): RolecredError {
  if (error instanceof RolecredError) return error;
  const code = field(error, "code");
  const name = field(error, "name");
  if (describeNetworkError(code) !== undefined || code === "ETIMEDOUT" || name === "TimeoutError" || name === "RequestTimeout") {
    return new RolecredError(`cannot reach ${service} at ${url}: ${typeof code === "string" ? code : "no answer in time"}`, {
      exitCode: ExitCode.unavailable,
      cause: error,
      hint: "check sso_region, AWS_ENDPOINT_URL_SSO(_OIDC) and your network or proxy",
    });
  }
  const description = field(error, "error_description");
  const detail = typeof description === "string" && description !== "" ? description : messageOf(error);
  const status = field(field(error, "$metadata"), "httpStatusCode");
  const exitCode = typeof status === "number" && status >= 500 ? ExitCode.unavailable : ExitCode.denied;
  return new RolecredError(`${service} refused: ${typeof name === "string" ? name : "error"}: ${detail}`, { exitCode, cause: error });
}

const clientOptions = (endpoints: SsoEndpoints, url: string | undefined) => ({
  region: endpoints.region,
  ...(url === undefined ? {} : { endpoint: url }),
  maxAttempts: 2,
  requestHandler: { connectionTimeout: endpoints.timeoutMs, requestTimeout: endpoints.timeoutMs, throwOnRequestTimeout: true },
});

// ----- OIDC ------------------------------------------------------------------------------------

export interface ClientRegistration {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiresAt: Date;
}

export interface RegistrationRequest {
  readonly scopes: readonly string[];
  /** authorization_code (with redirectUris and issuerUrl), refresh_token, the device-code grant. */
  readonly grantTypes: readonly string[];
  readonly redirectUris?: readonly string[] | undefined;
  readonly issuerUrl?: string | undefined;
}

async function oidcClient(endpoints: SsoEndpoints) {
  const { SSOOIDCClient } = await import("@aws-sdk/client-sso-oidc");
  return new SSOOIDCClient(clientOptions(endpoints, endpoints.oidcOverride ? endpoints.oidcUrl : undefined));
}

const OIDC = "IAM Identity Center (OIDC)";

export async function registerClient(endpoints: SsoEndpoints, request: RegistrationRequest): Promise<ClientRegistration> {
  const { RegisterClientCommand } = await import("@aws-sdk/client-sso-oidc");
  try {
    const answer = await (
      await oidcClient(endpoints)
    ).send(
      new RegisterClientCommand({
        clientName: "rolecred",
        clientType: "public",
        ...(request.scopes.length === 0 ? {} : { scopes: [...request.scopes] }),
        grantTypes: [...request.grantTypes],
        ...(request.redirectUris === undefined ? {} : { redirectUris: [...request.redirectUris] }),
        ...(request.issuerUrl === undefined ? {} : { issuerUrl: request.issuerUrl }),
      }),
    );
    if (answer.clientId === undefined || answer.clientSecret === undefined)
      throw new RolecredError(`${OIDC} registered no client`, { exitCode: ExitCode.unavailable });
    return { clientId: answer.clientId, clientSecret: answer.clientSecret, expiresAt: new Date((answer.clientSecretExpiresAt ?? 0) * 1000) };
  } catch (error) {
    throw toSsoError(error, OIDC, endpoints.oidcUrl);
  }
}

export interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly verificationUriComplete: string;
  readonly expiresInSeconds: number;
  readonly intervalSeconds: number;
}

export async function startDeviceAuthorization(endpoints: SsoEndpoints, client: ClientRegistration, startUrl: string): Promise<DeviceAuthorization> {
  const { StartDeviceAuthorizationCommand } = await import("@aws-sdk/client-sso-oidc");
  try {
    const answer = await (
      await oidcClient(endpoints)
    ).send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl }));
    const { deviceCode, userCode, verificationUri } = answer;
    if (deviceCode === undefined || userCode === undefined || verificationUri === undefined)
      throw new RolecredError(`${OIDC} started no device authorization`, { exitCode: ExitCode.unavailable });
    return {
      deviceCode,
      userCode,
      verificationUri,
      verificationUriComplete: answer.verificationUriComplete ?? verificationUri,
      expiresInSeconds: answer.expiresIn ?? 600,
      intervalSeconds: answer.interval ?? 5,
    };
  } catch (error) {
    throw toSsoError(error, OIDC, endpoints.oidcUrl);
  }
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresInSeconds: number;
  readonly refreshToken: string | undefined;
}

export type TokenGrant =
  | { readonly grantType: "urn:ietf:params:oauth:grant-type:device_code"; readonly deviceCode: string }
  | { readonly grantType: "authorization_code"; readonly code: string; readonly redirectUri: string; readonly codeVerifier: string }
  | { readonly grantType: "refresh_token"; readonly refreshToken: string };

/** The OAuth errors CreateToken answers that a caller acts on (RFC 8628 §3.5, RFC 6749 §5.2). */
export type TokenRefusal = "authorization_pending" | "slow_down" | "expired_token" | "access_denied" | "invalid_grant";

const REFUSALS: Readonly<Record<string, TokenRefusal>> = {
  AuthorizationPendingException: "authorization_pending",
  SlowDownException: "slow_down",
  ExpiredTokenException: "expired_token",
  AccessDeniedException: "access_denied",
  InvalidGrantException: "invalid_grant",
};

export async function createToken(
  endpoints: SsoEndpoints,
  client: ClientRegistration,
  grant: TokenGrant,
): Promise<{ token: IssuedToken } | { refused: TokenRefusal; detail: string }> {
  const { CreateTokenCommand } = await import("@aws-sdk/client-sso-oidc");
  try {
    const answer = await (await oidcClient(endpoints)).send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, ...grant }));
    if (answer.accessToken === undefined || answer.expiresIn === undefined)
      throw new RolecredError(`${OIDC} issued no access token`, { exitCode: ExitCode.unavailable });
    return { token: { accessToken: answer.accessToken, expiresInSeconds: answer.expiresIn, refreshToken: answer.refreshToken } };
  } catch (error) {
    const name = field(error, "name");
    const refused = typeof name === "string" ? REFUSALS[name] : undefined;
    if (refused !== undefined) {
      const description = field(error, "error_description");
      return { refused, detail: typeof description === "string" ? description : messageOf(error) };
    }
    throw toSsoError(error, OIDC, endpoints.oidcUrl);
  }
}

// ----- portal ----------------------------------------------------------------------------------

const PORTAL = "the IAM Identity Center portal";

async function portalClient(endpoints: SsoEndpoints) {
  const { SSOClient } = await import("@aws-sdk/client-sso");
  return new SSOClient(clientOptions(endpoints, endpoints.portalOverride ? endpoints.portalUrl : undefined));
}

/** The portal's "your sign-in is over" answer, worded for the person. */
function portalError(error: unknown, endpoints: SsoEndpoints, loginHint: string): RolecredError {
  if (field(error, "name") === "UnauthorizedException") {
    return new RolecredError(`${PORTAL} refused the sign-in: ${messageOf(error)}`, { exitCode: ExitCode.denied, cause: error, hint: loginHint });
  }
  return toSsoError(error, PORTAL, endpoints.portalUrl);
}

export interface PortalAccount {
  readonly accountId: string;
  readonly accountName: string;
}

export async function listAccounts(endpoints: SsoEndpoints, accessToken: string, loginHint: string): Promise<PortalAccount[]> {
  const { ListAccountsCommand } = await import("@aws-sdk/client-sso");
  const client = await portalClient(endpoints);
  const accounts: PortalAccount[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const answer = await client.send(new ListAccountsCommand({ accessToken, nextToken, maxResults: 100 }));
      for (const account of answer.accountList ?? []) {
        if (account.accountId !== undefined) accounts.push({ accountId: account.accountId, accountName: account.accountName ?? account.accountId });
      }
      nextToken = answer.nextToken;
    } while (nextToken !== undefined && nextToken !== "");
  } catch (error) {
    throw portalError(error, endpoints, loginHint);
  }
  return accounts;
}

export async function listAccountRoles(endpoints: SsoEndpoints, accessToken: string, accountId: string, loginHint: string): Promise<string[]> {
  const { ListAccountRolesCommand } = await import("@aws-sdk/client-sso");
  const client = await portalClient(endpoints);
  const roles: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const answer = await client.send(new ListAccountRolesCommand({ accessToken, accountId, nextToken, maxResults: 100 }));
      for (const role of answer.roleList ?? []) if (role.roleName !== undefined) roles.push(role.roleName);
      nextToken = answer.nextToken;
    } while (nextToken !== undefined && nextToken !== "");
  } catch (error) {
    throw portalError(error, endpoints, loginHint);
  }
  return roles;
}

export async function getRoleCredentials(
  endpoints: SsoEndpoints,
  accessToken: string,
  accountId: string,
  roleName: string,
  loginHint: string,
): Promise<TemporaryCredentials> {
  const { GetRoleCredentialsCommand } = await import("@aws-sdk/client-sso");
  let answer;
  try {
    answer = await (await portalClient(endpoints)).send(new GetRoleCredentialsCommand({ accessToken, accountId, roleName }));
  } catch (error) {
    if (field(error, "name") === "UnauthorizedException" || field(error, "name") === "ForbiddenException") {
      throw new RolecredError(`${PORTAL} refused role ${roleName} in account ${accountId}: ${messageOf(error)}`, {
        exitCode: ExitCode.denied,
        cause: error,
        hint: `check that the permission set is still assigned to you; else ${loginHint}`,
      });
    }
    throw toSsoError(error, PORTAL, endpoints.portalUrl);
  }
  const credentials = answer.roleCredentials;
  if (
    credentials?.accessKeyId === undefined ||
    credentials.secretAccessKey === undefined ||
    credentials.sessionToken === undefined ||
    credentials.expiration === undefined
  ) {
    throw new RolecredError(`${PORTAL} returned incomplete role credentials`, { exitCode: ExitCode.unavailable });
  }
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: new Date(credentials.expiration),
  };
}

/** The portal's Logout: the access token (and the sign-in behind it) stops working. */
export async function portalLogout(endpoints: SsoEndpoints, accessToken: string): Promise<void> {
  const { LogoutCommand } = await import("@aws-sdk/client-sso");
  try {
    await (await portalClient(endpoints)).send(new LogoutCommand({ accessToken }));
  } catch (error) {
    throw toSsoError(error, PORTAL, endpoints.portalUrl);
  }
}
