/**
 * The OS keyring through @napi-rs/keyring (keyring-rs): the Secret Service over D-Bus on Linux
 * (gnome-keyring, KWallet, KeePassXC), the Keychain on macOS, the Credential Manager on Windows.
 * One item per entry: service "rolecred", account NAME, the secret a small JSON document.
 *
 * On Linux the entries are pinned to the Secret Service: keyring-rs would otherwise fall back
 * silently to the kernel's keyutils, which lives in memory and loses every key at reboot.
 *
 * The native binding is imported inside {@link openKeyringBackend} only: never on the cached
 * fast path, never by a command that does not touch keys.
 */
import { ExitCode, messageOf, RolecredError } from "../errors.js";
import type { Env } from "../deps.js";
import { decodeKeys, encodeKeys, type StoredKeys } from "./entry.js";
import type { KeyBackend } from "./backend.js";

const KEYRING_SERVICE = "rolecred";

type Binding = typeof import("@napi-rs/keyring");

function keyringError(action: string, error: unknown): RolecredError {
  return new RolecredError(`the OS keyring refused to ${action}: ${messageOf(error).split("\n")[0]}`, {
    exitCode: ExitCode.failure,
    hint: "unlock the keyring, or set ROLECRED_KEYS_BACKEND=file to use the encrypted key file",
  });
}

/** Why the keyring cannot be used here, or undefined when it answers. Loads the binding. */
export async function openKeyringBackend(env: Env, platform: NodeJS.Platform): Promise<KeyBackend | string> {
  // No session bus: libdbus would try to autolaunch one; there is no Secret Service to find.
  if (platform === "linux" && !env.DBUS_SESSION_BUS_ADDRESS) return "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)";
  let binding: Binding;
  try {
    binding = await import("@napi-rs/keyring");
  } catch (error) {
    return `the keyring binding does not load on this platform (${messageOf(error).split("\n")[0]})`;
  }
  const options = platform === "linux" ? { linux: { store: "secret-service" as const } } : undefined;
  const entry = (name: string) => new binding.AsyncEntry(KEYRING_SERVICE, name, options);
  try {
    // A read of an entry that need not exist: proves the service answers and is unlocked.
    await entry(" probe").getPassword(); // a name no entry can have (KEY_NAME_PATTERN)
  } catch (error) {
    return messageOf(error).split("\n")[0] ?? "it did not answer";
  }
  const location =
    platform === "linux"
      ? "the Secret Service keyring"
      : platform === "darwin"
        ? "the macOS Keychain"
        : platform === "win32"
          ? "the Windows Credential Manager"
          : "the OS keyring";
  const list = async (): Promise<StoredKeys[]> => {
    let found: Array<{ account: string; password: string }>;
    try {
      found = await binding.findCredentialsAsync(KEYRING_SERVICE);
    } catch (error) {
      throw keyringError("list its entries", error);
    }
    return found.map(({ account, password }) => decode(account, password)).filter((keys): keys is StoredKeys => keys !== undefined);
  };
  return {
    name: "keyring",
    location,
    exists: async () => (await list()).length > 0,
    list,
    get: async (name) => {
      let password: string | null;
      try {
        password = await entry(name).getPassword();
      } catch (error) {
        throw keyringError(`read "${name}"`, error);
      }
      return password === null ? undefined : decode(name, password);
    },
    put: async (keys) => {
      try {
        await entry(keys.name).setPassword(JSON.stringify({ v: 1, ...encodeKeys(keys) }));
      } catch (error) {
        throw keyringError(`store "${keys.name}"`, error);
      }
    },
    remove: async (name) => {
      try {
        return await entry(name).deletePassword();
      } catch (error) {
        throw keyringError(`remove "${name}"`, error);
      }
    },
  };
}

function decode(name: string, password: string): StoredKeys | undefined {
  try {
    return decodeKeys(name, JSON.parse(password));
  } catch {
    return undefined; // not rolecred's JSON: another tool's item under our service name
  }
}
