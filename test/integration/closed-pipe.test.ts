/**
 * A reader that stops early (`rolecred profiles | head -1`, `rolecred process dev | true`) closes
 * the pipe under rolecred's output. What is left is dropped quietly, as the full path does: the
 * exit status is the command's own, nothing on stderr (no "EPIPE", no stack trace). Through the
 * built CLI and a real shell pipeline, with the pipe blocking (as a shell makes it) and
 * non-blocking (as a parent that set O_NONBLOCK on a pipe it shares leaves it: the fast path's
 * direct write then falls back to the stream).
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLECRED_BIN, runProcess } from "../support/run-cli.js";
import { ROLES, makeJoHome, startWorld, type World } from "../support/world.js";

/** Far more than a pipe holds (64 KiB): the reader is gone while rolecred still writes. */
const MANY_PROFILES = Array.from({ length: 20_000 }, (_, index) => `[profile team-${index}]\nregion = eu-west-1\n`).join("\n");

let world: World;
let env: Record<string, string>;

beforeAll(async () => {
  world = await startWorld();
  let home: string;
  ({ home, env } = await makeJoHome(world, { config: `[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n` }));
  await mkdir(join(home, ".aws"), { recursive: true });
  await writeFile(join(home, ".aws", "config"), `${MANY_PROFILES}\n[profile ci]\nrole_arn = ${ROLES.ci}\nsource_profile = jo-script\nregion = eu-central-1\n`);
});
afterAll(async () => {
  await world.close();
});

/** perl is in every Debian (perl-base is essential): the one portable way to set O_NONBLOCK on the pipe before rolecred starts. */
const NON_BLOCKING = `perl -MFcntl -e 'fcntl(STDOUT, F_SETFL, fcntl(STDOUT, F_GETFL, 0) | O_NONBLOCK) or die; exec @ARGV'`;

/** `rolecred ARGS | READER` in bash: rolecred's own exit status, and what it wrote on stderr. */
async function intoClosingReader(args: string, reader: string, nonBlocking: boolean): Promise<{ status: string; stderr: string }> {
  const rolecred = `${nonBlocking ? NON_BLOCKING : ""} '${process.execPath}' '${ROLECRED_BIN}' ${args}`;
  const result = await runProcess("/bin/bash", ["-c", `${rolecred} | ${reader}; echo "\${PIPESTATUS[0]}"`], { env });
  return { status: result.stdout.trim(), stderr: result.stderr };
}

describe("a reader that closes the pipe early", () => {
  it.each([
    ["profiles --names", "head -c 1 >/dev/null", false],
    ["profiles --names", "head -c 1 >/dev/null", true],
    ["profiles", "head -n 1 >/dev/null", true],
    ["profiles --json", "head -c 1 >/dev/null", true],
    ["profiles --names --verbose", "head -c 1 >/dev/null", true], // the full command line
  ] as const)("`rolecred %s | %s` (non-blocking: %s) ends quietly with the command's status", async (args, reader, nonBlocking) => {
    expect(await intoClosingReader(args, reader, nonBlocking)).toEqual({ status: "0", stderr: "" });
  });

  it("a slow reader of a non-blocking pipe still gets every line (the stream waits for it)", async () => {
    expect(await intoClosingReader("profiles --names", "(sleep 0.3; wc -l >&2)", true)).toEqual({ status: "0", stderr: `${20_000 + 3}\n` }); // team-N, ci, and the credentials file's jo and jo-script
  });

  it.each([false, true])("`rolecred process ci | true` (non-blocking: %s): the reader gone before the JSON is written", async (nonBlocking) => {
    expect((await intoClosingReader("process ci", "true", nonBlocking)).status).toBe("0"); // through STS, then cached
    expect(await intoClosingReader("process ci", "true", nonBlocking)).toEqual({ status: "0", stderr: "" }); // the fast path
  });
});
