/**
 * The trust policies in test/fixtures/trust-policies/, with what that folder's README.md
 * says a linter should make of each.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exitCodeFor, lintText, summarize } from "../../src/lint/lint.js";
import { FIXTURES_DIR } from "../support/run-cli.js";

const FOLDER = join(FIXTURES_DIR, "trust-policies");

const EXPECTED: ReadonlyArray<readonly [file: string, ruleIds: readonly string[], exitCode: 0 | 1]> = [
  ["saml-with-audience.json", [], 0],
  ["account-root-no-mfa.json", ["RC-TRUST-002"], 0],
  ["account-root-with-mfa.json", [], 0],
  // A session name pins nothing (RC-TRUST-009), and there is no MFA either (RC-TRUST-002).
  ["session-name-pinned-to-username.json", ["RC-TRUST-002", "RC-TRUST-009"], 0],
  // The caller may set the tag it is compared on (RC-TRUST-010); no MFA (RC-TRUST-002).
  ["tag-matched-environment.json", ["RC-TRUST-002", "RC-TRUST-010"], 0],
  ["rolesanywhere-no-subject.json", ["RC-TRUST-006"], 1],
  ["rolesanywhere-subject-cn.json", [], 0],
];

describe("reference trust policies", () => {
  it("are all covered", () => {
    const readme = readFileSync(join(FOLDER, "README.md"), "utf8");
    const listed = [...readme.matchAll(/^\| ([\w-]+\.json) \|/gm)].map((match) => match[1] ?? "");
    expect([...listed].sort()).toEqual(EXPECTED.map(([file]) => file).sort());
  });

  it.each(EXPECTED)("%s → %j, exit %i", (file, ruleIds, exitCode) => {
    const report = lintText(file, readFileSync(join(FOLDER, file), "utf8"), { ignore: new Set(), knownAccounts: undefined });
    expect(report.problems).toEqual([]);
    expect(report.documents).toBe(1);
    expect(report.findings.map((finding) => finding.ruleId)).toEqual(ruleIds);
    expect(exitCodeFor(summarize([report]))).toBe(exitCode);
  });
});
