/**
 * Signing in to IAM Identity Center, the two ways the AWS CLI does:
 *
 * - authorization code with PKCE (RFC 7636) on a loopback redirect (RFC 8252 §7.3): rolecred
 *   listens on 127.0.0.1 on a free port, the browser signs in and is redirected back there with a
 *   code, which only this process (holding the verifier) can exchange;
 * - the device code (RFC 8628): the person opens a URL anywhere and confirms a short code; rolecred
 *   polls CreateToken, waiting while it hears authorization_pending and slowing down on slow_down.
 *
 * Codes, verifiers, client secrets and tokens go into deps.secrets the moment they exist.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import type { SsoSession } from "./config.js";
import type { SsoEndpoints } from "./endpoints.js";
import type { ClientRegistration, IssuedToken } from "./calls.js";
import type { SsoToken } from "./token-cache.js";

const DEVICE_CODE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";

/** How long rolecred waits for the browser to come back (the device flow has its own expiry). */
const CALLBACK_WAIT_MS = 10 * 60 * 1000;

export interface SignInContext {
  readonly deps: Deps;
  readonly endpoints: SsoEndpoints;
  /** Shows the URL to open; opens it too unless --no-browser (returns whether a browser started). */
  readonly open: (url: string) => Promise<boolean>;
  readonly sleep: (ms: number) => Promise<void>;
}

function tokenFrom(session: SsoSession, client: ClientRegistration, issued: IssuedToken, deps: Deps): SsoToken {
  deps.secrets.add(issued.accessToken);
  deps.secrets.add(issued.refreshToken);
  return {
    startUrl: session.startUrl,
    region: session.region,
    accessToken: issued.accessToken,
    expiresAt: new Date(deps.now().getTime() + issued.expiresInSeconds * 1000),
    refreshToken: issued.refreshToken,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    registrationExpiresAt: client.expiresAt,
  };
}

function denied(message: string): RolecredError {
  return new RolecredError(message, { exitCode: ExitCode.denied, hint: "run `rolecred sso login` again" });
}

// ----- device code -----------------------------------------------------------------------------

export async function signInWithDeviceCode(session: SsoSession, context: SignInContext): Promise<SsoToken> {
  const { deps, endpoints } = context;
  const { registerClient, startDeviceAuthorization, createToken } = await import("./calls.js");
  const client = await registerClient(endpoints, { scopes: session.scopes, grantTypes: [DEVICE_CODE_GRANT, "refresh_token"] });
  deps.secrets.add(client.clientSecret);
  const device = await startDeviceAuthorization(endpoints, client, session.startUrl);
  deps.secrets.add(device.deviceCode);
  deps.log.info(`Sign in to IAM Identity Center (${session.startUrl}): open ${device.verificationUri} and confirm the code ${device.userCode}`);
  deps.log.info(`  ${device.verificationUriComplete}`);
  await context.open(device.verificationUriComplete);
  const deadline = deps.now().getTime() + device.expiresInSeconds * 1000;
  let intervalMs = Math.max(1, device.intervalSeconds) * 1000;
  for (;;) {
    await context.sleep(intervalMs);
    const answer = await createToken(endpoints, client, { grantType: DEVICE_CODE_GRANT, deviceCode: device.deviceCode });
    if ("token" in answer) return tokenFrom(session, client, answer.token, deps);
    switch (answer.refused) {
      case "authorization_pending":
        if (deps.now().getTime() >= deadline) throw denied(`the sign-in code ${device.userCode} expired before it was confirmed`);
        continue;
      case "slow_down":
        intervalMs += 5000; // RFC 8628 §3.5
        deps.log.verbose(`IAM Identity Center asked to poll more slowly: every ${intervalMs / 1000}s`);
        continue;
      case "expired_token":
        throw denied(`the sign-in code ${device.userCode} expired before it was confirmed`);
      case "access_denied":
        throw denied("the sign-in was denied in the browser");
      default:
        throw denied(`IAM Identity Center refused the device code: ${answer.detail}`);
    }
  }
}

// ----- authorization code with PKCE ------------------------------------------------------------

/** RFC 7636 §4.1–4.2: a 43-character verifier and its S256 challenge. */
function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

const PAGE = (title: string, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;

interface Callback {
  readonly redirectUri: string;
  readonly result: Promise<{ code: string } | { error: string }>;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (a free port) for the one redirect that carries our `state`. */
async function listenForCallback(state: string): Promise<Callback> {
  let settle: (value: { code: string } | { error: string }) => void = () => undefined;
  const result = new Promise<{ code: string } | { error: string }>((resolve) => {
    settle = resolve;
  });
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (request.method !== "GET" || url.pathname !== "/oauth/callback") {
      response.writeHead(404, { "Content-Type": "text/plain" }).end("not found\n");
      return;
    }
    // Another tab or page cannot finish (or abort) this sign-in without the state we made up.
    if (url.searchParams.get("state") !== state) {
      response
        .writeHead(400, { "Content-Type": "text/html; charset=utf-8" })
        .end(PAGE("Sign-in not recognised", "This answer is not for the sign-in rolecred is waiting for."));
      return;
    }
    const code = url.searchParams.get("code");
    const error = url.searchParams.get("error");
    response
      .writeHead(200, { "Content-Type": "text/html; charset=utf-8", Connection: "close" })
      .end(
        code !== null
          ? PAGE("Signed in", "rolecred has your sign-in. You can close this window and return to the terminal.")
          : PAGE("Sign-in not completed", "rolecred was told the sign-in did not complete. Return to the terminal."),
      );
    settle(code !== null ? { code } : { error: error ?? "no code" });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    redirectUri: `http://127.0.0.1:${port}/oauth/callback`,
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function signInWithAuthorizationCode(session: SsoSession, context: SignInContext): Promise<SsoToken> {
  const { deps, endpoints } = context;
  const { registerClient, createToken } = await import("./calls.js");
  const state = randomUUID();
  const { verifier, challenge } = pkcePair();
  deps.secrets.add(verifier);
  const callback = await listenForCallback(state);
  let timer: NodeJS.Timeout | undefined;
  try {
    const client = await registerClient(endpoints, {
      scopes: session.scopes,
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: [callback.redirectUri],
      issuerUrl: session.startUrl,
    });
    deps.secrets.add(client.clientSecret);
    const query = new URLSearchParams({
      response_type: "code",
      client_id: client.clientId,
      redirect_uri: callback.redirectUri,
      state,
      code_challenge_method: "S256",
      code_challenge: challenge,
    });
    if (session.scopes.length > 0) query.set("scopes", session.scopes.join(" "));
    const authorizeUrl = `${endpoints.oidcUrl}/authorize?${query.toString()}`;
    deps.log.info(`Sign in to IAM Identity Center (${session.startUrl}) in your browser. If it does not open, open this URL on this computer:`);
    deps.log.info(`  ${authorizeUrl}`);
    await context.open(authorizeUrl);
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(denied(`no answer from the browser within ${CALLBACK_WAIT_MS / 60_000} minutes`)), CALLBACK_WAIT_MS);
    });
    const answer = await Promise.race([callback.result, timeout]);
    if ("error" in answer) throw denied(`the sign-in was not completed in the browser (${answer.error})`);
    deps.secrets.add(answer.code);
    const issued = await createToken(endpoints, client, {
      grantType: "authorization_code",
      code: answer.code,
      redirectUri: callback.redirectUri,
      codeVerifier: verifier,
    });
    if ("refused" in issued) throw denied(`IAM Identity Center refused the authorization code (${issued.refused}): ${issued.detail}`);
    return tokenFrom(session, client, issued.token, deps);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    await callback.close();
  }
}
