/**
 * Where long-term keys are kept: the OS keyring (./keyring-backend.ts) or the encrypted file
 * (./file-backend.ts), behind one small interface so commands and the profile source never care
 * which.
 */
import type { StoredKeys } from "./entry.js";

export type BackendName = "keyring" | "file";

export interface KeyBackend {
  readonly name: BackendName;
  /** For messages: "the Secret Service keyring", or the key file's path. */
  readonly location: string;
  /** Whether the backend holds anything yet (for the file: whether it exists), without a passphrase. */
  exists(): Promise<boolean>;
  get(name: string): Promise<StoredKeys | undefined>;
  list(): Promise<StoredKeys[]>;
  /** Store or replace the entry `entry.name`. */
  put(entry: StoredKeys): Promise<void>;
  /** True when there was such an entry. */
  remove(name: string): Promise<boolean>;
}
