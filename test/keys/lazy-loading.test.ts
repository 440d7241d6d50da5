/**
 * The key store's heavy parts (the native keyring binding, scrypt, inquirer, the IAM client) are
 * loaded only by the commands that need them: never by the cached fast path, which computes the
 * cache key of a `rolecred_keys` or `credential_process` profile from the bundle alone.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, REPO_ROOT, runCli } from "../support/run-cli.js";
import { JO_KEYS, ROLES, startWorld, writeJoProfile } from "../support/world.js";

describe("lazy loading of the key store", () => {
  it("the fast-path bundle carries none of the key store's heavy modules", async () => {
    const bundle = await readFile(join(REPO_ROOT, "dist", "src", "cli", "main.cjs"), "utf8");
    for (const heavy of ["@napi-rs/keyring", "createCipheriv", "scrypt", "inquirer", "client-iam", "findCredentials"]) expect(bundle).not.toContain(heavy);
    expect(bundle).toContain("rolecred_keys"); // the source itself is there, for the cache key
  });

  it("a warm `process` of a rolecred_keys profile is served without opening the key store", async () => {
    const world = await startWorld();
    try {
      const home = await makeTempHome();
      await writeJoProfile(home, `[profile jo-vault]\nrolecred_keys = jo\n[profile ci-vault]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-vault\n`);
      const env = cliEnv(home, { AWS_ENDPOINT_URL_STS: world.sts.url, ROLECRED_KEYS_BACKEND: "file", ROLECRED_KEYS_PASSPHRASE: "lazy passphrase" });
      expect(
        (
          await runCli(["keys", "add", "jo", "--env"], {
            env: { ...env, AWS_ACCESS_KEY_ID: JO_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: JO_KEYS.secretAccessKey },
          })
        ).exitCode,
      ).toBe(0);
      const cold = await runCli(["process", "ci-vault"], { env });
      expect(cold.exitCode).toBe(0);
      // The key file becomes unreadable garbage and the passphrase goes: a warm call must not care.
      await writeFile(join(home, ".local", "share", "rolecred", "keys.enc"), "garbage");
      const { ROLECRED_KEYS_PASSPHRASE: _passphrase, ...withoutPassphrase } = env;
      const warm = await runCli(["process", "ci-vault"], { env: withoutPassphrase });
      expect(warm.stderr).toBe("");
      expect(warm.exitCode).toBe(0);
      expect(warm.stdout).toBe(cold.stdout);
    } finally {
      await world.close();
    }
  });
});
