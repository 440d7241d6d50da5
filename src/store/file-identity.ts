/**
 * What tells one version of a file from another without reading it: device, inode, size,
 * modification and change times. Two reads of a file with the same identity read the same bytes,
 * so a parse or the bytes themselves can be reused (bounded-read.ts's `keep`, the credentials
 * file's remembered document) instead of reading a 49 MB file twice.
 */
import type { BigIntStats } from "node:fs";

export interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
  readonly size: bigint;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
}

/**
 * A file changed this recently may change again within the same timestamp tick (file times come
 * from a coarse clock), unseen by a comparison of times: such a file is never reused.
 */
const RACY_CHANGE_NS = 1_000_000_000n;

export function identityOfStats(stats: BigIntStats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;
}

/** Whether a file with this identity may be reused: neither modified nor changed within the last timestamp tick. */
export function settledLongEnough(identity: FileIdentity, nowMs: number): boolean {
  // The change time too: an in-place write that restores the modification time (cp -p, touch -r, rsync -t --inplace) moves only it.
  const changedNs = identity.ctimeNs > identity.mtimeNs ? identity.ctimeNs : identity.mtimeNs;
  return BigInt(nowMs) * 1_000_000n - changedNs >= RACY_CHANGE_NS;
}
