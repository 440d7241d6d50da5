/**
 * The role picker: type to filter, one line per role, labelled by account (and alias), sized to
 * the terminal, saying how many roles the page does not show. Ctrl-C and Esc cancel: the picker
 * is cleared, and the caller prints one line and exits 130, as shells do for an interrupt.
 */
import type { Terminal } from "../deps.js";
import { ExitCode, RolecredError } from "../errors.js";
import { escapeControl } from "../log.js";
import { displayRoleName } from "../saml/choose-role.js";
import type { SamlRole } from "../saml/roles.js";

/** Lines the prompt uses around the list: the question, a blank, the description, the help line, slack. */
const LINES_AROUND_THE_LIST = 6;
/** A list shorter than this is not worth showing; the terminal scrolls instead. */
const MIN_PAGE_SIZE = 3;
/** A terminal that does not say how tall it is: the classic 24 rows. */
const DEFAULT_ROWS = 24;

function roleLabel(role: SamlRole, aliases: ReadonlyMap<string, string>, accountWidth: number): string {
  const alias = aliases.get(role.account);
  const account = alias === undefined ? role.account : `${role.account} ${alias}`;
  // Aliases come from the config and names from the assertion: control characters shown escaped.
  return escapeControl(`${account.padEnd(accountWidth)}  ${displayRoleName(role)}`, false);
}

/** How many roles one page shows: as many as fit under the question on this terminal. */
export function pageSizeFor(terminalRows: number | undefined, roleCount: number): number {
  const rows = terminalRows !== undefined && terminalRows > 0 ? terminalRows : DEFAULT_ROWS;
  return Math.max(MIN_PAGE_SIZE, Math.min(roleCount, rows - LINES_AROUND_THE_LIST));
}

/** The help line under the list; names what is hidden, so a long list is not mistaken for all of it. */
export function helpLine(shown: number, matching: number): string {
  const more = matching > shown ? `${matching - shown} more (↑↓ scrolls, typing filters) • ` : "";
  return `${more}↑↓ navigate • ⏎ select • esc cancel`;
}

const PICKER_CANCELLED = "cancelled: no role was chosen, nothing was sent";

export async function pickRole(terminal: Terminal, roles: readonly SamlRole[], aliases: ReadonlyMap<string, string>): Promise<SamlRole> {
  const { default: inquirer } = await import("inquirer");
  // Grouped by account, then by name: people scan for the account first.
  const sorted = [...roles].sort((a, b) => a.account.localeCompare(b.account) || displayRoleName(a).localeCompare(displayRoleName(b)));
  const width = Math.max(...sorted.map((role) => (aliases.has(role.account) ? `${role.account} ${aliases.get(role.account)}` : role.account).length));
  // The value is the position: one role can come with two providers, so its ARN is not unique.
  const choices = sorted.map((role, index) => ({
    name: roleLabel(role, aliases, width),
    value: index,
    description: escapeControl(`${role.roleArn} via ${role.principalArn}`, false),
  }));
  const pageSize = pageSizeFor(terminal.output.rows, choices.length);
  // How many roles match the filter, for the help line; none are shown until the first search.
  let matching = 0;

  const cancel = new AbortController();
  const onKeypress = (_text: string | undefined, key: { name?: string } | undefined) => {
    if (key?.name === "escape") cancel.abort();
  };
  terminal.input.on("keypress", onKeypress);
  // clearPromptOnDone: a cancelled picker leaves no wall of roles behind; a chosen role is said
  // by the line the command prints next.
  const prompt = inquirer.createPromptModule({ input: terminal.input, output: terminal.output, signal: cancel.signal, clearPromptOnDone: true });
  try {
    const answers = await prompt<{ index: number }>([
      {
        type: "search",
        name: "index",
        message: "Role to assume (type to filter)",
        pageSize,
        theme: { style: { keysHelpTip: () => helpLine(Math.min(pageSize, matching), matching) } },
        source: (term: string | undefined) => {
          const words = (term ?? "")
            .toLowerCase()
            .split(/\s+/)
            .filter((word) => word !== "");
          const found = choices.filter((choice) => words.every((word) => `${choice.name} ${choice.description}`.toLowerCase().includes(word)));
          matching = found.length;
          return found;
        },
      },
    ]);
    const picked = sorted[answers.index];
    if (picked === undefined) throw new Error(`picker returned an unknown choice ${answers.index}`);
    return picked;
  } catch (error) {
    // ExitPromptError: Ctrl-C or Ctrl-D; AbortPromptError: Esc.
    if (error instanceof Error && (error.name === "ExitPromptError" || error.name === "AbortPromptError")) {
      throw new RolecredError(PICKER_CANCELLED, { exitCode: ExitCode.interrupted });
    }
    throw error;
  } finally {
    terminal.input.off("keypress", onKeypress);
  }
}
