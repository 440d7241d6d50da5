/**
 * The local Identity Center must behave like the real one where rolecred depends on it, so it is
 * tested with the AWS SDK's own clients: every grant of CreateToken and its errors, the PKCE
 * authorization page, the portal's pagination and bearer checks, and role credentials STS accepts.
 */
import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateTokenCommand, RegisterClientCommand, SSOOIDCClient, StartDeviceAuthorizationCommand } from "@aws-sdk/client-sso-oidc";
import { GetRoleCredentialsCommand, ListAccountRolesCommand, ListAccountsCommand, LogoutCommand, SSOClient } from "@aws-sdk/client-sso";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startLocalIdentityCenter, type LocalIdentityCenter } from "./identity-center-server.js";
import { startWorld, type World } from "./world.js";

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

let world: World;
let center: LocalIdentityCenter;
let clock = Date.now();
let oidc: SSOOIDCClient;
let portal: SSOClient;

beforeAll(async () => {
  world = await startWorld();
  center = await startLocalIdentityCenter({
    sts: world.sts,
    now: () => new Date(clock),
    assignments: [
      { accountId: "111111111111", accountName: "sandbox", roles: ["Admin", "ReadOnly", "Billing"] },
      { accountId: "222222222222", accountName: "shared", roles: ["ReadOnly"] },
      { accountId: "333333333333", accountName: "prod", roles: ["ReadOnly"] },
    ],
  });
  oidc = new SSOOIDCClient({ region: "us-east-1", endpoint: center.url, maxAttempts: 1 });
  portal = new SSOClient({ region: "us-east-1", endpoint: center.url, maxAttempts: 1 });
});
afterAll(async () => {
  await center.close();
  await world.close();
});

async function register(grantTypes?: string[], redirectUris?: string[]) {
  return oidc.send(
    new RegisterClientCommand({
      clientName: "test",
      clientType: "public",
      scopes: ["sso:account:access"],
      ...(grantTypes === undefined ? {} : { grantTypes, redirectUris, issuerUrl: center.startUrl }),
    }),
  );
}

async function errorOf(promise: Promise<unknown>): Promise<{ name: string; error?: string }> {
  try {
    await promise;
  } catch (caught) {
    return { name: (caught as Error).name, error: (caught as { error?: string }).error };
  }
  throw new Error("expected a failure");
}

async function deviceToken(): Promise<string> {
  const client = await register();
  const device = await oidc.send(
    new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: center.startUrl }),
  );
  center.approveDevice(device.userCode ?? "");
  const created = await oidc.send(
    new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode: device.deviceCode }),
  );
  return created.accessToken ?? "";
}

describe("OIDC: device code grant", () => {
  it("answers authorization_pending, slow_down, then a token once approved, and refuses the code twice", async () => {
    const client = await register();
    const device = await oidc.send(
      new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: center.startUrl }),
    );
    expect(device.verificationUriComplete).toBe(`${center.url}device?user_code=${device.userCode}`);
    const poll = () =>
      oidc.send(
        new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode: device.deviceCode }),
      );
    expect(await errorOf(poll())).toEqual({ name: "AuthorizationPendingException", error: "authorization_pending" });
    expect(await errorOf(poll())).toEqual({ name: "SlowDownException", error: "slow_down" });
    clock += 7000;
    center.approveDevice(device.userCode ?? "");
    const created = await poll();
    expect(created.tokenType).toBe("Bearer");
    expect(created.accessToken).toMatch(/^aoa/);
    clock += 7000;
    expect(await errorOf(poll())).toMatchObject({ name: "InvalidGrantException" });
  });

  it("answers access_denied when the person denies, expired_token after ten minutes", async () => {
    const client = await register();
    const start = () =>
      oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: center.startUrl }));
    const denied = await start();
    center.denyDevice(denied.userCode ?? "");
    expect(
      await errorOf(
        oidc.send(
          new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode: denied.deviceCode }),
        ),
      ),
    ).toMatchObject({ name: "AccessDeniedException", error: "access_denied" });
    const late = await start();
    clock += 601_000;
    expect(
      await errorOf(
        oidc.send(
          new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: DEVICE_GRANT, deviceCode: late.deviceCode }),
        ),
      ),
    ).toMatchObject({ name: "ExpiredTokenException", error: "expired_token" });
  });

  it("refuses a wrong client secret, a foreign start URL and an unknown grant", async () => {
    const client = await register();
    expect(
      await errorOf(oidc.send(new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: "wrong", startUrl: center.startUrl }))),
    ).toMatchObject({ name: "InvalidClientException" });
    expect(
      await errorOf(
        oidc.send(
          new StartDeviceAuthorizationCommand({ clientId: client.clientId, clientSecret: client.clientSecret, startUrl: "https://d-000.awsapps.com/start" }),
        ),
      ),
    ).toMatchObject({ name: "InvalidRequestException" });
    expect(
      await errorOf(oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: "password" }))),
    ).toMatchObject({ name: "UnsupportedGrantTypeException" });
    expect(await errorOf(oidc.send(new RegisterClientCommand({ clientName: "x", clientType: "confidential" })))).toMatchObject({
      name: "InvalidClientMetadataException",
    });
  });
});

describe("OIDC: authorization code with PKCE, and refresh", () => {
  const redirectUri = "http://127.0.0.1:4567/oauth/callback";

  async function authorize(clientId: string, challenge: string, decision = "allow"): Promise<URL> {
    const query = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      state: "s-1",
      code_challenge: challenge,
      code_challenge_method: "S256",
      scopes: "sso:account:access",
    });
    const pageText = await (await fetch(`${center.url}authorize?${query.toString()}`)).text();
    const requestId = /name="request" value="([^"]+)"/.exec(pageText)?.[1] ?? "";
    const answer = await fetch(`${center.url}authorize/decision`, {
      method: "POST",
      body: new URLSearchParams({ request: requestId, decision }),
      redirect: "manual",
    });
    expect(answer.status).toBe(302);
    return new URL(answer.headers.get("location") ?? "");
  }

  it("issues a code to the registered redirect URI and a token for the right verifier only, once", async () => {
    const client = await register(["authorization_code", "refresh_token"], [redirectUri]);
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const back = await authorize(client.clientId ?? "", challenge);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get("state")).toBe("s-1");
    const code = back.searchParams.get("code") ?? "";
    const exchange = (codeVerifier: string) =>
      oidc.send(
        new CreateTokenCommand({
          clientId: client.clientId,
          clientSecret: client.clientSecret,
          grantType: "authorization_code",
          code,
          redirectUri,
          codeVerifier,
        }),
      );
    const created = await exchange(verifier);
    expect(created.refreshToken).toMatch(/^aor/);
    expect(await errorOf(exchange(verifier))).toMatchObject({ name: "InvalidGrantException", error: "invalid_grant" });

    const wrong = await authorize(client.clientId ?? "", challenge);
    const wrongCode = wrong.searchParams.get("code") ?? "";
    expect(
      await errorOf(
        oidc.send(
          new CreateTokenCommand({
            clientId: client.clientId,
            clientSecret: client.clientSecret,
            grantType: "authorization_code",
            code: wrongCode,
            redirectUri,
            codeVerifier: randomBytes(32).toString("base64url"),
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidGrantException" });

    const refresh = (refreshToken: string) =>
      oidc.send(new CreateTokenCommand({ clientId: client.clientId, clientSecret: client.clientSecret, grantType: "refresh_token", refreshToken }));
    const refreshed = await refresh(created.refreshToken ?? "");
    expect(refreshed.accessToken).not.toBe(created.accessToken);
    expect(await errorOf(refresh(created.refreshToken ?? ""))).toMatchObject({ name: "InvalidGrantException" });
  });

  it("redirects with error=access_denied when the person denies", async () => {
    const client = await register(["authorization_code"], [redirectUri]);
    const back = await authorize(client.clientId ?? "", createHash("sha256").update("x".repeat(43)).digest("base64url"), "deny");
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("refuses an unregistered redirect URI on the authorization page", async () => {
    const client = await register(["authorization_code"], [redirectUri]);
    const query = new URLSearchParams({
      response_type: "code",
      client_id: client.clientId ?? "",
      redirect_uri: "http://127.0.0.1:1/elsewhere",
      state: "s",
      code_challenge: "a".repeat(43),
      code_challenge_method: "S256",
    });
    const answer = await fetch(`${center.url}authorize?${query.toString()}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get("x-amzn-errortype")).toBe("InvalidRedirectUriException");
  });
});

describe("portal", () => {
  it("pages accounts and roles, and refuses a missing, unknown or expired bearer token", async () => {
    const accessToken = await deviceToken();
    const accounts: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const answer = await portal.send(new ListAccountsCommand({ accessToken, nextToken }));
      accounts.push(...(answer.accountList ?? []).map((account) => `${account.accountId}:${account.accountName}`));
      nextToken = answer.nextToken;
      pages++;
    } while (nextToken !== undefined);
    expect(pages).toBe(2);
    expect(accounts).toEqual(["111111111111:sandbox", "222222222222:shared", "333333333333:prod"]);
    const roles = await portal.send(new ListAccountRolesCommand({ accessToken, accountId: "111111111111" }));
    expect(roles.roleList?.map((role) => role.roleName)).toEqual(["Admin", "ReadOnly"]);
    expect(roles.nextToken).toBeDefined();
    expect(await errorOf(portal.send(new ListAccountsCommand({ accessToken: "aoa-unknown" })))).toMatchObject({ name: "UnauthorizedException" });
    center.expireAccessTokens();
    expect(await errorOf(portal.send(new ListAccountsCommand({ accessToken })))).toMatchObject({ name: "UnauthorizedException" });
  });

  it("hands out role credentials STS accepts, for assigned roles only; Logout ends the token", async () => {
    const accessToken = await deviceToken();
    const answer = await portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: "111111111111", roleName: "Admin" }));
    const credentials = answer.roleCredentials;
    expect(typeof credentials?.expiration).toBe("number");
    const sts = new STSClient({
      region: "us-east-1",
      endpoint: world.sts.url,
      maxAttempts: 1,
      credentials: {
        accessKeyId: credentials?.accessKeyId ?? "",
        secretAccessKey: credentials?.secretAccessKey ?? "",
        sessionToken: credentials?.sessionToken ?? "",
      },
    });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    expect(identity.Arn).toMatch(/^arn:aws:sts::111111111111:assumed-role\/AWSReservedSSO_Admin_[0-9a-f]{16}\/jo$/);
    expect(await errorOf(portal.send(new GetRoleCredentialsCommand({ accessToken, accountId: "222222222222", roleName: "Admin" })))).toMatchObject({
      name: "UnauthorizedException",
    });
    await portal.send(new LogoutCommand({ accessToken }));
    expect(center.isAccessTokenValid(accessToken)).toBe(false);
    expect(await errorOf(portal.send(new ListAccountsCommand({ accessToken })))).toMatchObject({ name: "UnauthorizedException" });
  });
});
