/**
 * argv → the exact options each command runs with, through the real commander program and no
 * command run: flag names, defaults, environment fallbacks, conversions and conflicts.
 */
import { describe, expect, it } from "vitest";
import { parseArgv } from "../support/parse-argv.js";
import { RolecredError } from "../../src/errors.js";
import { parseScope } from "../../src/policy/scopes.js";

const ROLE = "arn:aws:iam::111111111111:role/Developer";
const MFA = "arn:aws:iam::111111111111:mfa/jo";

const noSession = { durationSeconds: undefined, region: undefined, policy: undefined, policyArns: [], scopes: [] };
const noIdentity = { tags: [], transitiveTagKeys: [], sourceIdentity: undefined, strict: false };

describe("rolecred user", () => {
  it.each<[string[], Record<string, string>, unknown]>([
    [
      ["user", ROLE, "--profile", "dev"],
      {},
      {
        roleArn: ROLE,
        sessionName: undefined,
        sourceProfile: undefined,
        mfaSerial: undefined,
        mfaCode: { from: "prompt" },
        externalId: undefined,
        session: noSession,
        identity: noIdentity,
        delivery: { to: "profile", profile: "dev", json: false, force: false },
      },
    ],
    [
      [
        "user",
        ROLE,
        "jo",
        "--profile",
        "dev",
        "--mfa-serial",
        MFA,
        "--mfa-token",
        " 123456 ",
        "--duration",
        "8h",
        "--region",
        "eu-west-1",
        "--external-id",
        "vendor-42",
        "--source-profile",
        "jo-keys",
        "--force",
        "--json",
      ],
      {},
      {
        roleArn: ROLE,
        sessionName: "jo",
        sourceProfile: "jo-keys",
        mfaSerial: MFA,
        mfaCode: { from: "flag", code: "123456" },
        externalId: "vendor-42",
        session: { ...noSession, durationSeconds: 28_800, region: "eu-west-1" },
        identity: noIdentity,
        delivery: { to: "profile", profile: "dev", json: true, force: true },
      },
    ],
    [
      ["user", ROLE, "--mfa-token", "-", "--", "aws", "s3", "ls", "--profile", "other"],
      {},
      expect.objectContaining({
        mfaCode: { from: "stdin" },
        sessionName: undefined,
        delivery: { to: "childCommand", childCommand: ["aws", "s3", "ls", "--profile", "other"], json: false, force: false },
      }),
    ],
    [["user", ROLE, "--exec", "env"], {}, expect.objectContaining({ delivery: { to: "childCommand", childCommand: ["env"], json: false, force: false } })],
    [["user", ROLE, "--profile", "dev"], { ROLECRED_MFA_TOKEN: "654321" }, expect.objectContaining({ mfaCode: { from: "env", code: "654321" } })],
    [
      ["user", ROLE, "--profile", "dev", "--mfa-token", "111111"],
      { ROLECRED_MFA_TOKEN: "654321" },
      expect.objectContaining({ mfaCode: { from: "flag", code: "111111" } }),
    ],
    [
      [
        "user",
        ROLE,
        "--profile",
        "dev",
        "--policy",
        "p.json",
        "--policy-arn",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "--scope",
        "deny-iam",
        "--tag",
        "Project=blue",
        "--transitive-tag",
        "Project",
        "--source-identity",
        "auto",
        "--strict",
      ],
      {},
      expect.objectContaining({
        session: {
          ...noSession,
          policy: { kind: "file", path: "p.json" },
          policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
          scopes: [parseScope("deny-iam")],
        },
        identity: { tags: [{ key: "Project", value: "blue" }], transitiveTagKeys: ["Project"], sourceIdentity: "auto", strict: true },
      }),
    ],
    [
      ["user", ROLE, "--profile", "dev", "--policy", '{"Version":"2012-10-17"}'],
      {},
      expect.objectContaining({ session: { ...noSession, policy: { kind: "inline", json: '{"Version":"2012-10-17"}' } } }),
    ],
    [["user", ROLE, "--profile", "dev", "--duration", "900"], {}, expect.objectContaining({ session: { ...noSession, durationSeconds: 900 } })],
  ])("%j", async (args, env, expected) => {
    const parsed = await parseArgv(args, env);
    expect(parsed.error).toBeUndefined();
    expect(parsed.command).toBe("user");
    expect(parsed.options).toEqual(expected);
  });

  it.each<[string[], string]>([
    [["user", "not-an-arn", "--profile", "dev"], 'invalid role ARN "not-an-arn"'],
    [["user", ROLE, "a b", "--profile", "dev"], 'invalid session name "a b"'],
    [["user", ROLE, "--profile", "dev", "--duration", "14h"], "--duration must be between 900 and 43200 seconds"],
    [["user", ROLE, "--profile", "dev", "--mfa-token", "12345"], "--mfa-token must be the 6 digits"],
    [["user", ROLE, "--profile", "dev", "--mfa-serial", "x"], 'invalid MFA serial "x"'],
    [["user", ROLE, "--profile", "dev", "--mfa-token", "-", "--policy", "-"], "--mfa-token - and --policy - both want stdin"],
    [["user", ROLE, "--profile", "dev", "--", "env"], "--profile and -- COMMAND are alternatives"],
    [["user", ROLE], "say where the credentials go"],
    [["user", ROLE, "--profile", "jo", "--source-profile", "jo"], "would replace your long-term keys"],
    [["user", ROLE, "--profile", "bad]name"], 'invalid --profile "bad]name"'],
    [["user", ROLE, "--profile", "dev", "--tag", "novalue"], '--tag "novalue" is not KEY=VALUE'],
    [["user", ROLE, "--profile", "dev", "--transitive-tag", "Project"], 'transitive tag key "Project" is not the key of a session tag'],
    [["user", ROLE, "--profile", "dev", "--source-identity", "aws:me"], 'invalid source identity "aws:me"'],
    [["user", ROLE, "--profile", "dev", "--scope", "nope"], 'unknown --scope "nope"'],
  ])("%j is a usage error", async (args, message) => {
    const { error } = await parseArgv(args);
    expect(error).toBeInstanceOf(RolecredError);
    expect((error as RolecredError).message).toContain(message);
    expect((error as RolecredError).exitCode).toBe(2);
  });

  it("an unknown flag is commander's usage error, with a suggestion and the usage line", async () => {
    const parsed = await parseArgv(["user", ROLE, "--profle", "dev"]);
    expect(parsed.stderr).toBe("rolecred: unknown option '--profle'\n(Did you mean --profile?)\nusage: rolecred user [options] <role-arn> [session-name]\n");
    expect(parsed.error).toMatchObject({ code: "commander.unknownOption" });
  });
});

describe("rolecred saml", () => {
  it.each<[string[], unknown]>([
    [
      ["saml", "--profile", "dev"],
      {
        mode: { kind: "assume", delivery: { to: "profile", profile: "dev", json: false, force: false } },
        selector: { roleArn: undefined, pattern: undefined, account: undefined },
        idpCertFiles: [],
        session: noSession,
      },
    ],
    [["saml", "--list", "--json"], expect.objectContaining({ mode: { kind: "list", json: true } })],
    [
      ["saml", "--all-roles", "--profile-template", "{alias}-{role}", "--account", "sandbox"],
      expect.objectContaining({
        mode: { kind: "all-roles", profileTemplate: "{alias}-{role}", delivery: { to: "allRoles", json: false, force: false } },
        selector: { roleArn: undefined, pattern: undefined, account: "sandbox" },
      }),
    ],
    [["saml", "--all-roles"], expect.objectContaining({ mode: expect.objectContaining({ profileTemplate: "{account}-{role}" }) })],
    [
      ["saml", "--role", "*:Dev*", "--idp-cert", "a.pem", "--idp-cert", "b.pem", "--", "terraform", "plan"],
      expect.objectContaining({ selector: { roleArn: undefined, pattern: "*:Dev*", account: undefined }, idpCertFiles: ["a.pem", "b.pem"] }),
    ],
  ])("%j", async (args, expected) => {
    const parsed = await parseArgv(args);
    expect(parsed.error).toBeUndefined();
    expect(parsed.options).toEqual(expected);
  });

  it.each<[string[], string]>([
    [["saml", "--profile", "dev", "--policy", "-"], "--policy - cannot be used with saml"],
    [["saml", "--list", "--profile", "dev"], "--list only prints what the assertion offers"],
    [["saml", "--all-roles", "--profile", "dev"], "--all-roles writes one profile per role"],
    [["saml", "--all-roles", "--profile-template", "{account}"], "--profile-template must contain {role}"],
    [["saml", "--all-roles", "--profile-template", "{nope}-{role}"], "--profile-template has unknown field {nope}"],
    [["saml", "--profile", "dev", "--profile-template", "{role}"], "--profile-template goes with --all-roles"],
  ])("%j is a usage error", async (args, message) => {
    const { error } = await parseArgv(args);
    expect((error as RolecredError).message).toContain(message);
  });

  it("has no tag or source-identity flags (the assertion carries them)", async () => {
    const parsed = await parseArgv(["saml", "--profile", "dev", "--tag", "a=b"]);
    expect(parsed.stderr).toContain("rolecred: unknown option '--tag'");
  });
});

describe("profile commands", () => {
  const request = { profile: "dev", mfaCode: { from: "prompt" }, mfaMode: undefined, refresh: false, session: noSession, identity: noIdentity };

  it.each<[string[], Record<string, string>, string, unknown]>([
    [["process", "dev"], {}, "process", request],
    [["env", "dev"], { SHELL: "/usr/bin/fish" }, "env", { kind: "export", shell: "fish", showSecrets: false, ...request }],
    [
      ["assume", "dev", "--shell", "powershell"],
      {},
      "assume",
      { kind: "switch", shell: "powershell", profile: "dev", console: false, showSecrets: false, request },
    ],
    [
      ["assume", "--shell", "bash", "-r", "eu-west-1", "-d", "2h"],
      {},
      "assume",
      {
        kind: "switch",
        shell: "bash",
        profile: undefined,
        console: false,
        showSecrets: false,
        request: { ...request, profile: "default", session: { ...request.session, region: "eu-west-1", durationSeconds: 7200 } },
      },
    ],
    [
      ["assume", "-c", "dev"],
      { SHELL: "/usr/bin/fish" },
      "assume",
      { kind: "switch", shell: "fish", profile: "dev", console: true, showSecrets: false, request },
    ],
    [["assume", "--unset"], { SHELL: "/bin/zsh" }, "assume", { kind: "unset", shell: "zsh" }],
    [["env", "dev", "--show-secrets"], { SHELL: "/bin/bash" }, "env", { kind: "export", shell: "bash", showSecrets: true, ...request }],
    [["env", "--unset"], { SHELL: "/bin/zsh" }, "env", { kind: "unset", shell: "zsh" }],
    [
      ["exec", "dev", "--mfa-mode", "session", "--refresh", "--", "terraform", "plan"],
      {},
      "exec",
      { ...request, mfaMode: "session", refresh: true, command: ["terraform", "plan"], server: false },
    ],
    [["exec", "dev", "--server"], {}, "exec", { ...request, command: undefined, server: true }],
    [
      ["console", "dev", "--service", "s3", "--duration", "4h", "--print"],
      {},
      "console",
      {
        profile: "dev",
        request: { ...request, session: { ...request.session, durationSeconds: 14_400 } },
        service: "s3",
        print: true,
        federationUrl: undefined,
      },
    ],
    [["write", "dev"], {}, "write", { ...request, to: "dev", force: false }],
    [["write", "dev", "--to", "dev-creds", "--force"], {}, "write", { ...request, to: "dev-creds", force: true }],
    [["status"], {}, "status", { profile: undefined, json: false, minSeconds: undefined }],
    [["status", "dev", "--min", "15m", "--json"], {}, "status", { profile: "dev", json: true, minSeconds: 900 }],
    [["logout", "--all"], {}, "logout", { profile: undefined, all: true }],
    [["logout", "dev"], {}, "logout", { profile: "dev", all: false }],
    [["profiles", "--names"], {}, "profiles", { format: "names" }],
    [["shell-init", "fish"], {}, "shell-init", { shell: "fish", autoRenew: false }],
    [["shell-init", "zsh", "--auto-renew"], {}, "shell-init", { shell: "zsh", autoRenew: true }],
  ])("%j", async (args, env, command, expected) => {
    const parsed = await parseArgv(args, env);
    expect(parsed.error).toBeUndefined();
    expect(parsed.command).toBe(command);
    expect(parsed.options).toEqual(expected);
  });

  it.each<[string[], string]>([
    [["env"], "name the profile"],
    [["env", "dev", "--unset"], "--unset clears the session; it takes no profile"],
    [["exec", "dev", "--"], "name the command to run after --"],
    [["shell-init", "powershell", "--auto-renew"], "--auto-renew is for bash, zsh and fish"],
    [["console", "dev", "--", "x"], "console runs no command"],
    [["process", "dev", "--", "x"], "process prints credential_process JSON; it runs no command"],
    [["status", "--min", "15m"], "--min needs a profile"],
    [["status", "dev", "--min", "soon"], 'invalid --min "soon"'],
    [["logout"], "name a profile or pass --all"],
    [["logout", "dev", "--all"], "name a profile or pass --all"],
  ])("%j is a usage error", async (args, message) => {
    const { error } = await parseArgv(args);
    expect((error as RolecredError).message).toContain(message);
  });

  it("rejects a shell it cannot quote for", async () => {
    const parsed = await parseArgv(["env", "dev", "--shell", "tcsh"]);
    expect(parsed.stderr).toContain("argument 'tcsh' is invalid. Allowed choices are bash, zsh, sh, fish, powershell.");
  });
});

describe("rolecred policy", () => {
  it("show and check take the same policy sources", async () => {
    expect((await parseArgv(["policy", "show", "--scope", "read-only", "--json"])).options).toEqual({
      sources: { policy: undefined, policyArns: [], scopes: [parseScope("read-only")] },
      json: true,
    });
    expect(
      (
        await parseArgv([
          "policy",
          "check",
          "s3:GetObject",
          "arn:aws:s3:::b/k",
          "--scope",
          "deny-iam",
          "--context",
          "aws:SourceIp=10.0.0.1",
          "--context",
          "aws:TagKeys=a",
          "--context",
          "aws:TagKeys=b",
        ])
      ).options,
    ).toEqual({
      sources: { policy: undefined, policyArns: [], scopes: [parseScope("deny-iam")] },
      action: "s3:GetObject",
      resource: "arn:aws:s3:::b/k",
      context: { "aws:SourceIp": "10.0.0.1", "aws:TagKeys": ["a", "b"] },
      json: false,
    });
  });

  it("needs a policy source", async () => {
    expect(((await parseArgv(["policy", "show"])).error as RolecredError).message).toBe("give the session policy: --policy, --policy-arn or --scope");
  });
});
