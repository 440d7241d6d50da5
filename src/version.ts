/** rolecred's version, read from package.json beside the code (src/ under vitest, dist/src/ when built). */
import { readFileSync } from "node:fs";

export function packageVersion(): string {
  for (const relative of ["../package.json", "../../package.json"]) {
    try {
      const parsed = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (parsed.name === "rolecred" && typeof parsed.version === "string") return parsed.version;
    } catch {
      // not at this depth; try the next
    }
  }
  return "0.0.0-unknown";
}
