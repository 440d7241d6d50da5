/**
 * `--format json`: one object for scripts. Stable field names; `null` rather than a missing field
 * when a value is unknown. The shape is versioned: a change that breaks readers bumps `version`.
 */
import type { FileReport, LintFinding, LintSummary } from "./lint.js";

const JSON_REPORT_VERSION = 1;

function findingJson(finding: LintFinding): Record<string, unknown> {
  return {
    ruleId: finding.ruleId,
    severity: finding.severity,
    file: finding.file,
    document: finding.document,
    statement: finding.statementIndex,
    sid: finding.sid ?? null,
    line: finding.position?.line ?? null,
    column: finding.position?.column ?? null,
    reason: finding.reason,
    fix: finding.fix,
    ...(finding.suppressedBy === undefined ? {} : { suppressedBy: finding.suppressedBy }),
  };
}

export function formatJson(reports: readonly FileReport[], summary: LintSummary): string {
  const report = {
    version: JSON_REPORT_VERSION,
    summary,
    findings: reports.flatMap((file) => file.findings.map(findingJson)),
    suppressed: reports.flatMap((file) => file.suppressed.map(findingJson)),
    problems: reports.flatMap((file) =>
      file.problems.map((problem) => ({
        file: problem.file,
        document: problem.document,
        line: problem.position?.line ?? null,
        column: problem.position?.column ?? null,
        message: problem.message,
      })),
    ),
    notes: reports.flatMap((file) => file.notes.map((note) => ({ file: note.file, document: note.document, message: note.message }))),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
}
