/**
 * The credentials this endpoint has issued, and the ARNs and identifiers it makes for them. A
 * session is remembered by its access key id; its secret and token are checked when it signs.
 */
import { createHash, randomBytes } from "node:crypto";

import type { LocalStsSession, LocalStsUser, SessionTag } from "./sts-types.js";
import { encodeBase32 } from "./totp.js";

// =============================================================================================
// ARNs and identifiers

export interface RoleArnParts {
  partition: string;
  account: string;
  name: string;
}

export function parseRoleArn(arn: string): RoleArnParts | undefined {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!match) return undefined;
  const [, partition = "", account = "", name = ""] = match;
  return { partition, account, name };
}

export function accountOfArn(arn: string): string | undefined {
  return /^arn:aws[a-z-]*:[a-z0-9-]+::(\d{12}):/.exec(arn)?.[1];
}

export function partitionOfArn(arn: string): string {
  return /^arn:(aws[a-z-]*):/.exec(arn)?.[1] ?? "aws";
}

export function userArn(user: LocalStsUser): string {
  return `arn:aws:iam::${user.account}:user${user.path ?? "/"}${user.name}`;
}

export function rootArn(partition: string, account: string): string {
  return `arn:${partition}:iam::${account}:root`;
}

/** Stable IAM-style unique ids (AIDA… for users, AROA… for roles) derived from the ARN. */
export function uniqueId(prefix: "AIDA" | "AROA", arn: string): string {
  return prefix + encodeBase32(createHash("sha256").update(arn).digest()).slice(0, 17);
}

function newTemporaryKeyId(): string {
  return "ASIA" + encodeBase32(randomBytes(10)); // 16 characters of [A-Z2-7]
}

function wholeSeconds(milliseconds: number): Date {
  return new Date(Math.floor(milliseconds / 1000) * 1000);
}

// =============================================================================================
// Issued sessions

export interface IssuedSession {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
  arn: string;
  account: string;
  userId: string;
  /** The IAM user behind a GetSessionToken session. */
  user?: LocalStsUser;
  /** Issued to a caller that signed with temporary credentials (role chaining). */
  chained?: boolean;
  /** A GetFederationToken session: a federated user, not a role. */
  federated?: boolean;
  roleArn?: string;
  sessionName?: string;
  mfaPresent: boolean;
  tags: SessionTag[];
  transitiveTagKeys: string[];
  sourceIdentity?: string;
  policy?: string;
  policyArns: string[];
}

/** What a new session is: everything but the keys and the expiry, which `issue` makes. */
export type SessionDetails = Omit<IssuedSession, "accessKeyId" | "secretAccessKey" | "sessionToken" | "expiration"> & {
  durationSeconds: number;
  /** Latest end of the session (a SAML SessionNotOnOrAfter). */
  notAfter?: Date;
};

export class SessionStore {
  private readonly sessions = new Map<string, IssuedSession>();

  constructor(private readonly now: () => Date) {}

  get(accessKeyId: string): IssuedSession | undefined {
    return this.sessions.get(accessKeyId);
  }

  issue(details: SessionDetails): IssuedSession {
    const { durationSeconds, notAfter, ...rest } = details;
    const end = Math.min(this.now().getTime() + durationSeconds * 1000, notAfter?.getTime() ?? Number.POSITIVE_INFINITY);
    const session: IssuedSession = {
      ...rest,
      accessKeyId: newTemporaryKeyId(),
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: randomBytes(240).toString("base64"),
      expiration: wholeSeconds(end),
    };
    this.sessions.set(session.accessKeyId, session);
    return session;
  }

  expire(accessKeyId: string): void {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined) throw new Error(`no session was issued for ${accessKeyId}`);
    session.expiration = this.now();
  }

  describe(accessKeyId: string): LocalStsSession | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined) return undefined;
    return {
      accessKeyId: session.accessKeyId,
      kind: session.federated === true ? "federated-user" : session.roleArn === undefined ? "session-token" : "assumed-role",
      chained: session.chained === true,
      arn: session.arn,
      account: session.account,
      ...(session.roleArn === undefined ? {} : { roleArn: session.roleArn }),
      ...(session.sessionName === undefined ? {} : { sessionName: session.sessionName }),
      ...(session.user === undefined ? {} : { userName: session.user.name }),
      expiration: new Date(session.expiration),
      mfaPresent: session.mfaPresent,
      tags: Object.fromEntries(session.tags.map((tag) => [tag.key, tag.value])),
      transitiveTagKeys: [...session.transitiveTagKeys],
      ...(session.sourceIdentity === undefined ? {} : { sourceIdentity: session.sourceIdentity }),
      ...(session.policy === undefined ? {} : { policy: session.policy }),
      policyArns: [...session.policyArns],
    };
  }

  check(accessKeyId: string, secretAccessKey: string, sessionToken: string): LocalStsSession | undefined {
    const session = this.sessions.get(accessKeyId);
    if (session === undefined || session.secretAccessKey !== secretAccessKey || session.sessionToken !== sessionToken) return undefined;
    if (this.now().getTime() >= session.expiration.getTime()) return undefined;
    return this.describe(accessKeyId);
  }
}
