/**
 * Lint grows linearly with the number of statements: the Deny statements are indexed once per
 * policy (by principal, identical ones kept once) instead of being searched again for every
 * Allow. No time is asserted (bench/lint.ts measures it); the large case only has to finish
 * within vitest's default timeout, which the quadratic version (10,000 statements: ~45 s) did not.
 */
import { describe, expect, it } from "vitest";
import { denialsCovering } from "../../src/lint/conditions.js";
import { normalizeTrustPolicy, type TrustPolicy } from "../../src/lint/policy.js";
import { allow, deny, lintValue, OTHER, OWN, trustPolicy, type Json } from "./lint-helpers.js";

const root = (account: string): Json => ({ AWS: `arn:aws:iam::${account}:root` });
const MFA_DENY = { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } };

function normalized(value: Json): TrustPolicy {
  const result = normalizeTrustPolicy(value);
  if (!("policy" in result)) throw new Error(result.problem.reason);
  return result.policy;
}

describe(denialsCovering.name, () => {
  const policy = normalized(
    trustPolicy(
      allow(root(OWN)),
      deny("*", "sts:AssumeRole", MFA_DENY),
      deny(root(OWN), "sts:AssumeRole", MFA_DENY),
      deny(root(OTHER), "sts:AssumeRole", MFA_DENY),
      deny("*", "sts:AssumeRole", MFA_DENY),
      deny("*", "sts:TagSession"),
      { Effect: "Allow", NotPrincipal: root(OTHER), Action: "sts:AssumeRole" },
      allow({ AWS: [`arn:aws:iam::${OWN}:root`, `arn:aws:iam::${OTHER}:root`] }),
    ),
  );
  const [ownAllow, , , , , , noPrincipalAllow, bothAllow] = policy.statements;

  it("finds the Denies for everyone and those naming the Allow's principal, identical ones once", () => {
    expect(denialsCovering(policy, ownAllow!, ["sts:AssumeRole"]).map((statement) => statement.index)).toEqual([1, 2]);
  });

  it("a Deny naming one of two principals does not cover the Allow of both", () => {
    expect(denialsCovering(policy, bothAllow!, ["sts:AssumeRole"]).map((statement) => statement.index)).toEqual([1]);
  });

  it("an Allow without Principal is covered by any Deny of the action", () => {
    expect(denialsCovering(policy, noPrincipalAllow!, ["sts:AssumeRole"]).map((statement) => statement.index)).toEqual([1, 2, 3]);
  });

  it("only Denies of the actions asked about", () => {
    expect(denialsCovering(policy, ownAllow!, ["sts:TagSession"]).map((statement) => statement.index)).toEqual([5]);
  });
});

describe("lint on 10,000 statements", () => {
  it("finishes, and still reads every Deny: MFA required by a Deny for everyone, tag findings name a few taggers", () => {
    const statements: Json[] = [];
    for (let index = 0; index < 2_000; index += 1) {
      const account = String(100_000_000_000 + (index % 97));
      statements.push(
        allow(root(account)),
        deny("*", "sts:AssumeRole", MFA_DENY),
        allow(root(account), ["sts:AssumeRole", "sts:TagSession"], { StringEquals: { "aws:ResourceTag/env": "${aws:PrincipalTag/env}" } }),
        allow({ Federated: `arn:aws:iam::${account}:saml-provider/Idp` }, "sts:AssumeRoleWithSAML", {
          StringEquals: { "SAML:aud": "https://signin.aws.amazon.com/saml" },
        }),
        allow({ Service: "ec2.amazonaws.com" }),
      );
    }
    const report = lintValue(trustPolicy(...statements));
    expect(report.problems).toEqual([]);
    // The Deny requires MFA of every account principal, so RC-TRUST-002 never fires.
    expect(report.findings.filter((finding) => finding.ruleId === "RC-TRUST-002")).toEqual([]);
    const tagFindings = report.findings.filter((finding) => finding.ruleId === "RC-TRUST-010");
    expect(tagFindings).toHaveLength(2_000);
    expect(tagFindings[0]?.reason).toMatch(
      /while this statement, Statement\[487\], Statement\[972\], Statement\[1457\], Statement\[1942\] and 16 more also lets/,
    );
  });
});
