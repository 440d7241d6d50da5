/**
 * One bench subject: `count` `rolecred write dev --to bench-writer-N` started at once (different
 * profiles, one credentials file), then a check that every one of them is in the file: a lost
 * write makes this exit 1, which fails the bench's setup rather than printing a fast time.
 *
 *   node dist/bench/concurrent-writes.js COUNT
 *
 * The environment (HOME, AWS files, cache, STS endpoint) is the bench's, inherited.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROLECRED_BIN = join(fileURLToPath(new URL("../../", import.meta.url)), "bin", "rolecred");

function writeOne(profile: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ROLECRED_BIN, "write", "dev", "--to", profile], { stdio: ["ignore", "ignore", "inherit"] });
    child.on("error", reject);
    child.on("close", resolve);
  });
}

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? "50");
  const profiles = Array.from({ length: count }, (_, index) => `bench-writer-${index}`);
  const codes = await Promise.all(profiles.map(writeOne));
  const failed = codes.filter((code) => code !== 0).length;
  const text = readFileSync(process.env.AWS_SHARED_CREDENTIALS_FILE ?? "", "utf8");
  const lost = profiles.filter((profile) => !text.includes(`[${profile}]\n`)).length;
  if (failed > 0 || lost > 0) {
    process.stderr.write(`${failed} writers failed, ${lost} profiles lost\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`${count} written, 0 lost\n`);
}

void main();
