/** Terminal prompts for the key store: a passphrase, a key pair, a yes/no. Masked where secret. */
import type { Terminal } from "../deps.js";
import { ACCESS_KEY_ID_PATTERN, SECRET_ACCESS_KEY_PATTERN } from "./entry.js";

async function promptModule(terminal: Terminal) {
  const { default: inquirer } = await import("inquirer");
  return inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
}

export async function promptPassphrase(terminal: Terminal, path: string, isNew: boolean): Promise<string> {
  const prompt = await promptModule(terminal);
  const { passphrase } = await prompt<{ passphrase: string }>([
    { type: "password", name: "passphrase", mask: "*", message: isNew ? `New passphrase for the key file ${path}:` : `Passphrase of the key file ${path}:`, validate: (value: string) => value.length > 0 || "the passphrase is empty" },
  ]);
  if (!isNew) return passphrase;
  const { again } = await prompt<{ again: string }>([{ type: "password", name: "again", mask: "*", message: "The same passphrase again:" }]);
  if (again !== passphrase) {
    const { RolecredError, ExitCode } = await import("../errors.js");
    throw new RolecredError("the two passphrases differ; nothing was stored", { exitCode: ExitCode.usage });
  }
  return passphrase;
}

export async function promptKeyPair(terminal: Terminal, name: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const prompt = await promptModule(terminal);
  const answers = await prompt<{ accessKeyId: string; secretAccessKey: string }>([
    { type: "input", name: "accessKeyId", message: `Access key ID for ${name}:`, validate: (value: string) => ACCESS_KEY_ID_PATTERN.test(value.trim()) || "an IAM user's access key id: AKIA followed by 16 letters or digits" },
    { type: "password", name: "secretAccessKey", mask: "*", message: "Secret access key:", validate: (value: string) => SECRET_ACCESS_KEY_PATTERN.test(value.trim()) || "40 characters of letters, digits, / + =" },
  ]);
  return { accessKeyId: answers.accessKeyId.trim(), secretAccessKey: answers.secretAccessKey.trim() };
}

export async function confirm(terminal: Terminal, message: string): Promise<boolean> {
  const prompt = await promptModule(terminal);
  const { yes } = await prompt<{ yes: boolean }>([{ type: "confirm", name: "yes", message, default: false }]);
  return yes;
}
