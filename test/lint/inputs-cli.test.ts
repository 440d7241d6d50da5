/**
 * What `rolecred lint` is handed, as a user hands it (the built CLI, files in a temp folder):
 * repeated keys are errors with their position; FIFOs, devices and oversized files are refused in
 * one line with exit 3, never hanging the run. In a folder walk a FIFO is skipped with a note and
 * the rest is still checked; named on the command line it is an error.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli, type CliResult } from "../support/run-cli.js";

let home: string;
let work: string;

const CLEAN = JSON.stringify(
  { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] },
  null,
  2,
);
const TWICE =
  '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Deny",\n      "Principal": "*",\n      "Action": "sts:AssumeRole",\n      "Effect": "Allow"\n    }\n  ]\n}\n';

function lint(args: string[], stdin?: string): Promise<CliResult> {
  return runCli(["lint", ...args], { env: cliEnv(home), cwd: work, ...(stdin === undefined ? {} : { stdin }) });
}

beforeAll(async () => {
  home = await makeTempHome();
  work = await mkdtemp(join(tmpdir(), "rolecred-lint-inputs-"));
  await mkdir(join(work, "roles"));
  await writeFile(join(work, "clean.json"), CLEAN);
  await writeFile(join(work, "twice.json"), TWICE);
  await writeFile(join(work, "roles", "a-clean.json"), CLEAN);
  execFileSync("mkfifo", [join(work, "roles", "b-pipe.json")]);
  execFileSync("mkfifo", [join(work, "named.json")]);
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(home, { recursive: true, force: true });
});

describe("duplicate keys", () => {
  it("a statement with Effect twice is an error at the second one, naming the first", async () => {
    const result = await lint(["twice.json", "clean.json"]);
    expect(result.stderr.split("\n")[0]).toBe(
      'twice.json:8:7: duplicate key "Effect" (first at line 5 column 7): IAM refuses a policy that repeats a key, and readers disagree on which one counts',
    );
    expect(result.exitCode).toBe(3);
  });

  it("inside a URL-encoded policy of a get-role answer too", async () => {
    const answer = JSON.stringify({ Role: { RoleName: "r", Arn: "arn:aws:iam::111111111111:role/r", AssumeRolePolicyDocument: encodeURIComponent(TWICE) } });
    const result = await lint(["-"], answer);
    expect(result.stderr).toMatch(
      /repeats a key, which IAM refuses \(duplicate key "Effect" \(first at line 5 column 7\) at line 8 column 7 of the policy text\)/,
    );
    expect(result.exitCode).toBe(3);
  });
});

describe("inputs that are not regular files", () => {
  it("a FIFO named on the command line is refused at once, in one line, and the other files are still checked", async () => {
    const result = await lint(["named.json", "clean.json"]);
    expect(result.stderr).toBe("named.json: is a FIFO, not a regular file\nno findings in 1 trust policy from 2 files (1 input could not be read)\n");
    expect(result.exitCode).toBe(3);
  });

  it("/dev/zero is refused without being read", async () => {
    const result = await lint(["/dev/zero"]);
    expect(result.stderr.split("\n")[0]).toBe("/dev/zero: is a character device, not a regular file");
    expect(result.exitCode).toBe(3);
  });

  it("a FIFO in a folder is skipped with a note; the folder's files are checked and the run passes", async () => {
    const result = await lint(["roles"]);
    expect(result.stderr).toBe(`note: ${join("roles", "b-pipe.json")}: skipped: a FIFO, not a regular file\nno findings in 1 trust policy from 1 file\n`);
    expect(result.exitCode).toBe(0);
  });

  it("a --known-accounts FIFO is refused", async () => {
    const result = await lint(["clean.json", "--known-accounts", "named.json"]);
    expect(result.stderr).toBe("rolecred: --known-accounts named.json: is a FIFO, not a regular file\n");
    expect(result.exitCode).toBe(3);
  });
});
