/**
 * The caller's own credentials, used only to sign the STS call that exchanges them for a role
 * session: the AWS SDK's default provider chain (environment, AWS_PROFILE, SSO, process,
 * container, instance), or one named profile with --source-profile. A profile holding plain
 * static keys is answered from rolecred's own parse of the shared files, in the SDK's order (see
 * {@link staticKeysOf}); everything else goes to the SDK's providers, loaded lazily.
 */
import type { Deps, Env } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { profileSettings, sdkProfileName, type AwsFiles } from "../profiles/aws-files.js";
import { KEYS_SETTING } from "../sources/keyring.js";
import type { AwsCredentials } from "./types.js";

export interface SourceCredentialsRequest {
  /** --source-profile; undefined means the default provider chain. */
  readonly profile: string | undefined;
  /** The shared files as the caller already read them: looked up here, never read again. */
  readonly files: AwsFiles;
  /** For a profile whose keys live in rolecred's key store (`rolecred_keys`), which the SDK cannot read. */
  readonly deps: Deps;
}

export async function loadSourceCredentials(request: SourceCredentialsRequest): Promise<AwsCredentials> {
  const stored = await storedKeysOf(request.profile, request.files, request.deps);
  if (stored !== undefined) return stored;
  const fromFiles = staticKeysOf(request.profile, request.files, request.deps.env);
  if (fromFiles !== undefined) {
    request.deps.log.verbose(`source credentials: the static keys of profile ${fromFiles.profile}`);
    return fromFiles.credentials;
  }
  const { fromIni, fromNodeProviderChain } = await import("@aws-sdk/credential-providers");
  const files = { filepath: request.files.credentialsPath, configFilepath: request.files.configPath, ignoreCache: true };
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

/**
 * A value the SDK's INI parser and rolecred's read alike: printable ASCII, no spaces (which the
 * SDK's parser trims and before which it cuts `#`/`;` comments), no comment characters at all.
 */
const PLAIN_VALUE = /^[\x21-\x7e]+$/;
const COMMENT_CHARACTER = /[#;]/;

function plain(value: string | undefined): value is string {
  return value !== undefined && PLAIN_VALUE.test(value) && !COMMENT_CHARACTER.test(value);
}

/**
 * The static keys the SDK's provider would return, taken from rolecred's parse instead of the
 * SDK parsing both files again (issue 16); undefined whenever the SDK would do anything else, or
 * might read the files differently, so that it decides. Mirrors @aws-sdk/credential-provider-node
 * 3.972's order for the default chain: fromEnv first, but skipped when AWS_PROFILE is set (with
 * a warning when keys are in the environment too: left to the SDK, warning included); then fromIni
 * on AWS_PROFILE or "default" (the SDK ignores AWS_DEFAULT_PROFILE). fromIni (also
 * --source-profile's provider) prefers role_arn with source_profile or credential_source over the
 * profile's keys, and the keys over web identity, credential_process and SSO settings; so any
 * role_arn sends the profile to the SDK, and a profile without both keys goes on down its chain.
 */
export function staticKeysOf(profile: string | undefined, files: AwsFiles, env: Env): { profile: string; credentials: AwsCredentials } | undefined {
  const keysInEnvironment = Boolean(env.AWS_ACCESS_KEY_ID || env.AWS_SECRET_ACCESS_KEY);
  // Any key in the environment: fromEnv takes it (or, with AWS_PROFILE, the SDK warns); either way, the SDK's call.
  if (profile === undefined && keysInEnvironment) return undefined;
  const name = profile ?? sdkProfileName(env);
  const settings = profileSettings(files, name);
  if (settings === undefined || settings.has("role_arn")) return undefined;
  const accessKeyId = settings.get("aws_access_key_id");
  const secretAccessKey = settings.get("aws_secret_access_key");
  const sessionToken = settings.get("aws_session_token");
  if (!plain(accessKeyId) || !plain(secretAccessKey) || (sessionToken !== undefined && !plain(sessionToken))) return undefined;
  return { profile: name, credentials: { accessKeyId, secretAccessKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
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
 * profile the SDK would take keys from: AWS_PROFILE, else default with no keys in the environment): read from rolecred's key store, as the
 * profile chains do. Undefined for any other profile: the SDK's providers handle those.
 */
async function storedKeysOf(profile: string | undefined, files: AwsFiles, deps: Deps): Promise<AwsCredentials | undefined> {
  // The SDK's order: keys in the environment win unless AWS_PROFILE names a profile; a profile's
  // keys (here, the store's) come before a container or instance endpoint.
  if (profile === undefined && !deps.env.AWS_PROFILE && deps.env.AWS_ACCESS_KEY_ID) return undefined;
  const name = profile ?? sdkProfileName(deps.env);
  const entry = profileSettings(files, name)?.get(KEYS_SETTING);
  if (entry === undefined) return undefined;
  const { openKeyStore } = await import("../keys/store.js");
  const store = await openKeyStore(deps);
  const found = await store.find(entry.trim());
  if (found === undefined) {
    throw new RolecredError(
      `cannot load credentials of source profile "${name}": no keys named "${entry.trim()}" in ${store.backends.map((backend) => backend.location).join(" or ")}`,
      {
        exitCode: ExitCode.badInput,
        hint: `store them with \`rolecred keys add ${entry.trim()}\``,
      },
    );
  }
  deps.secrets.add(found.entry.secretAccessKey);
  return { accessKeyId: found.entry.accessKeyId, secretAccessKey: found.entry.secretAccessKey };
}
