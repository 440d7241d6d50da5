/**
 * How fast `rolecred lint` is on a folder of 1,000 trust policies in mixed shapes (bare policies,
 * get-role answers, URL-encoded ones, CloudFormation templates, Terraform plans), measured as a
 * ratio against baselines taken in the same run on the same machine:
 *
 *   in process:  lint (walk + read + parse + rules + text output)  vs  read + JSON.parse of the same files
 *   end to end:  the built CLI on the folder                        vs  `node -e 0`
 *   one policy of 80,000 statements (the same mix), linted in process vs  read + JSON.parse of it;
 *                target: under 2 s (lint was quadratic in statements: 25 s before the Deny index)
 *   a folder of 10,000 files (the same shapes), linted in process  vs  synchronous read + JSON.parse
 *
 * Ratios, not milliseconds, are the result: they carry over between a laptop and a loaded CI
 * machine. Nothing here asserts a time. Run: `npm run build && node dist/bench/lint.js`.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { runLint } from "../src/commands/lint.js";
import type { LintFormat } from "../src/commands/lint.js";
import type { Deps } from "../src/deps.js";
import { createLogger, SecretRegistry } from "../src/log.js";
import { NO_STS } from "../test/support/fake-sts.js";

const POLICIES = 1_000;
const ROUNDS = 5;
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const ROLECRED_BIN = join(REPO_ROOT, "bin", "rolecred");

type Json = Record<string, unknown>;

/** Trust policies of the kinds the rules look at, clean and not, so every rule does its work. */
function statementsFor(index: number): Json[] {
  const account = String(100_000_000_000 + (index % 97)).padStart(12, "0");
  const variants: Json[][] = [
    [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: "sts:AssumeRole",
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ],
    [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { StringEquals: { "aws:ResourceTag/env": "${aws:PrincipalTag/env}" } },
      },
    ],
    [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:saml-provider/Idp${index}` },
        Action: "sts:AssumeRoleWithSAML",
        Condition: { StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" } },
      },
    ],
    [
      {
        Effect: "Allow",
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/token.actions.githubusercontent.com` },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": `repo:org${index}/app:*` },
        },
      },
    ],
    [
      {
        Effect: "Allow",
        Principal: { Service: "rolesanywhere.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
        Condition: { StringEquals: { "aws:PrincipalTag/x509Subject/CN": `workload-${index}` } },
      },
    ],
    [
      { Effect: "Allow", Principal: "*", Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-exampleorgid" } } },
      { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } },
    ],
    [{ Effect: "Allow", Principal: { Service: ["ec2.amazonaws.com", "lambda.amazonaws.com"] }, Action: "sts:AssumeRole" }],
  ];
  return variants[index % variants.length] ?? [];
}

/** One file holding one trust policy, in one of five shapes. */
function fileFor(index: number): string {
  const policy = { Version: "2012-10-17", Statement: statementsFor(index) };
  const name = `role-${index}`;
  const arn = `arn:aws:iam::111111111111:role/${name}`;
  switch (index % 5) {
    case 0:
      return JSON.stringify(policy, null, 2);
    case 1:
      return JSON.stringify({ Role: { RoleName: name, Arn: arn, AssumeRolePolicyDocument: policy } }, null, 4);
    case 2:
      return JSON.stringify({ Role: { RoleName: name, Arn: arn, AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(policy)) } });
    case 3:
      return JSON.stringify(
        {
          AWSTemplateFormatVersion: "2010-09-09",
          Resources: { Bucket: { Type: "AWS::S3::Bucket" }, Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: policy } } },
        },
        null,
        2,
      );
    default:
      return JSON.stringify({
        format_version: "1.2",
        terraform_version: "1.9.0",
        planned_values: {
          root_module: {
            resources: [
              { address: `aws_iam_role.${name}`, mode: "managed", type: "aws_iam_role", name, values: { name, assume_role_policy: JSON.stringify(policy) } },
            ],
          },
        },
      });
  }
}

/** Statements in the one large policy: far beyond IAM's size limit, to show how lint grows. */
const LARGE_POLICY_STATEMENTS = 80_000;
const LARGE_POLICY_TARGET_MS = 2_000;

/** One policy holding the corpus's statement mix, repeated up to `count` statements. */
function largePolicy(count: number): string {
  const statements: Json[] = [];
  for (let index = 0; statements.length < count; index += 1) statements.push(...statementsFor(index));
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.slice(0, count) });
}

/** Files in the large-folder row (issue 16 measured reads of 10,000 files: 664 ms with fs.promises, 96 ms synchronously). */
const MANY_FILES = 10_000;

async function writeCorpus(count = POLICIES): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "rolecred-lint-bench-"));
  for (let batch = 0; batch < count; batch += 100) {
    const sub = join(folder, `batch-${batch / 100}`);
    await mkdir(sub);
    await Promise.all(Array.from({ length: 100 }, (_, offset) => writeFile(join(sub, `role-${batch + offset}.json`), fileFor(batch + offset))));
  }
  return folder;
}

function quietDeps(): { deps: Deps; bytes: () => number } {
  let bytes = 0;
  const sink = { write: (text: string) => (bytes += text.length) };
  const secrets = new SecretRegistry();
  return {
    deps: {
      env: {},
      stdin: Readable.from([]),
      stdout: sink,
      stderr: sink,
      openTerminal: () => undefined,
      now: () => new Date(0),
      secrets,
      log: createLogger(sink, secrets, false),
      sts: NO_STS,
    },
    bytes: () => bytes,
  };
}

/** The large-folder baseline: every file read synchronously and JSON.parse-d, nothing else. */
async function parseAllSync(folder: string): Promise<number> {
  let count = 0;
  for (const sub of (await readdir(folder)).sort()) {
    for (const file of (await readdir(join(folder, sub))).sort()) {
      JSON.parse(readFileSync(join(folder, sub, file), "utf8"));
      count += 1;
    }
  }
  return count;
}

/** Files read at once, as `rolecred lint` did before it read synchronously; the baseline's I/O is unchanged. */
const READ_CONCURRENCY = 16;

/** The plain JSON.parse pass: walk, read and parse every file, nothing else. */
async function parseAll(folder: string): Promise<number> {
  const files: string[] = [];
  for (const sub of (await readdir(folder)).sort()) {
    for (const file of (await readdir(join(folder, sub))).sort()) files.push(join(folder, sub, file));
  }
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    const texts = await Promise.all(files.slice(start, start + READ_CONCURRENCY).map((file) => readFile(file, "utf8")));
    for (const text of texts) JSON.parse(text);
  }
  return files.length;
}

async function lintInProcess(folder: string, format: LintFormat): Promise<number> {
  const { deps } = quietDeps();
  const outcome = await runLint({ paths: [folder], knownAccountFiles: [], ignore: [], format }, deps);
  return "exitCode" in outcome ? outcome.exitCode : -1;
}

async function lintFileInProcess(file: string): Promise<number> {
  const { deps } = quietDeps();
  const outcome = await runLint({ paths: [file], knownAccountFiles: [], ignore: [], format: "text" }, deps);
  return "exitCode" in outcome ? outcome.exitCode : -1;
}

function spawnMs(args: readonly string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: "ignore", env: { PATH: process.env.PATH ?? "", HOME: tmpdir() } });
  const elapsed = performance.now() - start;
  if (result.error !== undefined) throw result.error;
  return elapsed;
}

async function timeMs(work: () => unknown): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function medianOf(work: () => unknown): Promise<number> {
  await work(); // warm the file cache and the JIT once, untimed
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round += 1) times.push(await timeMs(work));
  return median(times);
}

async function main(): Promise<void> {
  const folder = await writeCorpus();
  try {
    const parsedFiles = await parseAll(folder);
    // The linter's code paths are cold at first; one pass of each format before any timing.
    await lintInProcess(folder, "text");
    await lintInProcess(folder, "sarif");
    const parseBaseline = await medianOf(() => parseAll(folder));
    const lintText = await medianOf(() => lintInProcess(folder, "text"));
    const lintSarif = await medianOf(() => lintInProcess(folder, "sarif"));
    const nodeStartup = await medianOf(() => spawnMs(["-e", "0"]));
    const cliFolder = await medianOf(() => spawnMs([ROLECRED_BIN, "lint", folder]));
    const cliOneFile = await medianOf(() => spawnMs([ROLECRED_BIN, "lint", join(folder, "batch-0", "role-0.json")]));

    // Written after the folder rows are measured, so they do not include it.
    const largeFile = join(folder, "large-policy.json");
    await writeFile(largeFile, largePolicy(LARGE_POLICY_STATEMENTS));
    const largeParse = await medianOf(async () => JSON.parse(await readFile(largeFile, "utf8")));
    const largeLint = await medianOf(() => lintFileInProcess(largeFile));

    const manyFolder = await writeCorpus(MANY_FILES);
    let manyParse = 0;
    let manyLint = 0;
    try {
      manyParse = await medianOf(() => parseAllSync(manyFolder));
      manyLint = await medianOf(() => lintInProcess(manyFolder, "text"));
    } finally {
      await rm(manyFolder, { recursive: true, force: true });
    }

    const perHundred = (ms: number): string => ((ms * 100) / POLICIES).toFixed(2);
    const rows: [string, number, string, string][] = [
      ["read + JSON.parse (baseline)", parseBaseline, perHundred(parseBaseline), "1.00"],
      ["lint, text output", lintText, perHundred(lintText), (lintText / parseBaseline).toFixed(2)],
      ["lint, sarif output", lintSarif, perHundred(lintSarif), (lintSarif / parseBaseline).toFixed(2)],
      ["node -e 0 (baseline)", nodeStartup, "-", "1.00"],
      ["rolecred lint FOLDER (CLI)", cliFolder, perHundred(cliFolder), (cliFolder / nodeStartup).toFixed(2)],
      ["rolecred lint FILE (CLI)", cliOneFile, "-", (cliOneFile / nodeStartup).toFixed(2)],
    ];
    console.log(`rolecred lint: ${POLICIES} trust policies in ${parsedFiles} files (5 shapes), median of ${ROUNDS} runs, node ${process.version}`);
    console.log("");
    console.log(`${"measurement".padEnd(32)} ${"total ms".padStart(9)} ${"ms/100".padStart(8)} ${"× baseline".padStart(11)}`);
    for (const [name, total, hundred, ratio] of rows) {
      console.log(`${name.padEnd(32)} ${total.toFixed(1).padStart(9)} ${hundred.padStart(8)} ${ratio.padStart(11)}`);
    }
    console.log("");
    console.log(`one policy of ${LARGE_POLICY_STATEMENTS} statements (${LARGE_POLICY_STATEMENTS.toLocaleString("en")} × the mix above)`);
    console.log(`${"read + JSON.parse (baseline)".padEnd(32)} ${largeParse.toFixed(1).padStart(9)} ${"".padStart(8)} ${"1.00".padStart(11)}`);
    const verdict = largeLint < LARGE_POLICY_TARGET_MS ? "PASS" : "MISS";
    console.log(
      `${"lint, text output".padEnd(32)} ${largeLint.toFixed(1).padStart(9)} ${"".padStart(8)} ${(largeLint / largeParse).toFixed(2).padStart(11)}  target < ${LARGE_POLICY_TARGET_MS} ms: ${verdict}`,
    );
    console.log("");
    console.log(`a folder of ${MANY_FILES.toLocaleString("en")} files (the five shapes above)`);
    console.log(
      `${"sync read + JSON.parse (baseline)".padEnd(32)} ${manyParse.toFixed(1).padStart(9)} ${((manyParse * 100) / MANY_FILES).toFixed(2).padStart(8)} ${"1.00".padStart(11)}`,
    );
    console.log(
      `${"lint, text output".padEnd(32)} ${manyLint.toFixed(1).padStart(9)} ${((manyLint * 100) / MANY_FILES).toFixed(2).padStart(8)} ${(manyLint / manyParse).toFixed(2).padStart(11)}`,
    );
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
