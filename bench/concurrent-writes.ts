/**
 * One bench subject: `count` `rolecred write dev --to bench-writer-N` started at once (different
 * profiles, one credentials file), then a check that every one of them is in the file: a lost
 * write makes this exit 1, which fails the bench's setup rather than printing a fast time.
 *
 *   node dist/bench/concurrent-writes.js COUNT [write | process | node]
 *
 * It also says how much CPU (user + system) the children used together, from /proc/self/stat:
 * on a machine shared with other jobs the wall time says little, the CPU a lot (fifty Node
 * start-ups on two cores are CPU-bound). `process` starts `count` warm `rolecred process dev`
 * instead and `node` `count` × `node -e 0`, the floors to compare a writer with.
 *
 * The environment (HOME, AWS files, cache, STS endpoint) is the bench's, inherited.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROLECRED_BIN = join(fileURLToPath(new URL("../../", import.meta.url)), "bin", "rolecred");

const KINDS = {
  write: (profile: string) => [ROLECRED_BIN, "write", "dev", "--to", profile],
  process: () => [ROLECRED_BIN, "process", "dev"],
  node: () => ["-e", "0"],
} as const;

function isKind(value: string): value is keyof typeof KINDS {
  return Object.hasOwn(KINDS, value);
}

/** Stdout is /dev/null, as for a tool that ignores its writers' output; stderr is this script's. */
function runOne(args: readonly string[]): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", resolve);
  });
}

/** User and system CPU seconds of every child waited for (fields 16 and 17 of /proc/self/stat), or undefined off Linux. */
function childrenCpuSeconds(): { user: number; system: number } | undefined {
  try {
    const text = readFileSync("/proc/self/stat", "utf8");
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // Clock ticks; 100 a second on every Linux Node runs on (sysconf(_SC_CLK_TCK) is not exposed).
    return { user: Number(fields[13]) / 100, system: Number(fields[14]) / 100 };
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? "50");
  const kind = process.argv[3] ?? "write";
  if (!isKind(kind)) throw new Error(`unknown kind ${kind}: write, process or node`);
  const profiles = Array.from({ length: count }, (_, index) => `bench-writer-${index}`);
  const codes = await Promise.all(profiles.map((profile) => runOne(KINDS[kind](profile))));
  const cpu = childrenCpuSeconds();
  const cpuText =
    cpu === undefined ? "" : `, children's CPU ${(cpu.user + cpu.system).toFixed(2)} s (user ${cpu.user.toFixed(2)}, system ${cpu.system.toFixed(2)})`;
  const failed = codes.filter((code) => code !== 0).length;
  if (kind !== "write") {
    process.stdout.write(`${count} × ${kind}, ${failed} failed${cpuText}\n`);
    if (failed > 0) process.exitCode = 1;
    return;
  }
  const text = readFileSync(process.env.AWS_SHARED_CREDENTIALS_FILE ?? "", "utf8");
  const lost = profiles.filter((profile) => !text.includes(`[${profile}]\n`)).length;
  if (failed > 0 || lost > 0) {
    process.stderr.write(`${failed} writers failed, ${lost} profiles lost\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${count} written, 0 lost${cpuText}\n`);
}

void main();
