/**
 * GetRoleCredentials for a profile a chain starts from (src/sources/identity-center.ts): the
 * session's token (refreshed if need be), then the portal call; the result is a cached session.
 */
import type { LinkContext, LinkResult } from "../credentials/link.js";
import { readAwsFiles } from "../profiles/aws-files.js";
import type { RegisteredSourceBase } from "../sources/source.js";
import { validAccessToken, loginCommandFor } from "./access-token.js";
import { getRoleCredentials } from "./calls.js";
import { ssoRoleOfSettings, ssoSessionOfSettings } from "./config.js";
import { resolveSsoEndpoints } from "./endpoints.js";

export async function obtainIdentityCenterSession(base: RegisteredSourceBase, context: LinkContext): Promise<LinkResult> {
  const { deps } = context;
  const files = await readAwsFiles(deps.env);
  const session = ssoSessionOfSettings(files, base.profile, base.settings);
  const { accountId, roleName } = ssoRoleOfSettings(base.profile, base.settings);
  const token = await validAccessToken(session, deps, base.profile);
  const endpoints = resolveSsoEndpoints(session.region, deps.env);
  deps.log.verbose(`${base.profile}: GetRoleCredentials ${roleName} in ${accountId} from ${endpoints.portalUrl}`);
  const credentials = await getRoleCredentials(endpoints, token.accessToken, accountId, roleName, `run \`${loginCommandFor(session, base.profile)}\``);
  deps.secrets.add(credentials.secretAccessKey);
  deps.secrets.add(credentials.sessionToken);
  const region = base.settings.get("region") || context.endpoint.region;
  return { credentials, session: { kind: "identity-center", profile: base.profile, region, credentials } };
}
