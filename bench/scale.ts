/**
 * Organisation-sized files for `npm run bench` (issue 16): ~/.aws/config and ~/.aws/credentials
 * with 50 / 5,000 / 50,000 profiles, a cache folder with thousands of sessions, all generated in
 * the bench's temp folder. The shapes are what `populate` and years of `write` leave behind:
 * role profiles in the config file, rolecred-managed sessions (≈ 1 KiB each, a real session
 * token's length) in the credentials file.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { cacheFileName } from "../src/store/session-cache.js";
import { JO_KEYS, MFA_SERIAL, ROLES } from "../test/support/world.js";

/** A session token as long as STS's for a role session (≈ 700 characters), not a real one. */
const FAKE_TOKEN = `IQoJb3JpZ2luX2VjE${"A".repeat(680)}`;
const FAR_EXPIRY = "2099-01-01T00:00:00.000Z";

function fillerConfig(size: number): string {
  const parts: string[] = [];
  for (let index = 0; index < size; index += 1) {
    const account = String(100000000000 + index).padStart(12, "0");
    parts.push(`[profile org-${index}]\nrole_arn = arn:aws:iam::${account}:role/ReadOnly\nsource_profile = jo-script\nregion = eu-west-1\n`);
  }
  return parts.join("\n");
}

function fillerCredentials(size: number): string {
  const parts: string[] = [];
  for (let index = 0; index < size; index += 1) {
    const account = String(100000000000 + index).padStart(12, "0");
    parts.push(
      [
        `[org-${index}]`,
        `aws_access_key_id = ASIA${String(index).padStart(16, "0")}`,
        `aws_secret_access_key = ${"s".repeat(40)}`,
        `aws_session_token = ${FAKE_TOKEN}`,
        `x_security_token_expires = ${FAR_EXPIRY}`,
        "x_rolecred_managed = true",
        `x_rolecred_role_arn = arn:aws:iam::${account}:role/ReadOnly`,
        "",
      ].join("\n"),
    );
  }
  return parts.join("\n");
}

/**
 * ~/.aws under `home` with `size` extra profiles in each file; `[profile dev]` (Ci via jo-script,
 * no MFA) and jo's keys come last in their files, so a reader that stops early gains nothing.
 */
export async function writeScaledAwsFiles(home: string, size: number, cpCommand: string, credentialsSize = size): Promise<void> {
  await mkdir(join(home, ".aws"), { recursive: true, mode: 0o700 });
  const config = [
    fillerConfig(size),
    `[profile jo]\nmfa_serial = ${MFA_SERIAL}\nregion = us-east-1\n`,
    `[profile dev]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\n`,
    `[profile dev-cp]\ncredential_process = ${cpCommand}\nregion = us-east-1\n`,
  ].join("\n");
  const credentials = [
    "# jo's own keys",
    fillerCredentials(credentialsSize),
    `[jo]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
    `[jo-script]\naws_access_key_id = ${JO_KEYS.accessKeyId}\naws_secret_access_key = ${JO_KEYS.secretAccessKey}\n`,
  ].join("\n");
  await writeFile(join(home, ".aws", "config"), config);
  await writeFile(join(home, ".aws", "credentials"), credentials, { mode: 0o600 });
}

/** `count` valid, unexpired cache files, as `status` and `logout` list them. */
export async function writeCachedSessions(directory: string, count: number): Promise<void> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  for (let index = 0; index < count; index += 1) {
    const key = `bench-session-${index}`;
    const account = String(100000000000 + index).padStart(12, "0");
    const file = {
      version: 1,
      key,
      kind: "assume-role",
      profile: `org-${index}`,
      roleArn: `arn:aws:iam::${account}:role/ReadOnly`,
      assumedRoleArn: `arn:aws:sts::${account}:assumed-role/ReadOnly/jo`,
      region: "eu-west-1",
      credentials: { AccessKeyId: `ASIA${String(index).padStart(16, "0")}`, SecretAccessKey: "s".repeat(40), SessionToken: FAKE_TOKEN, Expiration: FAR_EXPIRY },
    };
    await writeFile(join(directory, cacheFileName(key)), `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  }
}
