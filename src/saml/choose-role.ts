/**
 * Which role to assume, decided without surprises: an exact ARN, a glob, an account; one match is
 * used, several go to the picker, none is an error that lists what was offered. Never the silent
 * fallback to "the last role" weaker tools are known for.
 */
import { ExitCode, inputError, RolecredError } from "../errors.js";
import { globMatches } from "../iam/glob.js";
import type { SamlRole } from "./roles.js";

export interface RoleSelector {
  /** --role-arn: exactly this role ARN. */
  readonly roleArn?: string | undefined;
  /** --role: a glob (`*`, `?`) on the role name, ACCOUNT:NAME or ALIAS:NAME; on the whole ARN when it starts with `arn:`. */
  readonly pattern?: string | undefined;
  /** --account: an account id or alias. */
  readonly account?: string | undefined;
}

export type RoleChoice = { readonly kind: "chosen"; readonly role: SamlRole } | { readonly kind: "ask"; readonly candidates: readonly SamlRole[] };

/**
 * The role as people should see it: its name, with its IAM path when it has one
 * (`team/Admin/Developer`), so `role/Developer` and `role/team/Admin/Developer` never look alike.
 */
export function displayRoleName(role: SamlRole): string {
  const resource = role.roleArn.slice(role.roleArn.indexOf(":role/") + ":role/".length);
  return resource === "" || !role.roleArn.includes(":role/") ? role.roleName : resource;
}

/** `111122223333 (sandbox):Developer` style label parts, for lists and errors. */
export function describeRole(role: SamlRole, aliases: ReadonlyMap<string, string>): string {
  const alias = aliases.get(role.account);
  return `${role.account}${alias === undefined ? "" : ` (${alias})`}:${displayRoleName(role)}`;
}

/**
 * An account alias of 12 digits reads as an account id: `--account 111111111111` would also pick
 * the account aliased "111111111111". Refuse the configuration rather than guess.
 */
export function requireUsableAliases(aliases: ReadonlyMap<string, string>): void {
  for (const [account, alias] of aliases) {
    if (/^\d{12}$/.test(alias)) {
      throw inputError(
        `the account alias "${alias}" for ${account} is 12 digits, so it reads as another account's id`,
        "rename it in account_aliases in the [rolecred] section of ~/.aws/config (aliases need a letter)",
      );
    }
  }
}

/**
 * A glob matches the role's name (not its path: `*Admin*` must not pick `role/Admin/ReadOnly`),
 * as NAME, ACCOUNT:NAME or ALIAS:NAME; a pattern starting with `arn:` matches the whole ARN.
 */
function matchesPattern(role: SamlRole, pattern: string, aliases: ReadonlyMap<string, string>): boolean {
  if (pattern.startsWith("arn:")) return globMatches(pattern, role.roleArn);
  const alias = aliases.get(role.account);
  const names = [`${role.account}:${role.roleName}`, role.roleName];
  if (alias !== undefined) names.push(`${alias}:${role.roleName}`);
  return names.some((name) => globMatches(pattern, name));
}

export function chooseRole(roles: readonly SamlRole[], selector: RoleSelector, aliases: ReadonlyMap<string, string>): RoleChoice {
  const pattern = selector.pattern;
  const account = selector.account?.toLowerCase();
  const candidates = roles.filter(
    (role) =>
      (selector.roleArn === undefined || role.roleArn === selector.roleArn) &&
      (pattern === undefined || matchesPattern(role, pattern, aliases)) &&
      (account === undefined || role.account === account || aliases.get(role.account)?.toLowerCase() === account),
  );
  const [first] = candidates;
  if (first === undefined) {
    const asked = [
      selector.roleArn === undefined ? undefined : `--role-arn ${selector.roleArn}`,
      selector.pattern === undefined ? undefined : `--role '${selector.pattern}'`,
      selector.account === undefined ? undefined : `--account ${selector.account}`,
    ]
      .filter((part) => part !== undefined)
      .join(" ");
    throw new RolecredError(`no role in the assertion matches ${asked}`, {
      exitCode: ExitCode.usage,
      hint: `the assertion offers ${roles.map((role) => describeRole(role, aliases)).join(", ")}`,
    });
  }
  return candidates.length === 1 ? { kind: "chosen", role: first } : { kind: "ask", candidates };
}
