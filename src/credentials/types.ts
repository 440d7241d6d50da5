/**
 * rolecred's one session vocabulary, at the base (it imports nothing): what STS and the other
 * services hand back, what the cache keeps and what every sink consumes.
 *
 *   AwsCredentials        keys, long-term or temporary
 *   TemporaryCredentials  keys with a token and an expiry
 *   Session               temporary credentials + who they act as, each identity field optional
 *                         because it can be unknown (a GetSessionToken, Identity Center or
 *                         credential_process session; a service that did not say; an old file)
 *   RoleSession           a Session whose role is known (the caller named it)
 *
 * The real extensions build on these: CachedSession (src/store/session-cache.ts: how it was made,
 * by which profile, narrowed how), SamlRoleSession (src/sts/calls.ts: the assertion's subject).
 * A consumer that needs an identity field handles its absence itself; nothing invents a value.
 */

/** A set of AWS credentials, long-term (no token, no expiry) or temporary. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

/** Credentials STS issued: always a token and an expiry. */
export interface TemporaryCredentials extends AwsCredentials {
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Who a session acts as, as far as it is known: undefined where nobody said. */
export interface SessionIdentity {
  /** The role that was assumed: arn:aws:iam::ACCOUNT:role/NAME. */
  readonly roleArn?: string | undefined;
  /** Who the session is: arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION. */
  readonly assumedRoleArn?: string | undefined;
  readonly sessionName?: string | undefined;
  readonly sourceIdentity?: string | undefined;
  /**
   * Percent of the session token's budget used when a policy or tags were sent: STS's
   * PackedPolicySize, or its newer SessionTokenUtilization when STS sends only that (sts/calls.ts).
   */
  readonly packedPolicySize?: number | undefined;
  /** Region the session was obtained in, passed on to exports and child processes. */
  readonly region?: string | undefined;
}

/** A session: the credentials plus what is known of who they act as, for sinks and the user's summary. */
export interface Session extends SessionIdentity {
  readonly credentials: TemporaryCredentials;
}

/** A session of a role the caller named (AssumeRole, AssumeRoleWithSAML, Roles Anywhere CreateSession). */
export interface RoleSession extends Session {
  readonly roleArn: string;
}
