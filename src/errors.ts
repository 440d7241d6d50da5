/**
 * The one error type users see. Everything that can go wrong for a reason the user can act on
 * becomes a RolecredError with a one-line message, an optional hint, and an exit code from
 * {@link ExitCode}; `src/cli/main.ts` prints it once and exits with that code. Anything else that
 * reaches the top is a bug and is reported as one.
 */

/** Exit codes, so scripts can tell a typo from a refused MFA code from a dead network. */
export const ExitCode = {
  ok: 0,
  /** Something failed that is none of the below (a lock that never freed, a guard that refused). */
  failure: 1,
  /** The command line is wrong: unknown flag, missing argument, a flag value that cannot be valid. */
  usage: 2,
  /** Input rolecred was given cannot be used: stdin, an assertion, a policy file, a credentials file. */
  badInput: 3,
  /** AWS refused: access denied, wrong MFA code, untrusted assertion, expired source credentials. */
  denied: 4,
  /** The STS endpoint could not be reached, timed out or failed on its side. */
  unavailable: 5,
  /** The user cancelled at a prompt (Ctrl-C, Esc): 128 + SIGINT, as shells report an interrupt. */
  interrupted: 130,
  /** The command given to run could not be executed (the shell's convention). */
  cannotExecute: 126,
  /** The command given to run does not exist (the shell's convention). */
  commandNotFound: 127,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface RolecredErrorOptions {
  /** A second line telling the user what to do about it. */
  hint?: string;
  exitCode?: ExitCodeValue;
  cause?: unknown;
}

export class RolecredError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: ExitCodeValue;

  constructor(message: string, options: RolecredErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "RolecredError";
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
  }
}

/** The one line a RolecredError is shown as (before redaction and escaping): by run.ts, and by the fast path's `write`. */
export function errorLine(error: RolecredError): string {
  return `rolecred: ${error.message}${error.hint === undefined ? "" : ` — ${error.hint}`}`;
}

/** A usage error: exit 2, like a flag commander itself rejected. */
export function usageError(message: string, hint?: string): RolecredError {
  return new RolecredError(message, { exitCode: ExitCode.usage, ...(hint === undefined ? {} : { hint }) });
}

/** An input error: exit 3, for content rolecred was handed and cannot use. */
export function inputError(message: string, hint?: string): RolecredError {
  return new RolecredError(message, { exitCode: ExitCode.badInput, ...(hint === undefined ? {} : { hint }) });
}

/** The message of anything thrown, for wrapping errors rolecred did not create. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/**
 * Node's network errno codes, in words: what every endpoint client (STS, Roles Anywhere, Identity
 * Center, the federation endpoint) says when it cannot reach its service.
 */
const NETWORK_ERRORS: Readonly<Record<string, string>> = {
  ECONNREFUSED: "connection refused",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  ECONNRESET: "connection reset",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "connection closed",
  ECONNABORTED: "connection aborted",
};

/** The words for a network errno code, or undefined when `code` is not one. */
export function describeNetworkError(code: unknown): string | undefined {
  return typeof code === "string" && Object.hasOwn(NETWORK_ERRORS, code) ? NETWORK_ERRORS[code] : undefined;
}

/** The errno-style code of a Node system error (ENOENT, EACCES, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === "object" && error !== null && "code" in error) {
    const code = error.code;
    if (typeof code === "string") return code;
  }
  return undefined;
}
