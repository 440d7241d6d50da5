import { spawn } from "node:child_process";
import { mkdtemp, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newLockOwner, tokenState, withFileLock } from "../../src/store/lock.js";

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

describe(withFileLock.name, () => {
  it("never lets two holders into the critical section", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    let inside = 0;
    let overlaps = 0;
    await Promise.all(
      Array.from({ length: 12 }, () =>
        withFileLock(target, async () => {
          inside += 1;
          if (inside > 1) overlaps += 1;
          await sleep(5);
          inside -= 1;
        }),
      ),
    );
    expect(overlaps).toBe(0);
  });

  it("breaks a lock whose holder stopped touching it", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    await writeFile(`${target}.rolecred.lock`, '{"pid":1,"host":"gone"}');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${target}.rolecred.lock`, old, old);
    expect(await withFileLock(target, async () => "ran", { timeoutMs: 2000, staleMs: 1000 })).toBe("ran");
  });

  it("does not break a fresh lock, even if the pid in it is gone (it may belong to the next owner)", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    await writeFile(`${target}.rolecred.lock`, '{"pid":999999,"host":"this"}');
    await expect(withFileLock(target, async () => "ran", { timeoutMs: 300, staleMs: 5000 })).rejects.toThrow(/has held .* for over 0s/);
  });

  it("keeps a long-held lock fresh, so a waiter does not break it", async () => {
    const target = join(await mkdtemp(join(tmpdir(), "rolecred-lock-")), "file");
    const options = { timeoutMs: 5000, staleMs: 300 };
    const order: string[] = [];
    const holder = withFileLock(
      target,
      async () => {
        order.push("holder in");
        await sleep(900); // three stale periods: only the heartbeat keeps it alive
        order.push("holder out");
      },
      options,
    );
    await sleep(50);
    const waiter = withFileLock(target, async () => order.push("waiter in"), options);
    await Promise.all([holder, waiter]);
    expect(order).toEqual(["holder in", "holder out", "waiter in"]);
  });
});

describe(tokenState.name, () => {
  /** A pid that ran and exited. */
  async function deadPid(): Promise<number> {
    const dead = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
    await new Promise((resolve) => dead.on("close", resolve));
    return dead.pid ?? 0;
  }

  it("tells from a token alone whether its process runs: this one, a reused pid, a dead one, another host's, an older rolecred's", async () => {
    const own = newLockOwner().token;
    expect(own).toMatch(new RegExp(`^${process.pid}-\\d+-[0-9a-f]{8}-[0-9a-f]{8}-`));
    expect(tokenState(own)).toBe("alive");
    const [, , hostTag = "", bootTag = "", time = ""] = own.split("-");
    const rest = `${time}-x`;
    // A running process (our parent) under the token's pid, started at another time: a reused pid, not the writer.
    expect(tokenState(`${process.ppid}-1-${hostTag}-${bootTag}-${rest}`)).toBe("gone");
    const dead = await deadPid();
    expect(tokenState(`${dead}-1-${hostTag}-${bootTag}-${rest}`)).toBe("gone");
    // Another host (a home on NFS): its pids mean nothing here.
    expect(tokenState(`${dead}-1-00000000-${bootTag}-${rest}`)).toBe("unknown");
    // Before a reboot of this host: gone whatever runs under its pid now.
    expect(tokenState(`${process.pid}-1-${hostTag}-00000001-${rest}`)).toBe("gone");
    // An older rolecred's token (`PID-TIME-RANDOM`): gone by its pid alone, else unknown.
    expect(tokenState(`${dead}-mwvbqbnf-43547r54s9`)).toBe("gone");
    expect(tokenState(`${process.pid}-mwvbqbnf-43547r54s9`)).toBe("unknown");
  });
});
