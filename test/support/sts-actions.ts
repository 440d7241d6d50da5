/**
 * One handler per STS action (GetCallerIdentity, GetSessionToken, GetFederationToken, AssumeRole,
 * AssumeRoleWithSAML), and the two ways a test world issues role sessions outside STS's own calls
 * (a service principal's AssumeRole, Identity Center's GetRoleCredentials). Each handler reads its
 * members (sts-params.ts), applies the rules (sts-rules.ts) and returns its Result's XML elements.
 *
 * Where AWS does not document a rule or a message, the choice made here is marked "(local)".
 */
import { createHash } from "node:crypto";

import type { Caller, MfaDevices } from "./sts-auth.js";
import { principalNamesOf } from "./sts-auth.js";
import { DURATION_SECONDS, ROLE_MAX_SESSION_DURATION } from "./sts-limits.js";
import { readAssumeRoleParams, readFederationTokenParams, readSamlParams, readSessionTokenParams, type QueryParams } from "./sts-params.js";
import { isoSeconds, MESSAGES, notAuthorized, StsError, type XmlElement } from "./sts-protocol.js";
import {
  checkChainingDuration,
  checkedSaml,
  checkPolicyArns,
  checkRoleDuration,
  checkSessionPolicy,
  mergeSessionTags,
  packedSizeFor,
  sourceIdentityFor,
  transitiveKeysAmong,
  trustAllows,
} from "./sts-rules.js";
import { accountOfArn, parseRoleArn, partitionOfArn, uniqueId, type IssuedSession, type RoleArnParts, type SessionStore } from "./sts-sessions.js";
import type {
  ExternalRoleSession,
  ExternalRoleSessionRequest,
  LocalStsRole,
  LocalStsSamlProvider,
  ServiceRoleRequest,
  ServiceRoleSession,
  SessionTag,
} from "./sts-types.js";

const SAML_SUBJECT_FORMAT_PREFIX = "urn:oasis:names:tc:SAML:2.0:nameid-format:";

/** Everything an AssumeRole* call asks for, once its parameters are read. */
interface RoleRequest {
  role: LocalStsRole;
  roleParts: RoleArnParts;
  sessionName: string;
  durationSeconds: number;
  policy?: string;
  policyArns: string[];
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  mfaPresent: boolean;
  /** The caller signed with temporary credentials. */
  chained?: boolean;
  /** Latest end of the session (a SAML SessionNotOnOrAfter). */
  notAfter?: Date;
}

function credentialsXml(session: IssuedSession): XmlElement {
  return [
    "Credentials",
    [
      ["AccessKeyId", session.accessKeyId],
      ["SecretAccessKey", session.secretAccessKey],
      ["SessionToken", session.sessionToken],
      ["Expiration", isoSeconds(session.expiration)],
    ],
  ];
}

function assumedRoleUserXml(session: IssuedSession): XmlElement {
  return [
    "AssumedRoleUser",
    [
      ["AssumedRoleId", session.userId],
      ["Arn", session.arn],
    ],
  ];
}

export class StsActions {
  private readonly roles = new Map<string, LocalStsRole>();
  private readonly samlProviders = new Map<string, LocalStsSamlProvider>();

  constructor(
    private readonly sessions: SessionStore,
    private readonly mfa: MfaDevices,
    private readonly now: () => Date,
    /** Every role session's lifetime, whatever was asked (LocalStsOptions.roleSessionLifetimeSeconds). */
    private readonly roleSessionLifetimeSeconds: number | undefined,
  ) {}

  addRole(role: LocalStsRole): void {
    if (parseRoleArn(role.arn) === undefined) throw new Error(`not a role ARN: ${role.arn}`);
    const max = role.maxSessionDuration ?? ROLE_MAX_SESSION_DURATION.default;
    if (!(max >= ROLE_MAX_SESSION_DURATION.min && max <= ROLE_MAX_SESSION_DURATION.max)) {
      throw new Error(`role ${role.arn}: maxSessionDuration must be ${ROLE_MAX_SESSION_DURATION.min}-${ROLE_MAX_SESSION_DURATION.max}`);
    }
    this.roles.set(role.arn, role);
  }

  addSamlProvider(provider: LocalStsSamlProvider): void {
    this.samlProviders.set(provider.arn, provider);
  }

  /** A role session issued outside STS's calls (Identity Center's GetRoleCredentials). */
  issueExternalRoleSession(request: ExternalRoleSessionRequest): ExternalRoleSession {
    const parts = parseRoleArn(request.roleArn);
    if (parts === undefined) throw new Error(`not a role ARN: ${request.roleArn}`);
    const session = this.sessions.issue({
      arn: `arn:${parts.partition}:sts::${parts.account}:assumed-role/${parts.name}/${request.sessionName}`,
      account: parts.account,
      userId: `${uniqueId("AROA", request.roleArn)}:${request.sessionName}`,
      roleArn: request.roleArn,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      mfaPresent: false,
      tags: [],
      transitiveTagKeys: [],
      policyArns: [],
    });
    return {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
    };
  }

  // ----- actions ----------------------------------------------------------------------------

  getCallerIdentity(caller: Caller): XmlElement[] {
    return [
      ["UserId", caller.userId],
      ["Account", caller.account],
      ["Arn", caller.arn],
    ];
  }

  getSessionToken(query: QueryParams, caller: Caller): XmlElement[] {
    const { durationSeconds, serial, code } = readSessionTokenParams(query);
    const user = caller.user;
    if (caller.session !== undefined || user === undefined) {
      throw new StsError("AccessDenied", MESSAGES.sessionTokenFromSession);
    }
    const mfaPresent = this.mfa.check(user, serial, code);
    const session = this.sessions.issue({
      arn: caller.arn,
      account: caller.account,
      userId: caller.userId,
      user,
      durationSeconds: durationSeconds ?? DURATION_SECONDS.getSessionToken.default,
      mfaPresent,
      tags: [],
      transitiveTagKeys: [],
      policyArns: [],
    });
    return [credentialsXml(session)];
  }

  /** GetFederationToken: IAM user long-term keys only; the session is the intersection of the user's permissions and the policies passed. */
  getFederationToken(query: QueryParams, caller: Caller): XmlElement[] {
    const { name, durationSeconds, policy, policyArns, tags } = readFederationTokenParams(query);
    const user = caller.user;
    if (caller.session !== undefined || user === undefined) {
      throw new StsError("AccessDenied", MESSAGES.federationTokenFromSession);
    }
    if (policy !== undefined) checkSessionPolicy(policy);
    checkPolicyArns(policyArns, caller.account);
    // GetFederationToken takes no TransitiveTagKeys and no calling session: its tags are the request's.
    const sessionTags = mergeSessionTags(tags, [], undefined);
    const packedPolicySize = packedSizeFor(policy, policyArns, tags);
    const arn = `arn:${partitionOfArn(caller.arn)}:sts::${caller.account}:federated-user/${name}`;
    const session = this.sessions.issue({
      arn,
      account: caller.account,
      userId: `${caller.account}:${name}`,
      durationSeconds: durationSeconds ?? DURATION_SECONDS.getFederationToken.default,
      mfaPresent: false,
      federated: true,
      tags: sessionTags.tags,
      transitiveTagKeys: [],
      policyArns,
      ...(policy === undefined ? {} : { policy }),
    });
    return [
      credentialsXml(session),
      [
        "FederatedUser",
        [
          ["FederatedUserId", session.userId],
          ["Arn", arn],
        ],
      ],
      ["PackedPolicySize", packedPolicySize],
    ];
  }

  assumeRole(query: QueryParams, caller: Caller): XmlElement[] {
    const { roleArn, sessionName, policy, policyArns, tags, externalId, serial, code, sourceIdentity, ...rest } = readAssumeRoleParams(query);
    const sessionTags = mergeSessionTags(tags, rest.transitiveTagKeys, caller.session);
    // The code is checked (and spent) before the role's rules: a request refused afterwards, for
    // trust or for DurationSeconds above MaxSessionDuration, has used it up. AWS does not document
    // the order; this is the cautious reading, and rolecred never resends a code (commands/user.ts).
    const callsWithMfa = caller.user === undefined ? this.mfa.refuse(serial, code) : this.mfa.check(caller.user, serial, code);
    if (policy !== undefined) checkSessionPolicy(policy);

    const role = this.roles.get(roleArn);
    const roleParts = parseRoleArn(roleArn);
    if (role === undefined || roleParts === undefined) throw notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
    checkPolicyArns(policyArns, roleParts.account);

    const mfaPresent = callsWithMfa || caller.session?.mfaPresent === true;
    const allowed = role.trust.filter((statement) =>
      trustAllows(statement, {
        principals: principalNamesOf(caller),
        mfaPresent,
        externalId,
        sessionName,
        // aws:username exists only for IAM users (long-term keys or their GetSessionToken sessions).
        username: caller.user?.name,
        principalTags: caller.session?.tags ?? [],
      }),
    );
    if (allowed.length === 0) throw notAuthorized(caller.arn, "sts:AssumeRole", roleArn);
    if (tags.length > 0 && !allowed.some((statement) => statement.allowTagSession)) {
      throw notAuthorized(caller.arn, "sts:TagSession", roleArn);
    }
    const effectiveSourceIdentity = sourceIdentityFor(sourceIdentity, caller.session);
    // With a source identity in the session, every role along the chain must allow setting it
    // (IAM User Guide, "Permissions required to set source identity").
    if (effectiveSourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) {
      throw notAuthorized(caller.arn, "sts:SetSourceIdentity", roleArn);
    }

    const requested = rest.durationSeconds ?? DURATION_SECONDS.assumeRole.default;
    checkRoleDuration(role, requested);
    checkChainingDuration(caller, requested);
    const packedPolicySize = packedSizeFor(policy, policyArns, tags);

    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName,
      durationSeconds: requested,
      policy,
      policyArns,
      tags: sessionTags.tags,
      transitiveTagKeys: sessionTags.transitiveTagKeys,
      sourceIdentity: effectiveSourceIdentity,
      mfaPresent,
      chained: caller.session !== undefined,
    });
    return [credentialsXml(session), assumedRoleUserXml(session), ["PackedPolicySize", packedPolicySize], ["SourceIdentity", session.sourceIdentity]];
  }

  assumeRoleWithSaml(query: QueryParams): XmlElement[] {
    const { roleArn, principalArn, assertion, policy, policyArns, durationSeconds } = readSamlParams(query);
    const provider = this.samlProviders.get(principalArn);
    if (provider === undefined) {
      throw new StsError("InvalidIdentityToken", `No SAML provider found for ${principalArn}`); // (local) wording
    }
    const saml = checkedSaml(assertion, provider, this.now());
    if (!saml.roles.some((pair) => pair.roleArn === roleArn && pair.principalArn === principalArn)) {
      throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    }
    if (policy !== undefined) checkSessionPolicy(policy);
    const role = this.roles.get(roleArn);
    const roleParts = parseRoleArn(roleArn);
    if (role === undefined || roleParts === undefined) throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    checkPolicyArns(policyArns, roleParts.account);

    const allowed = role.trust.filter(
      (statement) => statement.principals.includes(principalArn) && (statement.samlAudiences === undefined || statement.samlAudiences.includes(saml.recipient)),
    );
    if (allowed.length === 0) throw new StsError("AccessDenied", MESSAGES.samlNotAuthorized);
    const tags = Object.entries(saml.principalTags).map(([key, value]) => ({ key, value }));
    if (tags.length > 0 && !allowed.some((statement) => statement.allowTagSession)) {
      throw new StsError("AccessDenied", "Not authorized to perform sts:TagSession"); // (local) wording
    }
    if (saml.sourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) {
      throw new StsError("AccessDenied", "Not authorized to perform sts:SetSourceIdentity"); // (local) wording
    }
    const transitiveTagKeys = transitiveKeysAmong(saml.transitiveTagKeys, tags, (key) => {
      return new StsError("InvalidIdentityToken", `TransitiveTagKeys in AuthnResponse names '${key}', which is not a PrincipalTag`);
    });

    // The SessionDuration attribute is for console sign-in; the API session length comes from
    // DurationSeconds, cut short by SessionNotOnOrAfter (AssumeRoleWithSAML API reference).
    const requested = durationSeconds ?? DURATION_SECONDS.assumeRoleWithSaml.default;
    checkRoleDuration(role, requested);
    const packedPolicySize = packedSizeFor(policy, policyArns, tags);
    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName: saml.sessionName,
      durationSeconds: requested,
      policy,
      policyArns,
      tags,
      transitiveTagKeys,
      sourceIdentity: saml.sourceIdentity,
      mfaPresent: false,
      notAfter: saml.sessionNotOnOrAfter,
    });
    const providerName = principalArn.slice(principalArn.indexOf(":saml-provider/") + ":saml-provider/".length);
    const nameQualifier = createHash("sha1")
      .update(saml.issuer + (accountOfArn(principalArn) ?? "") + "/" + providerName)
      .digest("base64");
    return [
      credentialsXml(session),
      assumedRoleUserXml(session),
      ["PackedPolicySize", packedPolicySize],
      ["Subject", saml.subject],
      ["SubjectType", saml.subjectFormat.replace(SAML_SUBJECT_FORMAT_PREFIX, "")],
      ["Issuer", saml.issuer],
      ["Audience", saml.recipient],
      ["NameQualifier", nameQualifier],
      ["SourceIdentity", session.sourceIdentity],
    ];
  }

  assumeRoleForService(request: ServiceRoleRequest): ServiceRoleSession {
    const role = this.roles.get(request.roleArn);
    const roleParts = parseRoleArn(request.roleArn);
    const denied = () => new StsError("AccessDenied", `${request.service} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`); // (local)
    if (role === undefined || roleParts === undefined) throw denied();
    const allowed = role.trust.filter((statement) =>
      trustAllows(statement, {
        principals: [request.service],
        mfaPresent: false,
        sessionName: request.sessionName,
        principalTags: request.tags,
        sourceArn: request.sourceArn,
      }),
    );
    // A service that tags the session and sets its source identity needs both actions trusted.
    if (allowed.length === 0 || (request.tags.length > 0 && !allowed.some((statement) => statement.allowTagSession))) throw denied();
    if (request.sourceIdentity !== undefined && !allowed.some((statement) => statement.allowSetSourceIdentity)) throw denied();
    checkRoleDuration(role, request.durationSeconds);
    const session = this.issueRoleSession({
      role,
      roleParts,
      sessionName: request.sessionName,
      durationSeconds: request.durationSeconds,
      policyArns: [],
      tags: request.tags,
      transitiveTagKeys: [],
      sourceIdentity: request.sourceIdentity,
      mfaPresent: false,
    });
    return {
      accessKeyId: session.accessKeyId,
      secretAccessKey: session.secretAccessKey,
      sessionToken: session.sessionToken,
      expiration: new Date(session.expiration),
      assumedRoleArn: session.arn,
      assumedRoleId: session.userId,
    };
  }

  // ----- helpers ----------------------------------------------------------------------------

  private issueRoleSession(request: RoleRequest): IssuedSession {
    const { roleParts, sessionName } = request;
    return this.sessions.issue({
      arn: `arn:${roleParts.partition}:sts::${roleParts.account}:assumed-role/${roleParts.name}/${sessionName}`,
      account: roleParts.account,
      userId: `${uniqueId("AROA", request.role.arn)}:${sessionName}`,
      roleArn: request.role.arn,
      sessionName,
      durationSeconds: this.roleSessionLifetimeSeconds ?? request.durationSeconds,
      notAfter: request.notAfter,
      mfaPresent: request.mfaPresent,
      tags: request.tags,
      transitiveTagKeys: request.transitiveTagKeys,
      sourceIdentity: request.sourceIdentity,
      policy: request.policy,
      policyArns: request.policyArns,
      ...(request.chained === true ? { chained: true } : {}),
    });
  }
}
