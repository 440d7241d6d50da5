/** A decorator: concurrent callers of one link in one process share one pending result (the SDK's memoize). */
import type { Link, LinkResult } from "./link.js";

/** Concurrent callers in one process share one pending result. */
export function memoizedLink(link: Link): Link {
  let pending: Promise<LinkResult> | undefined;
  return {
    key: link.key,
    obtain: () => {
      pending ??= link.obtain().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
      return pending;
    },
  };
}
