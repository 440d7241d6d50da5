/**
 * A real pseudo-terminal for prompt tests: the child gets a controlling terminal (so /dev/tty
 * opens), the test reads what the terminal shows and types answers.
 *
 * The terminal is made by the kernel and held by a small Python program (Debian's python3, which
 * the AWS CLI depends on anyway): no native npm module, so `npm install` needs no C++ toolchain.
 * The driver relays its stdin to the terminal (so Ctrl-C typed here becomes SIGINT from the line
 * discipline, as on a real terminal), the terminal's output to its stdout, window-size changes
 * from fd 3, and reports the child's exit status on stderr.
 */
import { spawn } from "node:child_process";
import type { Writable } from "node:stream";

export interface PtyRun {
  /** Everything the terminal has shown so far. */
  screen(): string;
  waitFor(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  type(text: string): void;
  /** Change the window size: the foreground process group gets SIGWINCH, as when a user resizes. */
  resize(cols: number, rows: number): void;
  readonly exited: Promise<{ exitCode: number; signal: number | undefined }>;
}

export interface PtyOptions {
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly cols?: number | undefined;
  readonly rows?: number | undefined;
}

/**
 * argv: COLS ROWS FILE ARG... The child: a new session whose controlling terminal is the pty's
 * slave side, with default SIGPIPE/SIGXFSZ handling (Python ignores them, and exec would keep
 * that). The parent: select() over the master side, its stdin and the resize pipe; once the child
 * has exited, it drains the master until every holder of the slave side is gone (EIO).
 * Status line on stderr: "exit N" or "signal N".
 */
const DRIVER = String.raw`
import errno, fcntl, os, select, signal, struct, sys, termios

def winsize(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

cols, rows, argv = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
master, slave = os.openpty()
winsize(slave, cols, rows)
pid = os.fork()
if pid == 0:
    try:
        os.close(master)
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.closerange(3, 256)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        os.execvp(argv[0], argv)
    except OSError as error:
        os.write(2, ("cannot run %s: %s\n" % (argv[0], error.strerror)).encode())
        os._exit(127)
os.close(slave)

inputs = [master, 0, 3]
status = None
control = b""
while True:
    if status is None:
        done, status_word = os.waitpid(pid, os.WNOHANG)
        if done:
            status = status_word
            if 0 in inputs:
                inputs.remove(0)
            if 3 in inputs:
                inputs.remove(3)
    ready, _, _ = select.select(inputs, [], [], 0.05 if status is None else 5)
    if not ready and status is not None:
        break
    if master in ready:
        try:
            data = os.read(master, 65536)
        except OSError as error:
            if error.errno != errno.EIO:
                raise
            data = b""
        if data:
            os.write(1, data)
        elif status is None:
            inputs.remove(master)
            _, status = os.waitpid(pid, 0)
            break
        else:
            break
    if 0 in ready:
        data = os.read(0, 65536)
        if data:
            os.write(master, data)
        else:
            inputs.remove(0)
    if 3 in ready:
        data = os.read(3, 4096)
        if not data:
            inputs.remove(3)
        control += data
        while b"\n" in control:
            line, control = control.split(b"\n", 1)
            new_cols, new_rows = line.split()
            winsize(master, int(new_cols), int(new_rows))

if os.WIFSIGNALED(status):
    os.write(2, ("signal %d\n" % os.WTERMSIG(status)).encode())
    sys.exit(128 + os.WTERMSIG(status))
os.write(2, ("exit %d\n" % os.WEXITSTATUS(status)).encode())
sys.exit(os.WEXITSTATUS(status))
`;

export function runInPty(file: string, args: readonly string[], options: PtyOptions): PtyRun {
  const cols = options.cols ?? 120;
  const rows = options.rows ?? 40;
  const driver = spawn("python3", ["-c", DRIVER, String(cols), String(rows), file, ...args], {
    cwd: options.cwd,
    env: { ...options.env },
    stdio: ["pipe", "pipe", "pipe", "pipe"],
  });
  const keyboard = driver.stdin;
  const resizes = driver.stdio[3] as Writable;
  let screen = "";
  let driverErrors = "";
  const listeners = new Set<() => void>();
  driver.stdout.setEncoding("utf8");
  driver.stdout.on("data", (data: string) => {
    screen += data;
    for (const listener of listeners) listener();
  });
  driver.stderr.setEncoding("utf8");
  driver.stderr.on("data", (data: string) => (driverErrors += data));
  // The child may exit (closing the pipes) while a test still types: that is not the test's error.
  keyboard.on("error", () => undefined);
  resizes.on("error", () => undefined);
  const exited = new Promise<{ exitCode: number; signal: number | undefined }>((resolve, reject) => {
    driver.on("error", (error) => reject(new Error(`cannot start the pseudo-terminal driver (python3): ${error.message}`)));
    driver.on("close", () => {
      const status = /^(exit|signal) (\d+)$/m.exec(driverErrors);
      if (!status) return reject(new Error(`the pseudo-terminal driver failed: ${driverErrors}`));
      const code = Number(status[2]);
      resolve(status[1] === "signal" ? { exitCode: 0, signal: code } : { exitCode: code, signal: undefined });
    });
  });
  // A rejection nobody awaits yet must not crash the run; waitFor and the tests see it.
  exited.catch(() => undefined);
  return {
    screen: () => screen,
    type: (text) => void keyboard.write(text),
    resize: (newCols, newRows) => void resizes.write(`${newCols} ${newRows}\n`),
    exited,
    waitFor: (expected, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const seen = () => (typeof expected === "string" ? screen.includes(expected) : expected.test(screen));
        if (seen()) return resolve();
        const check = () => {
          if (!seen()) return;
          clearTimeout(timer);
          listeners.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`terminal never showed ${String(expected)}; it shows:\n${screen}`));
        }, timeoutMs);
        listeners.add(check);
        const onExit = () => {
          if (!seen()) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`process exited before the terminal showed ${String(expected)}; it shows:\n${screen}`));
          }
        };
        void exited.then(onExit, onExit);
      }),
  };
}
