import { describe, expect, it } from "vitest";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { consoleDestination, federationEndpoint, fetchSigninToken, loginUrl, partitionOfRegion, sessionParameter } from "../../src/console/sign-in.js";

describe(partitionOfRegion.name, () => {
  it.each([
    ["us-east-1", "aws"],
    ["eu-west-1", "aws"],
    ["cn-north-1", "aws-cn"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOfRegion(region)).toBe(partition);
  });
});

describe(federationEndpoint.name, () => {
  it("is the partition's sign-in endpoint unless overridden, and refuses plain HTTP off loopback", () => {
    expect(federationEndpoint(undefined, {}, "aws").toString()).toBe("https://signin.aws.amazon.com/federation");
    expect(federationEndpoint(undefined, {}, "aws-us-gov").toString()).toBe("https://signin.amazonaws-us-gov.com/federation");
    expect(federationEndpoint(undefined, { ROLECRED_FEDERATION_URL: "http://127.0.0.1:9/federation" }, "aws").toString()).toBe("http://127.0.0.1:9/federation");
    expect(federationEndpoint("https://proxy.example/federation", { ROLECRED_FEDERATION_URL: "http://127.0.0.1:9/" }, "aws").host).toBe("proxy.example");
    expect(() => federationEndpoint("http://proxy.example/federation", {}, "aws")).toThrow("the federation URL must be https (http only on loopback)");
    expect(() => federationEndpoint("not a url", {}, "aws")).toThrow('the federation URL "not a url" is not a URL');
  });
});

describe(consoleDestination.name, () => {
  it.each([
    [undefined, "https://console.aws.amazon.com/console/home?region=eu-west-1"],
    ["s3", "https://console.aws.amazon.com/s3/home?region=eu-west-1"],
    ["/ec2/home#Instances", "https://console.aws.amazon.com/ec2/home#Instances"],
    ["/iam/home", "https://console.aws.amazon.com/iam/home?region=eu-west-1"],
    ["https://eu-west-1.console.aws.amazon.com/lambda/home", "https://eu-west-1.console.aws.amazon.com/lambda/home"],
  ])("--service %s → %s", (service, url) => {
    expect(consoleDestination(service, "eu-west-1", "aws")).toBe(url);
  });

  it.each(["https://example.com/", "//evil.example/x", "https://console.aws.amazon.com.evil.example/", "http://console.aws.amazon.com/", "S3 bucket"])(
    "refuses %s",
    (service) => {
      expect(() => consoleDestination(service, "eu-west-1", "aws")).toThrow("is neither a service name");
    },
  );

  it("uses the partition's console host", () => {
    expect(consoleDestination("s3", "cn-north-1", "aws-cn")).toBe("https://console.amazonaws.cn/s3/home?region=cn-north-1");
  });
});

describe(loginUrl.name, () => {
  it("carries the token and an encoded destination; the session JSON uses the endpoint's names", () => {
    const url = new URL(
      loginUrl(new URL("https://signin.aws.amazon.com/federation"), "TOKEN", "https://console.aws.amazon.com/s3/home?region=x&y=1", "rolecred"),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      Action: "login",
      Issuer: "rolecred",
      Destination: "https://console.aws.amazon.com/s3/home?region=x&y=1",
      SigninToken: "TOKEN",
    });
    expect(JSON.parse(sessionParameter({ accessKeyId: "A", secretAccessKey: "S", sessionToken: "T", expiration: new Date(0) }))).toEqual({
      sessionId: "A",
      sessionKey: "S",
      sessionToken: "T",
    });
  });
});

describe(fetchSigninToken.name, () => {
  const credentials = { accessKeyId: "ASIAEXAMPLE", secretAccessKey: "secret", sessionToken: "token", expiration: new Date(Date.now() + 3_600_000) };

  /** A federation endpoint that streams "A"s until the client hangs up. */
  async function endlessEndpoint(): Promise<{ url: URL; close: () => Promise<void> }> {
    const server = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(64 * 1024, "A");
      const pump = (): void => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once("drain", pump);
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    return {
      url: new URL(`http://127.0.0.1:${port}/federation`),
      close: () =>
        new Promise((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  }

  it("refuses a hostile endpoint's endless body in one line instead of reading it into memory", async () => {
    const endpoint = await endlessEndpoint();
    try {
      const attempt = fetchSigninToken({ endpoint: endpoint.url, credentials, sessionDurationSeconds: undefined, timeoutMs: 15_000 });
      await expect(attempt).rejects.toThrow(/^the federation endpoint http:\/\/127\.0\.0\.1:\d+\/federation answered more than 64 KiB$/);
    } finally {
      await endpoint.close();
    }
  });
});
