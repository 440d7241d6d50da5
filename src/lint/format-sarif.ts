/**
 * `--format sarif`: SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps, GitLab)
 * read. Every rule is described once in `tool.driver.rules`; findings an inline mark suppressed
 * are kept with an `inSource` suppression, so a reviewer can still see them; inputs that could
 * not be read become tool notifications and mark the run unsuccessful.
 */
import type { Invocation, Location, Log, Notification, ReportingDescriptor, Result } from "sarif";
import { isAbsolute, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { FileReport, LintFinding, LintSummary } from "./lint.js";
import type { Position } from "../json-parse.js";
import type { TrustRule } from "./rule.js";
import { ALL_RULES } from "./rules.js";

const SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json";

/** What `rolecred lint` calls stdin in its own output; it has no URI. */
export const STDIN_LABEL = "<stdin>";

export interface SarifOptions {
  readonly toolVersion: string;
  readonly rules?: readonly TrustRule[];
}

/** A path as a URI reference: forward slashes, each segment percent-encoded; absolute paths as file: URLs. */
export function artifactUri(file: string): string {
  if (isAbsolute(file)) return pathToFileURL(file).href;
  return file.split(sep).join("/").split("/").map(encodeURIComponent).join("/");
}

function ruleDescriptor(rule: TrustRule): ReportingDescriptor {
  return {
    id: rule.id,
    name: rule.name,
    shortDescription: { text: rule.summary },
    fullDescription: { text: rule.risk },
    help: { text: rule.fix },
    defaultConfiguration: { level: rule.severity },
    // GitHub code scanning ranks security alerts by this score (0-10).
    properties: { tags: ["security", "iam"], "security-severity": rule.severity === "error" ? "8.0" : "5.0" },
  };
}

function locationsOf(file: string, position: Position | undefined, logicalName: string | undefined): Location[] {
  const location: Location = {};
  if (file !== STDIN_LABEL) {
    location.physicalLocation = {
      artifactLocation: { uri: artifactUri(file) },
      ...(position === undefined ? {} : { region: { startLine: position.line, startColumn: position.column } }),
    };
  }
  if (logicalName !== undefined) location.logicalLocations = [{ fullyQualifiedName: logicalName, kind: "object" }];
  return location.physicalLocation === undefined && location.logicalLocations === undefined ? [] : [location];
}

function resultOf(finding: LintFinding, ruleIndex: number): Result {
  const statement = `Statement[${finding.statementIndex}]`;
  const result: Result = {
    ruleId: finding.ruleId,
    ruleIndex,
    level: finding.severity,
    message: { text: `${finding.reason}. Fix: ${finding.fix}` },
    locations: locationsOf(finding.file, finding.position, finding.document === "" ? statement : `${finding.document}/${statement}`),
  };
  if (finding.suppressedBy !== undefined) {
    const mark =
      finding.suppressedBy === "sid"
        ? `the statement's Sid "${finding.sid ?? ""}" names ${finding.ruleId}`
        : `the role's rolecred:ignore mark names ${finding.ruleId}`;
    result.suppressions = [{ kind: "inSource", justification: mark }];
  }
  return result;
}

export function formatSarif(reports: readonly FileReport[], summary: LintSummary, options: SarifOptions): string {
  const rules = options.rules ?? ALL_RULES;
  const indexOf = new Map(rules.map((rule, index) => [rule.id, index]));
  const results = reports.flatMap((report) =>
    [...report.findings, ...report.suppressed].map((finding) => resultOf(finding, indexOf.get(finding.ruleId) ?? -1)),
  );
  const notifications: Notification[] = reports.flatMap((report) => [
    ...report.problems.map((problem) => ({
      level: "error" as const,
      message: { text: problem.document === "" ? problem.message : `${problem.document}: ${problem.message}` },
      locations: locationsOf(problem.file, problem.position, undefined),
    })),
    ...report.notes.map((note) => ({
      level: "note" as const,
      message: { text: note.document === "" ? note.message : `${note.document}: ${note.message}` },
      locations: locationsOf(note.file, undefined, undefined),
    })),
  ]);
  const invocation: Invocation = {
    executionSuccessful: summary.problems === 0,
    ...(notifications.length === 0 ? {} : { toolExecutionNotifications: notifications }),
  };
  const log: Log = {
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "rolecred", semanticVersion: options.toolVersion, version: options.toolVersion, rules: rules.map(ruleDescriptor) } },
        invocations: [invocation],
        columnKind: "utf16CodeUnits",
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
