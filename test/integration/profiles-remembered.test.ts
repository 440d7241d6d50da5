/**
 * `rolecred profiles` remembers its listing with the identity of both AWS files
 * (src/profiles/remembered-listing.ts): while they are unchanged the listing is the remembered
 * text; any change to either file, however small, is listed from the files again.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, statSync, utimesSync } from "node:fs";
import { appendFile, mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cliEnv, makeTempHome, runCli } from "../support/run-cli.js";

const CONFIG = "[profile dev]\nrole_arn = arn:aws:iam::111111111111:role/Dev\nsource_profile = jo\nregion = eu-west-1\n";
const CREDENTIALS = "[jo]\naws_access_key_id = AKIAJO\naws_secret_access_key = s\n";
const anHourAgo = new Date(Date.now() - 3_600_000);

/** Past the second within which a changed file is not remembered. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1100));

/** A HOME whose two files were last changed over a second ago (their change time cannot be set back: the test waits). */
async function settledHome(): Promise<string> {
  const home = await makeTempHome();
  await mkdir(join(home, ".aws"), { recursive: true });
  await writeFile(join(home, ".aws", "config"), CONFIG);
  await writeFile(join(home, ".aws", "credentials"), CREDENTIALS);
  await settle();
  return home;
}

const listing = (home: string, format: "table" | "names" | "json") => join(home, ".cache", "rolecred", `profiles-${format}.listing`);

async function profiles(home: string, ...flags: string[]): Promise<string> {
  const result = await runCli(["profiles", ...flags], { env: cliEnv(home) });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return result.stdout;
}

/** A text record with `line` planted at its text's end, its header's last number (the text's length in bytes) made to match. */
function plantedRecord(record: string, line: string): string {
  const headerEnd = record.indexOf("\n");
  const header = JSON.parse(record.slice(0, headerEnd)) as unknown[];
  const text = `${record.slice(headerEnd + 1)}${line}`;
  return `${JSON.stringify([...header.slice(0, -1), Buffer.byteLength(text)])}\n${text}`;
}

describe("profiles remembers its listing while the AWS files are unchanged", () => {
  it("answers a second run from the remembered listing, the same text, in a 0600 file", async () => {
    const home = await settledHome();
    const first = await profiles(home, "--names");
    expect(first).toBe("dev\njo\n");
    expect(statSync(listing(home, "names")).mode & 0o777).toBe(0o600);
    // The record is what is shown: a planted line after its first line shows it was read.
    const record = readFileSync(listing(home, "names"), "utf8");
    await writeFile(listing(home, "names"), plantedRecord(record, "planted\n"));
    expect(await profiles(home, "--names")).toBe("dev\njo\nplanted\n");
    // Each format has its own.
    const table = await profiles(home);
    expect(table).toContain("dev      role");
    expect(await profiles(home)).toBe(table);
    expect(JSON.parse(await profiles(home, "--json"))).toHaveLength(2);
  });

  it("lists from the files again after any change: a new profile, a same-size edit with the times put back, a file renamed in", async () => {
    const home = await settledHome();
    const config = join(home, ".aws", "config");
    expect(await profiles(home, "--names")).toBe("dev\njo\n");

    await appendFile(config, "[profile ops]\nregion = us-east-1\n");
    expect(await profiles(home, "--names")).toBe("dev\njo\nops\n");
    await settle();
    expect(await profiles(home, "--names")).toBe("dev\njo\nops\n");
    expect(readFileSync(listing(home, "names"), "utf8")).toContain("\nops\n");

    // Same size, modification time put back to the nanosecond (touch -r): only the change time tells.
    const before = statSync(config, { bigint: true });
    const times = join(home, "times");
    await writeFile(times, "");
    execFileSync("touch", ["-r", config, times]);
    await writeFile(config, readFileSync(config, "utf8").replace("[profile ops]", "[profile qps]"));
    execFileSync("touch", ["-r", times, config]);
    const after = statSync(config, { bigint: true });
    expect([after.ino, after.size, after.mtimeNs]).toEqual([before.ino, before.size, before.mtimeNs]);
    expect(await profiles(home, "--names")).toBe("dev\njo\nqps\n");
    await settle();
    expect(await profiles(home, "--names")).toBe("dev\njo\nqps\n");
    expect(readFileSync(listing(home, "names"), "utf8")).toContain("\nqps\n");

    // Another file renamed over the credentials file (what `write` does).
    const replacement = join(home, ".aws", "credentials.new");
    await writeFile(replacement, "[kay]\naws_access_key_id = AKIAKAY\naws_secret_access_key = s\n");
    utimesSync(replacement, anHourAgo, anHourAgo);
    await rename(replacement, join(home, ".aws", "credentials"));
    expect(await profiles(home, "--names")).toBe("dev\nkay\nqps\n");
  });

  it("is not told another pair of files' listing, nor an older rolecred's", async () => {
    const home = await settledHome();
    expect(await profiles(home, "--names")).toBe("dev\njo\n");
    const other = join(home, "other-config");
    await writeFile(other, "[profile elsewhere]\nregion = x\n");
    utimesSync(other, anHourAgo, anHourAgo);
    const result = await runCli(["profiles", "--names"], { env: cliEnv(home, { AWS_CONFIG_FILE: other }) });
    expect(result.stdout).toBe("elsewhere\njo\n");
    // A record whose first line is not this rolecred's key is read from the files again.
    const record = readFileSync(listing(home, "names"), "utf8");
    await writeFile(listing(home, "names"), record.replace('"rolecred profiles",1,', '"rolecred profiles",0,').replace("dev\n", "stale\n"));
    expect(await profiles(home, "--names")).toBe("dev\njo\n");
  });

  it("remembers nothing while a file changed within the last second", async () => {
    const home = await makeTempHome();
    await mkdir(join(home, ".aws"), { recursive: true });
    await writeFile(join(home, ".aws", "config"), CONFIG);
    expect(await profiles(home, "--names")).toBe("dev\n");
    expect(existsSync(listing(home, "names"))).toBe(false);
    // Nor leaves a temporary file behind.
    expect(existsSync(join(home, ".cache", "rolecred")) ? await readdir(join(home, ".cache", "rolecred")) : []).toEqual([]);
  });
});
