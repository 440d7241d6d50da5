/**
 * A local AWS STS endpoint for tests and the demo: the real Query protocol over HTTP on
 * 127.0.0.1, real SigV4 checks, trust policies, MFA (TOTP) codes, session limits, and STS's own
 * error codes and messages, so that rolecred's handling of what AWS says is tested against what
 * AWS says. Wire format and rules: shared/reference/sts-saml-facts.md §2.
 *
 * This file is the HTTP server and the public API; the endpoint is split by concern:
 *   sts-types.ts     the public types (re-exported here)
 *   sts-limits.ts    STS's documented limits, each with the page it comes from
 *   sts-protocol.ts  the Query wire: request parameters, answer and error XML, error codes
 *   sts-params.ts    each action's members, checked against sts-limits.ts (ValidationError)
 *   sts-auth.ts      who signed a request (SigV4, long-term and issued keys) and MFA codes
 *   sts-sessions.ts  the issued sessions, ARNs and identifiers
 *   sts-rules.ts     trust, session length and chaining, tags, source identity, session
 *                    policies and packed size, the SAML check
 *   sts-actions.ts   one handler per action
 *
 * Where AWS does not document a rule or a message, the choice made here is marked "(local)".
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { ReceivedRequest } from "./sigv4-verify.js";
import { StsActions } from "./sts-actions.js";
import { Authenticator, MfaDevices, type Caller } from "./sts-auth.js";
import { QueryParams } from "./sts-params.js";
import {
  API_VERSION,
  ERROR_STATUS,
  errorXml,
  MAX_BODY_BYTES,
  MESSAGES,
  readBody,
  requestParams,
  StsError,
  successXml,
  type XmlElement,
} from "./sts-protocol.js";
import { SessionStore } from "./sts-sessions.js";
import { LocalStsRefusal, type LocalSts, type LocalStsExtension, type LocalStsOptions, type RecordedCall } from "./sts-types.js";

export { packedPolicyPercent } from "./sts-rules.js";
export { LocalStsRefusal } from "./sts-types.js";
export type {
  ExtensionCaller,
  ExternalRoleSession,
  ExternalRoleSessionRequest,
  LocalSts,
  LocalStsExtension,
  LocalStsOptions,
  LocalStsRole,
  LocalStsSamlProvider,
  LocalStsSession,
  LocalStsUser,
  RecordedCall,
  ServiceRoleRequest,
  ServiceRoleSession,
  SessionTag,
  TrustStatement,
} from "./sts-types.js";

/** The endpoint's parts, as one request needs them. */
interface Endpoint {
  readonly sessions: SessionStore;
  readonly auth: Authenticator;
  readonly mfa: MfaDevices;
  readonly actions: StsActions;
  readonly extension: LocalStsExtension | undefined;
}

function buildEndpoint(options: LocalStsOptions, now: () => Date): Endpoint {
  const sessions = new SessionStore(now);
  const auth = new Authenticator(sessions, options.extension, now);
  const mfa = new MfaDevices(options.mfaNow ?? now);
  const actions = new StsActions(sessions, mfa, now, options.roleSessionLifetimeSeconds);
  for (const user of options.users ?? []) {
    auth.addUser(user);
    mfa.addUser(user);
  }
  for (const role of options.roles ?? []) actions.addRole(role);
  for (const provider of options.samlProviders ?? []) actions.addSamlProvider(provider);
  return { sessions, auth, mfa, actions, extension: options.extension };
}

export async function startLocalSts(options: LocalStsOptions): Promise<LocalSts> {
  const now = options.now ?? (() => new Date());
  const endpoint = buildEndpoint(options, now);
  const calls: RecordedCall[] = [];
  const server = createServer((request, response) => {
    // A client that goes away mid-body leaves nothing to answer.
    serveRequest(endpoint, calls, now, request, response, options.tamper).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    calls,
    totp: (serial, at) => endpoint.mfa.code(serial, at),
    expireCredentials: (accessKeyId) => endpoint.sessions.expire(accessKeyId),
    session: (accessKeyId) => endpoint.sessions.describe(accessKeyId),
    checkCredentials: (accessKeyId, secretAccessKey, sessionToken) => endpoint.sessions.check(accessKeyId, secretAccessKey, sessionToken),
    issueRoleSession: (request) => endpoint.actions.issueExternalRoleSession(request),
    assumeRoleForService: (request) => {
      try {
        return endpoint.actions.assumeRoleForService(request);
      } catch (error) {
        if (error instanceof StsError) throw new LocalStsRefusal(error.code, error.message);
        throw error;
      }
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // SDK clients keep connections alive; without this, close() waits for them to time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// =============================================================================================
// HTTP

/** Real STS actions this endpoint does not implement: told apart from unknown ones. */
const UNIMPLEMENTED_ACTIONS = new Set([
  "AssumeRoleWithWebIdentity",
  "AssumeRoot",
  "DecodeAuthorizationMessage",
  "GetAccessKeyInfo",
  "GetDelegatedAccessToken",
  "GetWebIdentityToken",
]);

function dispatch(actions: StsActions, action: string, query: QueryParams, caller: Caller | undefined): XmlElement[] {
  if (action === "AssumeRoleWithSAML") return actions.assumeRoleWithSaml(query);
  // Only AssumeRoleWithSAML may arrive unsigned, so every other action has a caller here.
  if (caller === undefined) throw new StsError("MissingAuthenticationToken", MESSAGES.missingAuthentication);
  switch (action) {
    case "GetCallerIdentity":
      return actions.getCallerIdentity(caller);
    case "GetSessionToken":
      return actions.getSessionToken(query, caller);
    case "AssumeRole":
      return actions.assumeRole(query, caller);
    case "GetFederationToken":
      return actions.getFederationToken(query, caller);
    default:
      if (UNIMPLEMENTED_ACTIONS.has(action)) {
        throw new StsError("InvalidAction", `The local STS endpoint does not implement ${action}`); // (local)
      }
      throw new StsError("InvalidAction", `Could not find operation ${action} for version ${API_VERSION}`);
  }
}

/** Runs one request through authentication and the action; returns the XML and what to record. */
function answer(endpoint: Endpoint, request: ReceivedRequest, params: URLSearchParams, call: RecordedCall, requestId: string): string {
  const action = params.get("Action");
  // AssumeRoleWithSAML is the one action the SDK sends unsigned; signed, it is checked like any.
  const unsignedAllowed = action === "AssumeRoleWithSAML" && request.headers["authorization"] === undefined;
  const caller = unsignedAllowed ? undefined : endpoint.auth.authenticate(request);
  if (caller !== undefined) call.callerArn = caller.arn;
  if (action === null || action === "") {
    throw new StsError("MissingAction", "The request is missing an action or a required parameter.");
  }
  const version = params.get("Version");
  if (version !== API_VERSION) {
    throw new StsError("InvalidAction", `Could not find operation ${action} for version ${version ?? "NO_VERSION_SPECIFIED"}`);
  }
  return successXml(action, dispatch(endpoint.actions, action, new QueryParams(params), caller), requestId);
}

/** A request for the extension's API version, authenticated by STS for the extension's service. */
function extensionAnswer(
  endpoint: Endpoint,
  request: ReceivedRequest,
  params: URLSearchParams,
  call: RecordedCall,
  requestId: string,
): { status: number; xml: string } | undefined {
  const extension = endpoint.extension;
  if (extension === undefined || params.get("Version") !== extension.apiVersion) return undefined;
  const caller = endpoint.auth.authenticate(request, extension.signingService);
  call.callerArn = caller.arn;
  const temporary = caller.session === undefined ? undefined : caller.session.roleArn === undefined ? "session-token" : "assumed-role";
  const answered = extension.serve(
    params.get("Action") ?? "",
    params,
    { arn: caller.arn, account: caller.account, user: caller.user, temporary, mfaPresent: caller.session?.mfaPresent ?? false },
    requestId,
  );
  if (answered.errorCode !== undefined) call.errorCode = answered.errorCode;
  return answered;
}

async function serveRequest(
  endpoint: Endpoint,
  calls: RecordedCall[],
  now: () => Date,
  request: IncomingMessage,
  response: ServerResponse,
  tamper?: (xml: string, action: string) => string | Buffer,
): Promise<void> {
  const requestId = randomUUID();
  const body = await readBody(request);
  const params = requestParams(request, body ?? Buffer.alloc(0));
  const call: RecordedCall = { action: params.get("Action") ?? "", params: Object.fromEntries(params) };
  let status = 200;
  let xml: string;
  try {
    if (body === undefined) {
      throw new StsError("RequestEntityTooLarge", `Request body exceeds ${MAX_BODY_BYTES} bytes`); // (local)
    }
    const received: ReceivedRequest = {
      method: request.method ?? "GET",
      target: request.url ?? "/",
      headers: request.headersDistinct,
      body,
    };
    const extended = extensionAnswer(endpoint, received, params, call, requestId);
    if (extended === undefined) xml = answer(endpoint, received, params, call, requestId);
    else ({ status, xml } = extended);
  } catch (error) {
    const stsError =
      error instanceof StsError ? error : new StsError("InternalFailure", `local STS failed: ${error instanceof Error ? error.message : String(error)}`);
    call.errorCode = stsError.code;
    status = ERROR_STATUS[stsError.code];
    xml = errorXml(stsError, requestId);
  }
  calls.push(call);
  const answerBytes: string | Buffer = tamper === undefined ? xml : tamper(xml, call.action);
  response.writeHead(status, {
    "Content-Type": "text/xml",
    "x-amzn-RequestId": requestId,
    // The SDKs correct their clock from this header after a skew error, as they do with AWS.
    Date: now().toUTCString(),
  });
  response.end(answerBytes);
}
