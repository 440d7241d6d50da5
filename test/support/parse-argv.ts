/**
 * argv → the options object a command would run with, through the real commander program, with
 * no command run (the changesets `cli.test.ts` pattern): for table tests of every flag.
 */
import { buildProgram, loadCommandSpecs } from "../../src/cli/program.js";
import { splitChildCommand } from "../../src/cli/argv.js";
import type { CommandSpec } from "../../src/cli/command.js";

export interface Parsed {
  readonly command?: string;
  readonly options?: unknown;
  readonly error?: unknown;
  /** What commander printed (usage errors). */
  readonly stderr: string;
}

export async function parseArgv(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<Parsed> {
  let spec: CommandSpec<unknown> | undefined;
  let options: unknown;
  let stderr = "";
  const { rolecredArgs, childCommand } = splitChildCommand(args);
  const program = buildProgram(
    {
      env,
      childCommand,
      writeOut: () => undefined,
      writeErr: (text) => (stderr += text),
      dispatch: async (dispatched, parsed) => {
        spec = dispatched;
        options = parsed;
      },
    },
    await loadCommandSpecs([]),
  );
  try {
    await program.parseAsync(rolecredArgs, { from: "user" });
    return { ...(spec === undefined ? {} : { command: spec.name, options }), stderr };
  } catch (error) {
    return { error, stderr };
  }
}
