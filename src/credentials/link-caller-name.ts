/** The session name a link derives when none is configured: the name of whoever is below it. */
import { sessionNameFromCaller } from "./caller-name.js";
import type { LinkContext, LinkResult } from "./link.js";

/** The caller's own name, for a session name: from the parent session, else GetCallerIdentity. */
export async function callerName(parent: LinkResult, context: LinkContext): Promise<string> {
  if (parent.session?.sessionName !== undefined) return parent.session.sessionName;
  const identity = await context.deps.sts.getCallerIdentity(context.endpoint, parent.credentials);
  const name = sessionNameFromCaller(identity.arn, "set role_session_name in the profile");
  context.deps.log.verbose(`session name ${name} (the caller ${identity.arn})`);
  return name;
}
