/**
 * `rolecred policy check|show` with hostile or ambiguous policy files, as a user runs it (the
 * built CLI, files in a temp HOME): a repeated key is refused with both positions, and a policy
 * file that is a FIFO, a device or too large is refused in one line with exit 3, never hanging.
 */
import { execFileSync } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli, type CliResult } from "../support/run-cli.js";

let home: string;

beforeAll(async () => {
  home = await makeTempHome();
});

afterAll(async () => {
  await rm(home, { recursive: true, force: true });
});

function check(policy: string, stdin?: string): Promise<CliResult> {
  return runCli(["policy", "check", "s3:GetObject", "arn:aws:s3:::bucket/key", "--policy", policy], {
    env: cliEnv(home),
    ...(stdin === undefined ? {} : { stdin }),
  });
}

const ALLOW_THEN_DENY =
  '{\n  "Version": "2012-10-17",\n  "Statement": [{\n    "Effect": "Allow",\n    "Action": "s3:GetObject",\n    "Resource": "*",\n    "Effect": "Deny"\n  }]\n}\n';

describe("duplicate keys in a session policy", () => {
  it("a policy file with Effect twice is refused, naming both places, and nothing is evaluated", async () => {
    const file = join(home, "twice.json");
    await writeFile(file, ALLOW_THEN_DENY);
    const result = await check(file);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `rolecred: ${file} gives the key "Effect" twice in one object, at line 4, column 5 and at line 7, column 5 — IAM refuses a policy that repeats a key; keep the one you mean\n`,
    );
    expect(result.exitCode).toBe(3);
  });

  it("the same from stdin and inline", async () => {
    const fromStdin = await check("-", ALLOW_THEN_DENY);
    expect(fromStdin.stderr).toMatch(
      /^rolecred: the policy on stdin gives the key "Effect" twice in one object, at line 4, column 5 and at line 7, column 5 — /,
    );
    expect(fromStdin.exitCode).toBe(3);
    const inline = await check('{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Action": "s3:*"}}');
    expect(inline.stderr).toMatch(/^rolecred: the --policy JSON gives the key "Action" twice in one object, at line 1, column 35 and at line 1, column 67 — /);
    expect(inline.exitCode).toBe(3);
  });
});

describe("policy files that are not regular files, or too large", () => {
  it("a FIFO is refused at once (no writer would otherwise hang the run)", async () => {
    const fifo = join(home, "policy.fifo");
    execFileSync("mkfifo", [fifo]);
    const result = await check(fifo);
    expect(result.stderr).toBe(`rolecred: the policy file ${fifo} is a FIFO, not a regular file\n`);
    expect(result.exitCode).toBe(3);
  });

  it("/dev/zero is refused without reading it", async () => {
    const result = await check("/dev/zero");
    expect(result.stderr).toBe("rolecred: the policy file /dev/zero is a character device, not a regular file\n");
    expect(result.exitCode).toBe(3);
  });

  it("a file over the 1 MiB policy limit is refused", async () => {
    const file = join(home, "huge.json");
    await writeFile(file, `{"Statement": [], "Id": "${"x".repeat(1024 * 1024)}"}`);
    const result = await check(file);
    expect(result.stderr).toMatch(new RegExp(`^rolecred: the policy file ${file} is \\d+ bytes, over the 1048576-byte limit\\n$`));
    expect(result.exitCode).toBe(3);
  });

  it("a folder is refused", async () => {
    const result = await check(home);
    expect(result.stderr).toBe(`rolecred: the policy file ${home} is a directory, not a regular file\n`);
    expect(result.exitCode).toBe(3);
  });
});

describe("the size cap of a policy", () => {
  // A pretty-printed policy (a generator's output, a padded template) can be far larger than the
  // 2,048 characters STS counts after rolecred packs it. From a file or from stdin, the cap is the
  // same: a pipe is not a reason to refuse what a file would carry.
  const padded = `{"Version": "2012-10-17",${" ".repeat(100 * 1024)}"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}\n`;

  it("a 100 KiB policy is read the same from a file and from stdin", async () => {
    const file = join(home, "padded.json");
    await writeFile(file, padded);
    const fromFile = await check(file);
    const fromStdin = await check("-", padded);
    expect(fromFile.exitCode).toBe(0);
    expect(fromStdin.stderr).toBe(fromFile.stderr);
    expect(fromStdin.stdout).toBe(fromFile.stdout);
    expect(fromStdin.exitCode).toBe(0);
  });

  it("more than the cap on stdin is refused in one line, exit 3", async () => {
    const result = await check("-", " ".repeat(1024 * 1024 + 1));
    expect(result.stderr).toBe("rolecred: the policy on stdin is larger than 1 MiB; that is not what rolecred expects there\n");
    expect(result.exitCode).toBe(3);
  });
});
