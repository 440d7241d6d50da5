/**
 * `rolecred status`: every session rolecred holds, from its cache and from the credentials file,
 * with time left; `status PROFILE --min 15m` answers "is it good for 15 more minutes?" by exit code.
 * What it prints is worked out by src/session/status-report.ts, which the bundled fast path
 * (src/cli/fast-status.ts) shares: this is the full command line's way in (`--verbose`, `-q`...).
 */
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { statusReport, type StatusRequest } from "../session/status-report.js";

export type StatusOptions = StatusRequest;

export async function runStatus(options: StatusOptions, deps: Deps): Promise<Outcome> {
  const color = deps.stdout.isTTY === true && deps.env.NO_COLOR === undefined;
  const report = await statusReport(options, deps.env, deps.now(), color);
  for (const warning of report.warnings) deps.log.warn(warning);
  deps.stdout.write(report.stdout);
  return { exitCode: report.exitCode };
}
