/**
 * Text output for people: one line per finding in the `file:line:column:` form editors and
 * terminals turn into links, then the fix, indented.
 */
import type { FileReport, LintFinding, LintNote, LintProblem, LintSummary } from "./lint.js";
import type { Position } from "../json-parse.js";

function where(file: string, position: Position | undefined): string {
  return position === undefined ? file : `${file}:${position.line}:${position.column}`;
}

function statementLabel(finding: LintFinding): string {
  const statement = `Statement[${finding.statementIndex}]${finding.sid ? ` (Sid ${finding.sid})` : ""}`;
  return finding.document === "" ? statement : `${finding.document} ${statement}`;
}

function formatFindingText(finding: LintFinding): string {
  return `${where(finding.file, finding.position)}: ${finding.severity} ${finding.ruleId} ${statementLabel(finding)}: ${finding.reason}\n    fix: ${finding.fix}\n`;
}

/** Every finding of every file, in order; empty when there are none. */
export function formatText(reports: readonly FileReport[]): string {
  return reports.flatMap((report) => report.findings.map(formatFindingText)).join("");
}

/** One line for a file or policy that could not be read. */
export function formatProblem(problem: LintProblem): string {
  return `${where(problem.file, problem.position)}: ${problem.document === "" ? "" : `${problem.document}: `}${problem.message}`;
}

export function formatNote(note: LintNote): string {
  return `${note.file}: ${note.document === "" ? "" : `${note.document}: `}${note.message}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

/** The closing line: what was checked and what was found. */
export function formatSummary(summary: LintSummary): string {
  const found = summary.errors + summary.warnings === 0 ? "no findings" : [plural(summary.errors, "error"), plural(summary.warnings, "warning")].join(", ");
  const extras = [
    summary.suppressed > 0 ? `${summary.suppressed} suppressed` : "",
    summary.problems > 0 ? `${plural(summary.problems, "input")} could not be read` : "",
  ].filter((part) => part !== "");
  const policies = summary.documents === 1 ? "1 trust policy" : `${summary.documents} trust policies`;
  return `${found} in ${policies} from ${plural(summary.files, "file")}${extras.length > 0 ? ` (${extras.join("; ")})` : ""}`;
}
