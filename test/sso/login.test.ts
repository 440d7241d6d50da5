/**
 * The device-code poll against the local Identity Center, on a clock the test moves: it waits the
 * interval, keeps waiting on authorization_pending, polls 5 s slower after slow_down, and stops on
 * expired_token, each with what the person sees.
 */
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Deps } from "../../src/deps.js";
import { createLogger, SecretRegistry } from "../../src/log.js";
import { resolveSsoEndpoints } from "../../src/sso/endpoints.js";
import { signInWithDeviceCode } from "../../src/sso/login.js";
import type { SsoSession } from "../../src/sso/config.js";
import { startIdentityCenterFixture, type IdentityCenterFixture } from "../support/identity-center-fixture.js";
import { NO_STS } from "../support/fake-sts.js";

let fixture: IdentityCenterFixture;
let clock = Date.now();

beforeAll(async () => {
  fixture = await startIdentityCenterFixture({ now: () => new Date(clock) });
});
afterAll(async () => {
  await fixture.close();
});

function deps(): { deps: Deps; stderr: () => string } {
  let err = "";
  const stderr = { write: (text: string) => (err += text) };
  const secrets = new SecretRegistry();
  return {
    deps: {
      env: {},
      stdin: Readable.from([]),
      stdout: { write: () => true },
      stderr,
      openTerminal: () => undefined,
      now: () => new Date(clock),
      secrets,
      log: createLogger(stderr, secrets, true),
      sts: NO_STS,
    },
    stderr: () => err,
  };
}

const session = (): SsoSession => ({
  name: "corp",
  startUrl: fixture.center.startUrl,
  region: "us-east-1",
  scopes: ["sso:account:access"],
  cacheId: "corp",
  label: 'sso-session "corp"',
});

describe("signInWithDeviceCode", () => {
  it("waits while pending, slows down by 5 s when told to, and returns the token once confirmed", async () => {
    const recorded = deps();
    const sleeps: number[] = [];
    const opened: string[] = [];
    const token = await signInWithDeviceCode(session(), {
      deps: recorded.deps,
      endpoints: resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO_OIDC: fixture.center.url }),
      open: async (url) => {
        opened.push(url);
        return true;
      },
      sleep: async (ms) => {
        sleeps.push(ms);
        // The second wait comes back early (a suspended laptop's timer, say): the service says slow_down.
        clock += sleeps.length === 2 ? ms / 2 : ms;
        if (sleeps.length === 3) fixture.center.approveDevice(fixture.center.pendingUserCodes()[0] ?? "");
      },
    });
    expect(sleeps).toEqual([1000, 1000, 6000]);
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatch(/device\?user_code=[A-Z]{4}-[A-Z]{4}$/);
    expect(token).toMatchObject({ startUrl: fixture.center.startUrl, region: "us-east-1" });
    expect(fixture.center.isAccessTokenValid(token.accessToken)).toBe(true);
    expect(token.refreshToken).toBeDefined();
    expect(recorded.stderr()).toContain("poll more slowly: every 6s");
    expect(recorded.stderr()).not.toContain(token.accessToken);
  });

  it("stops with exit 4 when the code expires unconfirmed", async () => {
    const recorded = deps();
    const failure = signInWithDeviceCode(session(), {
      deps: recorded.deps,
      endpoints: resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO_OIDC: fixture.center.url }),
      open: async () => false,
      sleep: async () => {
        clock += 601_000;
      },
    });
    await expect(failure).rejects.toMatchObject({
      exitCode: 4,
      message: expect.stringMatching(/^the sign-in code [A-Z]{4}-[A-Z]{4} expired before it was confirmed$/),
    });
  });
});
