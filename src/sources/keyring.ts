/**
 * `rolecred_keys = NAME` in a profile: the profile's long-term keys are the entry NAME of
 * rolecred's key store (the OS keyring, or the encrypted key file), not lines in
 * ~/.aws/credentials. The chain treats them exactly like keys in that file: a GetSessionToken in
 * front of a keys-only profile, MFA on the first hop, mfa_session mode.
 *
 * The cache key names the profile and the entry, never the key id: it must be computed without
 * reading the store (that can mean a passphrase prompt). The keys commands forget the sessions of
 * an entry whenever its keys change (src/keys/cache.ts), so a rotated key never hides behind a
 * session of the old one.
 */
import { ExitCode, RolecredError } from "../errors.js";
import { checkKeyName } from "../keys/entry.js";
import { maskKeyId } from "../log.js";
import type { CredentialSource } from "./source.js";

export const KEYS_SETTING = "rolecred_keys";

/**
 * Imported through a variable so that esbuild does not follow it: this file is part of the
 * cached fast path's bundle (for its cache key), which must not carry the key store, inquirer or
 * the native keyring binding. The path is the same from src/sources and from src/cli (where the
 * bundle lives), and only the full path, which runs the compiled modules, ever calls it.
 */
const KEY_STORE_MODULE = "../keys/store.js";

function entryName(settings: ReadonlyMap<string, string>): string {
  return settings.get(KEYS_SETTING)?.trim() ?? "";
}

export const keyringSource: CredentialSource = {
  name: "keyring",
  longTermKeys: true,
  applies: (settings) => settings.has(KEYS_SETTING),
  validate: (profile, settings) => {
    checkKeyName(entryName(settings), `profile "${profile}": ${KEYS_SETTING}`);
  },
  cacheKey: (base) => JSON.stringify({ kind: "keyring", profile: base.profile, entry: entryName(base.settings) }),
  describe: (base) => `keys "${entryName(base.settings)}" of rolecred's key store`,
  link: (base, context) => ({
    key: keyringSource.cacheKey(base),
    obtain: async () => {
      const name = entryName(base.settings);
      const { openKeyStore } = (await import(/* @vite-ignore */ KEY_STORE_MODULE)) as typeof import("../keys/store.js");
      const store = await openKeyStore(context.deps);
      const found = await store.find(name);
      if (found === undefined) {
        throw new RolecredError(`profile "${base.profile}": no keys named "${name}" in ${store.backends.map((backend) => backend.location).join(" or ")}`, {
          exitCode: ExitCode.badInput,
          hint: `store them with \`rolecred keys add ${name}\` (or \`rolecred keys import\` from ~/.aws/credentials)`,
        });
      }
      context.deps.secrets.add(found.entry.secretAccessKey);
      context.deps.log.verbose(`${base.profile}: keys ${maskKeyId(found.entry.accessKeyId)} from ${found.backend.location}`);
      return {
        credentials: { accessKeyId: found.entry.accessKeyId, secretAccessKey: found.entry.secretAccessKey, sessionToken: undefined },
        session: undefined,
      };
    },
  }),
};
