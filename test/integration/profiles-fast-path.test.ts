/**
 * `rolecred profiles` (table, --json, --names) is answered by the bundled fast path, and what it
 * prints must be what the whole-file parse of the same files gives, hostile files included.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";
import { renderProfiles } from "../../src/output/profiles.js";
import { profileNames, profileSettings, type AwsFiles } from "../../src/profiles/aws-files.js";
import { readIniSections } from "../../src/store/ini-document.js";

/** The listing from the whole parse of both files: every key of every profile, as profileSettings gives it. */
function wholeParseListing(config: string, credentials: string) {
  const files: AwsFiles = { configPath: "c", credentialsPath: "k", config: readIniSections(config), credentials: readIniSections(credentials) };
  return { names: profileNames(files), settings: (name: string) => profileSettings(files, name) ?? new Map<string, string>() };
}

const CONFIG = [
  "# top [profile commented]",
  "[default]\r\nregion = eu-west-1\r\n",
  "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\nsource_profile = jo\ns3 =\n  max_concurrent_requests = 20\n  [profile not-a-header]\n",
  "[dev]\nregion = ignored-bare-section\n",
  "[profile dev]\nregion = us-east-2 ; not a comment in a value\n",
  "[ profile spaced ]\nregion = x\n",
  "[profile ops]\rmfa_serial = arn:aws:iam::111111111111:mfa/jo\r",
  ...Array.from({ length: 60 }, (_, index) => `[profile org-${index}]\nrole_arn = arn:aws:iam::111111111111:role/R${index}\nsource_profile = dev\n`),
].join("\n");
const CREDENTIALS = [
  "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n",
  "[written]\naws_access_key_id = ASIA1\naws_secret_access_key = s\naws_session_token = t\nx_rolecred_managed = true\n",
  "[jo]\nregion = ap-south-1\n",
].join("\n");

describe("profiles on the fast path", () => {
  it.each([
    ["table", []],
    ["json", ["--json"]],
    ["names", ["--names"]],
  ] as const)("prints the %s the whole parse gives, without loading the full command line", async (format, flags) => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(join(home, ".aws", "config"), CONFIG);
    await writeFile(join(home, ".aws", "credentials"), CREDENTIALS);
    const result = await runCli(["profiles", ...flags], { env: cliEnv(home, { NODE_DEBUG: "module" }) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(renderProfiles(wholeParseListing(CONFIG, CREDENTIALS), format));
    expect(result.stdout).toContain("org-59");
    expect(result.stderr).not.toContain("node_modules/commander");
    expect(result.stderr).not.toContain("run.js");
  });

  it.each([
    ["table", []],
    ["json", ["--json"]],
    ["names", ["--names"]],
  ] as const)("prints the %s the whole parse gives for files read in several pieces, hostile lines across them", async (format, flags) => {
    // Each file is over a megabyte (the reader's buffer is 256 KiB): repeated sections far apart
    // merge across pieces, CRLF and lone CR, keys in capitals, a continuation, bytes that are not
    // UTF-8, and in the credentials file an indented `[` (the header scan declines; --names reads every line).
    const section = (index: number) =>
      [
        `[profile p${index % 700}]\r\nRole_Arn = arn:aws:iam::111111111111:role/R${index}\r\nregion:eu-${index}\r\n`,
        `[p${index}]\naws_access_key_id = ASIA${index}\naws_session_token = ${"t".repeat(900)}\nx_rolecred_managed = ${index % 3 === 0 ? "true" : "false"}\n`,
        `[profile q${index}]\rmfa_serial = arn:aws:iam::111111111111:mfa/jo\rs3 =\r  region = nested\r`,
      ][index % 3] ?? "";
    const config = Buffer.concat([
      Buffer.from(Array.from({ length: 3000 }, (_, index) => section(index)).join("\n")),
      Buffer.from([0x5b, 0x63, 0xe9, 0x5d, 0x0a]),
    ]);
    const credentials = Buffer.from(
      `${Array.from({ length: 1500 }, (_, index) => section(index * 3 + 1)).join("\n")}\n[p1]\nx = 1\n  [p2]\nregion = moved\n[p4]\nregion = last\n`,
    );
    expect(config.length + credentials.length).toBeGreaterThan(2 * 1024 * 1024);
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(join(home, ".aws", "config"), config);
    await writeFile(join(home, ".aws", "credentials"), credentials);
    const result = await runCli(["profiles", ...flags], { env: cliEnv(home) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(renderProfiles(wholeParseListing(config.toString("utf8"), credentials.toString("utf8")), format));
    expect(result.stdout).toContain("p4");
  });

  it("names where each profile's credentials come from", async () => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(
      join(home, ".aws", "config"),
      [
        "[profile cert]\nrolecred_x509_certificate = ~/me.pem\nrolecred_x509_private_key = ~/me.key\nrole_arn = arn:aws:iam::111111111111:role/Dev\n",
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n",
        "[profile sso-dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Dev\n",
        "[profile chained]\nrole_arn = arn:aws:iam::111111111111:role/Ops\nsource_profile = sso-dev\n",
        "[profile helper]\ncredential_process = op-aws jo\n",
        "[profile kept]\nrolecred_keys = jo\n",
      ].join("\n"),
    );
    const result = await runCli(["profiles", "--json"], { env: cliEnv(home) });
    expect(result.exitCode).toBe(0);
    const kinds = Object.fromEntries((JSON.parse(result.stdout) as Array<{ profile: string; kind: string }>).map((row) => [row.profile, row.kind]));
    expect(kinds).toEqual({ cert: "certificate", "sso-dev": "sso", chained: "role", helper: "process", kept: "keyring keys" });
  });

  it("--names shows a control character in a section name escaped, never raw", async () => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(join(home, ".aws", "config"), "[profile red\u001b[31m]\nregion = x\n[profile plain]\nregion = y\n");
    const result = await runCli(["profiles", "--names"], { env: cliEnv(home) });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("plain\nred\\x1b[31m\n");
    expect(result.stdout).not.toContain("\u001b");
  });
});
