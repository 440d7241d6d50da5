/**
 * The caller's own credentials, used only to sign the STS call that exchanges them for a role
 * session: the AWS SDK's default provider chain (environment, AWS_PROFILE, SSO, process,
 * container, instance), or one named profile with --source-profile. Loaded lazily: the provider
 * packages are only needed on the path that calls STS with the user's keys.
 */
import { RolecredError } from "../errors.js";
import type { AwsCredentials } from "./types.js";

export interface SourceCredentialsRequest {
  /** --source-profile; undefined means the default provider chain. */
  readonly profile: string | undefined;
  readonly credentialsPath: string;
  readonly configPath: string;
}

export async function loadSourceCredentials(request: SourceCredentialsRequest): Promise<AwsCredentials> {
  const { fromIni, fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const files = { filepath: request.credentialsPath, configFilepath: request.configPath, ignoreCache: true };
  const provider =
    request.profile === undefined
      ? // The chain reads AWS_* variables from process.env itself; src/cli passes the real environment.
        fromNodeProviderChain(files)
      : fromIni({ ...files, profile: request.profile });
  try {
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    };
  } catch (error) {
    throw noSourceCredentials(error, request.profile);
  }
}

function noSourceCredentials(error: unknown, profile: string | undefined): RolecredError {
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (profile !== undefined) {
    return new RolecredError(`cannot load credentials of source profile "${profile}": ${detail}`, {
      cause: error,
      hint: "the profile needs aws_access_key_id and aws_secret_access_key in ~/.aws/credentials",
    });
  }
  return new RolecredError("no AWS credentials found to call STS with (looked in the environment, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config)", {
    cause: error,
    hint: "set AWS_PROFILE to the profile holding your IAM user's keys, or pass --source-profile",
  });
}
