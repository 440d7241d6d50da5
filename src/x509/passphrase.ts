/**
 * The passphrase of an encrypted private key: ROLECRED_X509_PASSPHRASE, else a masked prompt on
 * the terminal (never stdin, which may be a pipe; never argv, which `ps` shows). Asked only when
 * the key turns out to be encrypted, and registered as a secret at once.
 */
import type { Deps } from "../deps.js";

const PASSPHRASE_ENV = "ROLECRED_X509_PASSPHRASE";

export function passphraseProvider(keyPath: string, deps: Deps): () => Promise<string> {
  return async () => {
    const fromEnv = deps.env[PASSPHRASE_ENV];
    if (fromEnv !== undefined && fromEnv !== "") {
      deps.secrets.add(fromEnv);
      deps.log.verbose(`the private key is encrypted: passphrase from ${PASSPHRASE_ENV}`);
      return fromEnv;
    }
    const { withTerminal } = await import("../prompt/terminal.js");
    const passphrase = await withTerminal(
      deps,
      `the passphrase of ${keyPath}`,
      `set ${PASSPHRASE_ENV} (from your secret store), or run where there is a terminal`,
      async (terminal) => {
        const { default: inquirer } = await import("inquirer");
        const prompt = inquirer.createPromptModule({ input: terminal.input, output: terminal.output });
        const answers = await prompt<{ passphrase: string }>([{ type: "password", name: "passphrase", message: `Passphrase for ${keyPath}:`, mask: "*" }]);
        return answers.passphrase;
      },
    );
    deps.secrets.add(passphrase);
    return passphrase;
  };
}
