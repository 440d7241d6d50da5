/**
 * The region a delivery carries (AWS_REGION / AWS_DEFAULT_REGION in exports and in a child's
 * environment). A role session is valid in every region, so the region is a property of each
 * delivery, not of the cached session: it is worked out on every call, from the same sources in
 * the same order as the STS region (`--region`, AWS_REGION, AWS_DEFAULT_REGION, the profile's
 * `region`, then that of the profiles below it), never read back from the cache.
 *
 * Small and dependency-free: the cached fast path (src/cli/fast-path.ts) uses it.
 */
import type { Env } from "../deps.js";

const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;

/** Undefined: no source names a region. A malformed one is returned as is; the STS path refuses it. */
export function deliveryRegion(flag: string | undefined, env: Env, profileRegion: string | undefined): string | undefined {
  for (const candidate of [flag, env.AWS_REGION, env.AWS_DEFAULT_REGION, profileRegion]) {
    if (candidate !== undefined && candidate !== "") return candidate;
  }
  return undefined;
}

export function isRegionCode(region: string): boolean {
  return REGION_PATTERN.test(region);
}
