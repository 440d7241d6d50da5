/** Which program opens a sign-in URL: BROWSER first, else the platform's opener; never a shell. */
import { describe, expect, it } from "vitest";
import { browserCommand } from "../../src/sso/browser.js";
import { resolveSsoEndpoints } from "../../src/sso/endpoints.js";

const URL_WITH_SHELL = "http://127.0.0.1:1/authorize?a=1&b=$(touch /tmp/x);c";

describe("browserCommand", () => {
  it("runs $BROWSER with the URL as its one argument, whatever the URL holds", () => {
    expect(browserCommand(URL_WITH_SHELL, { BROWSER: "/usr/bin/firefox" }, "linux")).toEqual({ file: "/usr/bin/firefox", args: [URL_WITH_SHELL] });
    expect(browserCommand("u", { BROWSER: "w3m:lynx" }, "linux")).toEqual({ file: "w3m", args: ["u"] });
  });

  it("uses the platform's opener, and finds no browser on Linux without a graphical session", () => {
    expect(browserCommand("u", {}, "darwin")).toEqual({ file: "open", args: ["u"] });
    expect(browserCommand("u", {}, "win32")).toEqual({ file: "rundll32", args: ["url.dll,FileProtocolHandler", "u"] });
    expect(browserCommand("u", { DISPLAY: ":0" }, "linux")).toEqual({ file: "xdg-open", args: ["u"] });
    expect(browserCommand("u", { WAYLAND_DISPLAY: "wayland-0" }, "linux")?.file).toBe("xdg-open");
    expect(browserCommand("u", {}, "linux")).toBeUndefined();
  });
});

describe("resolveSsoEndpoints", () => {
  it("reads the service-specific variables, then AWS_ENDPOINT_URL, as the SDK does", () => {
    expect(resolveSsoEndpoints("eu-west-1", {})).toMatchObject({ oidcUrl: "https://oidc.eu-west-1.amazonaws.com", portalUrl: "https://portal.sso.eu-west-1.amazonaws.com", oidcOverride: false });
    expect(resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL: "http://127.0.0.1:9/", AWS_ENDPOINT_URL_SSO_OIDC: "http://127.0.0.1:8/" })).toMatchObject({ oidcUrl: "http://127.0.0.1:8", portalUrl: "http://127.0.0.1:9", oidcOverride: true, portalOverride: true });
    expect(resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO: "http://127.0.0.1:9", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }).portalOverride).toBe(false);
    expect(() => resolveSsoEndpoints("us-east-1", { AWS_ENDPOINT_URL_SSO: "nope" })).toThrow('invalid endpoint URL "nope" (from AWS_ENDPOINT_URL_SSO)');
  });
});
