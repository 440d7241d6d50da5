/**
 * The Role attribute's values: either order, any whitespace, a trailing comma, any partition;
 * parts classified by ARN type, never by position; everything else refused with a reason.
 */
import { describe, expect, it } from "vitest";
import { parseRoleValue, parseRoleValueByParts, parseRoleValues } from "../../src/saml/roles.js";

const ROLE = "arn:aws:iam::111122223333:role/Developer";
const PROVIDER = "arn:aws:iam::111122223333:saml-provider/Okta";
const DEVELOPER = { roleArn: ROLE, principalArn: PROVIDER, account: "111122223333", roleName: "Developer" };

describe(parseRoleValue.name, () => {
  it.each([
    ["role,provider (the order AWS documents)", `${ROLE},${PROVIDER}`],
    ["provider,role (ADFS, Okta, Shibboleth)", `${PROVIDER},${ROLE}`],
    ["a space after the comma", `${PROVIDER}, ${ROLE}`],
    ["spaces around both parts", ` ${PROVIDER} ,  ${ROLE} `],
    ["a pretty-printed value (newline and indentation)", `\n                    ${PROVIDER},${ROLE}\n                `],
    ["tabs", `\t\t${ROLE},\t${PROVIDER}\t`],
    ["a trailing comma (Google Workspace)", `${ROLE},${PROVIDER},`],
    ["a leading comma", `,${ROLE},${PROVIDER}`],
  ])("reads %s", (_name, value) => {
    expect(parseRoleValue(value)).toEqual({ ok: true, role: DEVELOPER });
  });

  it.each([
    ["aws-cn", "arn:aws-cn:iam::123456789012:role/China", "arn:aws-cn:iam::123456789012:saml-provider/Adfs", "China"],
    ["aws-us-gov", "arn:aws-us-gov:iam::123456789012:role/Gov", "arn:aws-us-gov:iam::123456789012:saml-provider/Adfs", "Gov"],
    ["aws, with a role path", "arn:aws:iam::123456789012:role/teams/platform/Deployer", "arn:aws:iam::123456789012:saml-provider/Okta", "Deployer"],
    ["aws, with dots in the role name", "arn:aws:iam::123456789012:role/SSO.AdminRole", "arn:aws:iam::123456789012:saml-provider/Okta", "SSO.AdminRole"],
    ["aws, with a 40-segment path", `arn:aws:iam::123456789012:role/${"a/".repeat(40)}Deep`, "arn:aws:iam::123456789012:saml-provider/Okta", "Deep"],
    ["aws, with an empty path segment", "arn:aws:iam::123456789012:role/a//Doubled", "arn:aws:iam::123456789012:saml-provider/Okta", "Doubled"],
  ])("reads the %s partition", (_name, roleArn, principalArn, roleName) => {
    expect(parseRoleValue(`${principalArn},${roleArn}`)).toEqual({ ok: true, role: { roleArn, principalArn, account: "123456789012", roleName } });
  });

  const noRole = "no valid role ARN (arn:aws:iam::<12-digit account>:role/NAME)";
  const noProvider = "no valid SAML provider ARN (arn:aws:iam::<12-digit account>:saml-provider/NAME)";
  it.each([
    ["a role alone", ROLE, "expected a role ARN and a SAML provider ARN separated by a comma, found 1 part"],
    ["an empty value", "  \n ", "expected a role ARN and a SAML provider ARN separated by a comma, found 0 parts"],
    ["three ARNs", `${ROLE},${PROVIDER},${ROLE}`, "expected a role ARN and a SAML provider ARN separated by a comma, found 3 parts"],
    ["two roles", `${ROLE},arn:aws:iam::111122223333:role/Other`, noProvider],
    ["two providers", `${PROVIDER},${PROVIDER}`, noRole],
    ["4-digit account ids (aws_role_credentials' test data)", "arn:aws:iam::1111:role/DevRole,arn:aws:iam::1111:saml-provider/IDP", noRole],
    ["an unknown partition", "arn:aws-mars:iam::111122223333:role/X,arn:aws-mars:iam::111122223333:saml-provider/Y", noRole],
    ["a user instead of a role", `arn:aws:iam::111122223333:user/jo,${PROVIDER}`, noRole],
    ["an STS assumed-role ARN", `arn:aws:sts::111122223333:assumed-role/Developer/jo,${PROVIDER}`, noRole],
    ["an OIDC provider instead of a SAML one", `${ROLE},arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com`, noProvider],
    ["an Entra-style role name without ARN", "Developer,Okta", noRole],
    ["a role name of 65 characters under a path", `arn:aws:iam::111122223333:role/team/${"x".repeat(65)},${PROVIDER}`, noRole],
    ["a path without a name", `arn:aws:iam::111122223333:role/team/,${PROVIDER}`, noRole],
    ["a name that starts with a slash", `arn:aws:iam::111122223333:role//Developer,${PROVIDER}`, noRole],
  ])("refuses %s, with the reason", (_name, value, reason) => {
    expect(parseRoleValue(value)).toEqual({ ok: false, value: value.trim(), reason });
  });
});

describe(parseRoleValues.name, () => {
  it("keeps the identity provider's order, drops duplicates, and lists what it refused", () => {
    const other = "arn:aws:iam::444455556666:role/ReadOnly";
    const otherProvider = "arn:aws:iam::444455556666:saml-provider/Okta";
    const result = parseRoleValues([`${otherProvider},${other}`, `${ROLE},${PROVIDER}`, `${PROVIDER}, ${ROLE}`, "garbage"]);
    expect(result.roles.map((role) => role.roleArn)).toEqual([other, ROLE]);
    expect(result.rejected).toEqual([{ value: "garbage", reason: "expected a role ARN and a SAML provider ARN separated by a comma, found 1 part" }]);
  });

  it("keeps one role offered through two providers twice: the provider is part of the choice", () => {
    const result = parseRoleValues([`${ROLE},${PROVIDER}`, `${ROLE},arn:aws:iam::111122223333:saml-provider/Adfs`]);
    expect(result.roles.map((role) => role.principalArn)).toEqual([PROVIDER, "arn:aws:iam::111122223333:saml-provider/Adfs"]);
  });

  it("no values, no roles", () => {
    expect(parseRoleValues([])).toEqual({ roles: [], rejected: [] });
  });
});

describe("the usual value's one-expression reading agrees with the part-by-part reading", () => {
  // Every combination of the shapes that matter to either reading: partitions (known, unknown),
  // accounts, paths (none, deep, with a colon, a comma or a space), names (64 and 65 characters,
  // characters only IAM allows), provider names, whitespace, order and extra commas.
  const partitions = ["aws", "aws-cn", "aws-us-gov", "aws-mars"];
  const accounts = ["111122223333", "1111"];
  const paths = ["", "team/", `${"a/".repeat(30)}`, "a:b/", "a,b/", "a b/", "/", "a//"];
  const names = ["Developer", "x".repeat(64), "x".repeat(65), "SSO.Admin+=,@-Role", "Dev eloper", ""];
  const providers = ["Okta", "Ok ta", "p".repeat(128), "p".repeat(129)];
  const layouts: Array<(role: string, provider: string) => string> = [
    (role, provider) => `${role},${provider}`,
    (role, provider) => `${provider},${role}`,
    (role, provider) => ` \n\t${provider} , \u00a0${role}\n `,
    (role, provider) => `${role},${provider},`,
    (role, provider) => `,${provider},${role}`,
    (role, provider) => `${role},${provider},${role}`,
    (role) => role,
  ];
  it("on every combination", () => {
    let values = 0;
    let usual = 0;
    for (const partition of partitions)
      for (const account of accounts)
        for (const path of paths)
          for (const name of names)
            for (const providerName of providers)
              for (const layout of layouts) {
                const role = `arn:${partition}:iam::${account}:role/${path}${name}`;
                const provider = `arn:${partition}:iam::${account}:saml-provider/${providerName}`;
                const value = layout(role, provider);
                const result = parseRoleValue(value);
                expect(result, value).toEqual(parseRoleValueByParts(value));
                values += 1;
                if (result.ok) usual += 1;
              }
    expect(values).toBe(4 * 2 * 8 * 6 * 4 * 7);
    expect(usual).toBeGreaterThan(100);
  });
});
