/**
 * The four ways to hand over a profile's session: shell exports (env/assume), a child process
 * (exec), credential_process JSON (process) and a credentials-file profile (write). They differ
 * only in the sink; the session comes from obtainProfileSession in every case.
 */
import type { Deps, Terminal } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import type { ProfileRequestOptions } from "../session/options.js";
import { cacheDirectory, credentialsFilePath } from "../paths.js";
import { describeProfileSession, roleProfileWriteWarning } from "../output/summary.js";
import { renderExports, type Shell } from "../output/exports.js";
import { renderProcessJson } from "../output/process-json.js";
import type { Env } from "../deps.js";
import { ACTIVE_PROFILE_ENV, childEnvironment, serverChildEnvironment } from "../exec/child-env.js";
import { runChild } from "../exec/run-child.js";
import { precheckProfileWrites, writeProfiles } from "../store/credentials-file.js";
import type { CachedSession } from "../store/session-cache.js";
import { obtainProfileSession, type ProfileSession } from "../session/profile-session.js";
import { profileNarrowing } from "../session/session-extras.js";
import { deliveryRegion } from "../profiles/delivery-region.js";

export type EnvOptions =
  | { readonly kind: "unset"; readonly shell: Shell }
  | ({ readonly kind: "export"; readonly shell: Shell; readonly showSecrets: boolean } & ProfileRequestOptions);

export type ExecOptions = ProfileRequestOptions & {
  /** What to run; undefined: the user's shell ($SHELL), until it exits. */
  readonly command: readonly string[] | undefined;
  /** --server: serve the session from a loopback endpoint instead of putting keys in the environment. */
  readonly server: boolean;
};

export type WriteOptions = ProfileRequestOptions & { readonly to: string; readonly force: boolean };

function obtain(options: ProfileRequestOptions, deps: Deps): Promise<ProfileSession> {
  return obtainProfileSession(
    {
      profile: options.profile,
      mfaCode: options.mfaCode,
      region: options.session.region,
      durationSeconds: options.session.durationSeconds,
      mfaMode: options.mfaMode,
      refresh: options.refresh,
      narrowing: (chain) => profileNarrowing(options.session, options.identity, chain, deps),
    },
    deps,
  );
}

function summary(profile: string, session: CachedSession, deps: Deps): string {
  return describeProfileSession(profile, session, deps.now());
}

export async function runEnv(options: ProfileRequestOptions & { readonly shell: Shell }, deps: Deps): Promise<Outcome> {
  const { session, chain } = await obtain(options, deps);
  const region = deliveryRegion(options.session.region, deps.env, chain.region);
  deps.stdout.write(renderExports({ credentials: session.credentials, region, label: options.profile }, options.shell));
  deps.log.verbose(summary(options.profile, session, deps));
  return SUCCESS;
}

export async function runProcess(options: ProfileRequestOptions, deps: Deps): Promise<Outcome> {
  const { session } = await obtain(options, deps);
  deps.stdout.write(renderProcessJson(session.credentials));
  return SUCCESS;
}

/** The user's interactive shell, for `exec PROFILE` with no command. */
function interactiveShell(env: Env): readonly string[] {
  const shell = env.SHELL?.trim();
  if (shell !== undefined && shell !== "") return [shell];
  return process.platform === "win32" ? [env.ComSpec ?? "cmd.exe"] : ["/bin/sh"];
}

/**
 * The SDKs and the AWS CLI ask the shared files before a container endpoint: a [default] profile
 * with credentials would win over the server in the child. Say so rather than hide it.
 */
async function warnOfShadowingDefault(deps: Deps): Promise<void> {
  const { readAwsFiles, profileSettings } = await import("../profiles/aws-files.js");
  const settings = profileSettings(await readAwsFiles(deps.env), "default");
  if (settings === undefined) return;
  const claims = ["aws_access_key_id", "role_arn", "credential_process", "sso_session", "sso_start_url", "web_identity_token_file"].filter((key) =>
    settings.has(key),
  );
  if (claims.length > 0) {
    deps.log.warn(`the default profile has ${claims.join(", ")}: the AWS SDKs and CLI in the command use it before the credential server`);
  }
}

export async function runExec(options: ExecOptions, deps: Deps): Promise<Outcome> {
  const outer = deps.env[ACTIVE_PROFILE_ENV];
  if (outer !== undefined && outer !== options.profile) {
    deps.log.warn(`already inside a rolecred session for ${outer}; the command gets ${options.profile} instead`);
  }
  // The first session is obtained before anything starts: a wrong MFA code or a missing profile
  // fails here, in one line, not inside the child.
  const { session, chain } = await obtain(options, deps);
  deps.log.verbose(summary(options.profile, session, deps));
  const region = deliveryRegion(options.session.region, deps.env, chain.region);
  const command = options.command ?? interactiveShell(deps.env);
  if (options.command === undefined)
    deps.log.info(`${options.profile}: starting ${command[0] ?? "a shell"} with the session (${ACTIVE_PROFILE_ENV}=${options.profile}); exit to return`);
  if (!options.server) {
    return runChild(command, childEnvironment(deps.env, { credentials: session.credentials, region, label: options.profile }));
  }
  await warnOfShadowingDefault(deps);
  // A refresh may be waiting at a prompt when the command ends: its terminal is closed with the
  // server, or the open terminal would keep rolecred running, asking for a code nobody needs.
  const refreshTerminals = new Set<Terminal>();
  let commandEnded = false;
  const refreshDeps: Deps = {
    ...deps,
    openTerminal: () => {
      const terminal = deps.openTerminal();
      if (terminal !== undefined) refreshTerminals.add(terminal);
      return terminal;
    },
  };
  const { startCredentialServer } = await import("../exec/credential-server.js");
  const server = await startCredentialServer({
    // Each request re-reads the cache: a session within 5 minutes of expiry is refreshed there
    // (through the MFA session, prompting on the terminal only when a code is really needed).
    // A code given with --mfa-token/ROLECRED_MFA_TOKEN is spent by the first session, and stdin
    // (--mfa-token -) belongs to the child now: a refresh that needs a code asks like a prompt
    // would (mfa_process, else the terminal), never re-sends the spent code or reads the child's stdin.
    session: async () => (await obtain({ ...options, refresh: false, mfaCode: { from: "prompt" } }, refreshDeps)).session.credentials,
    onRequest: (sharesRefresh) =>
      deps.log.verbose(`credential server: a request for ${options.profile}'s session${sharesRefresh ? ", sharing the refresh in progress" : ""}`),
    onError: (message) => {
      if (!commandEnded) deps.log.warn(`credential server: could not refresh ${options.profile}: ${message}`);
    },
  });
  deps.secrets.add(server.token);
  deps.log.verbose(`credential server for ${options.profile} on ${server.url}`);
  try {
    return await runChild(command, serverChildEnvironment(deps.env, { url: server.url, token: server.token, region, label: options.profile }));
  } finally {
    commandEnded = true;
    for (const terminal of refreshTerminals) terminal.close();
    await server.close();
    if (server.refused() > 0) deps.log.warn(`credential server refused ${server.refused()} request(s) without the right token`);
  }
}

export async function runWrite(options: ProfileRequestOptions & { readonly to: string; readonly force: boolean }, deps: Deps): Promise<Outcome> {
  // Before any STS call: a refused write must not cost an MFA code.
  await precheckProfileWrites(credentialsFilePath(deps.env), [options.to], { force: options.force });
  const { session, chain } = await obtain(options, deps);
  if (options.to === options.profile && chain.hops.length > 0) {
    deps.log.warn(roleProfileWriteWarning(options.profile));
  }
  await writeProfiles(credentialsFilePath(deps.env), [{ profile: options.to, session }], {
    force: options.force,
    onLockWait: (message) => deps.log.info(message),
    cacheDirectory: cacheDirectory(deps.env),
  });
  deps.log.info(summary(options.to, session, deps));
  return SUCCESS;
}
