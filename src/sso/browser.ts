/**
 * Opening a sign-in URL the platform's way: `$BROWSER URL` when BROWSER is set (the first entry of
 * its colon-separated list, a program: it is not split on spaces or run by a shell), else `xdg-open` on Linux and the
 * BSDs (only with a graphical session), `open` on macOS, `rundll32 url.dll,FileProtocolHandler` on
 * Windows. The URL is always one argv element: nothing goes through a shell.
 */
import type { Env } from "../deps.js";

export interface BrowserCommand {
  readonly file: string;
  readonly args: readonly string[];
}

/** The command that opens `url`, or undefined when this machine has no browser to open. */
export function browserCommand(url: string, env: Env, platform: NodeJS.Platform): BrowserCommand | undefined {
  const configured = (env.BROWSER ?? "").split(":").find((entry) => entry.trim() !== "");
  if (configured !== undefined) {
    return { file: configured.trim(), args: [url] };
  }
  if (platform === "darwin") return { file: "open", args: [url] };
  if (platform === "win32") return { file: "rundll32", args: ["url.dll,FileProtocolHandler", url] };
  // X11 or Wayland: without either, xdg-open would pick a text browser or fail (SSH, containers).
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return { file: "xdg-open", args: [url] };
  return undefined;
}

/** Starts the browser and does not wait for it; resolves false when it could not be started. */
export async function openInBrowser(command: BrowserCommand, env: Env): Promise<boolean> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(command.file, [...command.args], { stdio: "ignore", detached: true, env: { ...env } });
    } catch {
      resolve(false);
      return;
    }
    child.once("error", () => resolve(false));
    child.once("spawn", () => {
      child.unref();
      resolve(true);
    });
  });
}
