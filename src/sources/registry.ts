/**
 * Every credential source a profile can start from besides keys in the credentials file, in the
 * order they are asked. The first whose `applies` answers yes claims the profile. Add a source by
 * adding its file and one line here.
 */
import type { CredentialSource } from "./source.js";
import { x509Source } from "./x509.js";

export const CREDENTIAL_SOURCES: readonly CredentialSource[] = [x509Source];
