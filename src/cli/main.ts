/**
 * The entry point of the main bundle (dist/src/cli/main.cjs): every command but the warm
 * `process`/`env`/`assume`, which bin/rolecred sends to main-warm.ts's smaller bundle. A shell
 * alias or an SDK calling `rolecred process dev` many times a day is served from the cache by the
 * fast path, which loads neither commander nor any command; everything else goes through the full
 * command line (entry.ts).
 */
import { runEntry } from "./entry.js";
import { serveFromCache } from "./fast-path.js";

runEntry(serveFromCache);
