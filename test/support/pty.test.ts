/**
 * The pseudo-terminal driver the prompt tests rely on: a controlling terminal of the asked size
 * (resizable, with SIGWINCH), Ctrl-C through the line discipline, /dev/tty readable while stdin
 * is a pipe, and the child's exit status.
 */
import { describe, expect, it } from "vitest";
import { runInPty } from "./pty.js";
import { REPO_ROOT } from "./run-cli.js";

const env = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" };

describe("runInPty", () => {
  it("gives the child a terminal of the asked size and resizes it with SIGWINCH", async () => {
    const terminal = runInPty("/bin/sh", ["-c", `trap 'stty size; exit 0' WINCH; stty size; echo ready; while :; do sleep 1; done`], {
      env,
      cwd: REPO_ROOT,
      cols: 100,
      rows: 30,
    });
    await terminal.waitFor("ready");
    expect(terminal.screen()).toContain("30 100");
    terminal.resize(90, 20);
    await terminal.waitFor("20 90");
    expect(await terminal.exited).toEqual({ exitCode: 0, signal: undefined });
  });

  it("turns a typed Ctrl-C into SIGINT for the foreground process", async () => {
    const terminal = runInPty("/bin/sh", ["-c", "echo ready; exec sleep 30"], { env, cwd: REPO_ROOT });
    await terminal.waitFor("ready");
    terminal.type("\x03");
    expect(await terminal.exited).toEqual({ exitCode: 0, signal: 2 });
  });

  it("answers a prompt read from /dev/tty while stdin is a pipe, and reports the exit code", async () => {
    const terminal = runInPty(
      "/bin/sh",
      ["-c", `echo piped | { read from_pipe; printf 'code? ' > /dev/tty; read typed < /dev/tty; echo "pipe=$from_pipe typed=$typed"; exit 7; }`],
      { env, cwd: REPO_ROOT },
    );
    await terminal.waitFor("code? ");
    terminal.type("123456\r");
    await terminal.waitFor("pipe=piped typed=123456");
    expect((await terminal.exited).exitCode).toBe(7);
  });

  it("says so when the program cannot be run", async () => {
    const terminal = runInPty("/nonexistent/program", [], { env, cwd: REPO_ROOT });
    expect((await terminal.exited).exitCode).toBe(127);
    expect(terminal.screen()).toContain("cannot run /nonexistent/program");
  });
});
