/** Terminal prompts for the key store: a passphrase, a key pair, a yes/no. Masked where secret. */
import type { Deps, Terminal } from "../deps.js";
import { withTerminal } from "../prompt/terminal.js";
import { ACCESS_KEY_ID_PATTERN, SECRET_ACCESS_KEY_PATTERN } from "./entry.js";

async function promptModule(terminal: Terminal) {
  const { default: inquirer } = await import("inquirer");
  return inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
}

export async function promptPassphrase(deps: Pick<Deps, "openTerminal">, path: string, isNew: boolean, avoid: string): Promise<string> {
  const what = `the passphrase of the key file ${path}`;
  const { passphrase } = await withTerminal(deps, what, avoid, async (terminal) =>
    (await promptModule(terminal))<{ passphrase: string }>([
      {
        type: "password",
        name: "passphrase",
        mask: "*",
        message: isNew ? `New passphrase for the key file ${path}:` : `Passphrase of the key file ${path}:`,
        validate: (value: string) => value.length > 0 || "the passphrase is empty",
      },
    ]),
  );
  if (!isNew) return passphrase;
  const { again } = await withTerminal(deps, what, avoid, async (terminal) =>
    (await promptModule(terminal))<{ again: string }>([{ type: "password", name: "again", mask: "*", message: "The same passphrase again:" }]),
  );
  if (again !== passphrase) {
    const { RolecredError, ExitCode } = await import("../errors.js");
    throw new RolecredError("the two passphrases differ; nothing was stored", { exitCode: ExitCode.usage });
  }
  return passphrase;
}

/**
 * Each question opens the terminal afresh: inquirer stops reading a custom input stream once its
 * prompt is answered, so one opened terminal serves one prompt.
 */
export async function promptKeyPair(deps: Pick<Deps, "openTerminal">, name: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const avoid = "pipe the key id and secret to `rolecred keys add NAME --stdin`, or use --env";
  const { accessKeyId } = await withTerminal(deps, `the access key of ${name}`, avoid, async (terminal) =>
    (await promptModule(terminal))<{ accessKeyId: string }>([
      {
        type: "input",
        name: "accessKeyId",
        message: `Access key ID for ${name}:`,
        validate: (value: string) => ACCESS_KEY_ID_PATTERN.test(value.trim()) || "an IAM user's access key id: AKIA followed by 16 letters or digits",
      },
    ]),
  );
  const { secretAccessKey } = await withTerminal(deps, `the secret access key of ${name}`, avoid, async (terminal) =>
    (await promptModule(terminal))<{ secretAccessKey: string }>([
      {
        type: "password",
        name: "secretAccessKey",
        mask: "*",
        message: "Secret access key:",
        validate: (value: string) => SECRET_ACCESS_KEY_PATTERN.test(value.trim()) || "40 characters of letters, digits, / + =",
      },
    ]),
  );
  return { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim() };
}

export async function confirm(deps: Pick<Deps, "openTerminal">, message: string, what: string, avoid: string): Promise<boolean> {
  const { yes } = await withTerminal(deps, what, avoid, async (terminal) =>
    (await promptModule(terminal))<{ yes: boolean }>([{ type: "confirm", name: "yes", message, default: false }]),
  );
  return yes;
}
