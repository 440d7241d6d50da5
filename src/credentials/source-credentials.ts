/**
 * The caller's own credentials, used only to sign the STS call that exchanges them for a role
 * session: the AWS SDK's default provider chain (environment, AWS_PROFILE, SSO, process,
 * container, instance), or one named profile with --source-profile. Loaded lazily: the provider
 * packages are only needed on the path that calls STS with the user's keys.
 */
import type { Deps } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { activeProfileName, profileSettings, readAwsFiles } from "../profiles/aws-files.js";
import { KEYS_SETTING } from "../sources/keyring.js";
import type { AwsCredentials } from "./types.js";

export interface SourceCredentialsRequest {
  /** --source-profile; undefined means the default provider chain. */
  readonly profile: string | undefined;
  readonly credentialsPath: string;
  readonly configPath: string;
  /** For a profile whose keys live in rolecred's key store (`rolecred_keys`), which the SDK cannot read. */
  readonly deps?: Deps | undefined;
}

export async function loadSourceCredentials(request: SourceCredentialsRequest): Promise<AwsCredentials> {
  const stored = request.deps === undefined ? undefined : await storedKeysOf(request.profile, request.deps);
  if (stored !== undefined) return stored;
  const { fromIni, fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const files = { filepath: request.credentialsPath, configFilepath: request.configPath, ignoreCache: true };
  const provider =
    request.profile === undefined
      ? // The chain reads AWS_* variables from process.env itself; src/cli passes the real environment.
        fromNodeProviderChain(files)
      : fromIni({ ...files, profile: request.profile });
  try {
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
      expiration: credentials.expiration,
    };
  } catch (error) {
    throw noSourceCredentials(error, request.profile);
  }
}

function noSourceCredentials(error: unknown, profile: string | undefined): RolecredError {
  const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
  if (profile !== undefined) {
    return new RolecredError(`cannot load credentials of source profile "${profile}": ${detail}`, {
      cause: error,
      hint: "the profile needs aws_access_key_id and aws_secret_access_key in ~/.aws/credentials",
    });
  }
  return new RolecredError("no AWS credentials found to call STS with (looked in the environment, AWS_PROFILE, ~/.aws/credentials and ~/.aws/config)", {
    cause: error,
    hint: "set AWS_PROFILE to the profile holding your IAM user's keys, or pass --source-profile",
  });
}

/**
 * The keys of a profile that says `rolecred_keys = NAME` (named with --source-profile, or the
 * active profile when the environment holds no keys): read from rolecred's key store, as the
 * profile chains do. Undefined for any other profile: the SDK's providers handle those.
 */
async function storedKeysOf(profile: string | undefined, deps: Deps): Promise<AwsCredentials | undefined> {
  if (profile === undefined && (deps.env.AWS_ACCESS_KEY_ID || deps.env.AWS_CONTAINER_CREDENTIALS_FULL_URI || deps.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI)) return undefined;
  const name = profile ?? activeProfileName(deps.env);
  const entry = profileSettings(await readAwsFiles(deps.env), name)?.get(KEYS_SETTING);
  if (entry === undefined) return undefined;
  const { openKeyStore } = await import("../keys/store.js");
  const store = await openKeyStore(deps);
  const found = await store.find(entry.trim());
  if (found === undefined) {
    throw new RolecredError(`cannot load credentials of source profile "${name}": no keys named "${entry.trim()}" in ${store.backends.map((backend) => backend.location).join(" or ")}`, {
      exitCode: ExitCode.badInput,
      hint: `store them with \`rolecred keys add ${entry.trim()}\``,
    });
  }
  deps.secrets.add(found.entry.secretAccessKey);
  return { accessKeyId: found.entry.accessKeyId, secretAccessKey: found.entry.secretAccessKey };
}
