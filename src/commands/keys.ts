/**
 * The key store's commands: add, list, remove, import (from ~/.aws/credentials), export (back).
 * Secrets come from the terminal, stdin or the environment, never argv, and go only to the store
 * (or, for export, to the terminal); messages show key ids as ****ABCD.
 */
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError, usageError } from "../errors.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import { maskKeyId } from "../log.js";
import { cacheDirectory } from "../paths.js";
import { readStdinText } from "../stdin.js";
import { checkKeyPair, type StoredKeys } from "../keys/entry.js";
import { forgetSessionsOf } from "../keys/cache.js";
import { openKeyStore, type KeyStore } from "../keys/store.js";
import { KEYS_SETTING } from "../sources/keyring.js";

export interface KeysNameOptions {
  readonly name: string;
}

export interface KeysAddOptions extends KeysNameOptions {
  readonly from: "terminal" | "stdin" | "env";
  readonly force: boolean;
}

export interface KeysListOptions {
  readonly json: boolean;
}

export interface KeysImportOptions extends KeysNameOptions {
  readonly region: string | undefined;
  readonly force: boolean;
}

async function readKeyPair(options: KeysAddOptions, deps: Deps): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  switch (options.from) {
    case "env": {
      const { AWS_ACCESS_KEY_ID: id, AWS_SECRET_ACCESS_KEY: secret, AWS_SESSION_TOKEN: token } = deps.env;
      if (!id || !secret) throw usageError("--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment");
      deps.secrets.add(secret);
      if (token)
        throw new RolecredError("AWS_SESSION_TOKEN is set: the environment holds temporary credentials, not an IAM user's keys", {
          exitCode: ExitCode.badInput,
        });
      return checkKeyPair(id, secret, "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
    }
    case "stdin": {
      const lines = (await readStdinText(deps.stdin, 4096, "the keys on stdin"))
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "");
      const [id = "", secret = "", ...rest] = lines;
      deps.secrets.add(secret);
      if (rest.length > 0 || secret === "")
        throw new RolecredError("stdin must hold two lines: the access key id, then the secret access key", { exitCode: ExitCode.badInput });
      return checkKeyPair(id, secret, "stdin");
    }
    case "terminal": {
      const { promptKeyPair } = await import("../keys/prompts.js");
      const pair = await promptKeyPair(deps, options.name);
      deps.secrets.add(pair.secretAccessKey);
      return checkKeyPair(pair.accessKeyId, pair.secretAccessKey, "the terminal");
    }
  }
}

/** Sessions made from the entry's old keys must not outlive them (see src/keys/cache.ts). */
async function forgetSessions(name: string, deps: Deps): Promise<void> {
  const removed = await forgetSessionsOf(cacheDirectory(deps.env), name);
  if (removed > 0) deps.log.verbose(`forgot ${removed} cached session${removed === 1 ? "" : "s"} made from the old keys of ${name}`);
}

async function requireEntry(store: KeyStore, name: string) {
  const found = await store.find(name);
  if (found === undefined) {
    throw new RolecredError(`no keys named "${name}" in ${store.backends.map((backend) => backend.location).join(" or ")}`, {
      exitCode: ExitCode.badInput,
      hint: "`rolecred keys list` shows what is stored",
    });
  }
  return found;
}

export async function runKeysAdd(options: KeysAddOptions, deps: Deps): Promise<Outcome> {
  const pair = await readKeyPair(options, deps);
  const store = await openKeyStore(deps);
  const existing = await store.find(options.name);
  if (existing !== undefined && !options.force) {
    throw new RolecredError(`keys named "${options.name}" are already stored (${maskKeyId(existing.entry.accessKeyId)}, in ${existing.backend.location})`, {
      exitCode: ExitCode.failure,
      hint: "pass --force to replace them, or choose another name",
    });
  }
  const entry: StoredKeys = { name: options.name, ...pair, createdAt: deps.now().toISOString() };
  const backend = existing?.backend ?? store.writeBackend;
  await backend.put(entry);
  await forgetSessions(options.name, deps);
  deps.log.info(`stored ${options.name} (${maskKeyId(entry.accessKeyId)}) in ${backend.location}`);
  deps.log.info(`use it from a profile with \`${KEYS_SETTING} = ${options.name}\` in ~/.aws/config`);
  return SUCCESS;
}

function ageOf(createdAt: string, now: Date): { days: number; text: string } {
  const days = Math.max(0, Math.floor((now.getTime() - Date.parse(createdAt)) / 86_400_000));
  return { days, text: days === 0 ? "today" : `${days} day${days === 1 ? "" : "s"}` };
}

export async function runKeysList(options: KeysListOptions, deps: Deps): Promise<Outcome> {
  const store = await openKeyStore(deps);
  const found = await store.list();
  const now = deps.now();
  const rows = found.map(({ entry, backend }) => ({
    name: entry.name,
    accessKeyId: maskKeyId(entry.accessKeyId),
    backend: backend.name,
    location: backend.location,
    createdAt: entry.createdAt,
    ageDays: ageOf(entry.createdAt, now).days,
  }));
  if (options.json) {
    deps.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return SUCCESS;
  }
  if (rows.length === 0) {
    deps.log.info(`no keys stored in ${store.backends.map((backend) => backend.location).join(" or ")}; \`rolecred keys add NAME\` stores some`);
    return SUCCESS;
  }
  const table = [
    ["NAME", "KEY ID", "BACKEND", "AGE"],
    ...found.map(({ entry, backend }) => [entry.name, maskKeyId(entry.accessKeyId), backend.name, ageOf(entry.createdAt, now).text]),
  ];
  const widths = table[0]?.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0))) ?? [];
  deps.stdout.write(
    table
      .map((row) =>
        row
          .map((cell, column) => cell.padEnd(widths[column] ?? 0))
          .join("  ")
          .trimEnd(),
      )
      .join("\n") + "\n",
  );
  return SUCCESS;
}

export async function runKeysRemove(options: KeysNameOptions, deps: Deps): Promise<Outcome> {
  const store = await openKeyStore(deps);
  const { entry, backend } = await requireEntry(store, options.name);
  await backend.remove(options.name);
  await forgetSessions(options.name, deps);
  deps.log.info(`removed ${options.name} (${maskKeyId(entry.accessKeyId)}) from ${backend.location}`);
  deps.log.info(`the key still exists in IAM: delete or deactivate ${maskKeyId(entry.accessKeyId)} there if it is no longer needed`);
  return SUCCESS;
}

export async function runKeysImport(options: KeysImportOptions, deps: Deps): Promise<Outcome> {
  const { readAwsFiles, profileSettings } = await import("../profiles/aws-files.js");
  const { holdsLongTermKeys, replaceLongTermKeys } = await import("../store/credentials-file.js");
  const files = await readAwsFiles(deps.env);
  const section = files.credentials.get(options.name);
  if (section === undefined || !holdsLongTermKeys(section) || !section.get("aws_secret_access_key")) {
    throw new RolecredError(`[${options.name}] in ${files.credentialsPath} holds no long-term keys to import`, {
      exitCode: ExitCode.badInput,
      hint: "name a section with aws_access_key_id and aws_secret_access_key (and no session token)",
    });
  }
  const pair = checkKeyPair(
    section.get("aws_access_key_id") ?? "",
    section.get("aws_secret_access_key") ?? "",
    `[${options.name}] in ${files.credentialsPath}`,
  );
  deps.secrets.add(pair.secretAccessKey);

  // Prove the keys before anything moves: keys that do not work are not worth a keyring entry.
  const { resolveStsEndpoint } = await import("../sts/client.js");
  const endpoint = resolveStsEndpoint({ flag: options.region, profile: profileSettings(files, options.name)?.get("region") }, deps.env);
  const identity = await deps.sts.getCallerIdentity(endpoint, pair);
  deps.log.verbose(`the keys of [${options.name}] are ${identity.arn}'s`);

  const store = await openKeyStore(deps);
  const existing = await store.find(options.name);
  if (existing !== undefined && existing.entry.accessKeyId !== pair.accessKeyId && !options.force) {
    throw new RolecredError(`other keys named "${options.name}" are already stored (${maskKeyId(existing.entry.accessKeyId)}); nothing was moved`, {
      exitCode: ExitCode.failure,
      hint: "pass --force to replace them",
    });
  }
  const backend = existing?.backend ?? store.writeBackend;
  await backend.put({
    name: options.name,
    ...pair,
    createdAt: existing?.entry.accessKeyId === pair.accessKeyId ? existing.entry.createdAt : deps.now().toISOString(),
  });
  // Read back before the file loses its copy: the store must really hold them.
  if ((await backend.get(options.name))?.secretAccessKey !== pair.secretAccessKey) {
    throw new RolecredError(`${backend.location} did not keep the keys of ${options.name}; ${files.credentialsPath} was left as it is`);
  }
  let changed: string[];
  try {
    changed = await replaceLongTermKeys(files.credentialsPath, options.name, pair.accessKeyId, [KEYS_SETTING, options.name]);
  } catch (error) {
    if (error instanceof RolecredError) {
      throw new RolecredError(`the keys of ${options.name} are now in ${backend.location}, but ${files.credentialsPath} still holds them: ${error.message}`, {
        exitCode: error.exitCode,
        hint: "fix the file, then run the import again (it is safe to repeat)",
      });
    }
    throw error;
  }
  await forgetSessions(options.name, deps);
  deps.log.info(`moved the keys of ${identity.arn} (${maskKeyId(pair.accessKeyId)}) into ${backend.location}`);
  deps.log.info(
    `${files.credentialsPath}: ${changed.map((name) => `[${name}]`).join(", ")} now say${changed.length === 1 ? "s" : ""} ${KEYS_SETTING} = ${options.name} instead of holding the keys`,
  );
  return SUCCESS;
}

export async function runKeysExport(options: KeysNameOptions, deps: Deps): Promise<Outcome> {
  const { withTerminal } = await import("../prompt/terminal.js");
  const { confirm } = await import("../keys/prompts.js");
  const what = `confirmation to show the keys of ${options.name}`;
  const avoid = "keys export shows a secret, and only on a terminal";
  // No terminal: fail before the store (and its passphrase) is even opened.
  const probe = deps.openTerminal();
  if (probe === undefined) throw usageError(`no terminal to ask for ${what}`, avoid);
  probe.close();
  const store = await openKeyStore(deps);
  const { entry } = await requireEntry(store, options.name);
  if (!(await confirm(deps, `Show the secret access key of ${options.name} (${maskKeyId(entry.accessKeyId)}) on this terminal?`, what, avoid))) {
    deps.log.info("nothing shown");
    return { exitCode: ExitCode.failure };
  }
  await withTerminal(deps, what, avoid, async (terminal) => {
    terminal.output.write(`[${options.name}]\naws_access_key_id = ${entry.accessKeyId}\naws_secret_access_key = ${entry.secretAccessKey}\n`);
  });
  return SUCCESS;
}
