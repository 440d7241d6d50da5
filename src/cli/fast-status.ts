/**
 * `rolecred status [PROFILE] [--json] [--min TIME]` on the fast path: no commander, no command
 * modules (the full command line's start was a fifth of `status` with 10,000 sessions). Not in
 * the bundle: fast-path.ts imports it by a name esbuild does not follow, so the warm path's
 * bundle stays as small as it was (bundled, it cost every warm `process` about 3 % more
 * instructions); its ES modules load when `status` runs.
 * It prints what the full command prints (both use src/session/status-report.ts). Any other
 * argument, an invalid one, or any error goes to the full command line, which says what is wrong.
 */
import type { Env } from "../deps.js";
import { parseDuration } from "../duration.js";
import { escapeControl } from "../log.js";
import type { StatusRequest } from "../session/status-report.js";

/** What the fast path prints (fast-path.ts's FastAnswer, which imports this module). */
export interface StatusAnswer {
  readonly stdout: string;
  readonly stderr: string | undefined;
  readonly exitCode: number;
}

/** The request the full command line would make of these arguments (after `status`), or undefined to leave them to it. */
export function statusRequest(args: readonly string[]): StatusRequest | undefined {
  let profile: string | undefined;
  let json = false;
  let min: string | undefined;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? "";
    if (arg === "--json" && !json) json = true;
    else if (arg === "--min" && min === undefined && index + 1 < args.length) min = args[++index];
    else if (arg.startsWith("--min=") && min === undefined) min = arg.slice("--min=".length);
    else if (arg !== "" && !arg.startsWith("-") && profile === undefined) profile = arg;
    else return undefined;
  }
  const minSeconds = min === undefined ? undefined : parseDuration(min);
  // A bad --min, or --min without a profile: the full command line's usage errors.
  if (min !== undefined && (minSeconds === undefined || profile === undefined)) return undefined;
  return { profile, json, minSeconds };
}

export async function serveStatus(args: readonly string[], env: Env, now: Date, stdoutIsTerminal: boolean): Promise<StatusAnswer | undefined> {
  const request = statusRequest(args.slice(1));
  if (request === undefined) return undefined;
  try {
    // The session layer is loaded when used, as the full command line loads it (layers.test.ts).
    const { statusReport } = await import("../session/status-report.js");
    const report = await statusReport(request, env, now, stdoutIsTerminal && env.NO_COLOR === undefined);
    // As the logger shows a warning (log.ts: no secret is in these lines, so none to redact).
    const stderr = report.warnings.map((warning) => `${escapeControl(`warning: ${warning}`)}\n`).join("");
    return { stdout: report.stdout, stderr: stderr === "" ? undefined : stderr, exitCode: report.exitCode };
  } catch {
    // A credentials file that is a FIFO, too large, unreadable...: the full path's error message.
    return undefined;
  }
}
