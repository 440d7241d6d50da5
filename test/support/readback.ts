/**
 * Read a profile rolecred wrote the way other programs will: the AWS SDK for JavaScript's default
 * provider chain in a separate Node process (AWS_PROFILE, nothing injected), and Debian's AWS CLI.
 * Both ask the local STS endpoint who they are.
 */
import { REPO_ROOT, runProcess, type CliResult } from "./run-cli.js";

/** Debian's aws CLI; another (v1) may be earlier on PATH, so never rely on PATH for it. */
export const DEBIAN_AWS_CLI = "/usr/bin/aws";

const SDK_CALLER_IDENTITY = `
import { STSClient, GetCallerIdentityCommand } from "@aws-sdk/client-sts";
const client = new STSClient({ maxAttempts: 1 });
const identity = await client.send(new GetCallerIdentityCommand({}));
process.stdout.write(JSON.stringify({ Arn: identity.Arn, Account: identity.Account }));
`;

export interface Identity {
  readonly Arn: string;
  readonly Account: string;
}

function identityOf(result: CliResult, who: string): Identity {
  if (result.exitCode !== 0) throw new Error(`${who} failed (${result.exitCode}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Identity;
}

/** GetCallerIdentity through the SDK's default chain with AWS_PROFILE=profile; env supplies the files and endpoint. */
export async function identityViaSdk(env: Readonly<Record<string, string>>, profile: string): Promise<Identity> {
  const result = await runProcess(process.execPath, ["--input-type=module", "-e", SDK_CALLER_IDENTITY], {
    env: { ...env, AWS_PROFILE: profile, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    cwd: REPO_ROOT,
  });
  return identityOf(result, "the AWS SDK");
}

/** `aws sts get-caller-identity --profile profile` with Debian's AWS CLI. */
export async function identityViaAwsCli(env: Readonly<Record<string, string>>, profile: string, endpointUrl: string): Promise<Identity> {
  const result = await runProcess(
    DEBIAN_AWS_CLI,
    ["sts", "get-caller-identity", "--profile", profile, "--endpoint-url", endpointUrl, "--region", "us-east-1", "--output", "json"],
    {
      env: { ...env, AWS_PAGER: "" },
    },
  );
  return identityOf(result, "the AWS CLI");
}
