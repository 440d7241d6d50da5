/**
 * `npm run demo`: rolecred's main job end to end with no AWS account. A local STS endpoint (the
 * one the tests use: real Query protocol, SigV4, MFA codes, trust rules) plays AWS; an IAM user
 * "jo" with long-term keys and a virtual MFA device lives in a temporary HOME. rolecred assumes a
 * role with jo's keys and an MFA code, writes the profile, and the AWS SDK's default provider
 * chain then reads that profile (AWS_PROFILE=dev) and asks STS who it is.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { cliEnv, ROLECRED_BIN } from "../test/support/run-cli.js";
import { identityViaSdk } from "../test/support/readback.js";
import { MFA_SERIAL, ROLES, startWorld, writeJoProfile } from "../test/support/world.js";

const run = promisify(execFile);

function step(text: string): void {
  process.stdout.write(`\n\u001b[1m== ${text}\u001b[0m\n`);
}

/** Secrets in the credentials file, shown the way a careful screenshot would. */
function masked(text: string): string {
  return text.replace(
    /^(aws_secret_access_key|aws_session_token) = (.*)$/gm,
    (_, key: string, value: string) => `${key} = ${value.slice(0, 4)}…(${value.length} characters)`,
  );
}

async function main(): Promise<void> {
  const world = await startWorld();
  const home = await mkdtemp(join(tmpdir(), "rolecred-demo-"));
  try {
    await writeJoProfile(home);
    const env = cliEnv(home, { AWS_PROFILE: "jo", AWS_ENDPOINT_URL_STS: world.sts.url });
    step(`A local STS endpoint is running at ${world.sts.url}; HOME is ${home}`);
    process.stdout.write(`jo's long-term keys are in ${join(home, ".aws", "credentials")} [jo]; ~/.aws/config sets mfa_serial = ${MFA_SERIAL}\n`);

    // The demo has no phone: it computes the code the MFA device would show right now.
    const code = world.nextMfaCode();
    const command = ["user", ROLES.developer, "--profile", "dev", "--duration", "8h"];
    step(`rolecred ${command.join(" ")}   (MFA code from the demo's virtual device, via ROLECRED_MFA_TOKEN)`);
    const assumed = await run(process.execPath, [ROLECRED_BIN, ...command], { env: { ...env, ROLECRED_MFA_TOKEN: code } });
    process.stdout.write(assumed.stderr);

    step("~/.aws/credentials now (jo's keys untouched, [dev] added; secrets shortened here)");
    process.stdout.write(masked(await readFile(join(home, ".aws", "credentials"), "utf8")));

    step("AWS_PROFILE=dev: the AWS SDK's default provider chain reads the profile and calls GetCallerIdentity");
    const identity = await identityViaSdk(env, "dev");
    process.stdout.write(`${JSON.stringify(identity, null, 2)}\n`);
    const expected = `arn:aws:sts::111111111111:assumed-role/Developer/jo`;
    if (identity.Arn !== expected) throw new Error(`expected ${expected}, the SDK saw ${identity.Arn}`);

    step("what STS received (the MFA code and keys are not shown)");
    for (const call of world.sts.calls) {
      process.stdout.write(
        `${call.action.padEnd(18)} caller=${call.callerArn ?? "(unsigned)"}${call.params.RoleArn ? ` RoleArn=${call.params.RoleArn}` : ""}${call.params.SerialNumber ? ` SerialNumber=${call.params.SerialNumber}` : ""}${call.errorCode ? ` -> ${call.errorCode}` : ""}\n`,
      );
    }
    process.stdout.write("\ndemo passed: the profile rolecred wrote is the one the AWS SDK uses\n");
  } finally {
    await world.close();
    await rm(home, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
