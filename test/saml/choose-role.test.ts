/**
 * chooseRole: one match is used, several go to the picker, none is an error listing what was
 * offered. Never a silent fallback.
 */
import { describe, expect, it } from "vitest";
import { chooseRole, describeRole, displayRoleName, requireUsableAliases, type RoleSelector } from "../../src/saml/choose-role.js";
import type { SamlRole } from "../../src/saml/roles.js";

function role(account: string, name: string, provider = "Okta"): SamlRole {
  return {
    roleArn: `arn:aws:iam::${account}:role/${name}`,
    principalArn: `arn:aws:iam::${account}:saml-provider/${provider}`,
    account,
    roleName: name.slice(name.lastIndexOf("/") + 1),
  };
}

const DEV_SANDBOX = role("111122223333", "Developer");
const READ_SANDBOX = role("111122223333", "ReadOnly");
const ADMIN_PROD = role("444455556666", "ops/Admin");
const DEV_PROD = role("444455556666", "Developer");
const ROLES = [DEV_SANDBOX, READ_SANDBOX, ADMIN_PROD, DEV_PROD];
const ALIASES = new Map([["111122223333", "sandbox"]]);

const names = (roles: readonly SamlRole[]) => roles.map((each) => `${each.account}:${each.roleName}`);

function outcome(selector: RoleSelector, roles: readonly SamlRole[] = ROLES): string[] | string {
  const choice = chooseRole(roles, selector, ALIASES);
  return choice.kind === "chosen" ? (names([choice.role])[0] ?? "") : names(choice.candidates);
}

describe(chooseRole.name, () => {
  it.each<[string, RoleSelector, string[] | string]>([
    ["no flags, several roles: ask about all of them", {}, names(ROLES)],
    ["--role-arn: exactly that role", { roleArn: ADMIN_PROD.roleArn }, "444455556666:Admin"],
    ["--role on the full ARN", { pattern: "arn:aws:iam::444455556666:role/*" }, ["444455556666:Admin", "444455556666:Developer"]],
    ["--role on ACCOUNT:ROLE", { pattern: "111122223333:Read*" }, "111122223333:ReadOnly"],
    ["--role on ALIAS:ROLE", { pattern: "sandbox:Dev*" }, "111122223333:Developer"],
    ["--role on the role name alone, several accounts: ask", { pattern: "Developer" }, ["111122223333:Developer", "444455556666:Developer"]],
    ["--role with ?", { pattern: "*:Develope?" }, ["111122223333:Developer", "444455556666:Developer"]],
    ["--role matching a role by name behind its path", { pattern: "Admin" }, "444455556666:Admin"],
    ["--account by id", { account: "444455556666" }, ["444455556666:Admin", "444455556666:Developer"]],
    ["--account by alias, any case", { account: "SandBox" }, ["111122223333:Developer", "111122223333:ReadOnly"]],
    ["--account and --role together", { account: "sandbox", pattern: "Developer" }, "111122223333:Developer"],
    ["--role-arn and --account that agree", { roleArn: DEV_PROD.roleArn, account: "444455556666" }, "444455556666:Developer"],
  ])("%s", (_name, selector, expected) => {
    expect(outcome(selector)).toEqual(expected);
  });

  it("one role and no flags: that role", () => {
    expect(chooseRole([DEV_PROD], {}, ALIASES)).toEqual({ kind: "chosen", role: DEV_PROD });
  });

  it("one role offered through two providers: ask, the provider decides", () => {
    const viaAdfs = role("111122223333", "Developer", "Adfs");
    expect(chooseRole([DEV_SANDBOX, viaAdfs], { roleArn: DEV_SANDBOX.roleArn }, ALIASES)).toEqual({ kind: "ask", candidates: [DEV_SANDBOX, viaAdfs] });
  });

  it.each<[string, RoleSelector, string]>([
    ["--role-arn", { roleArn: "arn:aws:iam::111122223333:role/Admin" }, "no role in the assertion matches --role-arn arn:aws:iam::111122223333:role/Admin"],
    ["--role", { pattern: "*:Billing" }, "no role in the assertion matches --role '*:Billing'"],
    ["--role whose '.' is a dot, not a regex", { pattern: "*.Admin" }, "no role in the assertion matches --role '*.Admin'"],
    ["--account", { account: "999999999999" }, "no role in the assertion matches --account 999999999999"],
    [
      "--role and --account that disagree",
      { pattern: "ReadOnly", account: "444455556666" },
      "no role in the assertion matches --role 'ReadOnly' --account 444455556666",
    ],
  ])("a %s that matches nothing is a usage error listing what was offered", (_name, selector, message) => {
    let caught: unknown;
    try {
      chooseRole(ROLES, selector, ALIASES);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({
      message,
      exitCode: 2,
      hint: "the assertion offers 111122223333 (sandbox):Developer, 111122223333 (sandbox):ReadOnly, 444455556666:ops/Admin, 444455556666:Developer",
    });
  });
});

describe(describeRole.name, () => {
  it("labels the account with its alias when there is one", () => {
    expect(describeRole(DEV_SANDBOX, ALIASES)).toBe("111122223333 (sandbox):Developer");
    expect(describeRole(ADMIN_PROD, ALIASES)).toBe("444455556666:ops/Admin");
  });

  it("shows a role's path, so role/Developer and role/team/Admin/Developer never look alike", () => {
    expect(describeRole(role("111122223333", "team/Admin/Developer"), ALIASES)).toBe("111122223333 (sandbox):team/Admin/Developer");
    expect(displayRoleName(role("111122223333", "Developer"))).toBe("Developer");
  });
});

describe("--role matches the role's name, not its path", () => {
  const PLAIN = role("111122223333", "ReadOnly");
  const UNDER_ADMIN_PATH = role("111122223333", "Admin/ReadOnly");
  const ADMIN = role("111122223333", "SiteAdmin");
  it.each<[string, string, string[] | string]>([
    ["*Admin* picks the role named Admin, not the one under an Admin path", "*Admin*", "111122223333:SiteAdmin"],
    ["ReadOnly matches both ReadOnly roles by name", "ReadOnly", ["111122223333:ReadOnly", "111122223333:ReadOnly"]],
    ["a pattern starting with arn: matches the whole ARN, path included", "arn:*:role/Admin/*", "111122223333:ReadOnly"],
  ])("%s", (_name, pattern, expected) => {
    expect(outcome({ pattern }, [PLAIN, UNDER_ADMIN_PATH, ADMIN])).toEqual(expected);
  });
});

describe(requireUsableAliases.name, () => {
  it("refuses an alias of 12 digits: --account 111111111111 would also pick the account it names", () => {
    expect(() => requireUsableAliases(new Map([["333333333333", "111111111111"]]))).toThrow(
      expect.objectContaining({ message: 'the account alias "111111111111" for 333333333333 is 12 digits, so it reads as another account\'s id', exitCode: 3 }),
    );
    expect(() => requireUsableAliases(new Map([["333333333333", "prod-1111"]]))).not.toThrow();
  });
});
