/**
 * `rolecred status` is answered by the bundled fast path (src/cli/fast-status.ts): it must print
 * what the full command line prints for the same HOME (stdout, stderr, exit code), every kind of
 * row and a credentials file the writer would refuse included, and leave anything else to it.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli, type CliResult } from "../support/run-cli.js";
import { writeCachedSession } from "../../src/store/session-cache.js";
import { tokenCachePath, writeSsoToken } from "../../src/sso/token-cache.js";

let env: Record<string, string>;
const FAR = new Date("2099-01-01T00:00:00Z");
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

beforeAll(async () => {
  const home = await makeTempHome();
  const cache = join(home, "cache");
  env = cliEnv(home, { ROLECRED_CACHE_DIR: cache });
  const credentials = (name: string) => ({ accessKeyId: `ASIA${name.toUpperCase()}`, secretAccessKey: SECRET, sessionToken: `token-${name}`, expiration: FAR });
  await writeCachedSession(cache, "k-dev", {
    kind: "assume-role",
    profile: "dev",
    roleArn: "arn:aws:iam::111111111111:role/Dev",
    tags: { team: "a\u001b[31m" },
    policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/X"],
    policy: '{"Version":"2012-10-17"}',
    packedPolicySize: 12,
    sourceIdentity: "jo",
    clockOffsetMs: 7_200_000,
    credentials: credentials("dev"),
  });
  await writeCachedSession(cache, "k-jo", { kind: "session-token", profile: "jo", credentials: credentials("jo") });
  await writeCachedSession(cache, "k-sso", { kind: "identity-center", profile: "sso-dev", credentials: credentials("sso") });
  await writeCachedSession(cache, "k-old", {
    kind: "assume-role",
    profile: "old",
    roleArn: "not an arn",
    credentials: { ...credentials("old"), expiration: new Date("2001-01-01T00:00:00Z") },
  });
  await mkdir(join(home, ".aws"), { recursive: true });
  await writeFile(join(home, ".aws", "config"), "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
  await writeSsoToken(tokenCachePath(env, "corp"), {
    startUrl: "https://corp.awsapps.com/start",
    region: "eu-west-1",
    accessToken: "sso-access-token-secret",
    expiresAt: FAR,
    refreshToken: "sso-refresh-token-secret",
  });
  await writeFile(
    join(home, ".aws", "credentials"),
    [
      "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n",
      "[dev]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\nx_security_token_expires = 2099-01-01T00:00:00Z\nx_rolecred_managed = true\nx_rolecred_role_arn = arn:aws:iam::111111111111:role/Dev\n",
      "[dev]\nx_rolecred_source_identity = jo\n",
    ].join("\n"),
  );
});

/** What a person sees, without the seconds left, which tick between runs. */
function seen(result: CliResult) {
  return { stdout: result.stdout.replace(/"secondsLeft": -?\d+/g, '"secondsLeft": N'), stderr: result.stderr, exitCode: result.exitCode };
}

describe("status on the fast path", () => {
  it.each([[[]], [["--json"]], [["dev"]], [["dev", "--json"]], [["--json", "dev"]], [["dev", "--min", "15m"]], [["dev", "--min=1000000d"]], [["nobody"]]])(
    "prints what the full command line prints: status %j",
    async (flags) => {
      const fast = await runCli(["status", ...flags], { env: { ...env, NODE_DEBUG: "module" } });
      // Neither commander nor the command modules were loaded.
      expect(fast.stderr).not.toContain("node_modules/commander");
      expect(fast.stderr).not.toContain("run.js");
      const [quick, full] = await Promise.all([runCli(["status", ...flags], { env }), runCli(["status", ...flags, "--verbose"], { env })]);
      expect(seen(quick)).toEqual(seen(full));
      expect(quick.stderr).toMatch(/^warning: .*credentials, line 13: section \[dev\] repeats the one on line 5 \(the AWS CLI rejects this too\); listed as/);
      expect(quick.stdout).not.toContain("\u001b");
      for (const secret of [SECRET, "token-dev", "sso-access-token-secret"]) expect(quick.stdout + quick.stderr).not.toContain(secret);
    },
  );

  it("shows every kind of row", async () => {
    const table = await runCli(["status"], { env });
    expect(table.exitCode).toBe(0);
    expect(table.stdout.split("\n").map((line) => line.split(/ {2,}/).slice(0, 2).join(" | "))).toEqual([
      "PROFILE | WHERE",
      "dev | cache",
      "dev | credentials file",
      "jo | cache (MFA session)",
      "old | cache",
      "sso-dev | cache",
      "sso:corp | SSO sign-in",
      "",
    ]);
  });

  it("leaves a bad --min and an unknown flag to the full command line's usage errors", async () => {
    for (const [flags, message] of [
      [["dev", "--min", "soon"], 'invalid --min "soon"'],
      [["--min", "15m"], "--min needs a profile"],
      [["--bogus"], "unknown option"],
    ] as const) {
      const result = await runCli(["status", ...flags], { env });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
