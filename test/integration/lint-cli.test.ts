/**
 * `rolecred lint` as a user runs it: the built CLI in its own process, files in a temp folder,
 * stdin a pipe. Needs `npm run build` first (`npm test` does it).
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli, FIXTURES_DIR, type CliResult } from "../support/run-cli.js";
import { sarifErrors } from "../lint/sarif-validator.js";

const REFERENCE = join(FIXTURES_DIR, "trust-policies");

let home: string;
let work: string;

const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements }, null, 2);

async function lint(args: string[], stdin?: string): Promise<CliResult> {
  return runCli(["lint", ...args], { env: cliEnv(home), stdin, cwd: work });
}

beforeAll(async () => {
  home = await makeTempHome();
  work = await mkdtemp(join(tmpdir(), "rolecred-lint-cli-"));
  await mkdir(join(work, "roles", "team"), { recursive: true });
  for (const file of ["account-root-with-mfa.json", "saml-with-audience.json", "rolesanywhere-no-subject.json"])
    await copyFile(join(REFERENCE, file), join(work, "roles", file));
  await copyFile(join(REFERENCE, "session-name-pinned-to-username.json"), join(work, "roles", "team", "session-name.json"));
  await writeFile(join(work, "clean.json"), policy({ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }));
  await writeFile(join(work, "broken.json"), '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Allow" "Principal": "*" }\n  ]\n}\n');
  await writeFile(join(work, "open.json"), policy({ Effect: "Allow", Principal: "*", Action: "sts:AssumeRole" }));
  await writeFile(
    join(work, "vendor.json"),
    policy({ Sid: "Datadog", Effect: "Allow", Principal: { AWS: "arn:aws:iam::464622532012:root" }, Action: "sts:AssumeRole" }),
  );
  await writeFile(join(work, "vendors.yaml"), "- name: 'Datadog'\n  source: ['https://docs.datadoghq.com/']\n  accounts: ['464622532012', '865078226113']\n");
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

describe("rolecred lint", () => {
  it("exits 0 on a clean file and says what it checked", async () => {
    const result = await lint(["clean.json"]);
    expect(result).toMatchObject({ exitCode: 0, stdout: "", stderr: "no findings in 1 trust policy from 1 file\n" });
  });

  it("exits 0 with warnings only, printing them on stdout", async () => {
    const result = await lint([join(REFERENCE, "account-root-no-mfa.json")]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/account-root-no-mfa\.json:4:5: warning RC-TRUST-002 Statement\[0\]: the whole account 111111111111 may assume this role/);
    expect(result.stdout).toContain("\n    fix: Require MFA");
    expect(result.stderr).toBe("0 errors, 1 warning in 1 trust policy from 1 file\n");
  });

  it("--json is --format json; with --format sarif it is a usage error", async () => {
    const file = join(REFERENCE, "account-root-no-mfa.json");
    const viaFormat = await lint(["--format", "json", file]);
    const viaJson = await lint(["--json", file]);
    expect(viaJson).toEqual(viaFormat);
    expect(JSON.parse(viaJson.stdout)).toMatchObject({ findings: [expect.objectContaining({ ruleId: "RC-TRUST-002" })] });
    const both = await lint(["--json", "--format", "sarif", file]);
    expect(both).toMatchObject({ exitCode: 2, stdout: "", stderr: "rolecred: --json and --format sarif ask for two formats; give one\n" });
  });

  it("walks a folder and exits 1 on an error-level finding", async () => {
    const result = await lint(["roles"]);
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split("\n").filter((line) => /^\S/.test(line))).toEqual([
      expect.stringMatching(/^roles\/rolesanywhere-no-subject\.json:4:5: error RC-TRUST-006 /),
      expect.stringMatching(/^roles\/team\/session-name\.json:4:5: warning RC-TRUST-002 /),
      expect.stringMatching(/^roles\/team\/session-name\.json:4:5: warning RC-TRUST-009 /),
    ]);
    expect(result.stderr).toBe("1 error, 2 warnings in 4 trust policies from 4 files\n");
  });

  it("reads a get-role answer on stdin, AssumeRolePolicyDocument URL-encoded as the raw API sends it", async () => {
    const answer = {
      Role: {
        RoleName: "Developer",
        Arn: "arn:aws:iam::111111111111:role/Developer",
        AssumeRolePolicyDocument: encodeURIComponent(policy({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" })),
      },
    };
    const result = await lint(["-"], JSON.stringify(answer, null, 2));
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^<stdin>:2:11: error RC-TRUST-001 role Developer Statement\[0\]: /);
  });

  it("writes valid SARIF 2.1.0", async () => {
    const result = await lint(["--format", "sarif", "roles", "open.json"]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toBe("");
    expect(sarifErrors(result.stdout)).toEqual([]);
    const log = JSON.parse(result.stdout) as {
      runs: [
        {
          tool: { driver: { name: string } };
          results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
        },
      ];
    };
    expect(log.runs[0].tool.driver.name).toBe("rolecred");
    expect(log.runs[0].results.map((result) => [result.ruleId, result.level, result.locations[0]?.physicalLocation.artifactLocation.uri])).toEqual([
      ["RC-TRUST-006", "error", "roles/rolesanywhere-no-subject.json"],
      ["RC-TRUST-002", "warning", "roles/team/session-name.json"],
      ["RC-TRUST-009", "warning", "roles/team/session-name.json"],
      ["RC-TRUST-001", "error", "open.json"],
    ]);
  });

  it("writes JSON for scripts", async () => {
    const result = await lint(["--format", "json", "open.json", "clean.json"]);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout) as { summary: unknown; findings: unknown[] };
    expect(report.summary).toEqual({ files: 2, documents: 2, errors: 1, warnings: 0, suppressed: 0, problems: 0 });
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: "RC-TRUST-001", file: "open.json", statement: 0, line: 4, column: 5 })]);
  });

  it("checks vendors against --known-accounts, and --ignore turns a rule off", async () => {
    const flagged = await lint(["--known-accounts", "vendors.yaml", "vendor.json"]);
    expect(flagged.exitCode).toBe(0);
    expect(flagged.stdout).toMatch(/^vendor\.json:4:5: warning RC-TRUST-013 Statement\[0\] \(Sid Datadog\): third-party account 464622532012 \(Datadog\)/);
    const ignored = await lint(["--known-accounts", "vendors.yaml", "--ignore", "RC-TRUST-013", "vendor.json"]);
    expect(ignored).toMatchObject({ exitCode: 0, stdout: "", stderr: "no findings in 1 trust policy from 1 file\n" });
  });

  it("reports broken JSON by file, line and column, still checks the others, and exits 3", async () => {
    const result = await lint(["clean.json", "broken.json", "open.json"]);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^open\.json:4:5: error RC-TRUST-001 /);
    expect(result.stderr).toBe(
      [
        'broken.json:4:25: invalid JSON: unexpected """, expected "," or "}"',
        "1 error, 0 warnings in 2 trust policies from 3 files (1 input could not be read)",
        "",
      ].join("\n"),
    );
  });

  it.each([
    [
      ["--ignore", "RC-TRUST-404", "open.json"],
      "rolecred: --ignore RC-TRUST-404: no such rule — rule ids run from RC-TRUST-001 to RC-TRUST-015; see docs/lint.md",
    ],
    [["--format", "xml", "open.json"], "rolecred: option '--format <format>' argument 'xml' is invalid. Allowed choices are text, json, sarif."],
    [[], "rolecred: missing required argument 'paths'"],
  ])("exits 2 on a usage error: %j", async (args, message) => {
    const result = await lint(args);
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe(message);
  });

  it("is listed in --help", async () => {
    const result = await runCli(["--help"], { env: cliEnv(home) });
    expect(result.stdout).toMatch(/\n\s+lint \[options\] <paths\.\.\.>\s+check IAM role trust policies/);
  });
});
