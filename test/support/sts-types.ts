/**
 * The local STS endpoint's public types: how a test world is described (users, roles, trust,
 * SAML providers, options) and what the endpoint reports back (recorded calls, issued sessions).
 * sts-server.ts re-exports every name here; tests import them from there.
 */
export interface LocalStsUser {
  account: string; // 12 digits
  name: string; // IAM user name, e.g. "jo"
  path?: string; // default "/"
  accessKeyId: string; // AKIA...
  secretAccessKey: string;
  mfaDevices?: Array<{ serial: string; secret: string }>; // secret: base32 TOTP seed
}

export interface TrustStatement {
  /** Who may assume: IAM user ARNs; "arn:aws:iam::ACCOUNT:root" (any user or role session of that account);
   *  role ARNs (sessions of that role, i.e. role chaining); SAML provider ARNs (AssumeRoleWithSAML). */
  principals: string[];
  requireMfa?: boolean; // Condition Bool aws:MultiFactorAuthPresent true
  externalId?: string; // StringEquals sts:ExternalId
  sessionNameMustEqualUsername?: boolean; // StringEquals sts:RoleSessionName ${aws:username}
  allowTagSession?: boolean; // sts:TagSession allowed (needed to pass Tags / SAML PrincipalTag)
  allowSetSourceIdentity?: boolean; // sts:SetSourceIdentity allowed
  /** SAML:aud must be one of these. As on AWS, SAML:aud is the assertion's SubjectConfirmationData
   *  Recipient (what STS returns as Audience), not its AudienceRestriction. Unset: no condition. */
  samlAudiences?: string[];
  /** StringEquals aws:PrincipalTag/KEY (keys case-insensitive): the caller's session tags, or the
   *  tags a service derives for it (IAM Roles Anywhere: x509Subject/CN, ...). Unset: no condition. */
  principalTagEquals?: Record<string, string>;
  /** ArnEquals aws:SourceArn: the resource a service acts for (IAM Roles Anywhere: the trust anchor). */
  sourceArns?: string[];
}

export interface LocalStsRole {
  arn: string;
  maxSessionDuration?: number; // seconds, default 3600
  trust: TrustStatement[];
}

export interface LocalStsSamlProvider {
  arn: string;
  certificatePem: string;
}

export interface LocalStsOptions {
  users?: LocalStsUser[];
  roles?: LocalStsRole[];
  samlProviders?: LocalStsSamlProvider[];
  now?: () => Date; // clock for expiry, TOTP and signature dates; default real time
  /** Issue every role session with this lifetime, whatever was asked (a test knob for refresh
   *  tests: real STS never issues less than 900 s). Undefined: the asked duration, as STS does. */
  roleSessionLifetimeSeconds?: number;
  /**
   * A hostile or broken endpoint: rewrite each answer's XML before it is sent (e.g. put a newline
   * into AccessKeyId). Gets the action and the XML the strict endpoint would have sent.
   */
  tamper?: (xml: string, action: string) => string | Buffer;
  /** Another Query service answered on the same endpoint (e.g. IAM, test/support/iam-server.ts). */
  extension?: LocalStsExtension;
  /**
   * The MFA devices' clock, when it must run apart from `now` (default: `now`). A test world that
   * spends many codes moves only this one: moving `now` past the SDK's 5-minute skew threshold
   * would make the SDK correct its clock from the Date header and resend any failed request.
   */
  mfaNow?: () => Date;
}

/**
 * The dispatch hook for another AWS Query service (IAM): requests carrying its API version go to
 * `serve`, after STS has checked their SigV4 signature for `signingService`; and the long-term
 * keys it creates or deletes are the ones STS honours.
 */
export interface LocalStsExtension {
  readonly apiVersion: string;
  readonly signingService: string;
  serve(action: string, params: URLSearchParams, caller: ExtensionCaller, requestId: string): { status: number; xml: string; errorCode?: string };
  /** A long-term key as the extension knows it: its user and secret, "refused" (deleted, or not usable yet), or undefined (not its business). */
  longTermKey(accessKeyId: string): { user: LocalStsUser; secretAccessKey: string } | "refused" | undefined;
}

export interface ExtensionCaller {
  arn: string;
  account: string;
  /** The IAM user behind long-term keys or a GetSessionToken session. */
  user?: LocalStsUser;
  /** Signed with temporary credentials: "session-token" (GetSessionToken) or "assumed-role". */
  temporary?: "session-token" | "assumed-role";
  mfaPresent: boolean;
}

export interface RecordedCall {
  action: string;
  params: Record<string, string>; // every form parameter exactly as received
  callerArn?: string; // who signed it (undefined for unsigned AssumeRoleWithSAML)
  errorCode?: string; // the STS error code returned, if any
}

/** What the server remembers of credentials it issued (a copy: changing it changes nothing). */
export interface LocalStsSession {
  accessKeyId: string;
  kind: "assumed-role" | "session-token" | "federated-user";
  /** Issued to a caller that signed with temporary credentials (role chaining). */
  chained: boolean;
  /** The ARN the credentials act as: the assumed-role session ARN, or the IAM user's ARN. */
  arn: string;
  account: string;
  roleArn?: string;
  sessionName?: string;
  /** The IAM user behind a GetSessionToken session. */
  userName?: string;
  expiration: Date;
  mfaPresent: boolean;
  /** Session tags, inherited transitive tags included; keys as given. */
  tags: Record<string, string>;
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArns: string[];
}

/** A role session a service principal asks for on someone's behalf (IAM Roles Anywhere's CreateSession). */
export interface ServiceRoleRequest {
  service: string; // "rolesanywhere.amazonaws.com"
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
  tags: SessionTag[];
  sourceIdentity?: string;
  sourceArn?: string;
}

export interface ServiceRoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  assumedRoleArn: string;
  assumedRoleId: string;
}

/** The STS error a service's request met (AccessDenied, ValidationError), for the service to translate. */
export class LocalStsRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "LocalStsRefusal";
  }
}

export interface LocalSts {
  readonly url: string; // "http://127.0.0.1:PORT/"
  readonly calls: RecordedCall[];
  totp(serial: string, at?: Date): string; // the currently valid code of an MFA device
  /** Make issued temporary credentials expire now (for ExpiredToken tests). */
  expireCredentials(accessKeyId: string): void;
  /** The issued session behind temporary credentials, or undefined if this server did not issue them. */
  session(accessKeyId: string): LocalStsSession | undefined;
  /** The session these exact credentials belong to, if this server issued them and they are unexpired. */
  checkCredentials(accessKeyId: string, secretAccessKey: string, sessionToken: string): LocalStsSession | undefined;
  /**
   * Issue a role session outside STS's own calls, as IAM Identity Center's GetRoleCredentials does
   * (test/support/identity-center-server.ts): the credentials then sign requests here like any.
   */
  issueRoleSession(request: ExternalRoleSessionRequest): ExternalRoleSession;
  /** The role's trust policy judges the service principal; the session is then accepted like any other. */
  assumeRoleForService(request: ServiceRoleRequest): ServiceRoleSession;
  close(): Promise<void>;
}

export interface ExternalRoleSessionRequest {
  roleArn: string;
  sessionName: string;
  durationSeconds: number;
}

export interface ExternalRoleSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface SessionTag {
  key: string;
  value: string;
}
