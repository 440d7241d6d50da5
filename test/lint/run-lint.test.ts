/** `runLint` with real files in a temp folder and a recording stdout/stderr. */
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runLint } from "../../src/commands/lint.js";
import type { LintOptions } from "../../src/commands/lint.js";
import type { Deps } from "../../src/deps.js";
import { RolecredError } from "../../src/errors.js";
import { createLogger, SecretRegistry } from "../../src/log.js";
import { allow, getRoleAnswer, trustPolicy } from "./lint-helpers.js";
import { NO_STS } from "../support/fake-sts.js";

interface Recorded {
  readonly deps: Deps;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

function recordingDeps(stdin = "", verbose = false): Recorded {
  let out = "";
  let err = "";
  const stderr = { write: (text: string) => (err += text) };
  const secrets = new SecretRegistry();
  return {
    deps: {
      env: {},
      stdin: Readable.from([Buffer.from(stdin)]),
      stdout: { write: (text: string) => (out += text) },
      stderr,
      openTerminal: () => undefined,
      now: () => new Date(0),
      secrets,
      log: createLogger(stderr, secrets, verbose),
      sts: NO_STS,
    },
    stdout: () => out,
    stderr: () => err,
  };
}

const options = (paths: string[], extra: Partial<LintOptions> = {}): LintOptions => ({ paths, knownAccountFiles: [], ignore: [], format: "text", ...extra });

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "rolecred-lint-"));
  await mkdir(join(folder, "roles", "nested"), { recursive: true });
  await mkdir(join(folder, "roles", "node_modules"), { recursive: true });
  await mkdir(join(folder, "roles", ".terraform"), { recursive: true });
  await writeFile(join(folder, "roles", "a-open.json"), JSON.stringify(trustPolicy(allow("*")), null, 2));
  await writeFile(join(folder, "roles", "b-clean.json"), JSON.stringify(trustPolicy(allow({ Service: "ec2.amazonaws.com" }))));
  await writeFile(join(folder, "roles", "nested", "c-account.JSON"), JSON.stringify(trustPolicy(allow({ AWS: "111111111111" }))));
  await writeFile(join(folder, "roles", "nested", "package.json"), JSON.stringify({ name: "not-a-policy" }));
  await writeFile(join(folder, "roles", "notes.txt"), "not json");
  await writeFile(join(folder, "roles", "node_modules", "open.json"), JSON.stringify(trustPolicy(allow("*"))));
  await writeFile(join(folder, "roles", ".terraform", "open.json"), JSON.stringify(trustPolicy(allow("*"))));
  await symlink(join(folder, "roles"), join(folder, "roles", "nested", "loop"));
  await writeFile(join(folder, "broken.json"), '{\n  "Statement": [\n    {"Effect": "Allow",}\n  ]\n}\n');
  await writeFile(join(folder, "vendors.yaml"), "- name: Datadog\n  accounts: ['464622532012']\n");
  await writeFile(join(folder, "vendor-role.json"), JSON.stringify(trustPolicy(allow({ AWS: "arn:aws:iam::464622532012:root" }))));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describe(runLint.name, () => {
  it("walks a folder: every .json, sorted, skipping node_modules, hidden folders and linked folders", async () => {
    const run = recordingDeps("", true);
    const outcome = await runLint(options([join(folder, "roles")]), run.deps);
    expect(outcome).toEqual({ exitCode: 1 });
    const lines = run
      .stdout()
      .split("\n")
      .filter((line) => !line.startsWith("    "));
    expect(lines.filter((line) => line !== "")).toEqual([
      `${join(folder, "roles", "a-open.json")}:4:5: error RC-TRUST-001 Statement[0]: sts:AssumeRole is allowed to principal "*" and no condition pins the caller's account, organization or ARN: anyone with AWS credentials can assume this role`,
      expect.stringMatching(/c-account\.JSON:1:38: warning RC-TRUST-002 Statement\[0\]: the whole account 111111111111/),
    ]);
    expect(run.stderr()).toContain("rolecred: ");
    expect(run.stderr()).toContain("package.json: no trust policy found; skipped");
    expect(run.stderr()).toMatch(/1 error, 1 warning in 3 trust policies from 4 files\n$/);
  });

  it("reports broken JSON by line and column, checks the rest, and exits 3", async () => {
    const run = recordingDeps();
    const outcome = await runLint(options([join(folder, "broken.json"), join(folder, "roles", "b-clean.json"), join(folder, "missing.json")]), run.deps);
    expect(outcome).toEqual({ exitCode: 3 });
    expect(run.stdout()).toBe("");
    expect(run.stderr()).toContain(`${join(folder, "broken.json")}:3:24: invalid JSON: unexpected "}", expected a property name in double quotes\n`);
    expect(run.stderr()).toContain(`${join(folder, "missing.json")}: cannot read: no such file or folder\n`);
    expect(run.stderr()).toContain("no findings in 1 trust policy from 3 files (2 inputs could not be read)");
  });

  it("reads a get-role answer on stdin", async () => {
    const run = recordingDeps(JSON.stringify(getRoleAnswer(trustPolicy(allow({ AWS: "arn:aws:iam::111111111111:root" })))));
    expect(await runLint(options(["-"], { format: "json" }), run.deps)).toEqual({ exitCode: 0 });
    const report = JSON.parse(run.stdout()) as { findings: { ruleId: string; file: string; document: string }[] };
    expect(report.findings).toEqual([expect.objectContaining({ ruleId: "RC-TRUST-002", file: "<stdin>", document: "role Developer" })]);
    expect(run.stderr()).toBe("");
  });

  it("says so when a named file holds no trust policy", async () => {
    const run = recordingDeps();
    expect(await runLint(options([join(folder, "roles", "nested", "package.json")]), run.deps)).toEqual({ exitCode: 0 });
    expect(run.stderr()).toContain("package.json: no trust policy found (expected a policy document");
  });

  it("uses --known-accounts and --ignore", async () => {
    const vendor = join(folder, "vendor-role.json");
    const known = recordingDeps();
    await runLint(options([vendor], { knownAccountFiles: [join(folder, "vendors.yaml")] }), known.deps);
    expect(known.stdout()).toContain("warning RC-TRUST-013");
    expect(known.stdout()).not.toContain("RC-TRUST-002");
    const ignored = recordingDeps();
    await runLint(options([vendor], { knownAccountFiles: [join(folder, "vendors.yaml")], ignore: ["RC-TRUST-013"] }), ignored.deps);
    expect(ignored.stdout()).toBe("");
  });

  it("fails with exit 3 on a known-accounts file it cannot use", async () => {
    const run = recordingDeps();
    await expect(runLint(options([folder], { knownAccountFiles: [join(folder, "roles", "notes.txt")] }), run.deps)).rejects.toMatchObject({
      constructor: RolecredError,
      exitCode: 3,
      message: expect.stringContaining("notes.txt: expected a map of account id → name") as string,
    });
    await expect(runLint(options([folder], { knownAccountFiles: [join(folder, "nope.yaml")] }), run.deps)).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringContaining("no such file") as string,
    });
  });
});
