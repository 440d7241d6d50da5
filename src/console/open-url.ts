/**
 * Opening a sign-in URL in the user's browser without putting its secret in a process's argv.
 *
 * A console login URL carries a sign-in token that is as good as the session for 15 minutes, and
 * every local user can read another process's command line (`ps`). So the browser is given a
 * one-time loopback address instead (http://127.0.0.1:PORT/RANDOM): the first request to it is
 * redirected to the real URL and the listener closes. Only the browser ever sees the token.
 *
 * Which program opens it is src/browser.ts's rule, the same as `sso login`'s.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ExitCode, RolecredError } from "../errors.js";

export interface HandOff {
  /** The one-time loopback URL to give the browser. */
  readonly url: string;
  /** Resolves when the browser has fetched it (and been redirected); rejects on timeout. */
  readonly delivered: Promise<void>;
  close(): void;
}

/** Serve one redirect to `target` from a random loopback path, then close. */
export async function oneTimeRedirect(target: string, timeoutMs: number): Promise<HandOff> {
  const path = `/${randomBytes(16).toString("hex")}`;
  let settle: { resolve: () => void; reject: (error: Error) => void } | undefined;
  const delivered = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url !== path) {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    response.writeHead(302, { location: target, "cache-control": "no-store", "referrer-policy": "no-referrer" }).end();
    server.close();
    settle?.resolve();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const timer = setTimeout(() => {
    server.close();
    server.closeAllConnections();
    settle?.reject(
      new RolecredError(`the browser did not open the sign-in link within ${Math.round(timeoutMs / 1000)} s`, {
        exitCode: ExitCode.failure,
        hint: "run again with --print and open the URL yourself",
      }),
    );
  }, timeoutMs);
  timer.unref();
  void delivered.finally(() => clearTimeout(timer)).catch(() => undefined);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    delivered,
    close: () => {
      clearTimeout(timer);
      server.close();
      server.closeAllConnections();
    },
  };
}
