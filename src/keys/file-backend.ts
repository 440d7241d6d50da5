/**
 * The encrypted key file, for machines with no OS keyring (a headless Linux box, a container).
 *
 * One file (default ~/.local/share/rolecred/keys.enc), 0600 in a 0700 folder, replaced atomically
 * under a lock. Its format, version 1, is JSON:
 *
 *   { "format": "rolecred-keys", "version": 1,
 *     "kdf": { "name": "scrypt", "N": 131072, "r": 8, "p": 1, "salt": <16 bytes, base64> },
 *     "cipher": "aes-256-gcm", "iv": <12 bytes, base64>, "tag": <16 bytes, base64>,
 *     "ciphertext": <base64 of the JSON { "entries": { NAME: { accessKeyId, secretAccessKey, createdAt } } }> }
 *
 * The key is scrypt(passphrase, salt, N=2^17, r=8, p=1) → 32 bytes (128 MiB of memory, a few
 * tenths of a second: OWASP's recommended minimum for scrypt). Everything but the ciphertext,
 * the IV and the tag is authenticated as GCM's additional data, so a file whose parameters were
 * altered fails like one whose ciphertext was. A fresh random IV is drawn for every write.
 *
 * A wrong passphrase and a tampered file cannot be told apart (both fail authentication): either
 * is refused with one line, and nothing is written. A truncated or foreign file is refused too,
 * and left as it is.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type ScryptOptions } from "node:crypto";
import { dirname } from "node:path";
import { ExitCode, RolecredError } from "../errors.js";
import { parseJsonRecord } from "../store/json-file.js";
import { resolveWriteTarget, writeFileAtomic } from "../store/atomic-write.js";
import { makeDirectorySync } from "../store/ownership.js";
import { BoundedReadError, readOptionalTextSync } from "../store/bounded-read.js";
import { withFileLock } from "../store/lock.js";
import { decodeKeys, encodeKeys, type StoredKeys } from "./entry.js";
import type { KeyBackend } from "./backend.js";

const KEY_FILE_FORMAT = "rolecred-keys";
const KEY_FILE_VERSION = 1;
/** scrypt's cost for new files. Files carry their own; a file asking for more than the caps is refused. */
const SCRYPT_PARAMETERS = { N: 2 ** 17, r: 8, p: 1 } as const;
const SCRYPT_CAPS = { N: 2 ** 20, r: 16, p: 4 } as const;
const KEY_FILE_MAX_BYTES = 1024 * 1024;

interface KdfParameters {
  readonly name: "scrypt";
  readonly N: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
}

interface KeyFileHeader {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly version: typeof KEY_FILE_VERSION;
  readonly kdf: KdfParameters;
  readonly cipher: "aes-256-gcm";
}

interface KeyFile extends KeyFileHeader {
  readonly iv: string;
  readonly tag: string;
  readonly ciphertext: string;
}

/** Asks for the passphrase: to open an existing file, or to create one (asked twice on a terminal). */
export type PassphraseSource = (purpose: "open" | "create", path: string) => Promise<string>;

function refused(path: string, why: string, hint?: string): RolecredError {
  return new RolecredError(`cannot use the key file ${path}: ${why}`, { exitCode: ExitCode.badInput, ...(hint === undefined ? {} : { hint }) });
}

function scrypt(passphrase: string, salt: Buffer, kdf: Pick<KdfParameters, "N" | "r" | "p">): Promise<Buffer> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scryptCallback(passphrase.normalize("NFC"), salt, 32, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** The additional data GCM authenticates: the header, serialised the same way on every write. */
function associatedData(header: KeyFileHeader): Buffer {
  const { format, version, kdf, cipher } = header;
  return Buffer.from(JSON.stringify({ format, version, kdf: { name: kdf.name, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt }, cipher }), "utf8");
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Field(value: unknown, bytes: number | undefined): Buffer | undefined {
  if (typeof value !== "string" || !BASE64.test(value)) return undefined;
  const decoded = Buffer.from(value, "base64");
  return bytes === undefined || decoded.length === bytes ? decoded : undefined;
}

const isCount = (value: unknown, max: number): value is number => typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= max;

/** The file's JSON checked field by field; undefined when it is not a (complete) version 1 key file. */
function parseKeyFile(text: string): KeyFile | "newer" | undefined {
  const file = parseJsonRecord(text);
  if (file === undefined) return undefined;
  if (file.format !== KEY_FILE_FORMAT) return undefined;
  if (typeof file.version === "number" && file.version > KEY_FILE_VERSION) return "newer";
  if (file.version !== KEY_FILE_VERSION || file.cipher !== "aes-256-gcm") return undefined;
  const kdf = file.kdf as Record<string, unknown> | null | undefined;
  if (typeof kdf !== "object" || kdf === null || kdf.name !== "scrypt") return undefined;
  if (!isCount(kdf.N, SCRYPT_CAPS.N) || (kdf.N & (kdf.N - 1)) !== 0 || kdf.N < 2 ** 14 || !isCount(kdf.r, SCRYPT_CAPS.r) || !isCount(kdf.p, SCRYPT_CAPS.p))
    return undefined;
  if (
    base64Field(kdf.salt, 16) === undefined ||
    base64Field(file.iv, 12) === undefined ||
    base64Field(file.tag, 16) === undefined ||
    base64Field(file.ciphertext, undefined) === undefined
  )
    return undefined;
  return file as unknown as KeyFile;
}

interface OpenedFile {
  readonly header: KeyFileHeader;
  readonly key: Buffer;
  readonly entries: Map<string, StoredKeys>;
}

export function fileBackend(path: string, askPassphrase: PassphraseSource): KeyBackend {
  // One passphrase and one derived key per run: scrypt is deliberately slow.
  let passphrase: string | undefined;
  const derived = new Map<string, Buffer>();

  const passphraseFor = async (purpose: "open" | "create"): Promise<string> => (passphrase ??= await askPassphrase(purpose, path));

  const deriveKey = async (kdf: KdfParameters): Promise<Buffer> => {
    const cacheKey = JSON.stringify(kdf);
    const known = derived.get(cacheKey);
    if (known !== undefined) return known;
    const key = await scrypt(await passphraseFor("open"), Buffer.from(kdf.salt, "base64"), kdf);
    derived.set(cacheKey, key);
    return key;
  };

  const readText = (): string | undefined => {
    try {
      return readOptionalTextSync(path, { maxBytes: KEY_FILE_MAX_BYTES, what: "the key file" });
    } catch (error) {
      if (error instanceof BoundedReadError) throw error;
      throw refused(path, error instanceof Error ? error.message : String(error));
    }
  };

  /** The file decrypted, or undefined when there is none yet. Never writes. */
  const open = async (): Promise<OpenedFile | undefined> => {
    const text = readText();
    if (text === undefined) return undefined;
    const file = parseKeyFile(text);
    if (file === "newer") throw refused(path, "it was written by a newer rolecred", "upgrade rolecred; the file was left as it is");
    if (file === undefined)
      throw refused(
        path,
        "it is not a complete rolecred key file (truncated or damaged)",
        "the file was left as it is; restore it from a backup, or move it away to start a new one",
      );
    const key = await deriveKey(file.kdf);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(file.iv, "base64"), { authTagLength: 16 });
      decipher.setAAD(associatedData(file));
      decipher.setAuthTag(Buffer.from(file.tag, "base64"));
      plaintext = Buffer.concat([decipher.update(Buffer.from(file.ciphertext, "base64")), decipher.final()]);
    } catch {
      passphrase = undefined;
      derived.clear();
      throw new RolecredError(`cannot open the key file ${path}: the passphrase is wrong, or the file was altered`, {
        exitCode: ExitCode.denied,
        hint: "check ROLECRED_KEYS_PASSPHRASE or what you typed; the file was left as it is",
      });
    }
    const entries = new Map<string, StoredKeys>();
    let body: unknown;
    try {
      body = JSON.parse(plaintext.toString("utf8"));
    } catch {
      throw refused(path, "its decrypted content is not rolecred's");
    }
    const stored = (body as { entries?: unknown } | null)?.entries;
    if (typeof stored !== "object" || stored === null) throw refused(path, "its decrypted content is not rolecred's");
    for (const [name, value] of Object.entries(stored)) {
      const entry = decodeKeys(name, value);
      if (entry !== undefined) entries.set(name, entry);
    }
    return { header: file, key, entries };
  };

  const create = async (): Promise<OpenedFile> => {
    const kdf: KdfParameters = { name: "scrypt", ...SCRYPT_PARAMETERS, salt: randomBytes(16).toString("base64") };
    const chosen = await passphraseFor("create");
    const key = await scrypt(chosen, Buffer.from(kdf.salt, "base64"), kdf);
    derived.set(JSON.stringify(kdf), key);
    return { header: { format: KEY_FILE_FORMAT, version: KEY_FILE_VERSION, kdf, cipher: "aes-256-gcm" }, key, entries: new Map() };
  };

  const seal = (opened: OpenedFile): string => {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", opened.key, iv, { authTagLength: 16 });
    cipher.setAAD(associatedData(opened.header));
    const body = JSON.stringify({ entries: Object.fromEntries([...opened.entries].map(([name, entry]) => [name, encodeKeys(entry)])) });
    const ciphertext = Buffer.concat([cipher.update(body, "utf8"), cipher.final()]);
    const file: KeyFile = {
      ...opened.header,
      iv: iv.toString("base64"),
      tag: cipher.getAuthTag().toString("base64"),
      ciphertext: ciphertext.toString("base64"),
    };
    return `${JSON.stringify(file, null, 2)}\n`;
  };

  /** Read, change, write back: under the lock, re-reading the file once the lock is held. */
  const edit = async <T>(change: (entries: Map<string, StoredKeys>) => { result: T; changed: boolean }): Promise<T> => {
    const target = await resolveWriteTarget(path);
    makeDirectorySync(dirname(target), 0o700);
    return withFileLock(target, async () => {
      const opened = (await open()) ?? (await create());
      const { result, changed } = change(opened.entries);
      if (changed) await writeFileAtomic(target, seal(opened), { mode: 0o600, directoryMode: 0o700 });
      return result;
    });
  };

  return {
    name: "file",
    location: path,
    exists: async () => readText() !== undefined,
    get: async (name) => (await open())?.entries.get(name),
    list: async () => [...((await open())?.entries.values() ?? [])],
    put: (entry) => edit((entries) => (entries.set(entry.name, entry), { result: undefined, changed: true })),
    remove: async (name) => {
      if ((await open())?.entries.has(name) !== true) return false;
      return edit((entries) => {
        const removed = entries.delete(name);
        return { result: removed, changed: removed };
      });
    },
  };
}
