/** The AWS CLI's token cache: its place, name and JSON shape, written privately and atomically. */
import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { decodeSsoToken, readSsoToken, tokenCachePath, writeSsoToken } from "../../src/sso/token-cache.js";

describe("the SSO token cache", () => {
  it("lives at ~/.aws/sso/cache/<sha1 of the session name or start URL>.json", () => {
    expect(tokenCachePath({ HOME: "/home/jo" }, "corp")).toBe(`/home/jo/.aws/sso/cache/${createHash("sha1").update("corp").digest("hex")}.json`);
    // The AWS CLI's documented example: the start URL of a legacy profile.
    expect(tokenCachePath({ HOME: "/h" }, "https://my-sso-portal.awsapps.com/start")).toMatch(/\/h\/\.aws\/sso\/cache\/[0-9a-f]{40}\.json$/);
  });

  it("writes the CLI's fields and time format, 0600 in a 0700 folder, leaving no temporary file", async () => {
    const home = await mkdtemp(join(tmpdir(), "rolecred-sso-"));
    const path = tokenCachePath({ HOME: home }, "corp");
    const token = {
      startUrl: "https://d-1.awsapps.com/start",
      region: "us-east-1",
      accessToken: "aoa-token",
      expiresAt: new Date("2026-01-01T08:00:00.123Z"),
      refreshToken: "aor-refresh",
      clientId: "cid",
      clientSecret: "csec",
      registrationExpiresAt: new Date("2026-03-01T00:00:00Z"),
    };
    await writeSsoToken(path, token);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      startUrl: "https://d-1.awsapps.com/start",
      region: "us-east-1",
      accessToken: "aoa-token",
      expiresAt: "2026-01-01T08:00:00Z",
      clientId: "cid",
      clientSecret: "csec",
      registrationExpiresAt: "2026-03-01T00:00:00Z",
      refreshToken: "aor-refresh",
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".aws", "sso"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(home, ".aws", "sso", "cache"))).toHaveLength(1);
    expect(readSsoToken(path)?.expiresAt.toISOString()).toBe("2026-01-01T08:00:00.000Z");
  });

  it("reads what `aws sso login` writes, and ignores what is not a token", () => {
    const cli = decodeSsoToken('{"startUrl": "https://x.awsapps.com/start", "region": "us-east-1", "accessToken": "a", "expiresAt": "2026-01-01T00:00:00UTC"}');
    expect(cli?.expiresAt.toISOString()).toBe("2026-01-01T00:00:00.000Z"); // older AWS CLI releases' "UTC" suffix
    expect(
      decodeSsoToken('{"startUrl": "https://x.awsapps.com/start", "region": "us-east-1", "accessToken": "a", "expiresAt": "2026-01-01T00:00:00Z"}')
        ?.refreshToken,
    ).toBeUndefined();
    expect(decodeSsoToken('{"clientId": "x", "clientSecret": "y", "expiresAt": "2026-01-01T00:00:00Z"}')).toBeUndefined();
    expect(decodeSsoToken("not json")).toBeUndefined();
  });
});
