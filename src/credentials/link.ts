/**
 * A link of a credential chain, as the AWS SDK's providers and aws-vault's are: a link gets its
 * credentials from the link below it. Static keys → (GetSessionToken) → AssumeRole → AssumeRole…
 * One link per file (static-keys-link.ts, session-token-link.ts, assume-role-link.ts, and the
 * registered sources of src/sources/); caching (cached-link.ts) and sharing one pending result
 * (memoized-link.ts) are decorators around any link, not flags inside each one.
 *
 * Each link has a `key` describing exactly what it would produce (its parameters and its parent's
 * key, link-keys.ts), so a cached session is reused only for the same request, and a changed
 * config, policy or source key never returns a stale session.
 */
import type { Deps } from "../deps.js";
import type { MfaCodeProvider } from "../mfa/code.js";
import type { StsEndpoint } from "../sts/client.js";
import type { CachedSession } from "../store/session-cache.js";
import type { AwsCredentials } from "./types.js";

export interface LinkResult {
  readonly credentials: AwsCredentials;
  /** Undefined for the static keys at the bottom of a chain. */
  readonly session: CachedSession | undefined;
}

export interface Link {
  readonly key: string;
  obtain(): Promise<LinkResult>;
}

export interface LinkContext {
  readonly endpoint: StsEndpoint;
  readonly mfaCode: MfaCodeProvider;
  /** The code is typed at a prompt, so a retry may ask for the next one (duration-fallback.ts). */
  readonly mfaCodePrompted?: boolean;
  readonly deps: Deps;
}
