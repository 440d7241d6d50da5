/**
 * `rolecred sso populate`'s decisions, pure: which ~/.aws/config profiles to add, update, remove
 * or leave, given the accounts and roles the portal lists.
 *
 * Profile names follow one template, documented in docs/sso.md:
 *
 *     <prefix><account name>.<role name>
 *
 * where the account name is lower-cased and every run of characters outside [a-z0-9_+=,@-] becomes
 * one "-" ("Sandbox Team" → "sandbox-team"); when two accounts would get the same name, both get
 * "-<account id>" after it. Each profile rolecred writes carries `rolecred_managed = sso:<session>`:
 * only such profiles are ever updated or removed; a hand-written profile with the same name is
 * left alone and reported.
 */
import type { PortalAccount } from "./calls.js";

const MANAGED_KEY = "rolecred_managed";

function managedValue(session: string): string {
  return `sso:${session}`;
}

export interface AccountRoles extends PortalAccount {
  readonly roles: readonly string[];
}

export interface PlannedProfile {
  readonly profile: string;
  readonly accountId: string;
  readonly accountName: string;
  readonly roleName: string;
  /** The keys rolecred sets in the section, in this order. */
  readonly entries: ReadonlyArray<readonly [string, string]>;
}

export type PopulateChange =
  | { readonly kind: "add" | "update" | "unchanged"; readonly planned: PlannedProfile }
  | { readonly kind: "remove"; readonly profile: string }
  | { readonly kind: "skip"; readonly planned: PlannedProfile; readonly reason: string };

export interface PopulateRequest {
  readonly session: string;
  readonly prefix: string;
  readonly region: string;
  readonly accounts: readonly AccountRoles[];
}

export function accountLabel(name: string): string {
  const label = name
    .toLowerCase()
    .replace(/[^a-z0-9_+=,@-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return label === "" ? "account" : label;
}

export function plannedProfiles(request: PopulateRequest): PlannedProfile[] {
  const labelCount = new Map<string, number>();
  for (const account of request.accounts) labelCount.set(accountLabel(account.accountName), (labelCount.get(accountLabel(account.accountName)) ?? 0) + 1);
  const planned: PlannedProfile[] = [];
  for (const account of [...request.accounts].sort((a, b) => a.accountName.localeCompare(b.accountName) || a.accountId.localeCompare(b.accountId))) {
    const label = accountLabel(account.accountName);
    const unique = (labelCount.get(label) ?? 0) > 1 ? `${label}-${account.accountId}` : label;
    for (const roleName of [...account.roles].sort()) {
      planned.push({
        profile: `${request.prefix}${unique}.${roleName}`,
        accountId: account.accountId,
        accountName: account.accountName,
        roleName,
        entries: [
          ["sso_session", request.session],
          ["sso_account_id", account.accountId],
          ["sso_role_name", roleName],
          ["region", request.region],
          [MANAGED_KEY, managedValue(request.session)],
        ],
      });
    }
  }
  return planned;
}

/** The section name of a profile in the config file. */
export function profileSection(profile: string): string {
  return profile === "default" ? "default" : `profile ${profile}`;
}

/**
 * What to do with each profile, given the config file's sections now. Removals are the profiles
 * marked for this session that the portal no longer lists.
 */
export function planPopulate(request: PopulateRequest, sections: ReadonlyMap<string, ReadonlyMap<string, string>>): PopulateChange[] {
  const marker = managedValue(request.session);
  const planned = plannedProfiles(request);
  const wanted = new Set(planned.map((profile) => profileSection(profile.profile)));
  const changes: PopulateChange[] = planned.map((profile) => {
    const existing = sections.get(profileSection(profile.profile));
    if (existing === undefined) return { kind: "add", planned: profile };
    const owner = existing.get(MANAGED_KEY);
    if (owner !== marker) {
      return { kind: "skip", planned: profile, reason: owner === undefined ? "a hand-written profile has that name" : `it is managed for ${owner}` };
    }
    const same = profile.entries.every(([key, value]) => existing.get(key) === value);
    return { kind: same ? "unchanged" : "update", planned: profile };
  });
  for (const [section, settings] of sections) {
    if (settings.get(MANAGED_KEY) === marker && !wanted.has(section) && section.startsWith("profile ")) {
      changes.push({ kind: "remove", profile: section.slice("profile ".length) });
    }
  }
  return changes;
}
