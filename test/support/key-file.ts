/**
 * An empty encrypted key file (src/keys/file-backend.ts, format version 1) written the way its
 * header comment documents it, with scrypt's smallest accepted cost (N = 2^14) instead of the
 * 2^17 rolecred chooses for the files it creates.
 *
 * Why: every rolecred run that opens a key file derives its key once, and at 2^17 that is a few
 * tenths of a second of one core (over a second on a loaded machine), so a test of `keys` or of
 * a rolecred_keys profile spent most of its time in scrypt. Files carry their own parameters and
 * rolecred keeps them on every rewrite, so a test that starts from this file runs every command
 * against the same format at a fraction of the cost. Creating a file with rolecred's own cost
 * stays covered where it is the subject (test/keys/file-backend.test.ts asserts N = 131072, and
 * test/integration/keys.test.ts's first test lets `keys add` create the file).
 */
import { createCipheriv, randomBytes, scryptSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

const CHEAP_SCRYPT = { N: 2 ** 14, r: 8, p: 1 } as const;

/** Writes an empty key file at `path` (0600, its folder 0700) that `passphrase` opens. */
export async function writeEmptyKeyFile(path: string, passphrase: string): Promise<void> {
  const salt = randomBytes(16);
  const kdf = { name: "scrypt", ...CHEAP_SCRYPT, salt: salt.toString("base64") };
  const header = { format: "rolecred-keys", version: 1, kdf, cipher: "aes-256-gcm" };
  const key = scryptSync(passphrase.normalize("NFC"), salt, 32, { ...CHEAP_SCRYPT, maxmem: 256 * CHEAP_SCRYPT.N * CHEAP_SCRYPT.r + 1024 * 1024 });
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: 16 });
  // GCM's additional data: the header serialised in the documented order.
  cipher.setAAD(Buffer.from(JSON.stringify(header), "utf8"));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ entries: {} }), "utf8"), cipher.final()]);
  const file = { ...header, iv: iv.toString("base64"), tag: cipher.getAuthTag().toString("base64"), ciphertext: ciphertext.toString("base64") };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
}
