/**
 * Sessions made from a store entry's keys, forgotten when those keys change (`keys add --force`,
 * `rotate`, `remove`, `import`). The keyring source's cache key names the profile and the entry,
 * not the key id (a pure key cannot read the store), so without this a session made from the old
 * key would be served until it expires, hiding a broken new key until then.
 */
import { join } from "node:path";
import { directoryEntries } from "../store/json-file.js";
import { READ_LIMITS, readOptionalTextSync } from "../store/bounded-read.js";
import { removeCacheFile } from "../store/session-cache.js";

/** The key at the bottom of a link key: parents are nested as JSON strings. */
function baseOf(key: string): Record<string, unknown> | undefined {
  let current: unknown = key;
  for (let depth = 0; depth < 32 && typeof current === "string"; depth++) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(current);
    } catch {
      return undefined;
    }
    if (typeof parsed !== "object" || parsed === null) return undefined;
    const record = parsed as Record<string, unknown>;
    if (typeof record.parent !== "string") return record;
    current = record.parent;
  }
  return undefined;
}

/** Remove every cached session whose chain starts from the store entry `entry`; returns how many. */
export async function forgetSessionsOf(directory: string, entry: string): Promise<number> {
  const names = await directoryEntries(directory);
  let removed = 0;
  for (const name of names.filter((file) => /^[0-9a-f]{16}\.json$/.test(file))) {
    const file = join(directory, name);
    let key: unknown;
    try {
      key = (JSON.parse(readOptionalTextSync(file, { maxBytes: READ_LIMITS.cacheFile, what: "a session cache file" }) ?? "null") as { key?: unknown } | null)
        ?.key;
    } catch {
      continue; // not a cache file rolecred can read: not ours to judge here
    }
    const base = typeof key === "string" ? baseOf(key) : undefined;
    if (base?.kind === "keyring" && base.entry === entry) {
      await removeCacheFile(file);
      removed++;
    }
  }
  return removed;
}
