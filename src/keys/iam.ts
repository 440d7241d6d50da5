/**
 * The three IAM calls key rotation makes, through the SDK's own IAM client (@aws-sdk/client-iam,
 * imported only here and only by `keys rotate`). IAM is a global service: one endpoint per
 * partition, signed for us-east-1 in the aws partition. AWS_ENDPOINT_URL_IAM (then
 * AWS_ENDPOINT_URL) overrides the endpoint, as in the SDKs.
 */
import type { IAMClient } from "@aws-sdk/client-iam";
import type { Env } from "../deps.js";
import { ExitCode, messageOf, RolecredError, usageError } from "../errors.js";
import type { AwsCredentials } from "../credentials/types.js";

export interface IamEndpoint {
  readonly region: string;
  readonly url: string | undefined;
  readonly timeoutMs: number;
}

/** The signing region of IAM in the partition of `region`. */
function iamRegion(region: string): string {
  if (region.startsWith("cn-")) return "cn-north-1";
  if (region.startsWith("us-gov-")) return "us-gov-west-1";
  return "us-east-1";
}

export function resolveIamEndpoint(region: string, timeoutMs: number, env: Env): IamEndpoint {
  const url = env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS === "true" ? undefined : env.AWS_ENDPOINT_URL_IAM || env.AWS_ENDPOINT_URL || undefined;
  if (url !== undefined && !/^https?:\/\/[^\s/]+/.test(url))
    throw usageError(`invalid IAM endpoint URL "${url}" (from AWS_ENDPOINT_URL_IAM or AWS_ENDPOINT_URL)`, "expected https://host[:port]");
  return { region: iamRegion(region), url, timeoutMs };
}

async function client(endpoint: IamEndpoint, credentials: AwsCredentials): Promise<IAMClient> {
  const { IAMClient } = await import("@aws-sdk/client-iam");
  return new IAMClient({
    region: endpoint.region,
    ...(endpoint.url === undefined ? {} : { endpoint: endpoint.url }),
    credentials,
    maxAttempts: 2,
    requestHandler: { connectionTimeout: endpoint.timeoutMs, requestTimeout: endpoint.timeoutMs, throwOnRequestTimeout: true },
  });
}

/** IAM's error as one line: its code and message (IAM's messages carry no secret). */
export function iamError(operation: string, error: unknown): RolecredError {
  const code = typeof error === "object" && error !== null && "name" in error ? String(error.name) : "Error";
  const denied = code === "AccessDenied" || code === "AccessDeniedException" || code === "InvalidClientTokenId";
  return new RolecredError(`IAM ${operation} failed: ${code}: ${messageOf(error).split("\n")[0]}`, {
    exitCode: denied ? ExitCode.denied : code === "LimitExceeded" || code === "LimitExceededException" ? ExitCode.failure : ExitCode.unavailable,
    cause: error,
  });
}

export interface AccessKeyListing {
  readonly accessKeyId: string;
  readonly status: string;
}

export async function listAccessKeys(endpoint: IamEndpoint, credentials: AwsCredentials, userName: string): Promise<AccessKeyListing[]> {
  try {
    const { ListAccessKeysCommand } = await import("@aws-sdk/client-iam");
    const answer = await (await client(endpoint, credentials)).send(new ListAccessKeysCommand({ UserName: userName }));
    return (answer.AccessKeyMetadata ?? []).map((key) => ({ accessKeyId: key.AccessKeyId ?? "", status: key.Status ?? "" }));
  } catch (error) {
    throw iamError("ListAccessKeys", error);
  }
}

export async function createAccessKey(
  endpoint: IamEndpoint,
  credentials: AwsCredentials,
  userName: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  try {
    const { CreateAccessKeyCommand } = await import("@aws-sdk/client-iam");
    const answer = await (await client(endpoint, credentials)).send(new CreateAccessKeyCommand({ UserName: userName }));
    const accessKeyId = answer.AccessKey?.AccessKeyId;
    const secretAccessKey = answer.AccessKey?.SecretAccessKey;
    if (!accessKeyId || !secretAccessKey) throw new RolecredError("IAM CreateAccessKey answered without a key", { exitCode: ExitCode.unavailable });
    return { accessKeyId, secretAccessKey };
  } catch (error) {
    if (error instanceof RolecredError) throw error;
    throw iamError("CreateAccessKey", error);
  }
}

export async function deleteAccessKey(endpoint: IamEndpoint, credentials: AwsCredentials, userName: string, accessKeyId: string): Promise<void> {
  try {
    const { DeleteAccessKeyCommand } = await import("@aws-sdk/client-iam");
    await (await client(endpoint, credentials)).send(new DeleteAccessKeyCommand({ UserName: userName, AccessKeyId: accessKeyId }));
  } catch (error) {
    throw iamError("DeleteAccessKey", error);
  }
}
