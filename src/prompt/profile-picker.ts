/** The `assume` picker: every profile, recently used first, type to filter (fuzzy, several words). */
import type { Terminal } from "../deps.js";
import { formatDuration } from "../duration.js";
import { escapeControl } from "../log.js";
import { matchesFilter, type ProfileEntry } from "../profiles/catalogue.js";

/** One line per profile, in columns: name, role, account (alias), region, time left. */
export function profileLines(entries: readonly ProfileEntry[], now: Date): string[] {
  const cells = entries.map((entry) =>
    [
      entry.name,
      entry.roleName ?? (entry.written ? "(written session)" : "(keys)"),
      entry.account === undefined ? "" : entry.alias === undefined ? entry.account : `${entry.account} (${entry.alias})`,
      entry.region ?? "",
      entry.expiration === undefined ? "" : `${formatDuration((entry.expiration.getTime() - now.getTime()) / 1000)} left`,
      // Names and values come from the config files: an escape sequence in one must not reach the terminal.
    ].map((cell) => escapeControl(cell, false)),
  );
  const widths = [0, 1, 2, 3].map((column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
  return cells.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join("  ")
      .trimEnd(),
  );
}

export async function pickProfile(terminal: Terminal, entries: readonly ProfileEntry[], now: Date): Promise<string> {
  const { default: inquirer } = await import("inquirer");
  const lines = profileLines(entries, now);
  const choices = entries.map((entry, index) => ({ name: lines[index] ?? entry.name, value: entry.name }));
  const prompt = inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
  const rows = terminal.output.rows;
  const answers = await prompt<{ profile: string }>([
    {
      type: "search",
      name: "profile",
      message: "Profile to assume (type to filter)",
      pageSize: Math.max(5, Math.min(choices.length, (typeof rows === "number" && rows > 0 ? rows : 24) - 4)),
      source: (term: string | undefined) => choices.filter((choice) => matchesFilter(choice.name, term ?? "")),
    },
  ]);
  return answers.profile;
}
