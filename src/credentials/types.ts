/** The shapes that flow between stages: what STS hands back and what sinks consume. */

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

/** A role session: the credentials plus who they act as, for sinks and for the user's summary. */
export interface RoleSession {
  readonly credentials: TemporaryCredentials;
  /** The role that was assumed: arn:aws:iam::ACCOUNT:role/NAME. */
  readonly roleArn: string;
  /** Who the session is: arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION. */
  readonly assumedRoleArn: string;
  readonly sessionName: string;
  readonly sourceIdentity?: string | undefined;
  /** STS's PackedPolicySize: percent of the packed policy and tag budget used, when a policy or tags were sent. */
  readonly packedPolicySize?: number | undefined;
  /** Region the session was obtained in, passed on to exports and child processes. */
  readonly region?: string | undefined;
}
