/**
 * STS's documented limits, as the local STS endpoint enforces them. Every value here is taken
 * from the AWS STS API Reference or the IAM User Guide page named beside it, NOT from
 * src/sts/limits.ts: the endpoint is the referee rolecred's own checks are tested against, so the
 * two tables are derived independently and compared (sts-limits.test.ts). A disagreement is a bug
 * in one of them.
 *
 * Patterns are the API Reference's "Pattern:" lines verbatim (the service model's Java regular
 * expressions; Java's `\w` and `\d`, like JavaScript's, are ASCII only). ValidationError messages
 * quote them as they are written here.
 */

/** The pages the values come from. */
export const STS_DOCS = {
  assumeRole: "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html",
  assumeRoleWithSaml: "https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithSAML.html",
  getSessionToken: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html",
  getFederationToken: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html",
  tag: "https://docs.aws.amazon.com/STS/latest/APIReference/API_Tag.html",
  policyDescriptor: "https://docs.aws.amazon.com/STS/latest/APIReference/API_PolicyDescriptorType.html",
  quotas: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html",
  roleChaining: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#iam-term-role-chaining",
  maxSessionDuration: "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html",
} as const;

/** A string member: "Length Constraints: Minimum length of MIN. Maximum length of MAX." and its
 *  Pattern. Lengths count characters (code points), not UTF-16 units. */
export interface StringLimit {
  readonly min: number;
  readonly max: number;
  /** The documented pattern, verbatim (a whole-value match). Undefined: the page gives none. */
  readonly pattern?: string;
  /** Never echoed in an error message (MFA codes, assertions). (local: STS marks them sensitive) */
  readonly sensitive?: boolean;
}

/** An integer member: "Valid Range: Minimum value of MIN. Maximum value of MAX." */
export interface IntegerLimit {
  readonly min: number;
  readonly max: number;
}

export const STRING_LIMITS = {
  /** RoleArn, PrincipalArn (AssumeRole, AssumeRoleWithSAML) and PolicyArns.member.N.arn
   *  (PolicyDescriptorType): "Minimum length of 20. Maximum length of 2048." */
  arn: {
    min: 20,
    max: 2048,
    pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u0085\\u00A0-\\uD7FF\\uE000-\\uFFFD\\u10000-\\u10FFFF]+",
  },
  /** AssumeRole RoleSessionName: 2-64, `[\w+=,.@-]*` (STS_DOCS.assumeRole; quotas page: "Role session name: 64 characters"). */
  roleSessionName: { min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  /** GetFederationToken Name: 2-32, `[\w+=,.@-]*` (STS_DOCS.getFederationToken). */
  federatedUserName: { min: 2, max: 32, pattern: "[\\w+=,.@-]*" },
  /** AssumeRole ExternalId: 2-1224, `[\w+=,.@:\/-]*` (STS_DOCS.assumeRole; the quotas page:
   *  "a minimum of 2 characters and a maximum of 1,224 characters"). */
  externalId: { min: 2, max: 1224, pattern: "[\\w+=,.@:\\/-]*" },
  /** SerialNumber (AssumeRole, GetSessionToken): 9-256, `[\w+=/:,.@-]*`. */
  serialNumber: { min: 9, max: 256, pattern: "[\\w+=/:,.@-]*" },
  /** TokenCode (AssumeRole, GetSessionToken): "a sequence of six numeric digits", 6-6, `[\d]*`. */
  tokenCode: { min: 6, max: 6, pattern: "[\\d]*", sensitive: true },
  /** AssumeRole SourceIdentity: 2-64, `[\w+=,.@-]*`; "You cannot use a value that begins with
   *  the text aws:" (the pattern has no ':', so it already refuses it). */
  sourceIdentity: { min: 2, max: 64, pattern: "[\\w+=,.@-]*" },
  /** Policy (AssumeRole, AssumeRoleWithSAML, GetFederationToken): 1-2048,
   *  `[\u0009\u000A\u000D\u0020-\u00FF]+`: "The plaintext that you use for both inline and managed
   *  session policies can't exceed 2,048 characters"; the quotas page: "Policy documents can contain
   *  only the following Unicode characters: horizontal tab (U+0009), linefeed (U+000A), carriage
   *  return (U+000D), and characters in the range U+0020 to U+00FF." */
  policy: { min: 1, max: 2048, pattern: "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+" },
  /** Tag Key: 1-128, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+` (STS_DOCS.tag: "can't exceed 128 characters"). */
  tagKey: { min: 1, max: 128, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+" },
  /** Tag Value: 0-256, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*` (STS_DOCS.tag: "can't exceed 256 characters"). */
  tagValue: { min: 0, max: 256, pattern: "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*" },
  /** AssumeRoleWithSAML SAMLAssertion: 4-100000 (STS_DOCS.assumeRoleWithSaml; the quotas page:
   *  "SAML authentication response base64 encoded: 100,000 characters"). No pattern is given. */
  samlAssertion: { min: 4, max: 100_000, sensitive: true },
} as const satisfies Record<string, StringLimit>;

/** A session length: the DurationSeconds range and what STS uses when none is sent. */
export interface DurationLimit extends IntegerLimit {
  readonly default: number;
}

export const DURATION_SECONDS = {
  /** AssumeRole DurationSeconds: "from 900 seconds (15 minutes) up to the maximum session
   *  duration set for the role" (at most 43200, 12 hours); "By default, the value is set to 3600 seconds." */
  assumeRole: { min: 900, max: 43_200, default: 3600 },
  /** AssumeRoleWithSAML DurationSeconds: the same 900 to the role's maximum (≤ 43200), default 3600;
   *  the session ends at SessionNotOnOrAfter if that is sooner. */
  assumeRoleWithSaml: { min: 900, max: 43_200, default: 3600 },
  /** GetSessionToken DurationSeconds: "Acceptable durations for IAM user sessions range from 900
   *  seconds (15 minutes) to 129,600 seconds (36 hours), with 43,200 seconds (12 hours) as the default." */
  getSessionToken: { min: 900, max: 129_600, default: 43_200 },
  /** GetFederationToken DurationSeconds: "from 900 seconds (15 minutes) to 129,600 seconds (36 hours),
   *  with 43,200 seconds (12 hours) as the default." */
  getFederationToken: { min: 900, max: 129_600, default: 43_200 },
} as const satisfies Record<string, DurationLimit>;

/** A role's MaxSessionDuration: "This setting can have a value from 1 hour to 12 hours", one hour
 *  when not set (STS_DOCS.maxSessionDuration). */
export const ROLE_MAX_SESSION_DURATION = { min: 3600, max: 43_200, default: 3600 } as const satisfies DurationLimit;

/** "Role chaining limits your AWS CLI or AWS API role session to a maximum of one hour"
 *  (STS_DOCS.roleChaining; AssumeRole: "if you assume a role using role chaining and provide a
 *  DurationSeconds parameter value greater than one hour, the operation fails"). */
export const ROLE_CHAINING_MAX_SECONDS = 3600;

/** Session tags per request: "You can pass up to 50 session tags" (STS_DOCS.tag, STS_DOCS.assumeRole). */
export const MAX_SESSION_TAGS = 50;
/** AssumeRole TransitiveTagKeys: "Array Members: Maximum number of 50 items." */
export const MAX_TRANSITIVE_TAG_KEYS = 50;
/** AssumeRole PolicyArns: "You can provide up to 10 managed policy ARNs." (documented; the model's
 *  list has no maximum). */
export const MAX_POLICY_ARNS = 10;
