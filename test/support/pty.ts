/**
 * A real pseudo-terminal for prompt tests: the child gets a controlling terminal (so /dev/tty
 * opens), the test reads what the terminal shows and types answers.
 */
import pty from "node-pty";

export interface PtyRun {
  /** Everything the terminal has shown so far. */
  screen(): string;
  waitFor(expected: string | RegExp, timeoutMs?: number): Promise<void>;
  type(text: string): void;
  readonly exited: Promise<{ exitCode: number; signal: number | undefined }>;
}

export function runInPty(file: string, args: readonly string[], options: { env: Readonly<Record<string, string>>; cwd: string }): PtyRun {
  const child = pty.spawn(file, [...args], { name: "xterm", cols: 120, rows: 40, cwd: options.cwd, env: { ...options.env } });
  let screen = "";
  const listeners = new Set<() => void>();
  child.onData((data) => {
    screen += data;
    for (const listener of listeners) listener();
  });
  const exited = new Promise<{ exitCode: number; signal: number | undefined }>((resolve) => child.onExit((event) => resolve({ exitCode: event.exitCode, signal: event.signal })));
  return {
    screen: () => screen,
    type: (text) => child.write(text),
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
        void exited.then(() => {
          if (!seen()) {
            clearTimeout(timer);
            listeners.delete(check);
            reject(new Error(`process exited before the terminal showed ${String(expected)}; it shows:\n${screen}`));
          }
        });
      }),
  };
}
