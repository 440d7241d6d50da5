/** GetSessionToken on the link below (an IAM user's keys), with MFA when the profile has a device. */
import { maskKeyId } from "../log.js";
import type { Link, LinkContext } from "./link.js";
import { callerName } from "./link-caller-name.js";
import { sessionTokenLinkKey } from "./link-keys.js";

/** GetSessionToken with the source keys (and MFA): up to 12 h, shared by every profile using the same keys and device. */
export function sessionTokenLink(parent: Link, profile: string, mfaSerial: string | undefined, context: LinkContext): Link {
  return {
    key: sessionTokenLinkKey(parent.key, mfaSerial),
    obtain: async () => {
      const below = await parent.obtain();
      const code = mfaSerial === undefined ? undefined : await context.mfaCode(mfaSerial);
      context.deps.log.verbose(
        `GetSessionToken with ${profile}'s keys ${maskKeyId(below.credentials.accessKeyId)}${mfaSerial === undefined ? "" : ` and MFA device ${mfaSerial}`}`,
      );
      const credentials = await context.deps.sts.getSessionToken(context.endpoint, below.credentials, {
        mfa: mfaSerial === undefined || code === undefined ? undefined : { serial: mfaSerial, code },
      });
      context.deps.secrets.add(credentials.secretAccessKey);
      context.deps.secrets.add(credentials.sessionToken);
      const sessionName = await callerName(below, context);
      return { credentials, session: { kind: "session-token", profile, mfaSerial, sessionName, region: context.endpoint.region, credentials } };
    },
  };
}
