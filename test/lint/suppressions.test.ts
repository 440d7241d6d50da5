import { describe, expect, it } from "vitest";
import { ignoreTokensFromTags, ruleIdsFromSid, ruleIdsFromTokens } from "../../src/lint/suppressions.js";
import { allow, getRoleAnswer, KNOWN, lintValue, trustPolicy, VENDOR } from "./lint-helpers.js";

describe(ruleIdsFromSid.name, () => {
  it.each([
    ["DatadogRolecredIgnore013", ["RC-TRUST-013"]],
    ["rolecredignore002013", ["RC-TRUST-002", "RC-TRUST-013"]],
    ["BreakGlassROLECREDIGNORE001Reviewed2024", ["RC-TRUST-001"]],
    ["RolecredIgnore999", []],
    ["RolecredIgnore01", []],
    ["AllowDevelopers", []],
    [undefined, []],
  ])("%s → %j", (sid, ids) => {
    expect(ruleIdsFromSid(sid)).toEqual(ids);
  });
});

describe(ignoreTokensFromTags.name, () => {
  it.each([
    [
      [
        { Key: "rolecred:ignore", Value: "RC-TRUST-002 RC-TRUST-013" },
        { Key: "team", Value: "x" },
      ],
      ["RC-TRUST-002", "RC-TRUST-013"],
    ],
    [[{ Key: "Rolecred:Ignore", Value: "RC-TRUST-002+RC-TRUST-013" }], ["RC-TRUST-002", "RC-TRUST-013"]],
    [{ "rolecred:ignore": "rc-trust-001" }, ["rc-trust-001"]],
    [undefined, []],
    ["rolecred:ignore", []],
  ])("%j → %j", (tags, tokens) => {
    expect(ignoreTokensFromTags(tags)).toEqual(tokens);
  });
});

describe(ruleIdsFromTokens.name, () => {
  it("upper-cases ids and sets the rest apart", () => {
    expect(ruleIdsFromTokens(["rc-trust-001", "RC-TRUST-013", "RC-TRUST-99", "all"])).toEqual({
      ids: ["RC-TRUST-001", "RC-TRUST-013"],
      unknown: ["RC-TRUST-99", "all"],
    });
  });
});

describe("suppressing findings", () => {
  const vendor = (sid?: string) => trustPolicy({ ...(sid === undefined ? {} : { Sid: sid }), ...allow({ AWS: `arn:aws:iam::${VENDOR}:root` }) });

  it("a Sid mark moves that statement's finding to suppressed", () => {
    const report = lintValue(vendor("DatadogRolecredIgnore013"), { known: KNOWN });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([expect.objectContaining({ ruleId: "RC-TRUST-013", suppressedBy: "sid" })]);
  });

  it("a Sid mark for another rule suppresses nothing", () => {
    expect(lintValue(vendor("DatadogRolecredIgnore001"), { known: KNOWN }).findings.map((finding) => finding.ruleId)).toEqual(["RC-TRUST-013"]);
  });

  it("a Sid mark covers only its own statement", () => {
    const policy = trustPolicy({ Sid: "RolecredIgnore001", ...allow("*") }, allow({ AWS: "*" }));
    expect(lintValue(policy).findings.map((finding) => finding.statementIndex)).toEqual([1]);
  });

  it("a role tag covers the whole role, and unknown words become notes", () => {
    const answer = getRoleAnswer(trustPolicy(allow("*"), allow({ AWS: "*" })), undefined, [{ Key: "rolecred:ignore", Value: "RC-TRUST-001 everything" }]);
    const report = lintValue(answer);
    expect(report.findings).toEqual([]);
    expect(report.suppressed.map((finding) => [finding.statementIndex, finding.suppressedBy])).toEqual([
      [0, "tag"],
      [1, "tag"],
    ]);
    expect(report.notes).toEqual([
      { file: "policy.json", document: "role Developer", message: 'rolecred:ignore names "everything", which is not a rule id (expected RC-TRUST-NNN)' },
    ]);
  });

  it("--ignore does not run the rule at all", () => {
    const report = lintValue(vendor(), { known: KNOWN, ignore: ["RC-TRUST-013"] });
    expect(report.findings).toEqual([]);
    expect(report.suppressed).toEqual([]);
  });
});
