/** `rolecred profiles`: what each profile is, read from the AWS files (no STS, no secrets). */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import type { ProfilesFormat } from "../output/profiles.js";
import { profilesListingText } from "../profiles/remembered-listing.js";

export interface ProfilesOptions {
  readonly format: ProfilesFormat;
}

export async function runProfiles(options: ProfilesOptions, deps: Deps): Promise<Outcome> {
  deps.stdout.write(profilesListingText(deps.env, options.format, deps.now()));
  return SUCCESS;
}
