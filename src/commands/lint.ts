/**
 * `rolecred lint`: read the files, folders and stdin the user named, lint each, print the
 * findings in the chosen format on stdout, and say on stderr what could not be read. One broken
 * file does not stop the others; it makes the run fail (exit 3) once everything was checked.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { errnoCode, inputError, messageOf } from "../errors.js";
import { readStdinText } from "../stdin.js";
import { packageVersion } from "../version.js";
import { KnownAccountsError, knownAccountsFromText, mergeKnownAccounts, type KnownAccount, type KnownAccounts } from "../lint/known-accounts.js";
import { exitCodeFor, lintText, summarize, unreadableFile, type FileReport, type LintSettings } from "../lint/lint.js";
import { formatJson } from "../lint/format-json.js";
import { formatSarif, STDIN_LABEL } from "../lint/format-sarif.js";
import { formatNote, formatProblem, formatSummary, formatText } from "../lint/format-text.js";

import type { RuleId } from "../lint/rule-ids.js";

export type LintFormat = "text" | "json" | "sarif";

export interface LintOptions {
  /** Files, folders (every .json inside, recursively) and `-` for stdin, in the order given. */
  readonly paths: readonly string[];
  /** `--known-accounts`: accounts the user vouches for. Empty: the account rules stay silent. */
  readonly knownAccountFiles: readonly string[];
  /** `--ignore`: rules not run. */
  readonly ignore: readonly RuleId[];
  /** Default: text. */
  readonly format: LintFormat;
}

/** A plan of a large Terraform estate is a few MiB; more than this on stdin is not a policy. */
const STDIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** Files read at once: enough to hide disk latency, few enough to stay under any fd limit. */
const READ_CONCURRENCY = 16;

/** Folders never worth walking: VCS data, dependencies, Terraform's provider cache. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(["node_modules"]);

export async function runLint(options: LintOptions, deps: Deps): Promise<Outcome> {
  const settings: LintSettings = { ignore: new Set(options.ignore), knownAccounts: await loadKnownAccounts(options.knownAccountFiles, deps) };
  const reports: FileReport[] = [];
  for (const path of options.paths) {
    if (path === "-") {
      const text = await readStdinText(deps.stdin, STDIN_LIMIT_BYTES, "the input on stdin");
      reports.push(noteIfNoPolicy(lintText(STDIN_LABEL, text, settings), deps));
    } else {
      reports.push(...(await lintPath(path, settings, deps)));
    }
  }

  const summary = summarize(reports);
  for (const report of reports) {
    for (const problem of report.problems) deps.log.info(formatProblem(problem));
    for (const note of report.notes) deps.log.info(`note: ${formatNote(note)}`);
  }
  if (options.format === "json") deps.stdout.write(formatJson(reports, summary));
  else if (options.format === "sarif") deps.stdout.write(formatSarif(reports, summary, { toolVersion: packageVersion() }));
  else {
    deps.stdout.write(formatText(reports));
    deps.log.info(formatSummary(summary));
  }
  return { exitCode: exitCodeFor(summary) };
}

/** A file the user named that holds no trust policy deserves a word; one found in a folder does not. */
function noteIfNoPolicy(report: FileReport, deps: Deps): FileReport {
  if (report.kind === "unrecognised" && report.problems.length === 0) {
    deps.log.info(`note: ${report.file}: no trust policy found (expected a policy document, an IAM get-role or list-roles answer, a CloudFormation template or a Terraform plan)`);
  }
  return report;
}

async function lintPath(path: string, settings: LintSettings, deps: Deps): Promise<FileReport[]> {
  let isFolder: boolean;
  try {
    isFolder = (await stat(path)).isDirectory();
  } catch (error) {
    return [unreadableFile(path, describeReadError(error))];
  }
  if (!isFolder) return [noteIfNoPolicy(await lintFile(path, settings), deps)];

  const { files, problems } = await jsonFilesUnder(path);
  deps.log.verbose(`${path}: ${files.length} .json file(s)`);
  const reports: FileReport[] = [...problems];
  for (let start = 0; start < files.length; start += READ_CONCURRENCY) {
    reports.push(...(await Promise.all(files.slice(start, start + READ_CONCURRENCY).map((file) => lintFile(file, settings)))));
  }
  for (const report of reports) {
    if (report.kind === "unrecognised" && report.problems.length === 0) deps.log.verbose(`${report.file}: no trust policy found; skipped`);
  }
  return reports;
}

async function lintFile(file: string, settings: LintSettings): Promise<FileReport> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    return unreadableFile(file, describeReadError(error));
  }
  return lintText(file, text, settings);
}

/**
 * Every .json file under `folder`, sorted, so output is the same on every machine. Hidden
 * folders and node_modules are skipped; so are symbolic links to folders (they can loop).
 */
async function jsonFilesUnder(folder: string): Promise<{ files: string[]; problems: FileReport[] }> {
  const files: string[] = [];
  const problems: FileReport[] = [];
  const walk = async (current: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (error) {
      problems.push(unreadableFile(current, describeReadError(error)));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_FOLDERS.has(entry.name)) await walk(path);
      } else if (entry.name.toLowerCase().endsWith(".json")) {
        if (entry.isFile()) files.push(path);
        else if (entry.isSymbolicLink() && (await stat(path).then((target) => target.isFile(), () => false))) files.push(path);
      }
    }
  };
  await walk(folder);
  return { files, problems };
}

function describeReadError(error: unknown): string {
  switch (errnoCode(error)) {
    case "ENOENT":
      return "cannot read: no such file or folder";
    case "EACCES":
    case "EPERM":
      return "cannot read: permission denied";
    case "EISDIR":
      return "cannot read: is a folder";
    default:
      return `cannot read: ${messageOf(error)}`;
  }
}

async function loadKnownAccounts(files: readonly string[], deps: Deps): Promise<KnownAccounts | undefined> {
  if (files.length === 0) return undefined;
  const lists: KnownAccount[][] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw inputError(`--known-accounts ${file}: ${describeReadError(error)}`);
    }
    try {
      lists.push(await knownAccountsFromText(text, file));
    } catch (error) {
      if (error instanceof KnownAccountsError) {
        throw inputError(`--known-accounts ${file}: ${error.message}`, "expected a map of account id → name, or a list of {name, accounts: [ids]} like fwdcloudsec's accounts.yaml");
      }
      throw error;
    }
    deps.log.verbose(`--known-accounts ${file}: ${lists.at(-1)?.length ?? 0} account(s)`);
  }
  return mergeKnownAccounts(lists);
}
