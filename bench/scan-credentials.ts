/**
 * The strict scan of a credentials file alone, as a write runs it: once, in a fresh process (so
 * its cost includes V8 warming up on it, as in the CLI). Prints the process's CPU time (user +
 * system, all threads) spent in IniByteDocument.scanFile, in ms.
 *
 *   node dist/bench/scan-credentials.js FILE [dist/src/store]
 *
 * The second argument loads ini-bytes.js from another build (a "before" copy), for A/B runs. With
 * `valgrind --tool=callgrind node --single-threaded ...` the instruction count is load-independent
 * (run it once with FILE set to an empty file for the cost of the rest).
 */
import { closeSync, fstatSync, openSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

interface ScanModule {
  IniByteDocument: { scanFile(fd: number, length: number): { sectionNames(): string[] } };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error("usage: scan-credentials.js FILE [STORE_DIR]");
  const storeDir = process.argv[3] ?? new URL("../src/store", import.meta.url).pathname;
  const module = (await import(pathToFileURL(resolve(storeDir, "ini-bytes.js")).href)) as ScanModule;
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const before = process.cpuUsage();
    const document = module.IniByteDocument.scanFile(fd, size);
    const used = process.cpuUsage(before);
    process.stdout.write(`${((used.user + used.system) / 1000).toFixed(1)} ms CPU, ${document.sectionNames().length} sections\n`);
  } finally {
    closeSync(fd);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
