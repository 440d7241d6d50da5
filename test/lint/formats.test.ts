/** The three output formats: text for people, JSON for scripts, SARIF 2.1.0 for code scanning. */
import { describe, expect, it } from "vitest";
import { lintText, summarize, unreadableFile, type FileReport } from "../../src/lint/lint.js";
import { formatJson } from "../../src/lint/format-json.js";
import { artifactUri, formatSarif, STDIN_LABEL } from "../../src/lint/format-sarif.js";
import { formatProblem, formatSummary, formatText } from "../../src/lint/format-text.js";
import { ALL_RULES } from "../../src/lint/rules.js";
import { allow, getRoleAnswer, lintValue, trustPolicy } from "./lint-helpers.js";
import { sarifErrors } from "./sarif-validator.js";

const OPEN = trustPolicy(allow("*"), allow({ AWS: "arn:aws:iam::111111111111:root" }));
const SUPPRESSED = trustPolicy({ Sid: "OpenRolecredIgnore001", ...allow("*") });

function reports(): FileReport[] {
  return [
    lintValue(OPEN, {}, "infra/roles/open role.json"),
    lintValue(SUPPRESSED, {}, "/abs/path/suppressed.json"),
    lintValue(getRoleAnswer(OPEN), {}, STDIN_LABEL),
    lintText("broken.json", '{"Statement": [}', { ignore: new Set(), knownAccounts: undefined }),
    lintValue({ Resources: { R: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: { "Fn::If": ["C", {}, {}] } } } } }, {}, "template.json"),
    unreadableFile("missing.json", "cannot read: no such file or folder"),
  ];
}

describe(formatText.name, () => {
  it("prints file:line:column, severity, rule, statement, reason and fix", () => {
    const text = formatText([lintValue(OPEN, {}, "open.json")]);
    expect(text.split("\n")[0]).toMatch(/^open\.json:4:5: error RC-TRUST-001 Statement\[0\]: sts:AssumeRole is allowed to principal "\*"/);
    expect(text).toContain("\n    fix: Name the trusted accounts");
    expect(text).toContain("open.json:9:5: warning RC-TRUST-002 Statement[1]: the whole account 111111111111");
  });

  it("names the role in files that hold several", () => {
    expect(formatText([lintValue(getRoleAnswer(OPEN), {}, "role.json")])).toContain("error RC-TRUST-001 role Developer Statement[0]:");
  });

  it("is empty when there is nothing to say", () => {
    expect(formatText([lintValue(trustPolicy(allow({ Service: "ec2.amazonaws.com" })))])).toBe("");
  });
});

describe(formatSummary.name, () => {
  it.each([
    [{ files: 1, documents: 1, errors: 0, warnings: 0, suppressed: 0, problems: 0 }, "no findings in 1 trust policy from 1 file"],
    [
      { files: 3, documents: 4, errors: 1, warnings: 2, suppressed: 1, problems: 2 },
      "1 error, 2 warnings in 4 trust policies from 3 files (1 suppressed; 2 inputs could not be read)",
    ],
  ])("%j → %s", (summary, text) => {
    expect(formatSummary(summary)).toBe(text);
  });
});

describe(formatProblem.name, () => {
  it("gives the file, line and column of broken JSON", () => {
    const [problem] = lintText("broken.json", '{\n  "Statement": [\n  }\n', { ignore: new Set(), knownAccounts: undefined }).problems;
    expect(problem && formatProblem(problem)).toBe('broken.json:3:3: invalid JSON: unexpected "}"');
  });
});

describe(formatJson.name, () => {
  it("lists findings, suppressed findings, problems and notes with a summary", () => {
    const all = reports();
    const parsed = JSON.parse(formatJson(all, summarize(all))) as Record<string, unknown>;
    expect(parsed.version).toBe(1);
    expect(parsed.summary).toEqual({ files: 6, documents: 3, errors: 2, warnings: 2, suppressed: 1, problems: 2 });
    expect(parsed.findings).toContainEqual({
      ruleId: "RC-TRUST-001",
      severity: "error",
      file: "infra/roles/open role.json",
      document: "",
      statement: 0,
      sid: null,
      line: 4,
      column: 5,
      reason: expect.stringContaining('principal "*"') as string,
      fix: expect.any(String) as string,
    });
    expect(parsed.suppressed).toEqual([expect.objectContaining({ ruleId: "RC-TRUST-001", sid: "OpenRolecredIgnore001", suppressedBy: "sid" })]);
    expect(parsed.problems).toEqual([
      { file: "broken.json", document: "", line: 1, column: 16, message: 'invalid JSON: unexpected "}"' },
      { file: "missing.json", document: "", line: null, column: null, message: "cannot read: no such file or folder" },
    ]);
    expect(parsed.notes).toEqual([expect.objectContaining({ file: "template.json", document: "Resources.R" })]);
  });
});

describe(formatSarif.name, () => {
  it("is valid SARIF 2.1.0 with findings, suppressions and notifications", () => {
    const all = reports();
    const text = formatSarif(all, summarize(all), { toolVersion: "1.2.3" });
    expect(sarifErrors(text)).toEqual([]);
    const log = JSON.parse(text) as {
      version: string;
      runs: [{ tool: { driver: { rules: { id: string }[] } }; results: Record<string, unknown>[]; invocations: [{ executionSuccessful: boolean }] }];
    };
    const [run] = log.runs;
    expect(log.version).toBe("2.1.0");
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual(ALL_RULES.map((rule) => rule.id));
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.results[0]).toMatchObject({
      ruleId: "RC-TRUST-001",
      ruleIndex: 0,
      level: "error",
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: "infra/roles/open%20role.json" }, region: { startLine: 4, startColumn: 5 } },
          logicalLocations: [{ fullyQualifiedName: "Statement[0]" }],
        },
      ],
    });
    expect(run.results).toContainEqual(expect.objectContaining({ suppressions: [expect.objectContaining({ kind: "inSource" })] }));
    // stdin has no URI: only the logical location remains.
    expect(run.results).toContainEqual(
      expect.objectContaining({ locations: [{ logicalLocations: [{ fullyQualifiedName: "role Developer/Statement[0]", kind: "object" }] }] }),
    );
  });

  it("is valid for a clean run too", () => {
    const clean = [lintValue(trustPolicy(allow({ Service: "ec2.amazonaws.com" })))];
    const text = formatSarif(clean, summarize(clean), { toolVersion: "0.1.0" });
    expect(sarifErrors(text)).toEqual([]);
    expect(JSON.parse(text)).toMatchObject({ runs: [{ results: [], invocations: [{ executionSuccessful: true }] }] });
  });

  it("the validator does reject a broken log", () => {
    expect(sarifErrors(JSON.stringify({ version: "2.1.0", runs: [{ results: [] }] }))).not.toEqual([]);
  });
});

describe(artifactUri.name, () => {
  it.each([
    ["infra/roles/a.json", "infra/roles/a.json"],
    ["with space/#1.json", "with%20space/%231.json"],
    ["/abs/a b.json", "file:///abs/a%20b.json"],
  ])("%s → %s", (path, uri) => {
    expect(artifactUri(path)).toBe(uri);
  });
});
