/**
 * `rolecred lint`: read the files, folders and stdin the user named, lint each, print the
 * findings in the chosen format on stdout, and say on stderr what could not be read. One broken
 * file does not stop the others; it makes the run fail (exit 3) once everything was checked.
 */
import { readdirSync, statSync, type Dirent, type Stats } from "node:fs";
import { join } from "node:path";
import type { Deps } from "../deps.js";
import type { Outcome } from "../outcome.js";
import { errnoCode, inputError, messageOf } from "../errors.js";
import { readStdinText } from "../stdin.js";
import { BoundedReadError, READ_LIMITS, readRegularTextSync } from "../store/bounded-read.js";
import { packageVersion } from "../version.js";
import { KnownAccountsError, knownAccountsFromText, mergeKnownAccounts, type KnownAccount, type KnownAccounts } from "../lint/known-accounts.js";
import { exitCodeFor, lintText, summarize, unreadableFile, type FileReport, type LintSettings } from "../lint/lint.js";
import { formatJson } from "../lint/format-json.js";
import { formatSarif, STDIN_LABEL } from "../lint/format-sarif.js";
import { formatNote, formatProblem, formatSummary, formatText } from "../lint/format-text.js";

/** What a lint input is called in messages from the bounded reader (then cut away: the line names the file). */
const LINT_INPUT = "the lint input";

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

/** Folders never worth walking: VCS data, dependencies, Terraform's provider cache. */
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(["node_modules"]);

export async function runLint(options: LintOptions, deps: Deps): Promise<Outcome> {
  const settings: LintSettings = { ignore: new Set(options.ignore), knownAccounts: await loadKnownAccounts(options.knownAccountFiles, deps) };
  const reports: FileReport[] = [];
  for (const path of options.paths) {
    if (path === "-") {
      const text = await readStdinText(deps.stdin, READ_LIMITS.lintInput, "the input on stdin");
      reports.push(noteIfNoPolicy(lintText(STDIN_LABEL, text, settings), deps));
    } else {
      reports.push(...lintPath(path, settings, deps));
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
    deps.log.info(
      `note: ${report.file}: no trust policy found (expected a policy document, an IAM get-role or list-roles answer, a CloudFormation template or a Terraform plan)`,
    );
  }
  return report;
}

/**
 * Synchronous throughout: lint has nothing else to do while a file is read (issue 16 measured
 * 10,000 reads at 664 ms through fs.promises against 96 ms synchronously).
 */
function lintPath(path: string, settings: LintSettings, deps: Deps): FileReport[] {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch (error) {
    return [unreadableFile(path, describeReadError(error))];
  }
  if (!isFolder) return [noteIfNoPolicy(lintFile(path, settings), deps)];

  const { files, problems, skipped } = jsonFilesUnder(path);
  deps.log.verbose(`${path}: ${files.length} .json file(s)`);
  for (const entry of skipped) deps.log.info(`note: ${entry.path}: skipped: ${entry.why}`);
  const reports: FileReport[] = [...problems];
  for (const file of files) reports.push(lintFile(file, settings));
  for (const report of reports) {
    if (report.kind === "unrecognised" && report.problems.length === 0) deps.log.verbose(`${report.file}: no trust policy found; skipped`);
  }
  return reports;
}

/**
 * One file through the bounded reader: a FIFO, a device or a file over READ_LIMITS.lintInput is
 * a problem of that file (exit 3 once the others are checked), never a hang.
 */
function lintFile(file: string, settings: LintSettings): FileReport {
  let text: string;
  try {
    text = readRegularTextSync(file, { maxBytes: READ_LIMITS.lintInput, what: LINT_INPUT });
  } catch (error) {
    return unreadableFile(file, describeReadError(error));
  }
  return lintText(file, text, settings);
}

/** A .json entry of a folder that is not a regular file (a FIFO, a socket, a device, a dangling link). */
interface SkippedEntry {
  readonly path: string;
  readonly why: string;
}

/**
 * Every .json file under `folder`, sorted, so output is the same on every machine. Hidden
 * folders and node_modules are skipped; so are symbolic links to folders (they can loop).
 *
 * A .json entry that is not a regular file (a FIFO, a socket, a device, or a link to one) is
 * skipped with a note, not an error: nobody named it, reading a FIFO would hang the run, and a
 * folder of policies is still checked whole. Named on the command line, the same entry is an
 * error (exit 3). One that turns into a FIFO between the walk and the read is refused by the
 * bounded reader.
 */
function jsonFilesUnder(folder: string): { files: string[]; problems: FileReport[]; skipped: SkippedEntry[] } {
  const files: string[] = [];
  const problems: FileReport[] = [];
  const skipped: SkippedEntry[] = [];
  const walk = (current: string): void => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch (error) {
      problems.push(unreadableFile(current, describeReadError(error)));
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_FOLDERS.has(entry.name)) walk(path);
      } else if (entry.name.toLowerCase().endsWith(".json")) {
        if (entry.isFile()) files.push(path);
        else if (entry.isSymbolicLink()) {
          const target = statOrUndefined(path);
          if (target?.isFile() === true) files.push(path);
          else if (target === undefined) skipped.push({ path, why: "a link to nothing" });
          else if (!target.isDirectory()) skipped.push({ path, why: "a link to something that is not a regular file" });
        } else skipped.push({ path, why: `${entryKind(entry)}, not a regular file` });
      }
    }
  };
  walk(folder);
  return { files, problems, skipped };
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function entryKind(entry: Dirent): string {
  if (entry.isFIFO()) return "a FIFO";
  if (entry.isSocket()) return "a socket";
  if (entry.isCharacterDevice() || entry.isBlockDevice()) return "a device";
  return "not a file";
}

function describeReadError(error: unknown): string {
  // The bounded reader says "the lint input PATH is a FIFO, not a regular file"; the line already names the path.
  if (error instanceof BoundedReadError && (error.reason === "not-regular" || error.reason === "too-large")) {
    return error.message.replace(`${LINT_INPUT} ${error.path} `, "");
  }
  switch (errnoCode(error instanceof BoundedReadError ? error.cause : error)) {
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
      text = readRegularTextSync(file, { maxBytes: READ_LIMITS.lintInput, what: LINT_INPUT });
    } catch (error) {
      throw inputError(`--known-accounts ${file}: ${describeReadError(error)}`);
    }
    try {
      lists.push(await knownAccountsFromText(text, file));
    } catch (error) {
      if (error instanceof KnownAccountsError) {
        throw inputError(
          `--known-accounts ${file}: ${error.message}`,
          "expected a map of account id → name, or a list of {name, accounts: [ids]} like fwdcloudsec's accounts.yaml",
        );
      }
      throw error;
    }
    deps.log.verbose(`--known-accounts ${file}: ${lists.at(-1)?.length ?? 0} account(s)`);
  }
  return mergeKnownAccounts(lists);
}
