/**
 * src/mfa/code.ts in-process: where an MFA code comes from (--mfa-token, ROLECRED_MFA_TOKEN,
 * stdin, a profile's mfa_process, the terminal) and the one line a user sees when it is not a code.
 * Every code handed out is registered as a secret, so no message can show it.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExitCode, RolecredError } from "../../src/errors.js";
import { mfaCodeInput, mfaCodeProvider, requireMfaCode } from "../../src/mfa/code.js";
import { fakeDeps } from "../support/fake-deps.js";

const SERIAL = "arn:aws:iam::111111111111:mfa/jo";
let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "rolecred-unit-mfa-"));
  await mkdir(join(home, ".aws"));
  await writeFile(join(home, ".aws", "credentials"), "");
  await writeFile(join(home, ".aws", "config"), "");
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function refusal(run: () => unknown): Promise<{ message: string; exitCode: number }> {
  try {
    await run();
  } catch (error) {
    if (error instanceof RolecredError) return { message: error.message, exitCode: error.exitCode };
    throw error;
  }
  throw new Error("expected a RolecredError");
}

describe(mfaCodeInput.name, () => {
  it.each([
    ["-", undefined, { from: "stdin" }],
    [" 123456 ", undefined, { from: "flag", code: "123456" }],
    ["123456", "654321", { from: "flag", code: "123456" }],
    [undefined, "654321", { from: "env", code: "654321" }],
    [undefined, "", { from: "prompt" }],
    [undefined, undefined, { from: "prompt" }],
  ] as const)("--mfa-token %j, ROLECRED_MFA_TOKEN %j → %j", (flag, env, expected) => {
    expect(mfaCodeInput(flag, env)).toEqual(expected);
  });

  it.each([
    ["12345", undefined, "--mfa-token must be the 6 digits your MFA device shows"],
    ["1234567", undefined, "--mfa-token must be the 6 digits your MFA device shows"],
    [undefined, "abcdef", "ROLECRED_MFA_TOKEN must be the 6 digits your MFA device shows"],
  ] as const)("refuses %j / %j with exit 2 before anything is sent", async (flag, env, message) => {
    expect(await refusal(() => mfaCodeInput(flag, env))).toEqual({ message, exitCode: ExitCode.usage });
  });

  it("trims what requireMfaCode is given", () => {
    expect(requireMfaCode("\t000001\n", "--mfa-token")).toBe("000001");
  });
});

describe(mfaCodeProvider.name, () => {
  it("reads the first line of stdin and registers the code as a secret", async () => {
    const fake = fakeDeps({ home, stdin: "246810\nignored\n" });
    expect(await mfaCodeProvider({ from: "stdin" }, fake.deps)(SERIAL)).toBe("246810");
    expect(fake.deps.secrets.redact("code 246810 sent")).not.toContain("246810");
  });

  it("refuses stdin that is not 6 digits with exit 3, not echoing it", async () => {
    const fake = fakeDeps({ home, stdin: "hunter2\n" });
    expect(await refusal(() => mfaCodeProvider({ from: "stdin" }, fake.deps)(SERIAL))).toEqual({
      message: "the MFA code read from stdin is not 6 digits",
      exitCode: ExitCode.badInput,
    });
  });

  it("with no terminal, the prompt fails naming the flags that avoid it", async () => {
    const fake = fakeDeps({ home });
    const refused = await refusal(() => mfaCodeProvider({ from: "prompt" }, fake.deps)(SERIAL));
    expect(refused.exitCode).toBe(ExitCode.usage);
    expect(refused.message).toContain(`the MFA code for ${SERIAL}`);
  });

  it("runs the mfa_process of the profile with this device and takes the one 6-digit group it prints", async () => {
    await writeFile(join(home, ".aws", "config"), `[profile jo]\nmfa_serial = ${SERIAL}\nmfa_process = printf 'code: 135790\\n'\n`);
    const fake = fakeDeps({
      home,
      env: {
        HOME: home,
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        AWS_CONFIG_FILE: join(home, ".aws", "config"),
        AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
      },
    });
    expect(await mfaCodeProvider({ from: "prompt" }, fake.deps)(SERIAL)).toBe("135790");
  });

  it("refuses an mfa_process that prints two codes (exit 3), and two profiles naming different commands for one device", async () => {
    const env = {
      HOME: home,
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      AWS_CONFIG_FILE: join(home, ".aws", "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(home, ".aws", "credentials"),
    };
    await writeFile(join(home, ".aws", "config"), `[profile jo]\nmfa_serial = ${SERIAL}\nmfa_process = echo 111111 222222\n`);
    expect(await refusal(() => mfaCodeProvider({ from: "prompt" }, fakeDeps({ home, env }).deps)(SERIAL))).toEqual({
      message: `mfa_process "echo 111111 222222" (profile "jo") printed more than one 6-digit code`,
      exitCode: ExitCode.badInput,
    });
    await writeFile(
      join(home, ".aws", "config"),
      `[profile a]\nmfa_serial = ${SERIAL}\nmfa_process = echo 111111\n[profile b]\nmfa_serial = ${SERIAL}\nmfa_process = echo 222222\n`,
    );
    expect(await refusal(() => mfaCodeProvider({ from: "prompt" }, fakeDeps({ home, env }).deps)(SERIAL))).toEqual({
      message: `profiles "a", "b" name different mfa_process commands for ${SERIAL}`,
      exitCode: ExitCode.badInput,
    });
  });
});
