/**
 * `credential_process = COMMAND` as the start of a chain (1Password, pass, a corporate broker,
 * as with aws-vault): the command runs as the AWS CLI runs it (src/keys/external-command.ts) and
 * must print the Version 1 JSON. A session it prints (SessionToken and Expiration) is cached
 * like any session; long-term keys it prints sign the first AssumeRole of the chain.
 *
 * Loops: `credential_process = rolecred process SELF` on a profile rolecred itself resolves would
 * run forever. Every run passes the profiles whose command is running down to the command in
 * ROLECRED_CREDENTIAL_PROCESS_PROFILES; a rolecred that finds its profile there stops at once.
 *
 * Only the compiled modules run `obtain()`: this file is in the fast path's bundle (for the cache
 * key), so its heavy part is imported through a variable esbuild does not follow.
 */
import { ExitCode, RolecredError } from "../errors.js";
import type { CredentialSource } from "./source.js";
import { CREDENTIAL_PROCESS_SETTING, RUNNING_PROCESS_PROFILES_ENV } from "./credential-process-keys.js";

// The same relative path from src/sources and from src/cli (where the fast-path bundle lives).
const RUNNER_MODULE = "../sources/credential-process-run.js";

export const credentialProcessSource: CredentialSource = {
  name: "process",
  longTermKeys: false,
  // As in the AWS CLI: keys in the profile win over credential_process, and role_arn needs source_profile.
  applies: (settings) => settings.has(CREDENTIAL_PROCESS_SETTING) && !settings.has("aws_access_key_id") && !settings.has("role_arn"),
  validate: (profile, settings) => {
    if ((settings.get(CREDENTIAL_PROCESS_SETTING) ?? "").trim() === "") {
      throw new RolecredError(`profile "${profile}": credential_process is empty`, { exitCode: ExitCode.badInput });
    }
  },
  cacheKey: (base) =>
    JSON.stringify({ kind: "credential-process", profile: base.profile, command: base.settings.get(CREDENTIAL_PROCESS_SETTING)?.trim() ?? "" }),
  describe: (base) => `credential_process ${base.settings.get(CREDENTIAL_PROCESS_SETTING)?.trim() ?? ""}`,
  link: (base, context) => {
    // Checked here, before the cache lock the link is wrapped in: the rolecred that runs this
    // command holds that very lock while it waits for it.
    const running = runningProfiles(context.deps.env);
    if (running.includes(base.profile)) {
      throw new RolecredError(
        `profile "${base.profile}": credential_process runs rolecred for "${base.profile}" again: a loop (${[...running, base.profile].join(" → ")})`,
        {
          exitCode: ExitCode.badInput,
          hint: "a profile's credential_process must not resolve that same profile; point it at another profile",
        },
      );
    }
    return {
      key: credentialProcessSource.cacheKey(base),
      obtain: async () => {
        const { obtainFromCredentialProcess } = (await import(/* @vite-ignore */ RUNNER_MODULE)) as typeof import("./credential-process-run.js");
        return obtainFromCredentialProcess(base, running, context);
      },
    };
  },
};

/** The profiles whose credential_process is running above this rolecred, outermost first. */
function runningProfiles(env: Readonly<Record<string, string | undefined>>): string[] {
  return (env[RUNNING_PROCESS_PROFILES_ENV] ?? "").split(",").filter((name) => name !== "");
}
