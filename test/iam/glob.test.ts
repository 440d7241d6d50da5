/**
 * The one glob (src/iam/glob.ts), tested with the examples of AWS's IAM User Guide:
 * "IAM JSON policy elements: Action" ("The prefix and the action name are case insensitive. For
 * example, iam:ListAccessKeys is the same as IAM:listaccesskeys"; "iam:*AccessKey*" covers
 * CreateAccessKey, DeleteAccessKey, ListAccessKeys and UpdateAccessKey), "IAM JSON policy
 * elements: Resource" ("An asterisk (*) represents any combination of characters and a question
 * mark (?) represents any single character"; user/accounting/* is every user whose path is
 * /accounting; bucket/* every item of the bucket), and "Condition operators" (StringLike is a
 * case-sensitive match with the same two wildcards).
 */
import { describe, expect, it } from "vitest";
import { globMatches, globUnits, matchesEverything, unitsMatch, type MatchCost } from "../../src/iam/glob.js";
import { chooseRole } from "../../src/saml/choose-role.js";

describe(globMatches.name, () => {
  it.each([
    // Action element
    ["iam:*AccessKey*", "iam:CreateAccessKey", true],
    ["iam:*AccessKey*", "iam:DeleteAccessKey", true],
    ["iam:*AccessKey*", "iam:ListAccessKeys", true],
    ["iam:*AccessKey*", "iam:UpdateAccessKey", true],
    ["iam:*AccessKey*", "iam:CreateUser", false],
    ["s3:*", "s3:GetObject", true],
    ["s3:*", "sqs:SendMessage", false],
    ["s3:Get*", "s3:GetObject", true],
    ["s3:Get*", "s3:PutObject", false],
    ["*", "ec2:StartInstances", true],
  ])("action %s covers %s: %s (case-insensitive)", (pattern, action, expected) => {
    expect(globMatches(pattern, action, { ignoreCase: true })).toBe(expected);
  });

  it("iam:ListAccessKeys is the same as IAM:listaccesskeys for actions, and not for resources", () => {
    expect(globMatches("IAM:listaccesskeys", "iam:ListAccessKeys", { ignoreCase: true })).toBe(true);
    expect(globMatches("IAM:list*", "iam:ListAccessKeys", { ignoreCase: true })).toBe(true);
    expect(globMatches("arn:aws:iam::111122223333:user/bob", "arn:aws:iam::111122223333:user/Bob")).toBe(false);
  });

  it.each([
    // Resource element
    ["arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/accounting/alice", true],
    ["arn:aws:iam::111122223333:user/accounting/*", "arn:aws:iam::111122223333:user/marketing/alice", false],
    ["arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket/a/b/c.txt", true],
    ["arn:aws:s3:::my_corporate_bucket/*", "arn:aws:s3:::my_corporate_bucket", false],
    // `*` spans colons and slashes; `?` is exactly one character, never none
    ["arn:aws:s3:::*", "arn:aws:s3:::bucket/key", true],
    ["arn:aws:ec2:us-east-?:*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true],
    ["arn:aws:ec2:us-east-?:*", "arn:aws:ec2:us-east-:111122223333:instance/i-1", false],
    ["arn:aws:ec2:us-east-?:*", "arn:aws:ec2:us-east-12:111122223333:instance/i-1", false],
    ["?", "", false],
    ["*", "", true],
    ["", "", true],
    ["", "a", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYbZc", true],
    ["a*b*c", "acb", false],
    ["*a", "ba", true],
    ["*a", "ab", false],
    // Regular-expression characters are literal
    ["a.b", "axb", false],
    ["a.b", "a.b", true],
    ["role/(x)+", "role/(x)+", true],
    ["[ab]", "a", false],
    // One `?` is one code point, not one UTF-16 unit
    ["team-?", "team-🚀", true],
  ])("%s matches %s: %s (case-sensitive)", (pattern, subject, expected) => {
    expect(globMatches(pattern, subject)).toBe(expected);
  });
});

describe("pathological patterns", () => {
  const longSubject = "a".repeat(20_000);

  it("*a*a*a*a*a*b against 20,000 a's finishes, within (pattern + 1) × (subject + 1) steps", () => {
    const cost: MatchCost = { steps: 0 };
    expect(unitsMatch(globUnits("*a*a*a*a*a*b"), Array.from(longSubject), cost)).toBe(false);
    expect(cost.steps).toBeLessThanOrEqual(13 * 20_001);
  });

  it("saml --role '*a*a*a*a*a*b' picks nothing among roles with long names, and says so", () => {
    const roleName = "a".repeat(60);
    const roles = [
      { roleArn: `arn:aws:iam::111122223333:role/${roleName}`, principalArn: "arn:aws:iam::111122223333:saml-provider/Idp", account: "111122223333", roleName },
    ];
    expect(() => chooseRole(roles, { pattern: "*a*a*a*a*a*a*a*a*a*a*b" }, new Map())).toThrow(/no role in the assertion matches --role/);
    expect(chooseRole(roles, { pattern: "*a*a*a*a*a*a*a*a*a*a*" }, new Map())).toMatchObject({ kind: "chosen" });
  });
});

describe(matchesEverything.name, () => {
  it.each([
    ["*", true],
    ["**", true],
    ["?*", true],
    ["*?", true],
    ["?", false],
    ["", false],
    ["a*", false],
  ])("%s: %s", (pattern, expected) => {
    expect(matchesEverything(pattern)).toBe(expected);
  });
});
