/** `env --unset` and `assume --unset`: the lines that clear a session from the shell. */
import type { Deps } from "../deps.js";
import { SUCCESS, type Outcome } from "../outcome.js";
import type { Shell } from "../output/exports.js";

export async function runUnset(options: { readonly shell: Shell }, deps: Deps): Promise<Outcome> {
  const { renderUnset } = await import("../output/exports.js");
  deps.stdout.write(renderUnset(options.shell));
  return SUCCESS;
}
