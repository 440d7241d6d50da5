/**
 * `rolecred keys rotate NAME`: a new IAM access key replaces the stored one, and the old one is
 * deleted in IAM. The order keeps a working key at every step:
 *
 *   1. IAM credentials: the stored keys, or (with an MFA device) a GetSessionToken session with MFA;
 *   2. ListAccessKeys: a user with two keys already cannot get a third (IAM's limit): stop here;
 *   3. CreateAccessKey;
 *   4. prove the new key with GetCallerIdentity, retrying while IAM propagates it (bounded);
 *   5. store it (replacing the old one under NAME);
 *   6. DeleteAccessKey the old one.
 *
 * A failure before 5 deletes the new key again (so IAM holds the old key only, still stored); a
 * failure at 6 leaves both keys in IAM with the new one stored. Every message says which.
 */
import type { Deps } from "../deps.js";
import { ExitCode, messageOf, RolecredError } from "../errors.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { maskKeyId } from "../log.js";
import { cacheDirectory } from "../paths.js";
import { mfaCodeProvider, type MfaCodeInput } from "../mfa/code.js";
import { profileNames, profileSettings, readAwsFiles } from "../profiles/aws-files.js";
import { KEYS_SETTING } from "../sources/keyring.js";
import { resolveStsEndpoint, type StsEndpoint } from "../sts/client.js";
import type { AwsCredentials } from "../credentials/types.js";
import { forgetSessionsOf } from "../keys/cache.js";
import { openKeyStore } from "../keys/store.js";
import { createAccessKey, deleteAccessKey, listAccessKeys, resolveIamEndpoint } from "../keys/iam.js";

export interface KeysRotateOptions {
  readonly name: string;
  readonly mfaSerial: string | undefined;
  readonly mfaCode: MfaCodeInput;
  readonly region: string | undefined;
}

/** Waits between attempts to use the new key: IAM takes a few seconds to reach STS. About 20 s in all. */
const PROPAGATION_WAITS_MS: readonly number[] = [500, 1000, 1500, 2000, 3000, 4000, 4000, 4000];

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** The profiles using the entry: the one named NAME first, then those with rolecred_keys = NAME. */
function profilesUsing(name: string, files: Awaited<ReturnType<typeof readAwsFiles>>): Array<ReadonlyMap<string, string>> {
  const using = profileNames(files)
    .map((profile) => ({ profile, settings: profileSettings(files, profile) }))
    .filter(({ profile, settings }) => settings !== undefined && (profile === name || settings.get(KEYS_SETTING)?.trim() === name));
  using.sort((a, b) => Number(b.profile === name) - Number(a.profile === name));
  return using.map(({ settings }) => settings ?? new Map<string, string>());
}

export async function runKeysRotate(options: KeysRotateOptions, deps: Deps): Promise<Outcome> {
  const store = await openKeyStore(deps);
  const found = await store.find(options.name);
  if (found === undefined)
    throw new RolecredError(`no keys named "${options.name}" in ${store.backends.map((backend) => backend.location).join(" or ")}`, {
      exitCode: ExitCode.badInput,
    });
  const old = found.entry;
  deps.secrets.add(old.secretAccessKey);
  const oldKeys: AwsCredentials = { accessKeyId: old.accessKeyId, secretAccessKey: old.secretAccessKey };
  const using = profilesUsing(options.name, await readAwsFiles(deps.env));
  const mfaSerial = options.mfaSerial ?? using.map((settings) => settings.get("mfa_serial")).find((serial) => serial !== undefined && serial !== "");
  const sts = resolveStsEndpoint(
    { flag: options.region, profile: using.map((settings) => settings.get("region")).find((region) => region !== undefined) },
    deps.env,
  );
  const iam = resolveIamEndpoint(sts.region, sts.timeoutMs, deps.env);

  // 1. Who, and with what IAM is called.
  const identity = await deps.sts.getCallerIdentity(sts, oldKeys);
  const userName = /:user\/(?:.*\/)?([^/]+)$/.exec(identity.arn)?.[1];
  if (userName === undefined)
    throw new RolecredError(`the keys of ${options.name} belong to ${identity.arn}, not an IAM user`, { exitCode: ExitCode.badInput });
  let caller: AwsCredentials = oldKeys;
  if (mfaSerial !== undefined) {
    const code = await mfaCodeProvider(options.mfaCode, deps)(mfaSerial);
    caller = await deps.sts.getSessionToken(sts, oldKeys, { durationSeconds: 900, mfa: { serial: mfaSerial, code } });
    deps.secrets.add(caller.secretAccessKey);
    deps.secrets.add(caller.sessionToken);
    deps.log.verbose(`IAM calls with an MFA session of ${identity.arn} (${mfaSerial})`);
  }
  const unchanged = `nothing changed in IAM; ${maskKeyId(old.accessKeyId)} is still the stored key`;

  // 2. Room for a second key?
  const existing = await listAccessKeys(iam, caller, userName).catch((error: unknown) => {
    throw withState(error, unchanged);
  });
  const others = existing.filter((key) => key.accessKeyId !== old.accessKeyId);
  if (existing.length >= 2) {
    throw new RolecredError(
      `${userName} already has two access keys (${existing.map((key) => maskKeyId(key.accessKeyId)).join(", ")}); IAM allows two, so no new one can be created`,
      {
        exitCode: ExitCode.failure,
        hint: `${unchanged}; delete the unused key ${others.map((key) => maskKeyId(key.accessKeyId)).join(", ")} in IAM, then rotate again`,
      },
    );
  }

  // 3. The new key.
  const created = await createAccessKey(iam, caller, userName).catch((error: unknown) => {
    throw withState(error, unchanged);
  });
  deps.secrets.add(created.secretAccessKey);
  deps.log.verbose(`created ${maskKeyId(created.accessKeyId)} for ${userName}`);

  /** Undo step 3 after a later failure, and say where that leaves IAM. */
  const rollBack = async (error: unknown, why: string): Promise<never> => {
    let state: string;
    try {
      await deleteAccessKey(iam, caller, userName, created.accessKeyId);
      state = `${why}; ${maskKeyId(created.accessKeyId)} was deleted again: IAM holds ${maskKeyId(old.accessKeyId)} as before, still stored`;
    } catch (rollbackError) {
      state = `${why}; deleting the new key ${maskKeyId(created.accessKeyId)} failed too (${messageOf(rollbackError)}): IAM now holds ${maskKeyId(old.accessKeyId)} (still stored, in use) and ${maskKeyId(created.accessKeyId)} (not stored: delete it in IAM)`;
    }
    throw withState(error, state);
  };

  // 4. Prove it: IAM is eventually consistent, so a brand-new key is refused for a few seconds.
  await proveNewKey(sts, created, deps).catch((error: unknown) => rollBack(error, `the new key ${maskKeyId(created.accessKeyId)} never worked`));

  // 5. Store it under the same name.
  const rotated = { name: options.name, ...created, createdAt: deps.now().toISOString() };
  await found.backend.put(rotated).catch((error: unknown) => rollBack(error, `storing the new key in ${found.backend.location} failed`));
  const removed = await forgetSessionsOf(cacheDirectory(deps.env), options.name);
  if (removed > 0) deps.log.verbose(`forgot ${removed} cached session${removed === 1 ? "" : "s"} made from ${maskKeyId(old.accessKeyId)}`);

  // 6. The old key goes.
  try {
    await deleteAccessKey(iam, caller, userName, old.accessKeyId);
  } catch (error) {
    throw withState(
      error,
      `the new key ${maskKeyId(created.accessKeyId)} is stored and in use, but the old key ${maskKeyId(old.accessKeyId)} still exists in IAM: delete it there (aws iam delete-access-key --user-name ${userName} --access-key-id ${old.accessKeyId})`,
    );
  }
  deps.log.info(
    `rotated ${options.name}: ${maskKeyId(old.accessKeyId)} → ${maskKeyId(created.accessKeyId)} (new key proved and stored in ${found.backend.location}; old key deleted in IAM)`,
  );
  return SUCCESS;
}

async function proveNewKey(sts: StsEndpoint, keys: AwsCredentials, deps: Deps): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await deps.sts.getCallerIdentity(sts, keys);
      return;
    } catch (error) {
      const wait = PROPAGATION_WAITS_MS[attempt];
      // Only "not known yet" is worth waiting for; anything else will not get better.
      if (wait === undefined || !(error instanceof RolecredError) || !error.message.includes("does not recognise")) throw error;
      deps.log.verbose(`the new key is not active yet; trying again in ${wait} ms`);
      await sleep(wait);
    }
  }
}

/** The error, with where IAM stands now as its hint. */
function withState(error: unknown, state: string): RolecredError {
  const message = error instanceof RolecredError ? error.message : messageOf(error);
  return new RolecredError(message, { exitCode: error instanceof RolecredError ? error.exitCode : ExitCode.failure, hint: state, cause: error });
}
