/**
 * The cache as a decorator around any temporary link (aws-vault's CachedSessionProvider): the
 * link's session is served from src/store/session-cache.ts while it is fresh, and refreshed under
 * a per-key lock otherwise. The key is the wrapped link's own (link-keys.ts).
 */
import type { Deps } from "../deps.js";
import { describeExpiry } from "../output/summary.js";
import { isFresh, readCachedSession, withCacheLock, writeCachedSession } from "../store/session-cache.js";
import type { Link, LinkResult } from "./link.js";

export interface CacheSettings {
  readonly directory: string;
  /** Ignore what is cached (but still write the new session): --refresh. */
  readonly refresh: boolean;
}

/**
 * Serve `link` from the cache while its session is fresh; otherwise refresh it under a lock,
 * re-checking the cache once the lock is held (another process may have just refreshed it).
 */
export function cachedLink(link: Link, label: string, cache: CacheSettings, deps: Deps): Link {
  const lookup = async (): Promise<LinkResult | undefined> => {
    if (cache.refresh) return undefined;
    const found = await readCachedSession(cache.directory, link.key, deps.now());
    if (found.rejected !== undefined) deps.log.verbose(`${label}: ${found.rejected}`);
    if (found.session === undefined) return undefined;
    deps.secrets.add(found.session.credentials.secretAccessKey);
    deps.secrets.add(found.session.credentials.sessionToken);
    deps.log.verbose(`${label}: cached session, ${describeExpiry(found.session.credentials.expiration, deps.now())}`);
    return { credentials: found.session.credentials, session: found.session };
  };
  return {
    key: link.key,
    obtain: async () =>
      (await lookup()) ??
      withCacheLock(
        cache.directory,
        link.key,
        async () => {
          const justRefreshed = await lookup();
          if (justRefreshed !== undefined) return justRefreshed;
          const obtained = await link.obtain();
          // Expiry is judged on STS's clock (its Date header) when this machine's is off.
          const { stsClockOffsetMs, takeClockSkewWarning } = await import("../sts/client.js");
          const clockOffsetMs = stsClockOffsetMs();
          const fresh =
            obtained.session === undefined || clockOffsetMs === undefined ? obtained : { ...obtained, session: { ...obtained.session, clockOffsetMs } };
          const skew = takeClockSkewWarning();
          if (skew !== undefined) deps.log.warn(skew);
          if (fresh.session !== undefined) {
            if (!isFresh(fresh.session, deps.now())) deps.log.warn(`${label}: STS issued a session that expires within 5 minutes`);
            await writeCachedSession(cache.directory, link.key, fresh.session);
          }
          return fresh;
        },
        (message) => deps.log.info(message),
      ),
  };
}
