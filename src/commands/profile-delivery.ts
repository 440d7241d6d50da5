/**
 * The four ways to hand over a profile's session: shell exports (env/assume), a child process
 * (exec), credential_process JSON (process) and a credentials-file profile (write). They differ
 * only in the sink; the session comes from obtainProfileSession in every case.
 */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../cli/command.js";
import type { ProfileRequestOptions } from "../cli/profile-flags.js";
import { credentialsFilePath } from "../paths.js";
import { describeSession } from "../output/summary.js";
import { renderExports, type Shell } from "../output/exports.js";
import { renderProcessJson } from "../output/process-json.js";
import { ACTIVE_PROFILE_ENV, childEnvironment } from "../exec/child-env.js";
import { runChild } from "../exec/run-child.js";
import { writeProfiles } from "../store/credentials-file.js";
import type { CachedSession } from "../store/session-cache.js";
import { describeExpiry } from "../output/summary.js";
import { obtainProfileSession, type ProfileSession } from "./profile-session.js";
import { deliveryRegion } from "../profiles/delivery-region.js";
import { profileNarrowing } from "./session-extras.js";

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
  if (session.roleArn === undefined) return `${profile}: session of ${session.profile}'s keys, ${describeExpiry(session.credentials.expiration, deps.now())}`;
  return describeSession(
    { credentials: session.credentials, roleArn: session.roleArn, assumedRoleArn: session.assumedRoleArn ?? "", sessionName: session.sessionName ?? "" },
    deps.now(),
    profile,
  );
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

export async function runExec(options: ProfileRequestOptions & { readonly command: readonly string[] }, deps: Deps): Promise<Outcome> {
  const outer = deps.env[ACTIVE_PROFILE_ENV];
  if (outer !== undefined && outer !== options.profile) {
    deps.log.warn(`already inside a rolecred session for ${outer}; the command gets ${options.profile} instead`);
  }
  const { session, chain } = await obtain(options, deps);
  deps.log.verbose(summary(options.profile, session, deps));
  const region = deliveryRegion(options.session.region, deps.env, chain.region);
  return runChild(options.command, childEnvironment(deps.env, { credentials: session.credentials, region, label: options.profile }));
}

export async function runWrite(options: ProfileRequestOptions & { readonly to: string; readonly force: boolean }, deps: Deps): Promise<Outcome> {
  const { session, chain } = await obtain(options, deps);
  if (options.to === options.profile && chain.hops.length > 0) {
    deps.log.warn(`[profile ${options.profile}] has role_arn in the config file, so the AWS CLI and SDKs will assume the role themselves rather than use the written keys; --to another name avoids that`);
  }
  await writeProfiles(credentialsFilePath(deps.env), [{ profile: options.to, session }], { force: options.force });
  deps.log.info(summary(options.to, session, deps));
  return SUCCESS;
}
