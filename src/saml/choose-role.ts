/**
 * Which role to assume, decided without surprises: an exact ARN, a glob, an account; one match is
 * used, several go to the picker, none is an error that lists what was offered. Never the silent
 * fallback to "the last role" weaker tools are known for.
 */
import { ExitCode, RolecredError } from "../errors.js";
import { globMatches } from "../iam/glob.js";
import type { SamlRole } from "./roles.js";

export interface RoleSelector {
  /** --role-arn: exactly this role ARN. */
  readonly roleArn?: string | undefined;
  /** --role: a glob (`*`, `?`) on the role ARN, ACCOUNT:ROLE, ALIAS:ROLE or the role name. */
  readonly pattern?: string | undefined;
  /** --account: an account id or alias. */
  readonly account?: string | undefined;
}

export type RoleChoice = { readonly kind: "chosen"; readonly role: SamlRole } | { readonly kind: "ask"; readonly candidates: readonly SamlRole[] };

/** `111122223333 (sandbox):Developer` style label parts, for lists and errors. */
export function describeRole(role: SamlRole, aliases: ReadonlyMap<string, string>): string {
  const alias = aliases.get(role.account);
  return `${role.account}${alias === undefined ? "" : ` (${alias})`}:${role.roleName}`;
}

function matchesPattern(role: SamlRole, pattern: string, aliases: ReadonlyMap<string, string>): boolean {
  const alias = aliases.get(role.account);
  const names = [role.roleArn, `${role.account}:${role.roleName}`, role.roleName];
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
