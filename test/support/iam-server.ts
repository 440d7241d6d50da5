/**
 * The IAM access-key actions rolecred's key rotation uses (CreateAccessKey, ListAccessKeys,
 * DeleteAccessKey), served on the local STS endpoint through its extension hook: requests signed
 * with SigV4 for "iam" (checked by the STS server), IAM's Query protocol and error codes, and
 * IAM's rules:
 *
 * - at most two access keys per user (LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: 2");
 * - a new key is usable (by STS and IAM alike) only after a short delay: IAM is eventually
 *   consistent, and a client must tolerate InvalidClientTokenId for a moment;
 * - a deleted key is refused at once;
 * - GetSessionToken credentials may call IAM only when the session was made with MFA;
 * - users listed in `requireMfa` may manage their keys only with MFA (the usual "force MFA"
 *   policy: a Deny on iam:*AccessKey* when aws:MultiFactorAuthPresent is not true).
 *
 * Where AWS documents no message, the choice made here is marked "(local)".
 */
import { randomBytes } from "node:crypto";
import type { ExtensionCaller, LocalStsExtension, LocalStsUser } from "./sts-server.js";

const IAM_NAMESPACE = "https://iam.amazonaws.com/doc/2010-05-08/";
export const IAM_API_VERSION = "2010-05-08";
export const ACCESS_KEYS_PER_USER = 2;

export interface LocalIamOptions {
  /** The same user objects the STS server is given. */
  users: LocalStsUser[];
  /** How long a new key stays unknown to STS and IAM. Default 1500 ms. */
  consistencyDelayMs?: number;
  /** User names whose key actions need MFA. */
  requireMfa?: string[];
  /** Actions that fail with AccessDenied whoever calls (to test partial failures). */
  denyActions?: string[];
  /** Hand out new keys whose secret STS will not accept (SignatureDoesNotMatch): a key that never works. */
  brokenNewKeys?: boolean;
}

interface AccessKey {
  user: LocalStsUser;
  accessKeyId: string;
  secretAccessKey: string;
  createDate: Date;
  /** Real time (ms) from which STS and IAM accept the key. */
  usableFrom: number;
  deleted: boolean;
}

export interface LocalIamCall {
  action: string;
  callerArn: string;
  params: Record<string, string>;
  errorCode?: string;
}

export interface LocalIam {
  readonly extension: LocalStsExtension;
  readonly calls: LocalIamCall[];
  /** The user's keys IAM holds now (not deleted), oldest first. */
  keysOf(userName: string): string[];
  /** Change the rules mid-test. */
  deny(actions: string[]): void;
  /** Give a user another key at once, as if made long ago (a spare key the user forgot). */
  addKey(userName: string): string;
}

class IamError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function element(name: string, content: string): string {
  return `<${name}>${content}</${name}>`;
}

function success(action: string, result: string, requestId: string): string {
  const resultXml = result === "" ? "" : element(`${action}Result`, result);
  return `<${action}Response xmlns="${IAM_NAMESPACE}">${resultXml}${element("ResponseMetadata", element("RequestId", requestId))}</${action}Response>\n`;
}

function failure(error: IamError, requestId: string): string {
  const type = error.status >= 500 ? "Receiver" : "Sender";
  return `<ErrorResponse xmlns="${IAM_NAMESPACE}">${element("Error", element("Type", type) + element("Code", error.code) + element("Message", escapeXml(error.message)))}${element("RequestId", requestId)}</ErrorResponse>\n`;
}

const iso = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

export function createLocalIam(options: LocalIamOptions): LocalIam {
  const delay = options.consistencyDelayMs ?? 1500;
  const requireMfa = new Set(options.requireMfa ?? []);
  let denied = new Set(options.denyActions ?? []);
  const keys: AccessKey[] = options.users.map((user) => ({
    user,
    accessKeyId: user.accessKeyId,
    secretAccessKey: user.secretAccessKey,
    createDate: new Date(Date.now() - 86_400_000 * 400),
    usableFrom: 0,
    deleted: false,
  }));
  const calls: LocalIamCall[] = [];

  const liveKeysOf = (user: LocalStsUser) => keys.filter((key) => key.user === user && !key.deleted);

  /** The user a call acts on: UserName, else the caller's own user (as IAM infers it). */
  const targetUser = (params: URLSearchParams, caller: ExtensionCaller, action: string): LocalStsUser => {
    const name = params.get("UserName");
    if (name === null || name === "") {
      if (caller.user === undefined) throw new IamError(400, "ValidationError", "Must specify userName when calling with non-User credentials");
      return caller.user;
    }
    const user = options.users.find((candidate) => candidate.name === name && candidate.account === caller.account);
    if (user === undefined) throw new IamError(404, "NoSuchEntity", `The user with name ${name} cannot be found.`);
    if (caller.user !== user)
      throw new IamError(
        403,
        "AccessDenied",
        `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: user ${name} (local: only a user's own keys)`,
      );
    return user;
  };

  const authorize = (action: string, caller: ExtensionCaller, user: LocalStsUser) => {
    if (caller.temporary === "session-token" && !caller.mfaPresent) {
      throw new IamError(
        403,
        "AccessDenied",
        `User: ${caller.arn} is not authorized to perform: iam:${action}: temporary credentials from GetSessionToken can call IAM only when MFA was used (local)`,
      );
    }
    if (denied.has(action) || (requireMfa.has(user.name) && !caller.mfaPresent)) {
      throw new IamError(
        403,
        "AccessDenied",
        `User: ${caller.arn} is not authorized to perform: iam:${action} on resource: user ${user.name} with an explicit deny in an identity-based policy`,
      );
    }
  };

  const actions: Record<string, (params: URLSearchParams, caller: ExtensionCaller) => string> = {
    ListAccessKeys: (params, caller) => {
      const user = targetUser(params, caller, "ListAccessKeys");
      authorize("ListAccessKeys", caller, user);
      const members = liveKeysOf(user).map((key) =>
        element(
          "member",
          element("UserName", user.name) + element("AccessKeyId", key.accessKeyId) + element("Status", "Active") + element("CreateDate", iso(key.createDate)),
        ),
      );
      return element("UserName", user.name) + element("AccessKeyMetadata", members.join("")) + element("IsTruncated", "false");
    },
    CreateAccessKey: (params, caller) => {
      const user = targetUser(params, caller, "CreateAccessKey");
      authorize("CreateAccessKey", caller, user);
      if (liveKeysOf(user).length >= ACCESS_KEYS_PER_USER)
        throw new IamError(409, "LimitExceeded", `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`);
      const key: AccessKey = {
        user,
        accessKeyId: `AKIA${randomBytes(12).toString("hex").toUpperCase().slice(0, 16)}`,
        secretAccessKey: randomBytes(30).toString("base64").slice(0, 40),
        createDate: new Date(),
        usableFrom: Date.now() + delay,
        deleted: false,
      };
      keys.push(key);
      const handedOut = options.brokenNewKeys === true ? key.secretAccessKey.replace(/^./, (first) => (first === "A" ? "B" : "A")) : key.secretAccessKey;
      return element(
        "AccessKey",
        element("UserName", user.name) +
          element("AccessKeyId", key.accessKeyId) +
          element("Status", "Active") +
          element("SecretAccessKey", handedOut) +
          element("CreateDate", iso(key.createDate)),
      );
    },
    DeleteAccessKey: (params, caller) => {
      const user = targetUser(params, caller, "DeleteAccessKey");
      authorize("DeleteAccessKey", caller, user);
      const id = params.get("AccessKeyId") ?? "";
      const key = liveKeysOf(user).find((candidate) => candidate.accessKeyId === id);
      if (key === undefined) throw new IamError(404, "NoSuchEntity", `The Access Key with id ${id} cannot be found.`);
      key.deleted = true;
      return "";
    },
  };

  const extension: LocalStsExtension = {
    apiVersion: IAM_API_VERSION,
    signingService: "iam",
    serve: (action, params, caller, requestId) => {
      const call: LocalIamCall = { action, callerArn: caller.arn, params: Object.fromEntries(params) };
      calls.push(call);
      try {
        const handler = actions[action];
        if (handler === undefined) throw new IamError(400, "InvalidAction", `The local IAM endpoint does not implement ${action} (local)`);
        return { status: 200, xml: success(action, handler(params, caller), requestId) };
      } catch (error) {
        const iamError = error instanceof IamError ? error : new IamError(500, "ServiceFailure", String(error));
        call.errorCode = iamError.code;
        return { status: iamError.status, xml: failure(iamError, requestId), errorCode: iamError.code };
      }
    },
    longTermKey: (accessKeyId) => {
      const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId);
      if (key === undefined) return undefined;
      if (key.deleted || Date.now() < key.usableFrom) return "refused";
      return { user: key.user, secretAccessKey: key.secretAccessKey };
    },
  };

  return {
    extension,
    calls,
    keysOf: (userName) => keys.filter((key) => key.user.name === userName && !key.deleted).map((key) => key.accessKeyId),
    deny: (actionsToDeny) => {
      denied = new Set(actionsToDeny);
    },
    addKey: (userName) => {
      const user = options.users.find((candidate) => candidate.name === userName);
      if (user === undefined) throw new Error(`no user ${userName}`);
      const accessKeyId = `AKIA${randomBytes(12).toString("hex").toUpperCase().slice(0, 16)}`;
      keys.push({ user, accessKeyId, secretAccessKey: randomBytes(30).toString("base64").slice(0, 40), createDate: new Date(), usableFrom: 0, deleted: false });
      return accessKeyId;
    },
  };
}
