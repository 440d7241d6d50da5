/**
 * DeliveryOptions says where credentials go, one kind at a time. The impossible states of the
 * old shape (a profile and a command side by side; neither, for --all-roles) no longer type-check:
 * each `@ts-expect-error` below fails `npm run typecheck` the day the type allows it again.
 */
import { describe, expect, it } from "vitest";
import { deliveryOptions } from "../../src/cli/session-flags.js";
import type { DeliveryOptions } from "../../src/session/options.js";

const flags = { json: false, force: false };

describe("DeliveryOptions", () => {
  it("holds a profile, a command or all roles, never two of them", () => {
    const valid: DeliveryOptions[] = [
      { to: "profile", profile: "dev", ...flags },
      { to: "childCommand", childCommand: ["aws", "s3", "ls"], ...flags },
      { to: "allRoles", ...flags },
    ];
    // @ts-expect-error a profile and a command side by side
    const both: DeliveryOptions = { to: "profile", profile: "dev", childCommand: ["aws"], ...flags };
    // @ts-expect-error a profile delivery without the profile's name
    const nameless: DeliveryOptions = { to: "profile", ...flags };
    // @ts-expect-error --all-roles names its profiles from the template, not from --profile
    const allRolesWithProfile: DeliveryOptions = { to: "allRoles", profile: "dev", ...flags };
    expect(valid.map((delivery) => delivery.to)).toEqual(["profile", "childCommand", "allRoles"]);
    expect([both, nameless, allRolesWithProfile]).toHaveLength(3);
  });

  it("is what --profile and -- COMMAND turn into", () => {
    const context = { childCommand: undefined, env: {} };
    expect(deliveryOptions({ profile: "dev", json: true }, context)).toEqual({ to: "profile", profile: "dev", json: true, force: false });
    expect(deliveryOptions({}, { ...context, childCommand: ["aws", "s3", "ls"] })).toEqual({
      to: "childCommand",
      childCommand: ["aws", "s3", "ls"],
      json: false,
      force: false,
    });
    expect(() => deliveryOptions({ profile: "dev" }, { ...context, childCommand: ["aws"] })).toThrow("--profile and -- COMMAND are alternatives");
    expect(() => deliveryOptions({}, context)).toThrow("say where the credentials go");
    expect(() => deliveryOptions({ exec: [] }, { ...context, childCommand: [] })).toThrow("no command given after --exec or --");
  });
});
