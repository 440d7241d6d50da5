/** Where the Identity Center endpoints are: the SDK's variables, in the SDK's order. */
import { describe, expect, it } from "vitest";
import { resolveSsoEndpoints } from "../../src/sso/endpoints.js";

describe("resolveSsoEndpoints", () => {
  it("reads the service-specific variables, then AWS_ENDPOINT_URL, as the SDK does", () => {
    expect(resolveSsoEndpoints("eu-west-1", {})).toMatchObject({
      oidcUrl: "https://oidc.eu-west-1.amazonaws.com",
      portalUrl: "https://portal.sso.eu-west-1.amazonaws.com",
      oidcOverride: false,
    });
    expect(resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL: "http://127.0.0.1:9/", AWS_ENDPOINT_URL_SSO_OIDC: "http://127.0.0.1:8/" })).toMatchObject({
      oidcUrl: "http://127.0.0.1:8",
      portalUrl: "http://127.0.0.1:9",
      oidcOverride: true,
      portalOverride: true,
    });
    expect(resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO: "http://127.0.0.1:9", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }).portalOverride).toBe(
      false,
    );
    expect(() => resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO: "nope" })).toThrow('invalid endpoint URL "nope" (from AWS_ENDPOINT_URL_SSO)');
  });
});
