/** The role picker: type to filter, one line per role, labelled by account (and alias). */
import type { Terminal } from "../deps.js";
import { escapeControl } from "../log.js";
import type { SamlRole } from "../saml/roles.js";

export function roleLabel(role: SamlRole, aliases: ReadonlyMap<string, string>, accountWidth: number): string {
  const alias = aliases.get(role.account);
  const account = alias === undefined ? role.account : `${role.account} ${alias}`;
  // Aliases come from the config and names from the assertion: control characters shown escaped.
  return escapeControl(`${account.padEnd(accountWidth)}  ${role.roleName}`, false);
}

export async function pickRole(terminal: Terminal, roles: readonly SamlRole[], aliases: ReadonlyMap<string, string>): Promise<SamlRole> {
  const { default: inquirer } = await import("inquirer");
  // Grouped by account, then by name: people scan for the account first.
  const sorted = [...roles].sort((a, b) => a.account.localeCompare(b.account) || a.roleName.localeCompare(b.roleName));
  const width = Math.max(...sorted.map((role) => (aliases.has(role.account) ? `${role.account} ${aliases.get(role.account)}` : role.account).length));
  // The value is the position: one role can come with two providers, so its ARN is not unique.
  const choices = sorted.map((role, index) => ({ name: roleLabel(role, aliases, width), value: index, description: escapeControl(`${role.roleArn} via ${role.principalArn}`, false) }));
  const prompt = inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
  const answers = await prompt<{ index: number }>([
    {
      type: "search",
      name: "index",
      message: "Role to assume (type to filter)",
      source: (term: string | undefined) => {
        const words = (term ?? "").toLowerCase().split(/\s+/).filter((word) => word !== "");
        return choices.filter((choice) => words.every((word) => `${choice.name} ${choice.description}`.toLowerCase().includes(word)));
      },
    },
  ]);
  const picked = sorted[answers.index];
  if (picked === undefined) throw new Error(`picker returned an unknown choice ${answers.index}`);
  return picked;
}
