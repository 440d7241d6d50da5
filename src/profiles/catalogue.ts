/**
 * Every profile a user can switch to, described for the `assume` picker: the role and its account
 * (with the alias from `[rolecred] account_aliases`), the region, and the time left on a session
 * rolecred holds for it (cached, or written to the credentials file). Built from the AWS files
 * and the session cache only: no STS call, no secret.
 */
import { accountOf, isRoleArn, roleNameOf } from "../arn.js";
import { targetLinkKey } from "../credentials/link-keys.js";
import { readCachedSession } from "../store/session-cache.js";
import { accountAliases, profileNames, profileSettings, type AwsFiles } from "./aws-files.js";
import { resolveProfileChain } from "./resolve.js";

export interface ProfileEntry {
  readonly name: string;
  /** The role the profile ends in: role_arn, a written session's role, or Identity Center's role name. */
  readonly roleName: string | undefined;
  readonly account: string | undefined;
  readonly alias: string | undefined;
  readonly region: string | undefined;
  /** A session rolecred wrote into the credentials file (not a config profile). */
  readonly written: boolean;
  /** When the session rolecred holds for it expires, if it holds one. */
  readonly expiration: Date | undefined;
}

function roleOf(settings: ReadonlyMap<string, string>): { roleName: string | undefined; account: string | undefined } {
  const roleArn = settings.get("role_arn") ?? settings.get("x_rolecred_role_arn");
  if (roleArn !== undefined && isRoleArn(roleArn)) return { roleName: roleNameOf(roleArn), account: accountOf(roleArn) };
  const ssoAccount = settings.get("sso_account_id");
  return { roleName: settings.get("sso_role_name"), account: ssoAccount !== undefined && /^\d{12}$/.test(ssoAccount) ? ssoAccount : undefined };
}

async function cachedExpiry(name: string, files: AwsFiles, cacheDirectory: string, now: Date): Promise<Date | undefined> {
  try {
    const chain = resolveProfileChain(name, files);
    const { session } = await readCachedSession(cacheDirectory, targetLinkKey(chain, {}), now);
    return session?.credentials.expiration;
  } catch {
    // A profile that does not resolve is still listed; it just has no session to show.
    return undefined;
  }
}

export async function profileCatalogue(files: AwsFiles, cacheDirectory: string, now: Date): Promise<ProfileEntry[]> {
  const aliases = accountAliases(files);
  return Promise.all(
    profileNames(files).map(async (name) => {
      const settings = profileSettings(files, name) ?? new Map<string, string>();
      const { roleName, account } = roleOf(settings);
      const written = files.credentials.get(name)?.get("x_rolecred_managed") === "true";
      const writtenExpiry = written ? new Date(files.credentials.get(name)?.get("x_security_token_expires") ?? "") : undefined;
      const expiration =
        writtenExpiry !== undefined && !Number.isNaN(writtenExpiry.getTime()) ? writtenExpiry : await cachedExpiry(name, files, cacheDirectory, now);
      return {
        name,
        roleName,
        account,
        alias: account === undefined ? undefined : aliases.get(account),
        region: settings.get("region"),
        written,
        expiration: expiration !== undefined && expiration.getTime() > now.getTime() ? expiration : undefined,
      };
    }),
  );
}

/** Recently used first (in the order given), then the rest by name. */
export function orderByRecency(entries: readonly ProfileEntry[], recent: readonly string[]): ProfileEntry[] {
  const rank = new Map(recent.map((name, index) => [name, index]));
  return [...entries].sort(
    (a, b) => (rank.get(a.name) ?? Number.MAX_SAFE_INTEGER) - (rank.get(b.name) ?? Number.MAX_SAFE_INTEGER) || a.name.localeCompare(b.name),
  );
}

/** Fuzzy, multi-word: every word of the filter appears in the line in order (not necessarily together). */
export function matchesFilter(line: string, filter: string): boolean {
  const haystack = line.toLowerCase();
  return filter
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== "")
    .every((word) => {
      let from = 0;
      for (const character of word) {
        const at = haystack.indexOf(character, from);
        if (at < 0) return false;
        from = at + 1;
      }
      return true;
    });
}
