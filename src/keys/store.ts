/**
 * The key store: which backend holds a name, and where a new entry goes.
 *
 * ROLECRED_KEYS_BACKEND chooses: `keyring` (the OS keyring, an error when it is not reachable),
 * `file` (the encrypted key file), or `auto`, the default: the keyring when it answers, else the
 * file. In `auto`, lookups also read the key file when it exists, so keys stored on a day the
 * keyring was unreachable are still found.
 */
import { join } from "node:path";
import type { Deps, Env } from "../deps.js";
import { ExitCode, RolecredError, usageError } from "../errors.js";
import { homeDirectory } from "../paths.js";
import type { KeyBackend } from "./backend.js";
import type { StoredKeys } from "./entry.js";
import { fileBackend, type PassphraseSource } from "./file-backend.js";

const KEYS_BACKEND_ENV = "ROLECRED_KEYS_BACKEND";
const KEYS_PASSPHRASE_ENV = "ROLECRED_KEYS_PASSPHRASE";
const KEYS_FILE_ENV = "ROLECRED_KEYS_FILE";
/** A new key file's passphrase must be at least this long. */
const MIN_PASSPHRASE_LENGTH = 8;

/** ROLECRED_KEYS_FILE, else $XDG_DATA_HOME/rolecred/keys.enc, else ~/.local/share/rolecred/keys.enc. */
function keyFilePath(env: Env): string {
  if (env[KEYS_FILE_ENV]) return env[KEYS_FILE_ENV];
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, "rolecred", "keys.enc");
  return join(homeDirectory(env), ".local", "share", "rolecred", "keys.enc");
}

export interface FoundKeys {
  readonly entry: StoredKeys;
  readonly backend: KeyBackend;
}

export interface KeyStore {
  /** Where new entries go. */
  readonly writeBackend: KeyBackend;
  /** Every backend an entry may be in, the write backend first. */
  readonly backends: readonly KeyBackend[];
  find(name: string): Promise<FoundKeys | undefined>;
  list(): Promise<FoundKeys[]>;
}

type BackendChoice = "auto" | "keyring" | "file";

function backendChoice(env: Env): BackendChoice {
  const value = env[KEYS_BACKEND_ENV] ?? "";
  if (value === "" || value === "auto") return "auto";
  if (value === "keyring" || value === "file") return value;
  throw usageError(`${KEYS_BACKEND_ENV} must be keyring, file or auto, not "${value}"`);
}

/** The passphrase from ROLECRED_KEYS_PASSPHRASE, else asked on the terminal (twice for a new file). */
function passphraseSource(deps: Deps): PassphraseSource {
  return async (purpose, path) => {
    const fromEnv = deps.env[KEYS_PASSPHRASE_ENV];
    let passphrase: string;
    if (fromEnv !== undefined && fromEnv !== "") {
      passphrase = fromEnv;
    } else {
      const { promptPassphrase } = await import("./prompts.js");
      passphrase = await promptPassphrase(deps, path, purpose === "create", `set ${KEYS_PASSPHRASE_ENV}, or use the OS keyring`);
    }
    deps.secrets.add(passphrase);
    if (purpose === "create" && passphrase.length < MIN_PASSPHRASE_LENGTH) {
      throw new RolecredError(`the passphrase for a new key file must be at least ${MIN_PASSPHRASE_LENGTH} characters`, { exitCode: ExitCode.usage });
    }
    return passphrase;
  };
}

export async function openKeyStore(deps: Deps): Promise<KeyStore> {
  const choice = backendChoice(deps.env);
  const file = fileBackend(keyFilePath(deps.env), passphraseSource(deps));
  let backends: KeyBackend[];
  if (choice === "file") {
    backends = [file];
  } else {
    const { openKeyringBackend } = await import("./keyring-backend.js");
    const keyring = await openKeyringBackend(deps.env, process.platform);
    if (typeof keyring === "string") {
      if (choice === "keyring") {
        throw new RolecredError(`the OS keyring is not reachable: ${keyring}`, {
          exitCode: ExitCode.unavailable,
          hint: `unset ${KEYS_BACKEND_ENV} (or set it to file) to use the encrypted key file`,
        });
      }
      deps.log.verbose(`keys: the OS keyring is not reachable (${keyring}); using the key file ${file.location}`);
      backends = [file];
    } else {
      deps.log.verbose(`keys: using ${keyring.location}`);
      backends = choice === "keyring" || !(await file.exists()) ? [keyring] : [keyring, file];
    }
  }
  const [writeBackend] = backends;
  if (writeBackend === undefined) throw new RolecredError("internal: no key backend");
  return {
    writeBackend,
    backends,
    find: async (name) => {
      for (const backend of backends) {
        const entry = await backend.get(name);
        if (entry !== undefined) return { entry, backend };
      }
      return undefined;
    },
    list: async () => {
      const found: FoundKeys[] = [];
      for (const backend of backends) for (const entry of await backend.list()) found.push({ entry, backend });
      return found.sort((a, b) => a.entry.name.localeCompare(b.entry.name) || a.backend.name.localeCompare(b.backend.name));
    },
  };
}
