/**
 * `assume`: the chosen (or picked) profile's session as exports for the shell function, one line
 * on stderr saying what the shell now is, and the profile noted as recently used for the picker.
 */
import { SUCCESS, type Outcome } from "../outcome.js";
import type { Deps } from "../deps.js";
import { usageError } from "../errors.js";
import { renderExports } from "../output/exports.js";
import { describeAssumed } from "../output/summary.js";
import { cacheDirectory } from "../paths.js";
import { accountAliases, readAwsFiles } from "../profiles/aws-files.js";
import { deliveryRegion } from "../profiles/delivery-region.js";
import { recordProfileUse } from "../store/recent-profiles.js";
import { obtainProfileSession } from "../session/profile-session.js";
import { profileNarrowing } from "../session/session-extras.js";

import type { Shell } from "../output/exports.js";
import type { ProfileRequestOptions } from "../session/options.js";

export type AssumeOptions =
  | { readonly kind: "unset"; readonly shell: Shell }
  | {
      readonly kind: "switch";
      readonly shell: Shell;
      /** Undefined: pick one on the terminal. */
      readonly profile: string | undefined;
      /** -c: open the console with the session instead of exporting it. */
      readonly console: boolean;
      readonly showSecrets: boolean;
      /** The profile flags (their `profile` field is replaced by the chosen profile). */
      readonly request: ProfileRequestOptions;
    };

type SwitchOptions = Extract<AssumeOptions, { kind: "switch" }>;

/** The picker: every profile, recently used first. Without a terminal, the profile must be named. */
async function pickProfile(deps: Deps): Promise<string> {
  const terminal = deps.openTerminal();
  if (terminal === undefined) throw usageError("name the profile: assume PROFILE", "the picker needs a terminal, and there is none");
  try {
    const { profileCatalogue, orderByRecency } = await import("../profiles/catalogue.js");
    const { recentProfiles } = await import("../store/recent-profiles.js");
    const { pickProfile: pick } = await import("../prompt/profile-picker.js");
    const files = await readAwsFiles(deps.env);
    const entries = orderByRecency(await profileCatalogue(files, cacheDirectory(deps.env), deps.now()), recentProfiles(cacheDirectory(deps.env)));
    if (entries.length === 0) throw usageError(`there are no profiles in ${files.configPath} or ${files.credentialsPath} to pick from`);
    return await pick(terminal, entries, deps.now());
  } finally {
    terminal.close();
  }
}

export async function runAssume(options: SwitchOptions, deps: Deps): Promise<Outcome> {
  const profile = options.profile ?? (await pickProfile(deps));
  const request = { ...options.request, profile };
  if (options.console) {
    const { runConsole } = await import("./console.js");
    return runConsole({ profile, request, service: undefined, print: false, federationUrl: undefined }, deps);
  }
  const { session, chain } = await obtainProfileSession(
    {
      profile,
      mfaCode: request.mfaCode,
      region: request.session.region,
      durationSeconds: request.session.durationSeconds,
      mfaMode: request.mfaMode,
      refresh: request.refresh,
      narrowing: (resolved) => profileNarrowing(request.session, request.identity, resolved, deps),
    },
    deps,
  );
  // The region of this call (flag, environment, profile), not the one the session was made in.
  const region = deliveryRegion(request.session.region, deps.env, chain.region);
  deps.stdout.write(renderExports({ credentials: session.credentials, region, label: profile }, options.shell));
  const files = await readAwsFiles(deps.env);
  deps.log.info(describeAssumed(profile, { ...session, region }, accountAliases(files), deps.now()));
  recordProfileUse(cacheDirectory(deps.env), profile);
  return SUCCESS;
}
