/**
 * The names both halves of the credential_process source use: the source (./credential-process.ts)
 * and the part that runs the command (./credential-process-run.ts, imported lazily by the
 * source). Here so that the runner needs nothing from the source.
 */
export const CREDENTIAL_PROCESS_SETTING = "credential_process";
/** Profiles whose credential_process is running, comma-separated, inherited by the commands. */
export const RUNNING_PROCESS_PROFILES_ENV = "ROLECRED_CREDENTIAL_PROCESS_PROFILES";
