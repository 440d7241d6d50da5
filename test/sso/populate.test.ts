/** sso populate's plan: the naming template, and which profiles it may touch. */
import { describe, expect, it } from "vitest";
import { accountLabel, planPopulate, plannedProfiles, type PopulateRequest } from "../../src/sso/populate.js";

const REQUEST: PopulateRequest = {
  session: "corp",
  prefix: "",
  region: "eu-west-1",
  accounts: [
    { accountId: "111111111111", accountName: "Sandbox Team", roles: ["ReadOnly", "AdministratorAccess"] },
    { accountId: "222222222222", accountName: "prod", roles: ["ReadOnly"] },
    { accountId: "333333333333", accountName: "Prod", roles: ["ReadOnly"] },
  ],
};

describe("sso populate's plan", () => {
  it("names profiles <prefix><account>.<role>, with the account id when two accounts share a name", () => {
    expect(plannedProfiles({ ...REQUEST, prefix: "corp-" }).map((profile) => profile.profile)).toEqual([
      "corp-prod-222222222222.ReadOnly",
      "corp-prod-333333333333.ReadOnly",
      "corp-sandbox-team.AdministratorAccess",
      "corp-sandbox-team.ReadOnly",
    ]);
    expect(accountLabel("  Ünïcode & Co. (EU) ")).toBe("n-code-co-eu");
    expect(plannedProfiles(REQUEST)[2]?.entries).toEqual([
      ["sso_session", "corp"],
      ["sso_account_id", "111111111111"],
      ["sso_role_name", "AdministratorAccess"],
      ["region", "eu-west-1"],
      ["rolecred_managed", "sso:corp"],
    ]);
  });

  it("adds, updates its own, removes its own that are gone, and never touches other profiles", () => {
    const sections = new Map<string, Map<string, string>>([
      [
        "profile sandbox-team.ReadOnly",
        new Map([
          ["sso_session", "corp"],
          ["sso_account_id", "111111111111"],
          ["sso_role_name", "ReadOnly"],
          ["region", "us-east-1"],
          ["rolecred_managed", "sso:corp"],
        ]),
      ],
      ["profile sandbox-team.AdministratorAccess", new Map([["region", "us-east-1"]])],
      ["profile old.Billing", new Map([["rolecred_managed", "sso:corp"]])],
      ["profile other.ReadOnly", new Map([["rolecred_managed", "sso:elsewhere"]])],
    ]);
    const changes = planPopulate(REQUEST, sections).map((change) =>
      change.kind === "remove" ? `remove ${change.profile}` : `${change.kind} ${change.planned.profile}`,
    );
    expect(changes).toEqual([
      "add prod-222222222222.ReadOnly",
      "add prod-333333333333.ReadOnly",
      "skip sandbox-team.AdministratorAccess",
      "update sandbox-team.ReadOnly",
      "remove old.Billing",
    ]);
  });
});
