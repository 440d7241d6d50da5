/**
 * A strict local stand-in for the AWS federation endpoint (signin.aws.amazon.com/federation),
 * beside the local STS, for `rolecred console`:
 *
 * - `Action=getSigninToken`: the `Session` JSON must hold credentials the local STS issued and that
 *   are unexpired (secret key and token checked exactly). GetSessionToken sessions are refused, as
 *   the IAM User Guide says the console takes only AssumeRole* and GetFederationToken sessions.
 *   `SessionDuration` must be 900-43200, at most 3600 for a role reached by role chaining, and is
 *   refused for a federated user (whose console lasts as long as its token: rolecred never sends
 *   it; the refusal is this endpoint's strictness, marked "(local)").
 * - `Action=login`: a SigninToken is good once, for 15 minutes; the Destination must be a console
 *   URL. The answer is a small "console" page naming the account, the role (or federated user) and
 *   the session, which a real browser in the tests renders.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { LocalSts, LocalStsSession } from "./sts-server.js";

export interface LocalFederation {
  /** http://127.0.0.1:PORT/federation */
  readonly url: string;
  /** Every getSigninToken and login request, with what was answered (no secrets). */
  readonly requests: Array<{ action: string; status: number; sessionDuration?: string }>;
  close(): Promise<void>;
}

interface IssuedToken {
  readonly session: LocalStsSession;
  readonly issuedAt: number;
  readonly consoleSeconds: number | undefined;
  used: boolean;
}

const TOKEN_LIFETIME_MS = 15 * 60 * 1000;
const CONSOLE_HOSTS = ["console.aws.amazon.com", "console.amazonaws.cn", "console.amazonaws-us-gov.com"];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  response.end(body);
}

function isConsoleUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "https:" && CONSOLE_HOSTS.some((host) => url.hostname === host || url.hostname.endsWith(`.${host}`));
  } catch {
    return false;
  }
}

function parseSession(text: string | null): { sessionId: string; sessionKey: string; sessionToken: string } | undefined {
  if (text === null) return undefined;
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    const { sessionId, sessionKey, sessionToken } = value;
    if (typeof sessionId === "string" && typeof sessionKey === "string" && typeof sessionToken === "string") return { sessionId, sessionKey, sessionToken };
  } catch {
    // fall through
  }
  return undefined;
}

export async function startLocalFederation(sts: LocalSts, now: () => Date = () => new Date()): Promise<LocalFederation> {
  const tokens = new Map<string, IssuedToken>();
  const requests: LocalFederation["requests"] = [];

  const getSigninToken = (params: URLSearchParams): [number, string] => {
    const given = parseSession(params.get("Session"));
    if (given === undefined) return [400, "Invalid Session parameter"];
    const session = sts.checkCredentials(given.sessionId, given.sessionKey, given.sessionToken);
    if (session === undefined) return [400, "The session credentials are not valid or have expired"];
    if (session.kind === "session-token") return [400, "Credentials from GetSessionToken cannot be used to sign in to the console"];
    const durationText = params.get("SessionDuration");
    let consoleSeconds: number | undefined;
    if (durationText !== null) {
      if (session.kind === "federated-user") return [400, "SessionDuration is not valid for federated-user sessions (local)"];
      consoleSeconds = /^\d+$/.test(durationText) ? Number(durationText) : Number.NaN;
      if (!(consoleSeconds >= 900 && consoleSeconds <= 43_200)) return [400, "SessionDuration must be between 900 and 43200 seconds"];
      if (session.chained && consoleSeconds > 3600) return [400, "SessionDuration cannot exceed 3600 seconds for a role assumed by role chaining"];
    }
    const token = randomBytes(48).toString("base64url");
    tokens.set(token, { session, issuedAt: now().getTime(), consoleSeconds, used: false });
    return [200, JSON.stringify({ SigninToken: token })];
  };

  const login = (params: URLSearchParams): [number, string] => {
    const token = params.get("SigninToken") ?? "";
    const issued = tokens.get(token);
    if (issued === undefined || issued.used || now().getTime() - issued.issuedAt > TOKEN_LIFETIME_MS)
      return [400, "<html><body><h1>Sign-in token is invalid, used or expired</h1></body></html>"];
    const destination = params.get("Destination") ?? "";
    if (!isConsoleUrl(destination)) return [400, "<html><body><h1>Destination is not a console URL</h1></body></html>"];
    issued.used = true;
    const { session } = issued;
    const who = session.roleArn === undefined ? session.arn : session.roleArn.slice(session.roleArn.lastIndexOf("/") + 1);
    const page = [
      "<!doctype html><html><head><title>AWS console (local)</title></head><body>",
      `<p>Signed in as <span id="who">${escapeHtml(who)}</span> in account <span id="account">${escapeHtml(session.account)}</span></p>`,
      `<p>Session <span id="arn">${escapeHtml(session.arn)}</span></p>`,
      `<p>Issuer <span id="issuer">${escapeHtml(params.get("Issuer") ?? "")}</span></p>`,
      `<p>Console session <span id="duration">${issued.consoleSeconds ?? "default"}</span></p>`,
      `<p>Destination <span id="destination">${escapeHtml(destination)}</span></p>`,
      "</body></html>",
    ].join("\n");
    return [200, page];
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/federation" || request.method !== "GET") {
      send(response, 404, "text/plain", "not found\n");
      return;
    }
    const action = url.searchParams.get("Action") ?? "";
    const [status, body] =
      action === "getSigninToken" ? getSigninToken(url.searchParams) : action === "login" ? login(url.searchParams) : [400, "Unknown Action"];
    requests.push({ action, status, ...(url.searchParams.has("SessionDuration") ? { sessionDuration: url.searchParams.get("SessionDuration") ?? "" } : {}) });
    send(response, status, action === "getSigninToken" && status === 200 ? "application/json" : "text/html", body);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/federation`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
