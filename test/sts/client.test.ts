/**
 * src/sts/client.ts: the settings rolecred resolves itself and hands to the SDK client (so the
 * client never looks them up in the shared files), and one client per endpoint and credentials.
 */
import { describe, expect, it } from "vitest";
import { RolecredError } from "../../src/errors.js";
import { createStsClient, describeEndpoint, resolveStsEndpoint, StsClientPool } from "../../src/sts/client.js";

const KEYS = { accessKeyId: "AKIAEXAMPLE", secretAccessKey: "secret" };

describe(resolveStsEndpoint.name, () => {
  it("reads FIPS, dual-stack, the app id and clock-skew correction from the environment, as the SDKs do", () => {
    expect(
      resolveStsEndpoint(
        {},
        {
          AWS_REGION: "us-east-1",
          AWS_USE_FIPS_ENDPOINT: "TRUE",
          AWS_USE_DUALSTACK_ENDPOINT: "false",
          AWS_SDK_UA_APP_ID: "ci-42",
          AWS_DISABLE_CLOCK_SKEW_CORRECTION: "true",
        },
      ),
    ).toEqual({
      region: "us-east-1",
      url: undefined,
      timeoutMs: 10_000,
      useFipsEndpoint: true,
      useDualstackEndpoint: false,
      disableClockSkewCorrection: true,
      userAgentAppId: "ci-42",
    });
  });

  it("refuses a boolean variable that is neither true nor false (exit 2), where the SDK would fail later", () => {
    let refused: unknown;
    try {
      resolveStsEndpoint({}, { AWS_REGION: "us-east-1", AWS_USE_FIPS_ENDPOINT: "yes" });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(RolecredError);
    expect(refused).toMatchObject({ message: 'invalid AWS_USE_FIPS_ENDPOINT "yes": expected true or false', exitCode: 2 });
  });
});

describe(describeEndpoint.name, () => {
  it.each([
    [{}, "https://sts.eu-west-1.amazonaws.com"],
    [{ useFipsEndpoint: true }, "https://sts-fips.eu-west-1.amazonaws.com"],
    [{ useDualstackEndpoint: true }, "https://sts.eu-west-1.api.aws"],
    [{ useFipsEndpoint: true, useDualstackEndpoint: true }, "https://sts-fips.eu-west-1.api.aws"],
    [{ url: "http://127.0.0.1:4566" }, "http://127.0.0.1:4566"],
  ])("%j → %s", (settings, expected) => {
    expect(describeEndpoint({ region: "eu-west-1", url: undefined, timeoutMs: 1000, ...settings })).toBe(expected);
  });
});

describe(createStsClient.name, () => {
  it("gives the client rolecred's settings, not the SDK's loaders", async () => {
    const client = await createStsClient({ region: "eu-west-1", url: undefined, timeoutMs: 1000, useFipsEndpoint: true, userAgentAppId: "ci-42" }, KEYS);
    expect(await client.config.region()).toBe("eu-west-1");
    expect(await client.config.useFipsEndpoint()).toBe(true);
    expect(await client.config.useDualstackEndpoint()).toBe(false);
    expect(await client.config.userAgentAppId()).toBe("ci-42");
    expect(await client.config.maxAttempts()).toBe(2);
    expect(client.config.ignoreConfiguredEndpointUrls).toBe(true);
  });
});

describe(StsClientPool.name, () => {
  it("keeps one client per endpoint and credentials for the run", async () => {
    const pool = new StsClientPool();
    const endpoint = { region: "eu-west-1", url: "http://127.0.0.1:1", timeoutMs: 1000 };
    const first = await pool.client(endpoint, KEYS);
    expect(await pool.client({ ...endpoint }, { ...KEYS })).toBe(first);
    expect(await pool.client(endpoint, { ...KEYS, sessionToken: "token" })).not.toBe(first);
    expect(await pool.client({ ...endpoint, region: "us-east-1" }, KEYS)).not.toBe(first);
    expect(await pool.client(endpoint, undefined)).not.toBe(first);
  });
});
