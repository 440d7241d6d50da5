/**
 * The credential_process format the AWS SDKs and the AWS CLI read from a helper's stdout
 * (Version 1; Expiration in ISO 8601 makes them refresh by calling the helper again).
 */
import type { TemporaryCredentials } from "../credentials/types.js";

export function renderProcessJson(credentials: TemporaryCredentials): string {
  return `${JSON.stringify({
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration.toISOString(),
  })}\n`;
}
