/**
 * The environment of a child that runs with a session's credentials. Variables that could make
 * the child's SDK pick other credentials (a profile, a stale key pair) are removed before the new
 * ones are set: the default provider chain reads env keys first but AWS_PROFILE-aware tools may not.
 */
import type { Env } from "../deps.js";
import type { TemporaryCredentials } from "../credentials/types.js";

/** Set in the child so a rolecred inside it can tell it is nested, and for prompts/scripts to show. */
export const ACTIVE_PROFILE_ENV = "ROLECRED_PROFILE";

export const CREDENTIAL_ENV_NAMES = [
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  // A container endpoint of an outer tool would otherwise stand beside (or, RELATIVE_URI, before) ours.
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
] as const;

export interface ChildSession {
  readonly credentials: TemporaryCredentials;
  readonly region?: string | undefined;
  /** What the child is acting as: a profile name, else the role ARN. */
  readonly label: string;
}

/** The parent's environment without any variable that names credentials. */
function withoutCredentials(parent: Env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && !(CREDENTIAL_ENV_NAMES as readonly string[]).includes(name)) env[name] = value;
  }
  return env;
}

function setRegion(env: Record<string, string>, region: string | undefined): void {
  if (region === undefined) return;
  // Already this call's choice (--region, then AWS_REGION/AWS_DEFAULT_REGION, then the profile):
  // both SDK generations get the same one.
  env.AWS_REGION = region;
  env.AWS_DEFAULT_REGION = region;
}

export function childEnvironment(parent: Env, session: ChildSession): Record<string, string> {
  const env = withoutCredentials(parent);
  env.AWS_ACCESS_KEY_ID = session.credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = session.credentials.secretAccessKey;
  env.AWS_SESSION_TOKEN = session.credentials.sessionToken;
  env.AWS_CREDENTIAL_EXPIRATION = session.credentials.expiration.toISOString();
  setRegion(env, session.region);
  env[ACTIVE_PROFILE_ENV] = session.label;
  return env;
}

/** Where a child started with `--server` asks for its credentials: no keys in its environment. */
export interface ChildServer {
  readonly url: string;
  readonly token: string;
  readonly region?: string | undefined;
  readonly label: string;
}

export function serverChildEnvironment(parent: Env, server: ChildServer): Record<string, string> {
  const env = withoutCredentials(parent);
  env.AWS_CONTAINER_CREDENTIALS_FULL_URI = server.url;
  env.AWS_CONTAINER_AUTHORIZATION_TOKEN = server.token;
  setRegion(env, server.region);
  env[ACTIVE_PROFILE_ENV] = server.label;
  return env;
}
