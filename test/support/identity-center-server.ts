/**
 * A local IAM Identity Center for tests and the demo, on 127.0.0.1: the OIDC service (RegisterClient,
 * StartDeviceAuthorization, CreateToken with the device-code, authorization-code + PKCE and
 * refresh-token grants, and their errors), the authorization endpoint with a small approval page,
 * the device verification page, and the access portal (ListAccounts and ListAccountRoles paginated,
 * GetRoleCredentials, Logout) behind bearer-token checks.
 *
 * Wire formats are the AWS services' own (REST + JSON): OIDC errors carry `error` and
 * `error_description` in the body, portal errors a `message`, both with the `x-amzn-ErrorType`
 * header the SDK reads. GetRoleCredentials issues its sessions through the local STS endpoint
 * (sts-server.ts), so the credentials it hands out sign STS calls there, and a role hop on top works.
 *
 * The signed-in person is always "jo"; approval happens on the pages (a real browser can press the
 * button) or through {@link LocalIdentityCenter.approveDevice} / {@link LocalIdentityCenter.denyDevice}.
 * Where AWS does not document a rule or a message, the choice made here is marked "(local)".
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalSts } from "./sts-server.js";

export interface IdentityCenterAssignment {
  readonly accountId: string;
  readonly accountName: string;
  readonly emailAddress?: string;
  /** Permission-set names the person may use in this account. */
  readonly roles: readonly string[];
}

export interface LocalIdentityCenterOptions {
  readonly sts: LocalSts;
  readonly assignments: readonly IdentityCenterAssignment[];
  /** Lifetime of access tokens (default 8 h, the service's default). */
  readonly accessTokenSeconds?: number;
  /** Lifetime of GetRoleCredentials sessions (default 1 h). */
  readonly roleSessionSeconds?: number;
  /** Most items per page the portal returns, whatever max_result asks (default 2: pagination is exercised). */
  readonly pageSize?: number;
  /** Polling interval the device authorization asks for, in seconds (default 1). */
  readonly pollIntervalSeconds?: number;
  /** The server's clock (default real time). */
  readonly now?: () => Date;
  /** The signed-in person: the session name of the role sessions (default "jo"). */
  readonly userName?: string;
}

export interface IdentityCenterCall {
  readonly operation: string;
  readonly errorCode: string | undefined;
  /** For CreateToken: the grant type asked for. */
  readonly grantType?: string | undefined;
}

export interface LocalIdentityCenter {
  /** "http://127.0.0.1:PORT/": the OIDC and portal endpoint (AWS_ENDPOINT_URL_SSO_OIDC / _SSO). */
  readonly url: string;
  /** The start URL the sign-in portal answers to. */
  readonly startUrl: string;
  readonly region: string;
  readonly calls: IdentityCenterCall[];
  /** Approve a pending device authorization by its user code, as the person would on the page. */
  approveDevice(userCode: string): void;
  denyDevice(userCode: string): void;
  /** User codes waiting for approval, oldest first. */
  pendingUserCodes(): string[];
  /** Make every access token issued so far expire now (refresh tokens stay good). */
  expireAccessTokens(): void;
  /** Is this access token one the portal accepts now? */
  isAccessTokenValid(accessToken: string): boolean;
  /** The IAM role ARN behind a permission set in an account (what the sessions act as). */
  roleArnOf(accountId: string, roleName: string): string;
  /** Remove an assignment (access taken away). */
  revokeAssignment(accountId: string, roleName: string): void;
  close(): Promise<void>;
}

const DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
const DEVICE_CODE_SECONDS = 600;
const AUTHORIZATION_CODE_SECONDS = 300;
const CLIENT_SECONDS = 90 * 24 * 3600;
const MAX_BODY_BYTES = 64 * 1024;

class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    /** OIDC errors: the OAuth `error` value. Undefined: a portal error (`message` only). */
    readonly oauthError?: string,
  ) {
    super(message);
  }
}

const oidc = {
  invalidRequest: (why: string) => new ServiceError(400, "InvalidRequestException", why, "invalid_request"),
  invalidClient: (why: string) => new ServiceError(401, "InvalidClientException", why, "invalid_client"),
  invalidGrant: (why: string) => new ServiceError(400, "InvalidGrantException", why, "invalid_grant"),
  pending: () => new ServiceError(400, "AuthorizationPendingException", "Authorization is still pending", "authorization_pending"),
  slowDown: () => new ServiceError(400, "SlowDownException", "Client is polling too fast", "slow_down"),
  expired: () => new ServiceError(400, "ExpiredTokenException", "Device code has expired", "expired_token"),
  denied: () => new ServiceError(400, "AccessDeniedException", "The user denied the authorization request", "access_denied"),
  unsupportedGrant: (grant: string) => new ServiceError(400, "UnsupportedGrantTypeException", `Unsupported grant type: ${grant}`, "unsupported_grant_type"),
  invalidScope: (scope: string) => new ServiceError(400, "InvalidScopeException", `Invalid scope: ${scope}`, "invalid_scope"),
  invalidClientMetadata: (why: string) => new ServiceError(400, "InvalidClientMetadataException", why, "invalid_client_metadata"),
  invalidRedirectUri: (why: string) => new ServiceError(400, "InvalidRedirectUriException", why, "invalid_redirect_uri"),
  unauthorizedClient: (why: string) => new ServiceError(400, "UnauthorizedClientException", why, "unauthorized_client"),
};

const portal = {
  unauthorized: (why = "Session token not found or invalid") => new ServiceError(401, "UnauthorizedException", why),
  invalidRequest: (why: string) => new ServiceError(400, "InvalidRequestException", why),
  notFound: (why: string) => new ServiceError(404, "ResourceNotFoundException", why),
};

interface Client {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly expiresAt: number;
  readonly grantTypes: readonly string[];
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
}

interface DeviceAuthorization {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly expiresAt: number;
  intervalMs: number;
  lastPoll: number | undefined;
  state: "pending" | "approved" | "denied" | "used";
}

interface AuthorizationRequest {
  readonly id: string;
  readonly clientId: string;
  readonly redirectUri: string;
  readonly state: string;
  readonly codeChallenge: string;
  readonly scopes: readonly string[];
}

interface AuthorizationCode {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly expiresAt: number;
  used: boolean;
}

interface AccessToken {
  readonly clientId: string;
  expiresAt: number;
  revoked: boolean;
}

function token(prefix: string): string {
  return `${prefix}${randomBytes(32).toString("base64url")}`;
}

function newUserCode(): string {
  const letters = "BCDFGHJKLMNPQRSTVWXZ";
  const pick = () => Array.from(randomBytes(4), (byte) => letters[byte % letters.length]).join("");
  return `${pick()}-${pick()}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function isLoopbackRedirect(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === "http:" && (url.hostname === "127.0.0.1" || url.hostname === "[::1]" || url.hostname === "localhost");
  } catch {
    return false;
  }
}

function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw oidc.invalidRequest(`${name} is required`);
    return undefined;
  }
  if (typeof value !== "string" || value === "") throw oidc.invalidRequest(`${name} must be a non-empty string`);
  return value;
}

function stringListField(body: Record<string, unknown>, name: string): string[] | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((item): item is string => typeof item === "string")) throw oidc.invalidRequest(`${name} must be a list of strings`);
  return value;
}

/** (local) The role behind a permission set: AWSReservedSSO_<set>_<16 hex>, as Identity Center names them. */
function reservedRoleArn(accountId: string, roleName: string): string {
  const suffix = createHash("sha256").update(`${accountId}/${roleName}`).digest("hex").slice(0, 16);
  return `arn:aws:iam::${accountId}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_${roleName}_${suffix}`;
}

const KNOWN_SCOPES = new Set(["sso:account:access", "codewhisperer:completions", "codewhisperer:analysis"]);

export async function startLocalIdentityCenter(options: LocalIdentityCenterOptions): Promise<LocalIdentityCenter> {
  const now = () => (options.now ?? (() => new Date()))().getTime();
  const accessTokenSeconds = options.accessTokenSeconds ?? 8 * 3600;
  const pageSize = options.pageSize ?? 2;
  const userName = options.userName ?? "jo";
  const assignments: Array<Omit<IdentityCenterAssignment, "roles"> & { roles: string[] }> = options.assignments.map((assignment) => ({
    ...assignment,
    roles: [...assignment.roles],
  }));
  const clients = new Map<string, Client>();
  const devices = new Map<string, DeviceAuthorization>();
  const authorizationRequests = new Map<string, AuthorizationRequest>();
  const codes = new Map<string, AuthorizationCode>();
  const accessTokens = new Map<string, AccessToken>();
  const refreshTokens = new Map<string, string>(); // refresh token → client id
  const calls: IdentityCenterCall[] = [];
  let url = "";
  let startUrl = "";

  const client = (body: Record<string, unknown>, withSecret = true): Client => {
    const clientId = stringField(body, "clientId", true) ?? "";
    const found = clients.get(clientId);
    if (found === undefined) throw oidc.invalidClient("Invalid client provided");
    if (withSecret && stringField(body, "clientSecret", true) !== found.clientSecret) throw oidc.invalidClient("Invalid client secret provided");
    if (found.expiresAt <= now()) throw oidc.invalidClient("Client registration has expired");
    return found;
  };

  const issueTokens = (owner: Client): Record<string, unknown> => {
    const accessToken = token("aoa");
    accessTokens.set(accessToken, { clientId: owner.clientId, expiresAt: now() + accessTokenSeconds * 1000, revoked: false });
    const answer: Record<string, unknown> = { accessToken, tokenType: "Bearer", expiresIn: accessTokenSeconds };
    if (owner.grantTypes.includes("refresh_token")) {
      const refreshToken = token("aor");
      refreshTokens.set(refreshToken, owner.clientId);
      answer.refreshToken = refreshToken;
    }
    return answer;
  };

  const registerClient = (body: Record<string, unknown>): Record<string, unknown> => {
    const clientName = stringField(body, "clientName", true) ?? "";
    const clientType = stringField(body, "clientType", true);
    if (clientType !== "public") throw oidc.invalidClientMetadata(`Invalid client type: ${clientType ?? ""}`);
    const scopes = stringListField(body, "scopes") ?? [];
    for (const scope of scopes) if (!KNOWN_SCOPES.has(scope)) throw oidc.invalidScope(scope);
    const grantTypes = stringListField(body, "grantTypes") ?? [];
    for (const grant of grantTypes)
      if (grant !== "authorization_code" && grant !== "refresh_token" && grant !== DEVICE_GRANT)
        throw oidc.invalidClientMetadata(`Invalid grant type: ${grant}`);
    const redirectUris = stringListField(body, "redirectUris") ?? [];
    if (grantTypes.includes("authorization_code") && redirectUris.length === 0)
      throw oidc.invalidRedirectUri("redirectUris are required for the authorization_code grant");
    for (const uri of redirectUris) if (!isLoopbackRedirect(uri)) throw oidc.invalidRedirectUri(`Invalid redirect URI: ${uri}`);
    const issuerUrl = stringField(body, "issuerUrl", grantTypes.includes("authorization_code"));
    if (issuerUrl !== undefined && issuerUrl !== startUrl) throw oidc.invalidRequest("issuerUrl is not this instance's start URL"); // (local)
    if (clientName.length > 255) throw oidc.invalidRequest("clientName is too long");
    const registered: Client = {
      clientId: token("cid"),
      clientSecret: token("csec"),
      expiresAt: now() + CLIENT_SECONDS * 1000,
      grantTypes,
      redirectUris,
      scopes,
    };
    clients.set(registered.clientId, registered);
    return {
      clientId: registered.clientId,
      clientSecret: registered.clientSecret,
      clientIdIssuedAt: Math.floor(now() / 1000),
      clientSecretExpiresAt: Math.floor(registered.expiresAt / 1000),
    };
  };

  const startDeviceAuthorization = (body: Record<string, unknown>): Record<string, unknown> => {
    const owner = client(body);
    const requestedStartUrl = stringField(body, "startUrl", true);
    if (requestedStartUrl !== startUrl) throw oidc.invalidRequest(`Invalid start URL: ${requestedStartUrl ?? ""}`);
    const device: DeviceAuthorization = {
      deviceCode: token("dc"),
      userCode: newUserCode(),
      clientId: owner.clientId,
      expiresAt: now() + DEVICE_CODE_SECONDS * 1000,
      intervalMs: (options.pollIntervalSeconds ?? 1) * 1000,
      lastPoll: undefined,
      state: "pending",
    };
    devices.set(device.deviceCode, device);
    return {
      deviceCode: device.deviceCode,
      userCode: device.userCode,
      verificationUri: `${url}device`,
      verificationUriComplete: `${url}device?user_code=${device.userCode}`,
      expiresIn: DEVICE_CODE_SECONDS,
      interval: device.intervalMs / 1000,
    };
  };

  const createToken = (body: Record<string, unknown>): Record<string, unknown> => {
    const owner = client(body);
    const grantType = stringField(body, "grantType", true) ?? "";
    if (grantType === DEVICE_GRANT) {
      const deviceCode = stringField(body, "deviceCode", true) ?? "";
      const device = devices.get(deviceCode);
      if (device === undefined || device.clientId !== owner.clientId || device.state === "used") throw oidc.invalidGrant("Invalid device code provided");
      const at = now();
      if (device.expiresAt <= at) throw oidc.expired();
      if (device.state === "denied") throw oidc.denied();
      const tooSoon = device.lastPoll !== undefined && at - device.lastPoll < device.intervalMs;
      device.lastPoll = at;
      if (tooSoon) {
        device.intervalMs += 5000; // RFC 8628 §3.5: the interval grows by 5 seconds
        throw oidc.slowDown();
      }
      if (device.state === "pending") throw oidc.pending();
      device.state = "used";
      return issueTokens(owner);
    }
    if (grantType === "authorization_code") {
      if (!owner.grantTypes.includes("authorization_code")) throw oidc.unauthorizedClient("Client is not registered for the authorization_code grant");
      const code = codes.get(stringField(body, "code", true) ?? "");
      const redirectUri = stringField(body, "redirectUri", true);
      const verifier = stringField(body, "codeVerifier", true) ?? "";
      if (code === undefined || code.used || code.clientId !== owner.clientId) throw oidc.invalidGrant("Invalid authorization code provided");
      code.used = true; // single use, even when the rest of the request is wrong
      if (code.expiresAt <= now()) throw oidc.invalidGrant("Authorization code has expired");
      if (redirectUri !== code.redirectUri) throw oidc.invalidGrant("redirectUri does not match the authorization request");
      if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge) {
        throw oidc.invalidGrant("Code verifier does not match the code challenge");
      }
      return issueTokens(owner);
    }
    if (grantType === "refresh_token") {
      const refreshToken = stringField(body, "refreshToken", true) ?? "";
      if (refreshTokens.get(refreshToken) !== owner.clientId) throw oidc.invalidGrant("Invalid refresh token provided");
      refreshTokens.delete(refreshToken); // rotated: a refresh token is good once
      return issueTokens(owner);
    }
    throw oidc.unsupportedGrant(grantType);
  };

  const bearer = (request: IncomingMessage): string => {
    const presented = request.headers["x-amz-sso_bearer_token"];
    if (typeof presented !== "string" || presented === "") throw portal.unauthorized();
    const found = accessTokens.get(presented);
    if (found === undefined || found.revoked || found.expiresAt <= now()) throw portal.unauthorized();
    return presented;
  };

  const page = <T>(items: readonly T[], query: URLSearchParams): { nextToken: string | undefined; items: T[] } => {
    const maxText = query.get("max_result");
    const max = maxText === null ? pageSize : Number(maxText);
    if (!Number.isInteger(max) || max < 1 || max > 100) throw portal.invalidRequest("max_result must be 1-100");
    const nextText = query.get("next_token");
    const start =
      nextText === null
        ? 0
        : Number(
            Buffer.from(nextText, "base64url")
              .toString("utf8")
              .replace(/^offset:/, ""),
          );
    if (
      !Number.isInteger(start) ||
      start < 0 ||
      start > items.length ||
      (nextText !== null && !Buffer.from(nextText, "base64url").toString("utf8").startsWith("offset:"))
    ) {
      throw portal.invalidRequest("Invalid next_token");
    }
    const end = start + Math.min(max, pageSize);
    return { items: items.slice(start, end), nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString("base64url") : undefined };
  };

  const accountOf = (query: URLSearchParams) => {
    const accountId = query.get("account_id");
    if (accountId === null || !/^\d{12}$/.test(accountId)) throw portal.invalidRequest("account_id must be 12 digits");
    return { accountId, assignment: assignments.find((candidate) => candidate.accountId === accountId) };
  };

  const portalCall = (operation: string, request: IncomingMessage, query: URLSearchParams): Record<string, unknown> | undefined => {
    const accessToken = bearer(request);
    if (operation === "ListAccounts") {
      const { items, nextToken } = page(
        assignments.filter((assignment) => assignment.roles.length > 0),
        query,
      );
      return {
        accountList: items.map(({ accountId, accountName, emailAddress }) => ({
          accountId,
          accountName,
          emailAddress: emailAddress ?? `aws+${accountId}@example.com`,
        })),
        ...(nextToken === undefined ? {} : { nextToken }),
      };
    }
    if (operation === "ListAccountRoles") {
      const { accountId, assignment } = accountOf(query);
      if (assignment === undefined) throw portal.notFound("No access to this account"); // (local)
      const { items, nextToken } = page(assignment.roles, query);
      return { roleList: items.map((roleName) => ({ roleName, accountId })), ...(nextToken === undefined ? {} : { nextToken }) };
    }
    if (operation === "GetRoleCredentials") {
      const { accountId, assignment } = accountOf(query);
      const roleName = query.get("role_name");
      if (roleName === null || roleName === "") throw portal.invalidRequest("role_name is required");
      if (assignment === undefined || !assignment.roles.includes(roleName)) throw portal.unauthorized("No access");
      const session = options.sts.issueRoleSession({
        roleArn: reservedRoleArn(accountId, roleName),
        sessionName: userName,
        durationSeconds: options.roleSessionSeconds ?? 3600,
      });
      return {
        roleCredentials: {
          accessKeyId: session.accessKeyId,
          secretAccessKey: session.secretAccessKey,
          sessionToken: session.sessionToken,
          expiration: session.expiration.getTime(),
        },
      };
    }
    // Logout: the access token and every refresh token of its client stop working.
    const revoked = accessTokens.get(accessToken);
    if (revoked !== undefined) revoked.revoked = true;
    return undefined;
  };

  // ----- pages --------------------------------------------------------------------------------

  /** `rolecred_test_approve=1` (test-only) makes the page press its own Allow button once loaded, so a headless browser can approve. */
  const autoSubmit = (query: URLSearchParams) =>
    query.get("rolecred_test_approve") === "1" ? `<script>window.addEventListener("load", () => document.getElementById("allow").click());</script>` : "";

  const html = (title: string, body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><h1>${escapeHtml(title)}</h1>${body}</body></html>`;

  const authorizePage = (query: URLSearchParams): string => {
    const need = (name: string) => {
      const value = query.get(name);
      if (value === null || value === "") throw oidc.invalidRequest(`${name} is required`);
      return value;
    };
    if (need("response_type") !== "code") throw oidc.invalidRequest("response_type must be code");
    const clientId = need("client_id");
    const registered = clients.get(clientId);
    if (registered === undefined) throw oidc.invalidClient("Invalid client provided");
    const redirectUri = need("redirect_uri");
    if (!registered.redirectUris.includes(redirectUri)) throw oidc.invalidRedirectUri("redirect_uri was not registered"); // (local) AWS also matches the loopback port loosely
    if (need("code_challenge_method") !== "S256") throw oidc.invalidRequest("code_challenge_method must be S256");
    const codeChallenge = need("code_challenge");
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) throw oidc.invalidRequest("code_challenge must be a base64url SHA-256");
    const scopes = (query.get("scopes") ?? "").split(/[ ,]/).filter((scope) => scope !== "");
    for (const scope of scopes) if (!KNOWN_SCOPES.has(scope)) throw oidc.invalidScope(scope);
    const request: AuthorizationRequest = { id: randomUUID(), clientId, redirectUri, state: need("state"), codeChallenge, scopes };
    authorizationRequests.set(request.id, request);
    return html(
      "Allow access?",
      `<p>${escapeHtml(userName)}, allow this application to access your AWS accounts (${escapeHtml(scopes.join(", ") || "default scopes")})?</p>` +
        `<form method="post" action="/authorize/decision"><input type="hidden" name="request" value="${request.id}">` +
        `<button id="allow" name="decision" value="allow">Allow access</button> <button id="deny" name="decision" value="deny">Deny</button></form>` +
        autoSubmit(query),
    );
  };

  const authorizeDecision = (form: URLSearchParams): string => {
    const request = authorizationRequests.get(form.get("request") ?? "");
    if (request === undefined) throw oidc.invalidRequest("Unknown or finished authorization request");
    authorizationRequests.delete(request.id);
    const target = new URL(request.redirectUri);
    if (form.get("decision") === "allow") {
      const code = token("code");
      codes.set(code, {
        clientId: request.clientId,
        redirectUri: request.redirectUri,
        codeChallenge: request.codeChallenge,
        expiresAt: now() + AUTHORIZATION_CODE_SECONDS * 1000,
        used: false,
      });
      target.searchParams.set("code", code);
    } else {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The user denied the request");
    }
    target.searchParams.set("state", request.state);
    return target.toString();
  };

  const deviceByUserCode = (userCode: string) =>
    [...devices.values()].find((device) => device.userCode === userCode && device.state === "pending" && device.expiresAt > now());

  const devicePage = (query: URLSearchParams): string => {
    const userCode = query.get("user_code") ?? "";
    return html(
      "Authorize request",
      `<p>Check that this code matches the one your terminal shows.</p>` +
        `<form method="post" action="/device/decision"><input name="user_code" value="${escapeHtml(userCode)}">` +
        `<button id="allow" name="decision" value="allow">Confirm and continue</button> <button id="deny" name="decision" value="deny">Deny</button></form>` +
        autoSubmit(query),
    );
  };

  const deviceDecision = (form: URLSearchParams): string => {
    const device = deviceByUserCode(form.get("user_code") ?? "");
    if (device === undefined) return html("Invalid code", "<p>That code is unknown, used or expired.</p>");
    device.state = form.get("decision") === "allow" ? "approved" : "denied";
    return html(device.state === "approved" ? "Request approved" : "Request denied", `<p id="result">${device.state}</p>`);
  };

  // ----- HTTP ---------------------------------------------------------------------------------

  const routes: Record<string, { method: string; operation: string }> = {
    "/client/register": { method: "POST", operation: "RegisterClient" },
    "/device_authorization": { method: "POST", operation: "StartDeviceAuthorization" },
    "/token": { method: "POST", operation: "CreateToken" },
    "/assignment/accounts": { method: "GET", operation: "ListAccounts" },
    "/assignment/roles": { method: "GET", operation: "ListAccountRoles" },
    "/federation/credentials": { method: "GET", operation: "GetRoleCredentials" },
    "/logout": { method: "POST", operation: "Logout" },
    "/authorize": { method: "GET", operation: "Authorize" },
    "/authorize/decision": { method: "POST", operation: "AuthorizeDecision" },
    "/device": { method: "GET", operation: "DevicePage" },
    "/device/decision": { method: "POST", operation: "DeviceDecision" },
  };

  const sendHtml = (response: ServerResponse, text: string) => response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(text);

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        response.writeHead(413).end();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const bodyText = Buffer.concat(chunks).toString("utf8");
    const target = new URL(request.url ?? "/", url);
    const route = routes[target.pathname];
    const call: { operation: string; errorCode: string | undefined; grantType?: string | undefined } = {
      operation: route?.operation ?? `${request.method ?? ""} ${target.pathname}`,
      errorCode: undefined,
    };
    try {
      if (route === undefined || route.method !== request.method) throw new ServiceError(404, "UnknownOperationException", "Unknown operation"); // (local)
      const json = (): Record<string, unknown> => {
        if (!/^application\/(x-amz-)?json/.test(request.headers["content-type"] ?? "")) throw oidc.invalidRequest("Content-Type must be JSON"); // (local)
        try {
          const parsed: unknown = JSON.parse(bodyText);
          if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
          return parsed as Record<string, unknown>;
        } catch {
          throw oidc.invalidRequest("Request body is not a JSON object");
        }
      };
      let answer: Record<string, unknown> | undefined;
      switch (route.operation) {
        case "RegisterClient":
          answer = registerClient(json());
          break;
        case "StartDeviceAuthorization":
          answer = startDeviceAuthorization(json());
          break;
        case "CreateToken": {
          const body = json();
          call.grantType = typeof body.grantType === "string" ? body.grantType : undefined;
          answer = createToken(body);
          break;
        }
        case "Authorize":
          sendHtml(response, authorizePage(target.searchParams));
          return;
        case "AuthorizeDecision":
          {
            // Computed before writeHead: a refused request must still be able to answer with an error.
            const location = authorizeDecision(new URLSearchParams(bodyText));
            response.writeHead(302, { Location: location }).end();
          }
          return;
        case "DevicePage":
          sendHtml(response, devicePage(target.searchParams));
          return;
        case "DeviceDecision":
          sendHtml(response, deviceDecision(new URLSearchParams(bodyText)));
          return;
        default:
          answer = portalCall(route.operation, request, target.searchParams);
      }
      response.writeHead(200, { "Content-Type": "application/json", "x-amzn-RequestId": randomUUID() }).end(answer === undefined ? "" : JSON.stringify(answer));
    } catch (error) {
      const failure =
        error instanceof ServiceError
          ? error
          : new ServiceError(500, "InternalServerException", `local Identity Center failed: ${String(error)}`, "server_error");
      call.errorCode = failure.type;
      const body = failure.oauthError === undefined ? { message: failure.message } : { error: failure.oauthError, error_description: failure.message };
      response
        .writeHead(failure.status, { "Content-Type": "application/json", "x-amzn-ErrorType": failure.type, "x-amzn-RequestId": randomUUID() })
        .end(JSON.stringify(body));
    } finally {
      calls.push(call);
    }
  };

  const server = createServer((request, response) => {
    serve(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  url = `http://127.0.0.1:${port}/`;
  startUrl = `${url}start`;

  return {
    url,
    startUrl,
    region: "us-east-1",
    calls,
    approveDevice: (userCode) => {
      const device = deviceByUserCode(userCode);
      if (device === undefined) throw new Error(`no pending device authorization with user code ${userCode}`);
      device.state = "approved";
    },
    denyDevice: (userCode) => {
      const device = deviceByUserCode(userCode);
      if (device === undefined) throw new Error(`no pending device authorization with user code ${userCode}`);
      device.state = "denied";
    },
    pendingUserCodes: () => [...devices.values()].filter((device) => device.state === "pending").map((device) => device.userCode),
    expireAccessTokens: () => {
      for (const issued of accessTokens.values()) issued.expiresAt = Math.min(issued.expiresAt, now());
    },
    isAccessTokenValid: (accessToken) => {
      const found = accessTokens.get(accessToken);
      return found !== undefined && !found.revoked && found.expiresAt > now();
    },
    roleArnOf: reservedRoleArn,
    revokeAssignment: (accountId, roleName) => {
      const assignment = assignments.find((candidate) => candidate.accountId === accountId);
      if (assignment !== undefined) assignment.roles = assignment.roles.filter((role) => role !== roleName);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
