/**
 * Which program opens a URL, one rule for every command that opens one (console, sso login):
 * `$BROWSER` when set — a colon-separated list (semicolons on Windows) as xdg-open and Python's webbrowser read it; the
 * first non-empty entry is a command line, split like credential_process (shlex rules, quotes for
 * a path with spaces), with `%s` replaced by the URL, else the URL appended — else the platform's
 * opener: `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on Windows (no cmd.exe, which
 * would read `&` in a URL as a command separator), `xdg-open` on Linux and the BSDs only with a
 * graphical session (over SSH or in a container it would pick a text browser or fail).
 * The URL is always inside one argv element: nothing goes through a shell.
 */
import type { Env } from "./deps.js";
import { splitCommandLine } from "./command-line.js";
import { usageError } from "./errors.js";

export interface BrowserCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** The command that opens `url`, or undefined when this machine has no browser to open. */
export function browserCommand(url: string, env: Env, platform: NodeJS.Platform): BrowserCommand | undefined {
  // The list separator is os.pathsep, as Python's webbrowser splits it: ";" on Windows, where ":" follows a drive letter.
  const entry = (env.BROWSER ?? "").split(platform === "win32" ? ";" : ":").find((candidate) => candidate.trim() !== "");
  if (entry !== undefined) {
    const split = splitCommandLine(entry);
    if ("error" in split)
      throw usageError(
        `cannot read BROWSER "${entry}": ${split.error}`,
        'BROWSER is a command line, e.g. firefox or "/opt/my browser/bin/browser" --new-window',
      );
    const [file = "", ...rest] = split.words;
    const words = [file, ...rest];
    const substituted = words.some((word) => word.includes("%s"));
    const args = substituted ? rest.map((word) => word.replaceAll("%s", url)) : [...rest, url];
    return { file: substituted ? file.replaceAll("%s", url) : file, args };
  }
  if (platform === "darwin") return { file: "open", args: [url] };
  if (platform === "win32") return { file: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { file: "xdg-open", args: [url] };
  return undefined;
}

/**
 * Starts the browser and does not wait for it (browsers stay open): undefined once it has started,
 * else the error that kept it from starting (ENOENT: no such program).
 */
export async function openInBrowser(command: BrowserCommand, env: Env): Promise<NodeJS.ErrnoException | undefined> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command.file, [...command.args], { stdio: "ignore", detached: true, env: { ...env } });
    } catch (error) {
      resolve(error as NodeJS.ErrnoException);
      return;
    }
    child.once("error", (error: NodeJS.ErrnoException) => resolve(error));
    child.once("spawn", () => {
      child.unref();
      resolve(undefined);
    });
  });
}
