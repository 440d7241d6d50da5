/**
 * One input file in, its findings out: parse, find the trust policies, normalise each, run the
 * rules, apply suppressions, and say where in the file each finding points. Pure: the caller
 * reads the file and prints the result.
 */
import type { InputKind, TrustDocument } from "./documents.js";
import { extractTrustDocuments } from "./extract.js";
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson, type ParsedJson, type Position } from "../json-parse.js";
import type { KnownAccounts } from "./known-accounts.js";
import { normalizeTrustPolicy, type TrustStatement } from "./policy.js";
import type { LintContext, Severity, TrustRule } from "./rule.js";
import type { RuleId } from "./rule-ids.js";
import { ALL_RULES } from "./rules.js";
import { ruleIdsFromSid, ruleIdsFromTokens } from "./suppressions.js";

export interface LintFinding {
  readonly ruleId: RuleId;
  readonly severity: Severity;
  /** The file as the user named it (`<stdin>` for `-`). */
  readonly file: string;
  /** Which role in the file; "" for a file that is one policy. */
  readonly document: string;
  readonly statementIndex: number;
  readonly sid: string | undefined;
  /** The statement's `{` in the file, or the role's when the policy was inside a string. */
  readonly position: Position | undefined;
  readonly reason: string;
  readonly fix: string;
  /** For a finding an inline mark suppressed: which kind of mark. */
  readonly suppressedBy?: "sid" | "tag";
}

/** A file or policy rolecred could not read: the run fails with exit code 3. */
export interface LintProblem {
  readonly file: string;
  readonly document: string;
  readonly position: Position | undefined;
  readonly message: string;
}

/** Something worth saying that is not a failure: a role not checked, a suppression that names no rule. */
export interface LintNote {
  readonly file: string;
  readonly document: string;
  readonly message: string;
}

export interface FileReport {
  readonly file: string;
  readonly kind: InputKind | "invalid JSON";
  /** Trust policies checked. */
  readonly documents: number;
  readonly findings: readonly LintFinding[];
  readonly suppressed: readonly LintFinding[];
  readonly problems: readonly LintProblem[];
  readonly notes: readonly LintNote[];
}

export interface LintSettings {
  /** `--ignore`: rules not run at all. */
  readonly ignore: ReadonlySet<RuleId>;
  readonly knownAccounts: KnownAccounts | undefined;
  /** The rules to run; all of them unless a test says otherwise. */
  readonly rules?: readonly TrustRule[];
}

interface DocumentResult {
  readonly documents: number;
  readonly findings: LintFinding[];
  readonly suppressed: LintFinding[];
  readonly problems: LintProblem[];
  readonly notes: LintNote[];
}

function lintDocument(file: string, document: TrustDocument, parsed: ParsedJson, settings: LintSettings): DocumentResult {
  const result: DocumentResult = { documents: 0, findings: [], suppressed: [], problems: [], notes: [] };
  // Worked out on the first finding that needs it: a file with none never pays for positions.
  let anchorPosition: { readonly position: Position | undefined } | undefined;
  const anchor = (): Position | undefined => (anchorPosition ??= { position: parsed.positionOf(document.anchor) }).position;
  const positionOf = (node: object | undefined): Position | undefined =>
    document.embedded || node === undefined ? anchor() : (parsed.positionOf(node) ?? anchor());

  const normalized = normalizeTrustPolicy(document.policy, document.resolve);
  if ("problem" in normalized) {
    result.problems.push({
      file,
      document: document.label,
      position: positionOf(normalized.problem.node),
      message: `${normalized.problem.path}: ${normalized.problem.reason}`,
    });
    return result;
  }
  const policy = normalized.policy;
  const roleMarks = ruleIdsFromTokens(document.ignoreTokens);
  for (const word of roleMarks.unknown) {
    result.notes.push({ file, document: document.label, message: `rolecred:ignore names "${word}", which is not a rule id (expected RC-TRUST-NNN)` });
  }
  const context: LintContext = { ownAccount: document.ownAccount, roleArn: document.roleArn, knownAccounts: settings.knownAccounts };
  const byIndex = new Map<number, TrustStatement>(policy.statements.map((statement) => [statement.index, statement]));

  for (const rule of settings.rules ?? ALL_RULES) {
    if (settings.ignore.has(rule.id)) continue;
    for (const hit of rule.check(policy, context)) {
      const statement = byIndex.get(hit.statementIndex);
      const finding: LintFinding = {
        ruleId: rule.id,
        severity: rule.severity,
        file,
        document: document.label,
        statementIndex: hit.statementIndex,
        sid: statement?.sid,
        position: positionOf(statement?.node),
        reason: hit.reason,
        fix: hit.fix ?? rule.fix,
      };
      if (ruleIdsFromSid(statement?.sid).includes(rule.id)) result.suppressed.push({ ...finding, suppressedBy: "sid" });
      else if (roleMarks.ids.includes(rule.id)) result.suppressed.push({ ...finding, suppressedBy: "tag" });
      else result.findings.push(finding);
    }
  }
  return { ...result, documents: 1 };
}

const byLocation = (a: LintFinding, b: LintFinding): number => a.statementIndex - b.statementIndex || a.ruleId.localeCompare(b.ruleId);

/** Lint one file's text. `file` is only used to label the results. */
export function lintText(file: string, text: string, settings: LintSettings): FileReport {
  let parsed: ParsedJson;
  try {
    parsed = parseJson(text);
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    const message =
      error instanceof JsonDuplicateKeyError
        ? `${error.reason}: IAM refuses a policy that repeats a key, and readers disagree on which one counts`
        : `invalid JSON: ${error.reason}`;
    return {
      file,
      kind: "invalid JSON",
      documents: 0,
      findings: [],
      suppressed: [],
      problems: [{ file, document: "", position: error.position, message }],
      notes: [],
    };
  }
  const extraction = extractTrustDocuments(parsed.value);
  const problems: LintProblem[] = extraction.problems.map((issue) => ({
    file,
    document: issue.label,
    position: issue.node === undefined ? undefined : parsed.positionOf(issue.node),
    message: issue.message,
  }));
  const notes: LintNote[] = extraction.notes.map((issue) => ({ file, document: issue.label, message: issue.message }));
  const findings: LintFinding[] = [];
  const suppressed: LintFinding[] = [];
  let documents = 0;
  for (const document of extraction.documents) {
    const result = lintDocument(file, document, parsed, settings);
    documents += result.documents;
    findings.push(...result.findings.sort(byLocation));
    suppressed.push(...result.suppressed.sort(byLocation));
    problems.push(...result.problems);
    notes.push(...result.notes);
  }
  return { file, kind: extraction.kind, documents, findings, suppressed, problems, notes };
}

/** A file that could not be read at all (missing, a permission problem). */
export function unreadableFile(file: string, message: string): FileReport {
  return {
    file,
    kind: "unrecognised",
    documents: 0,
    findings: [],
    suppressed: [],
    problems: [{ file, document: "", position: undefined, message }],
    notes: [],
  };
}

export interface LintSummary {
  readonly files: number;
  readonly documents: number;
  readonly errors: number;
  readonly warnings: number;
  readonly suppressed: number;
  readonly problems: number;
}

export function summarize(reports: readonly FileReport[]): LintSummary {
  const findings = reports.flatMap((report) => report.findings);
  return {
    files: reports.length,
    documents: reports.reduce((total, report) => total + report.documents, 0),
    errors: findings.filter((finding) => finding.severity === "error").length,
    warnings: findings.filter((finding) => finding.severity === "warning").length,
    suppressed: reports.reduce((total, report) => total + report.suppressed.length, 0),
    problems: reports.reduce((total, report) => total + report.problems.length, 0),
  };
}

/**
 * 3 when any input could not be read (the check is incomplete, whatever it found), else 1 when
 * any error-level finding remains, else 0 (warnings alone do not fail a build).
 */
export function exitCodeFor(summary: LintSummary): 0 | 1 | 3 {
  if (summary.problems > 0) return 3;
  return summary.errors > 0 ? 1 : 0;
}
