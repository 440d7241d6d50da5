import { describe, expect, it } from "vitest";
import { startCredentialServer } from "../../src/exec/credential-server.js";
import { RolecredError } from "../../src/errors.js";
import type { TemporaryCredentials } from "../../src/credentials/types.js";

const session: TemporaryCredentials = {
  accessKeyId: "ASIATEST",
  secretAccessKey: "secret",
  sessionToken: "token",
  expiration: new Date("2030-01-01T00:00:00Z"),
};

describe(startCredentialServer.name, () => {
  it("answers the container-credentials shape to the token holder only, on loopback", async () => {
    let calls = 0;
    const server = await startCredentialServer({ session: async () => (calls++, session), onError: () => undefined });
    try {
      expect(new URL(server.url).hostname).toBe("127.0.0.1");
      const ok = await fetch(server.url, { headers: { authorization: server.token } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ AccessKeyId: "ASIATEST", SecretAccessKey: "secret", Token: "token", Expiration: "2030-01-01T00:00:00.000Z" });
      const refusals = await Promise.all([
        fetch(server.url),
        fetch(server.url, { headers: { authorization: `${server.token}x` } }),
        fetch(server.url, { headers: { authorization: server.token.toUpperCase() } }),
      ]);
      expect(refusals.map((response) => response.status)).toEqual([401, 401, 401]);
      expect(server.refused()).toBe(3);
      expect((await fetch(server.url, { method: "POST", headers: { authorization: server.token } })).status).toBe(404);
      expect((await fetch(new URL("/other", server.url), { headers: { authorization: server.token } })).status).toBe(404);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("shares one refresh between requests that arrive together", async () => {
    let calls = 0;
    const shared: boolean[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The refresh is held until all five requests are inside the server: no timing involved.
    const onRequest = (sharesRefresh: boolean): void => {
      shared.push(sharesRefresh);
      if (shared.length === 5) release();
    };
    const server = await startCredentialServer({ session: async () => (calls++, await gate, session), onError: () => undefined, onRequest });
    try {
      const requests = Array.from({ length: 5 }, () => fetch(server.url, { headers: { authorization: server.token } }));
      expect((await Promise.all(requests)).map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
      expect(shared).toEqual([false, true, true, true, true]);
      expect(calls).toBe(1);
    } finally {
      await server.close();
    }
  });

  it("answers 500 with the one-line reason when the refresh fails, and tells the caller", async () => {
    const errors: string[] = [];
    const server = await startCredentialServer({
      session: async () => {
        throw new RolecredError("MFA code refused");
      },
      onError: (message) => errors.push(message),
    });
    try {
      const response = await fetch(server.url, { headers: { authorization: server.token } });
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ code: "RefreshFailed", message: "MFA code refused" });
      expect(errors).toEqual(["MFA code refused"]);
    } finally {
      await server.close();
    }
  });
});
