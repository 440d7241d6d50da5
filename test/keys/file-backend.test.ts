/**
 * The encrypted key file with real files: round trips, 0600, and every way a file can be wrong
 * (wrong passphrase, truncated, tampered ciphertext or parameters, a newer format, not a file):
 * one clear refusal, never a crash, and the file left byte for byte as it was.
 */
import { execFileSync } from "node:child_process";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RolecredError } from "../../src/errors.js";
import { fileBackend } from "../../src/keys/file-backend.js";
import type { StoredKeys } from "../../src/keys/entry.js";
import { writeEmptyKeyFile } from "../support/key-file.js";
import { makeTempHome } from "../support/run-cli.js";

const JO: StoredKeys = {
  name: "jo",
  accessKeyId: "AKIAJOEXAMPLE0000001",
  secretAccessKey: "jo/Secret+Key/EXAMPLE0000000000000000001",
  createdAt: "2026-01-02T03:04:05.000Z",
};
const ANA: StoredKeys = {
  name: "ana",
  accessKeyId: "AKIAANAEXAMPLE000002",
  secretAccessKey: "ana/Secret+Key/EXAMPLE000000000000000002",
  createdAt: "2026-02-03T04:05:06.000Z",
};

/**
 * A key file's path and a backend on it. Unless `creating`, an empty file at scrypt's cheapest
 * accepted cost is there first (test/support/key-file.ts): the first test covers the file
 * rolecred creates with its own cost, the others what happens to a file once it exists.
 */
async function keyFile(passphrase = "correct horse battery", { creating = false } = {}) {
  const path = join(await makeTempHome(), "data", "rolecred", "keys.enc");
  if (!creating) await writeEmptyKeyFile(path, passphrase);
  const asked: string[] = [];
  const backend = fileBackend(path, async (purpose) => {
    asked.push(purpose);
    return passphrase;
  });
  return { path, backend, asked };
}

async function refusal(promise: Promise<unknown>): Promise<RolecredError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RolecredError);
  return error as RolecredError;
}

describe("the encrypted key file", () => {
  it("stores, lists, reads and removes entries; the file is 0600 in a 0700 folder and holds no key in the clear", async () => {
    const { path, backend, asked } = await keyFile(undefined, { creating: true });
    expect(await backend.exists()).toBe(false);
    await backend.put(JO);
    await backend.put(ANA);
    expect(await backend.get("jo")).toEqual(JO);
    expect((await backend.list()).map((entry) => entry.name).sort()).toEqual(["ana", "jo"]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(path, ".."))).mode & 0o777).toBe(0o700);
    const text = await readFile(path, "utf8");
    for (const secret of [JO.secretAccessKey, JO.accessKeyId, ANA.secretAccessKey, '"jo"']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ format: "rolecred-keys", version: 1, kdf: { name: "scrypt", N: 131072, r: 8, p: 1 }, cipher: "aes-256-gcm" });
    expect(await backend.remove("jo")).toBe(true);
    expect(await backend.remove("jo")).toBe(false);
    expect(await backend.get("jo")).toBeUndefined();
    expect(asked).toEqual(["create"]); // asked once per run
    // Another run with the same passphrase reads it back.
    const again = fileBackend(path, async () => "correct horse battery");
    expect(await again.get("ana")).toEqual(ANA);
  });

  it("refuses a wrong passphrase with one line, and writes nothing", async () => {
    const { path, backend } = await keyFile();
    await backend.put(JO);
    const before = await readFile(path);
    const wrong = fileBackend(path, async () => "wrong passphrase!");
    const error = await refusal(wrong.put(ANA));
    expect(error.message).toBe(`cannot open the key file ${path}: the passphrase is wrong, or the file was altered`);
    expect(error.exitCode).toBe(4);
    expect(await readFile(path)).toEqual(before);
  });

  it("refuses a truncated file, and leaves it as it is", async () => {
    const { path, backend } = await keyFile();
    await backend.put(JO);
    const whole = await readFile(path);
    for (const length of [0, 10, Math.floor(whole.length / 2), whole.length - 3]) {
      await writeFile(path, whole.subarray(0, length));
      const cut = await readFile(path);
      const error = await refusal(fileBackend(path, async () => "correct horse battery").put(ANA));
      expect(error.message).toBe(`cannot use the key file ${path}: it is not a complete rolecred key file (truncated or damaged)`);
      expect(error.exitCode).toBe(3);
      expect(await readFile(path)).toEqual(cut);
    }
  });

  it("refuses a tampered ciphertext, tag or parameter: all are authenticated", async () => {
    const { path, backend } = await keyFile();
    await backend.put(JO);
    const original = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown> & { ciphertext: string; kdf: Record<string, unknown> };
    const flipped = Buffer.from(original.ciphertext, "base64");
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    const tampered = [
      { ...original, ciphertext: flipped.toString("base64") },
      { ...original, tag: Buffer.alloc(16).toString("base64") },
      { ...original, kdf: { ...original.kdf, p: 2 } },
      { ...original, kdf: { ...original.kdf, salt: Buffer.alloc(16, 7).toString("base64") } },
    ];
    for (const file of tampered) {
      await writeFile(path, JSON.stringify(file));
      const error = await refusal(fileBackend(path, async () => "correct horse battery").get("jo"));
      expect(error.message).toMatch(/the passphrase is wrong, or the file was altered$/);
    }
  });

  it("refuses parameters that would cost too much, and a newer format, before deriving anything", async () => {
    const { path, backend } = await keyFile();
    await backend.put(JO);
    const original = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown> & { kdf: Record<string, unknown> };
    await writeFile(path, JSON.stringify({ ...original, kdf: { ...original.kdf, N: 2 ** 30 } }));
    expect((await refusal(backend.get("jo"))).message).toMatch(/truncated or damaged/);
    await writeFile(path, JSON.stringify({ ...original, version: 2 }));
    expect((await refusal(backend.get("jo"))).message).toBe(`cannot use the key file ${path}: it was written by a newer rolecred`);
  });

  it("refuses a FIFO in its place without hanging", async () => {
    const { path, backend } = await keyFile();
    await backend.put(JO);
    const fifo = `${path}.fifo`;
    execFileSync("mkfifo", [fifo]);
    const error = await refusal(fileBackend(fifo, async () => "correct horse battery").get("jo"));
    expect(error.exitCode).toBe(3);
  });
});
