/** The MFA code prompt: masked, on the terminal, re-asking until the input is six digits. */
import type { Terminal } from "../deps.js";
import { escapeControl } from "../log.js";
import { MFA_CODE_PATTERN } from "../sts/limits.js";

export async function promptMfaCode(terminal: Terminal, serial: string): Promise<string> {
  const { default: inquirer } = await import("inquirer");
  const prompt = inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
  const answers = await prompt<{ code: string }>([
    {
      type: "password",
      name: "code",
      // The serial comes from a flag or the config: shown with control characters escaped.
      message: `MFA code for ${escapeControl(serial, false)}:`,
      mask: "*",
      validate: (value: string) => MFA_CODE_PATTERN.test(value.trim()) || "the code is 6 digits",
    },
  ]);
  return answers.code.trim();
}
