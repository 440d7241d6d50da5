/**
 * The entry point of the warm bundle (dist/src/cli/main-warm.cjs), which bin/rolecred loads for
 * `process`, `env` and `assume`: warm-path.ts and what it imports, and nothing of the write,
 * the `profiles` listing or `status`. A cache miss goes to the full command line as from main.ts.
 */
import { runEntry } from "./entry.js";
import { serveWarm } from "./warm-path.js";

runEntry(serveWarm);
