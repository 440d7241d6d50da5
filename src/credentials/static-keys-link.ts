/** The bottom of a chain: keys found in a profile, handed on as they are (no STS call). */
import type { StaticSource } from "../profiles/resolve.js";
import type { Link } from "./link.js";
import { keysLinkKey } from "./link-keys.js";

export function staticLink(source: StaticSource): Link {
  return {
    key: keysLinkKey(source),
    obtain: async () => ({
      credentials: { accessKeyId: source.accessKeyId, secretAccessKey: source.secretAccessKey, sessionToken: source.sessionToken },
      session: undefined,
    }),
  };
}
