/** `rolecred profiles`: what each profile is, read from the AWS files (no STS, no secrets). */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { readProfileListing } from "../profiles/aws-files.js";
import { renderProfiles, settingsShownBy, type ProfilesFormat } from "../output/profiles.js";

export interface ProfilesOptions {
  readonly format: ProfilesFormat;
}

export async function runProfiles(options: ProfilesOptions, deps: Deps): Promise<Outcome> {
  deps.stdout.write(renderProfiles(readProfileListing(deps.env, settingsShownBy(options.format)), options.format));
  return SUCCESS;
}
