/**
 * Prompts talk to the terminal, never to stdin/stdout: stdin may be the SAML assertion pipe and
 * stdout may be captured by `eval "$(...)"` or read by an SDK as credential_process JSON.
 */
import type { Deps, Terminal } from "../deps.js";
import { RolecredError, ExitCode } from "../errors.js";

/**
 * Run `ask` with the terminal open, closing it afterwards. With no terminal, fail with a message
 * naming the flag that makes the prompt unnecessary.
 */
export async function withTerminal<T>(deps: Pick<Deps, "openTerminal">, what: string, avoidWith: string, ask: (terminal: Terminal) => Promise<T>): Promise<T> {
  const terminal = deps.openTerminal();
  if (terminal === undefined) {
    throw new RolecredError(`no terminal to ask for ${what}`, { exitCode: ExitCode.usage, hint: avoidWith });
  }
  try {
    return await ask(terminal);
  } catch (error) {
    // inquirer rejects with ExitPromptError on Ctrl-C / Ctrl-D: the user cancelled, as a shell
    // reports an interrupt (130), the same as the role picker.
    if (error instanceof Error && error.name === "ExitPromptError") {
      throw new RolecredError(`cancelled while asking for ${what}`, { exitCode: ExitCode.interrupted });
    }
    throw error;
  } finally {
    terminal.close();
  }
}
