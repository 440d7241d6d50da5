/**
 * Every credential source a profile can start from besides keys in the credentials file, in the
 * order they are asked. The first whose `applies` answers yes claims the profile. Add a source by
 * adding its file and one line here.
 */
import type { CredentialSource } from "./source.js";
import { credentialProcessSource } from "./credential-process.js";
import { identityCenterSource } from "./identity-center.js";
import { keyringSource } from "./keyring.js";
import { x509Source } from "./x509.js";

export const CREDENTIAL_SOURCES: readonly CredentialSource[] = [
  x509Source,
  identityCenterSource,
  // Before credential_process: a profile holding both (`credential_process = rolecred process
  // SELF` for the AWS CLI) is rolecred's own keys profile, not a loop.
  keyringSource,
  credentialProcessSource,
];
