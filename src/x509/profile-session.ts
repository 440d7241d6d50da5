/**
 * The config-profile source's I/O half (src/sources/x509.ts stays pure): a certificate profile's
 * settings → a Roles Anywhere session, as a link result the session cache can keep.
 */
import type { Deps } from "../deps.js";
import type { LinkResult } from "../credentials/link.js";
import { join } from "node:path";
import { homeDirectory } from "../paths.js";
import { X509_KEYS, type X509ProfileSettings } from "./profile-keys.js";
import { createX509Session, prepareX509 } from "./session.js";

/** `~/` at the start of a path in ~/.aws/config, as the AWS CLI expands its own file paths. */
function expandHome(path: string, deps: Deps): string {
  return path.startsWith("~/") ? join(homeDirectory(deps.env), path.slice(2)) : path;
}

export async function obtainProfileX509Session(profile: string, settings: X509ProfileSettings, deps: Deps): Promise<LinkResult> {
  const request = {
    files: {
      certificatePath: expandHome(settings.certificate, deps),
      privateKeyPath: settings.privateKey === undefined ? undefined : expandHome(settings.privateKey, deps),
      intermediatesPath: settings.intermediates === undefined ? undefined : expandHome(settings.intermediates, deps),
    },
    arns: { trustAnchorArn: settings.trustAnchorArn, profileArn: settings.profileArn, roleArn: settings.roleArn },
    durationSeconds: settings.durationSeconds,
    region: undefined,
    endpoint: settings.endpoint,
    roleSessionName: settings.roleSessionName,
    names: { trustAnchor: X509_KEYS.trustAnchorArn, profile: X509_KEYS.profileArn, role: "role_arn" },
  };
  deps.log.verbose(`${profile}: Roles Anywhere CreateSession for ${settings.roleArn}`);
  const prepared = await prepareX509(request, deps);
  const session = await createX509Session(request, prepared, deps);
  return {
    credentials: session.credentials,
    session: {
      kind: "roles-anywhere",
      profile,
      roleArn: session.roleArn,
      assumedRoleArn: session.assumedRoleArn,
      sessionName: session.sessionName,
      sourceIdentity: session.sourceIdentity,
      region: session.region,
      credentials: session.credentials,
    },
  };
}
