/**
 * The credentials file's scan, offered to the read side of the same run.
 *
 * `write` scans the credentials file for its checks (store/credentials-file.ts, a chunk at a
 * time, never holding it), then resolving the profile (profiles/aws-files.ts) looks up two or
 * three sections of the same file. Instead of reading the 49 MB again to search it, a lookup takes
 * the section's bytes where the scan found them (a pread), as long as the file still has the
 * identity it had when scanned (same device, inode, size, change and modification times). This
 * module holds no file and imports no parser: the lookups stay cheap to load.
 */
import { statSync } from "node:fs";
import { sameIdentity, type FileIdentity } from "./file-identity.js";

export interface ScannedSectionSource {
  /** The file's identity when scanned (and settled: see file-identity.ts). */
  readonly identity: FileIdentity;
  /**
   * The bytes of section `name` (header to the next header); undefined when the file has no such
   * section; "unknown" when the scan cannot tell (a name that is not ASCII, the file closed or
   * edited since): the caller reads the file itself.
   */
  sectionBytes(name: string): Buffer | undefined | "unknown";
}

let offered: ScannedSectionSource | undefined;

/** Offer the scan (or withdraw it: undefined) for lookups of the file it scanned. */
export function offerScannedSections(source: ScannedSectionSource | undefined): void {
  offered = source;
}

/** The offered scan when `path` (symlinks followed) is still the file it scanned, unchanged. */
export function scannedSectionsOf(path: string): ScannedSectionSource | undefined {
  if (offered === undefined) return undefined;
  const stats = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (stats === undefined || !stats.isFile()) return undefined;
  const identity = { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeNs: stats.mtimeNs, ctimeNs: stats.ctimeNs };
  return sameIdentity(identity, offered.identity) ? offered : undefined;
}
