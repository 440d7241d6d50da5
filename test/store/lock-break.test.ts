/**
 * Issue 9, items 10 and 11: an abandoned lock is broken atomically (never the next owner's), and
 * a dead owner on this host is seen at once, not after the mtime grows old.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, writeFile, utimes } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { withFileLock } from "../../src/store/lock.js";
import { REPO_ROOT } from "../support/run-cli.js";

/** The pid of a process that has exited (so a lock naming it is abandoned). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await new Promise((resolve) => child.on("close", resolve));
  return child.pid ?? 0;
}

describe("breaking an abandoned lock", () => {
  it("takes a lock whose owner on this host is dead at once, although its mtime is fresh", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    const pid = await deadPid();
    await writeFile(`${target}.rolecred.lock`, `${JSON.stringify({ token: "dead-owner", pid, host: hostname() })}\n`);
    // staleMs far above timeoutMs: only the dead-owner check can let this through.
    expect(await withFileLock(target, async () => "ran", { timeoutMs: 3000, staleMs: 600_000 })).toBe("ran");
  });

  it("does not take a lock whose pid now runs another process (a reused pid): start time differs", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    // This very test process, but a start time it never had: the pid was reused, the owner is gone.
    await writeFile(`${target}.rolecred.lock`, `${JSON.stringify({ token: "reused", pid: process.ppid, host: hostname(), start: "1" })}\n`);
    expect(await withFileLock(target, async () => "ran", { timeoutMs: 3000, staleMs: 600_000 })).toBe("ran");
  });

  it("waits for a live owner of this host, however old the lock's mtime", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    const start = (await readFile(`/proc/${process.ppid}/stat`, "utf8")).split(") ")[1]?.split(" ")[19];
    await writeFile(`${target}.rolecred.lock`, `${JSON.stringify({ token: "live", pid: process.ppid, host: hostname(), start })}\n`);
    const old = new Date(Date.now() - 3600_000);
    await utimes(`${target}.rolecred.lock`, old, old);
    const notices: string[] = [];
    await expect(withFileLock(target, async () => "ran", { timeoutMs: 1500, staleMs: 1000, onWait: (message) => notices.push(message) })).rejects.toThrow(
      new RegExp(`another rolecred \\(pid ${process.ppid}\\) has held .* for over 2s`),
    );
    expect(notices).toEqual([`waiting for another rolecred (pid ${process.ppid}) to release ${target}.rolecred.lock`]);
  });

  it("180 writers released at one instant on an abandoned lock: 0 lost profiles", async () => {
    const folder = await mkdtemp(join(tmpdir(), "rolecred-lock-"));
    const path = join(folder, "credentials");
    await writeFile(path, "[jo]\naws_access_key_id = AKIAJOEXAMPLE0000001\naws_secret_access_key = s\n", { mode: 0o600 });
    // Abandoned both ways: its owner is dead and its mtime is old (the old code breaks it by mtime).
    await writeFile(`${path}.rolecred.lock`, `${JSON.stringify({ pid: await deadPid(), token: "abandoned", host: hostname() })}\n`);
    const old = new Date(Date.now() - 600_000);
    await utimes(`${path}.rolecred.lock`, old, old);

    // 12 processes × 15 writers: one process per writer would need ~7 GB; the lock is per holding, not per pid.
    const processes = 12;
    const perProcess = 15;
    const module = join(REPO_ROOT, "dist", "src", "store", "credentials-file.js");
    const script = `
      import { writeProfiles } from ${JSON.stringify(module)};
      const [id, count, path] = process.argv.slice(1);
      const session = (name) => ({ credentials: { accessKeyId: "ASIA" + name, secretAccessKey: "s", sessionToken: "t", expiration: new Date("2030-01-01T00:00:00Z") }, roleArn: undefined });
      process.stdin.once("data", async () => {
        const results = await Promise.allSettled(Array.from({ length: Number(count) }, (_, i) =>
          writeProfiles(path, [{ profile: "p-" + id + "-" + i, session: session(id + "x" + i) }], { force: false })));
        const failed = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
        process.stdout.write(JSON.stringify(failed));
        process.exit(0);
      });
      process.stdout.write("ready");
    `;
    const children = Array.from({ length: processes }, (_, id) =>
      spawn(process.execPath, ["--input-type=module", "-e", script, String(id), String(perProcess), path], { stdio: ["pipe", "pipe", "inherit"] }),
    );
    const outputs = children.map((child) => {
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      return {
        ready: new Promise<void>((resolve) => child.stdout.once("data", () => resolve())),
        done: new Promise<string>((resolve) =>
          child.on("close", () =>
            resolve(
              Buffer.concat(chunks)
                .toString()
                .replace(/^ready/, ""),
            ),
          ),
        ),
      };
    });
    await Promise.all(outputs.map((output) => output.ready));
    for (const child of children) child.stdin.write("go\n"); // one instant: every writer starts on the same stale lock
    const failures = (await Promise.all(outputs.map((output) => output.done))).flatMap((text) => JSON.parse(text || "[]") as string[]);
    expect(failures).toEqual([]);

    const text = await readFile(path, "utf8");
    const written = [...text.matchAll(/^\[(p-\d+-\d+)\]$/gm)].map((match) => match[1]);
    expect(new Set(written).size).toBe(processes * perProcess);
    expect(text).toContain("[jo]\naws_access_key_id = AKIAJOEXAMPLE0000001\n");
  }, 120_000);
});

describe("a lock path that is not a regular file", () => {
  it("a FIFO planted as the lock is refused with exit 3, not waited on", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    execFileSync("mkfifo", [`${target}.rolecred.lock`]);
    await expect(withFileLock(target, async () => "ran", { timeoutMs: 60_000, staleMs: 600_000 })).rejects.toMatchObject({
      exitCode: 3,
      message: expect.stringMatching(/the lock file .* is a FIFO, not a regular file/),
    });
  });
});
