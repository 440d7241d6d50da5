/**
 * `rolecred console [PROFILE]`: a session → the AWS console in the browser (or its sign-in URL).
 *
 * Where the session comes from, in order:
 * - PROFILE (or AWS_PROFILE): a role profile's session, from the cache like `env`; a profile of
 *   IAM user keys only goes through GetFederationToken, because the console takes role and
 *   federated-user sessions, not GetSessionToken ones;
 * - with no profile, the session exported in this shell by `assume` (AWS_ACCESS_KEY_ID,
 *   AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); keys without a token also go through
 *   GetFederationToken.
 * The federation endpoint's own limits are checked before any call: a console session of 15
 * minutes to 12 hours, at most one hour for a role reached by role chaining.
 */
import { callerNameOf, roleOfAssumedRoleArn } from "../arn.js";
import { browserCommand, openInBrowser } from "../browser.js";
import type { AwsCredentials, TemporaryCredentials } from "../credentials/types.js";
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError, usageError } from "../errors.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { readAwsFiles, activeProfileName } from "../profiles/aws-files.js";
import { resolveProfileChain, startsFromLongTermKeys, type ResolvedChain } from "../profiles/resolve.js";
import { resolveStsEndpoint, type StsEndpoint } from "../sts/client.js";
import { mfaCodeProvider } from "../mfa/code.js";
import {
  CHAINED_CONSOLE_MAX_SECONDS,
  CONSOLE_DURATION,
  consoleDestination,
  federationEndpoint,
  fetchSigninToken,
  loginUrl,
  partitionOfRegion,
} from "../console/sign-in.js";
import { obtainProfileSession } from "../session/profile-session.js";
import { flagNarrowing, profileNarrowing } from "../session/session-extras.js";

import type { MfaCodeInput } from "../mfa/code.js";
import type { MfaMode } from "../profiles/resolve.js";
import type { ProfileRequestOptions, SessionIdentityOptions, SessionRequestOptions } from "../session/options.js";

export interface ConsoleOptions {
  /** Undefined: the session exported in the environment, else AWS_PROFILE. */
  readonly profile: string | undefined;
  /** The profile flags, as every profile command reads them; --duration is the console's. */
  readonly request: ProfileRequestOptions;
  /** --service: a service name, a console path or a console URL; undefined: the console home. */
  readonly service: string | undefined;
  /** --print: print the sign-in URL instead of opening a browser. */
  readonly print: boolean;
  /** --federation-url (else ROLECRED_FEDERATION_URL, else the partition's endpoint). */
  readonly federationUrl: string | undefined;
}

/** ConsoleOptions as the console reads them: `--duration` is the console session's length, not the role session's. */
interface ConsoleRequest {
  readonly profile: string | undefined;
  readonly mfaCode: MfaCodeInput;
  readonly mfaMode: MfaMode | undefined;
  readonly refresh: boolean;
  /** Narrowing of the session (its durationSeconds is unused: --duration is the console's). */
  readonly session: SessionRequestOptions;
  readonly identity: SessionIdentityOptions;
  /** --region: the console's region and the STS region. */
  readonly region: string | undefined;
  /** --service: a service name, a console path or a console URL; undefined: the console home. */
  readonly service: string | undefined;
  /** --duration: how long the console session lasts (15m-12h; 1h for chained roles). */
  readonly consoleDurationSeconds: number | undefined;
  /** --print: print the sign-in URL instead of opening a browser. */
  readonly print: boolean;
  /** --federation-url (else ROLECRED_FEDERATION_URL, else the partition's endpoint). */
  readonly federationUrl: string | undefined;
}

function consoleRequestOf(options: ConsoleOptions): ConsoleRequest {
  const { profile, request, service, print, federationUrl } = options;
  return {
    profile,
    mfaCode: request.mfaCode,
    mfaMode: request.mfaMode,
    refresh: request.refresh,
    session: { ...request.session, durationSeconds: undefined },
    identity: request.identity,
    region: request.session.region,
    consoleDurationSeconds: request.session.durationSeconds,
    service,
    print,
    federationUrl,
  };
}

/** A console session: the credentials, who they act as, and what the federation endpoint allows. */
interface ConsoleSession {
  readonly label: string;
  readonly credentials: TemporaryCredentials;
  /** arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION or …:federated-user/NAME, when known. */
  readonly arn: string | undefined;
  /** A GetFederationToken session: its own duration is the console's; SessionDuration must not be sent. */
  readonly federated: boolean;
  /** A role assumed with temporary credentials: the console allows at most an hour. Undefined: unknown. */
  readonly chained: boolean | undefined;
  readonly region: string | undefined;
}

/** What GetFederationToken is given when the user names no narrower policy: the user's own permissions. */
const USER_PERMISSIONS_POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}';
const FEDERATED_NAME = /[^\w+=,.@-]/g;
const SIGNIN_TIMEOUT_MS = 15_000;
const BROWSER_TIMEOUT_MS = 120_000;

function checkDuration(options: ConsoleRequest): void {
  const duration = options.consoleDurationSeconds;
  if (duration !== undefined && (duration < CONSOLE_DURATION.min || duration > CONSOLE_DURATION.max)) {
    throw usageError(`--duration must be 15m to 12h for a console session, not ${duration}s`);
  }
}

/** The session in this shell's environment (exported by `assume`), if there is one. */
function environmentKeys(deps: Deps): AwsCredentials | undefined {
  const accessKeyId = deps.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = deps.env.AWS_SECRET_ACCESS_KEY;
  if (accessKeyId === undefined || accessKeyId === "" || secretAccessKey === undefined || secretAccessKey === "") return undefined;
  const sessionToken = deps.env.AWS_SESSION_TOKEN || deps.env.AWS_SECURITY_TOKEN || undefined;
  const expirationText = deps.env.AWS_CREDENTIAL_EXPIRATION ?? deps.env.AWS_SESSION_EXPIRATION;
  const expiration = expirationText === undefined ? undefined : new Date(expirationText);
  return { accessKeyId, secretAccessKey, sessionToken, expiration: expiration !== undefined && !Number.isNaN(expiration.getTime()) ? expiration : undefined };
}

async function federatedSession(
  keys: AwsCredentials,
  label: string,
  endpoint: StsEndpoint,
  options: ConsoleRequest,
  policy: { policy: string | undefined; policyArns: readonly string[] },
  deps: Deps,
): Promise<ConsoleSession> {
  const caller = await deps.sts.getCallerIdentity(endpoint, keys);
  const name = (callerNameOf(caller.arn) ?? "rolecred").replace(FEDERATED_NAME, "-").slice(0, 32).padEnd(2, "-");
  const narrowed = policy.policy !== undefined || policy.policyArns.length > 0;
  deps.log.info(
    `note: ${label} is an IAM user's keys; the console needs a federated session, so rolecred asks GetFederationToken for one ` +
      (narrowed ? "narrowed by your session policy" : "with your user's own permissions (narrow it with --scope or --policy)") +
      "; it carries no MFA",
  );
  const session = await deps.sts.getFederationToken(endpoint, keys, {
    name,
    durationSeconds: options.consoleDurationSeconds,
    policy: narrowed ? policy.policy : USER_PERMISSIONS_POLICY,
    policyArns: policy.policyArns,
  });
  deps.secrets.add(session.credentials.secretAccessKey);
  deps.secrets.add(session.credentials.sessionToken);
  return { label, credentials: session.credentials, arn: session.assumedRoleArn, federated: true, chained: false, region: endpoint.region };
}

/** Whether the chain's target role is reached with temporary credentials (role chaining). */
function isChained(chain: ResolvedChain): boolean {
  if (chain.hops.length === 0) return false;
  return chain.hops.length > 1 || chain.sessionToken !== undefined || !startsFromLongTermKeys(chain.source);
}

async function profileSession(profile: string, options: ConsoleRequest, deps: Deps): Promise<ConsoleSession> {
  const files = await readAwsFiles(deps.env);
  const chain = resolveProfileChain(profile, files, { mfaMode: options.mfaMode });
  refuseChainedDuration(profile, isChained(chain), options);
  if (chain.hops.length === 0 && startsFromLongTermKeys(chain.source)) {
    // The console does not take GetSessionToken sessions: exchange the keys directly.
    const endpoint = resolveStsEndpoint({ flag: options.region, profile: chain.region }, deps.env);
    const keys: AwsCredentials =
      chain.source.kind === "keys"
        ? { accessKeyId: chain.source.accessKeyId, secretAccessKey: chain.source.secretAccessKey }
        : (await chain.source.source.link(chain.source, { endpoint, mfaCode: mfaCodeProvider(options.mfaCode, deps), deps }).obtain()).credentials;
    deps.secrets.add(keys.secretAccessKey);
    const narrowing = await profileNarrowing(options.session, options.identity, chain, deps);
    return federatedSession(keys, profile, endpoint, options, { policy: narrowing.extras.policy, policyArns: narrowing.extras.policyArns ?? [] }, deps);
  }
  const { session } = await obtainProfileSession(
    {
      profile,
      mfaCode: options.mfaCode,
      region: options.region,
      durationSeconds: undefined,
      mfaMode: options.mfaMode,
      refresh: options.refresh,
      narrowing: (resolved) => profileNarrowing(options.session, options.identity, resolved, deps),
    },
    deps,
  );
  return {
    label: profile,
    credentials: session.credentials,
    arn: session.assumedRoleArn,
    federated: false,
    chained: isChained(chain),
    region: session.region ?? chain.region,
  };
}

async function chooseSession(options: ConsoleRequest, deps: Deps): Promise<ConsoleSession> {
  if (options.profile !== undefined) return profileSession(options.profile, options, deps);
  const keys = environmentKeys(deps);
  if (keys !== undefined) {
    deps.secrets.add(keys.secretAccessKey);
    const label = deps.env.ROLECRED_PROFILE ?? "the session in your environment";
    if (keys.sessionToken === undefined) {
      const endpoint = resolveStsEndpoint({ flag: options.region, profile: undefined }, deps.env);
      const narrowing = await flagNarrowing(options.session, options.identity, deps);
      return federatedSession(keys, label, endpoint, options, { policy: narrowing.extras.policy, policyArns: narrowing.extras.policyArns ?? [] }, deps);
    }
    deps.secrets.add(keys.sessionToken);
    const credentials: TemporaryCredentials = {
      accessKeyId: keys.accessKeyId,
      secretAccessKey: keys.secretAccessKey,
      sessionToken: keys.sessionToken,
      expiration: keys.expiration ?? new Date(0),
    };
    return { label, credentials, arn: undefined, federated: false, chained: undefined, region: undefined };
  }
  if (deps.env.AWS_PROFILE !== undefined && deps.env.AWS_PROFILE !== "") return profileSession(activeProfileName(deps.env), options, deps);
  throw usageError("name the profile to open the console for: rolecred console PROFILE", "or run it where `assume PROFILE` exported a session");
}

function describeWho(session: ConsoleSession): string {
  if (session.arn === undefined) return session.label;
  const role = roleOfAssumedRoleArn(session.arn);
  if (role !== undefined) return `${session.label} (${role.roleName} in ${role.account})`;
  return `${session.label} (${session.arn})`;
}

/** Checked before the session is obtained: a mistake must not cost an MFA code. */
function refuseChainedDuration(label: string, chained: boolean, options: ConsoleRequest): void {
  const duration = options.consoleDurationSeconds;
  if (duration !== undefined && duration > CHAINED_CONSOLE_MAX_SECONDS && chained) {
    throw new RolecredError(`${label} is a role reached by role chaining: its console session can last at most 1h, not ${duration}s`, {
      exitCode: ExitCode.usage,
      hint: "ask for --duration 1h or less",
    });
  }
}

export async function runConsole(consoleOptions: ConsoleOptions, deps: Deps): Promise<Outcome> {
  const options = consoleRequestOf(consoleOptions);
  checkDuration(options);
  // Before any call: no MFA code or session is spent on a link nothing can open.
  if (!options.print && browserCommand("about:blank", deps.env, process.platform) === undefined) {
    throw new RolecredError("no browser on this machine (no BROWSER, no graphical session)", {
      exitCode: ExitCode.usage,
      hint: "run again with --print and open the URL yourself",
    });
  }
  const session = await chooseSession(options, deps);
  const duration = options.consoleDurationSeconds;
  const region = options.region ?? (deps.env.AWS_REGION || undefined) ?? (deps.env.AWS_DEFAULT_REGION || undefined) ?? session.region ?? "us-east-1";
  const partition = partitionOfRegion(region);
  const endpoint = federationEndpoint(options.federationUrl, deps.env, partition);
  const destination = consoleDestination(options.service, region, partition);
  const token = await fetchSigninToken({
    endpoint,
    credentials: session.credentials,
    // A federated user's console lasts as long as its token; the endpoint takes no SessionDuration for it.
    sessionDurationSeconds: session.federated ? undefined : duration,
    timeoutMs: SIGNIN_TIMEOUT_MS,
  });
  deps.secrets.add(token);
  const url = loginUrl(endpoint, token, destination, "rolecred");
  if (options.print) {
    deps.stdout.write(`${url}\n`);
    deps.log.info(`${describeWho(session)}: console sign-in link, good for 15 minutes; it is a secret until then`);
    return SUCCESS;
  }
  const { oneTimeRedirect } = await import("../console/open-url.js");
  const handOff = await oneTimeRedirect(url, BROWSER_TIMEOUT_MS);
  try {
    const command = browserCommand(handOff.url, deps.env, process.platform);
    const failure = command === undefined ? undefined : await openInBrowser(command, deps.env);
    if (command === undefined || failure !== undefined) {
      throw new RolecredError(`cannot start the browser opener ${command?.file ?? "(none)"}: ${failure?.code ?? failure?.message ?? "no browser"}`, {
        exitCode: failure?.code === "ENOENT" ? ExitCode.commandNotFound : ExitCode.cannotExecute,
        hint: "set BROWSER to your browser's command, or use --print",
      });
    }
    await handOff.delivered;
  } finally {
    handOff.close();
  }
  deps.log.info(`${describeWho(session)}: opened the console in your browser`);
  return SUCCESS;
}
