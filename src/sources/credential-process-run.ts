/** Running a profile's credential_process and checking what it prints (see ./credential-process.ts). */
import { ExitCode, RolecredError } from "../errors.js";
import { childEnvironment, processTimeoutMs, runExternalCommand } from "../keys/external-command.js";
import type { LinkContext, LinkResult } from "../credentials/link.js";
import type { RegisteredSourceBase } from "./source.js";
import { CREDENTIAL_PROCESS_SETTING, RUNNING_PROCESS_PROFILES_ENV } from "./credential-process-keys.js";

/** `running`: the profiles whose credential_process is running above this rolecred (checked by the link). */
export async function obtainFromCredentialProcess(base: RegisteredSourceBase, running: readonly string[], context: LinkContext): Promise<LinkResult> {
  const { deps } = context;
  const label = `profile "${base.profile}": credential_process`;
  deps.log.verbose(`${base.profile}: running its credential_process`);
  const stdout = await runExternalCommand({
    label,
    line: base.settings.get(CREDENTIAL_PROCESS_SETTING) ?? "",
    env: childEnvironment(deps.env, { [RUNNING_PROCESS_PROFILES_ENV]: [...running, base.profile].join(",") }),
    timeoutMs: processTimeoutMs(deps.env),
    stderr: deps.stderr,
  });
  const credentials = parseProcessOutput(stdout, label, deps.now());
  deps.secrets.add(credentials.secretAccessKey);
  deps.secrets.add(credentials.sessionToken);
  if (credentials.sessionToken === undefined || credentials.expiration === undefined) {
    // Long-term keys, or a session of unknown lifetime: used, never cached.
    return { credentials, session: undefined };
  }
  return {
    credentials,
    session: {
      kind: "credential-process",
      profile: base.profile,
      region: context.endpoint.region,
      credentials: { ...credentials, sessionToken: credentials.sessionToken, expiration: credentials.expiration },
    },
  };
}

interface ProcessCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string | undefined;
  readonly expiration: Date | undefined;
}

/** The Version 1 JSON the AWS CLI documents; anything else is refused naming the field, never echoing it. */
function parseProcessOutput(stdout: string, label: string, now: Date): ProcessCredentials {
  const refuse = (why: string) =>
    new RolecredError(`${label} printed ${why}`, {
      exitCode: ExitCode.badInput,
      hint: 'expected {"Version": 1, "AccessKeyId": …, "SecretAccessKey": …, "SessionToken": …, "Expiration": …}',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(stdout);
  } catch {
    throw refuse(stdout.trim() === "" ? "nothing" : "something that is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw refuse("JSON that is not an object");
  const fields = parsed as Record<string, unknown>;
  if (fields.Version !== 1) throw refuse(`Version ${JSON.stringify(fields.Version ?? null)}, not 1`);
  const text = (name: string, required: boolean): string | undefined => {
    const value = fields[name];
    if (value === undefined || value === null || value === "") {
      if (required) throw refuse(`no ${name}`);
      return undefined;
    }
    if (typeof value !== "string") throw refuse(`a ${name} that is not a string`);
    return value;
  };
  const accessKeyId = text("AccessKeyId", true) ?? "";
  const secretAccessKey = text("SecretAccessKey", true) ?? "";
  const sessionToken = text("SessionToken", false);
  const expirationText = text("Expiration", false);
  const expiration = expirationText === undefined ? undefined : new Date(expirationText);
  if (expiration !== undefined && Number.isNaN(expiration.getTime())) throw refuse("an Expiration that is not an ISO 8601 date");
  if (expiration !== undefined && expiration.getTime() <= now.getTime()) throw refuse(`credentials that expired at ${expiration.toISOString()}`);
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}
