/**
 * A loopback container-credentials endpoint for `rolecred exec PROFILE --server -- CMD`: the child
 * gets a URL and a bearer token instead of keys, and its SDK asks this server whenever its
 * credentials near expiry. Each request is answered from the profile's session, which the caller's
 * `session()` refreshes through the cache (and the MFA session) when it is within its window, so a
 * three-hour `terraform apply` outlives a one-hour chained role.
 *
 * The protocol is the one the AWS SDKs and the AWS CLI speak to ECS's credentials endpoint
 * (AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN): GET the URL with the
 * token in the Authorization header, get back {AccessKeyId, SecretAccessKey, Token, Expiration}.
 * The SDKs accept plain HTTP for a full URI only on loopback, which is also the only address this
 * server binds to. The token is compared in constant time; a request without it learns nothing.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { TemporaryCredentials } from "../credentials/types.js";
import { messageOf } from "../errors.js";

export interface CredentialServer {
  /** http://127.0.0.1:PORT/credentials */
  readonly url: string;
  /** The bearer token the child must send: a secret, passed in the child's environment only. */
  readonly token: string;
  /** Requests refused for a missing or wrong token, for the caller's closing line. */
  readonly refused: () => number;
  close(): Promise<void>;
}

export interface CredentialServerOptions {
  /** The session to serve, refreshed by the caller when it must be (called once per request, shared while pending). */
  readonly session: () => Promise<TemporaryCredentials>;
  /** Told when a refresh fails (the child's request gets a 500 with the same one line). */
  readonly onError: (message: string) => void;
  /** Told of each authorised request as it starts waiting for the session: whether it shares a refresh already in progress. */
  readonly onRequest?: (sharesRefresh: boolean) => void;
}

const CREDENTIALS_PATH = "/credentials";

function sameToken(given: string | undefined, expected: Buffer): boolean {
  if (given === undefined) return false;
  const bytes = Buffer.from(given, "utf8");
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
}

function reply(response: ServerResponse, status: number, body: Record<string, string>): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  response.end(text);
}

export async function startCredentialServer(options: CredentialServerOptions): Promise<CredentialServer> {
  const token = randomBytes(32).toString("hex");
  const expected = Buffer.from(token, "utf8");
  let refused = 0;
  // Requests that arrive together (an SDK with several clients) share one refresh.
  let pending: Promise<TemporaryCredentials> | undefined;
  const current = (): Promise<TemporaryCredentials> => {
    pending ??= options.session().finally(() => {
      pending = undefined;
    });
    return pending;
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "").split("?")[0];
    if (!sameToken(request.headers.authorization, expected)) {
      refused += 1;
      reply(response, 401, { code: "Unauthorized", message: "missing or wrong authorization token" });
      return;
    }
    if (request.method !== "GET" || path !== CREDENTIALS_PATH) {
      reply(response, 404, { code: "NotFound", message: "GET /credentials is the only resource" });
      return;
    }
    try {
      options.onRequest?.(pending !== undefined);
      const credentials = await current();
      reply(response, 200, {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        Token: credentials.sessionToken,
        Expiration: credentials.expiration.toISOString(),
      });
    } catch (error) {
      const message = messageOf(error);
      options.onError(message);
      reply(response, 500, { code: "RefreshFailed", message });
    }
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
    url: `http://127.0.0.1:${port}${CREDENTIALS_PATH}`,
    token,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
