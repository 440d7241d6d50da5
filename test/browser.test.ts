/**
 * Which program opens a URL (src/browser.ts), the one rule behind `console` and `sso login`:
 * $BROWSER as xdg-open and Python's webbrowser read it, else the platform's opener; never a shell.
 */
import { describe, expect, it } from "vitest";
import { browserCommand } from "../src/browser.js";

const URL_WITH_SHELL = "http://127.0.0.1:1/authorize?a=1&b=$(touch /tmp/x);c";

describe(browserCommand.name, () => {
  it("runs $BROWSER with the URL as one argument, whatever the URL holds", () => {
    expect(browserCommand(URL_WITH_SHELL, { BROWSER: "/usr/bin/firefox" }, "linux")).toEqual({ file: "/usr/bin/firefox", args: [URL_WITH_SHELL] });
  });

  it.each([
    ["firefox --new-window", { file: "firefox", args: ["--new-window", "U"] }],
    ["my-browser --url=%s", { file: "my-browser", args: ["--url=U"] }],
    // A colon-separated list: the first entry that is not empty.
    ["w3m:lynx", { file: "w3m", args: ["U"] }],
    [":  :chromium --headless:lynx", { file: "chromium", args: ["--headless", "U"] }],
    // A path with spaces, quoted as in a shell.
    [`"/opt/my browser/bin/browser" --new-tab`, { file: "/opt/my browser/bin/browser", args: ["--new-tab", "U"] }],
  ])("BROWSER %j", (browser, command) => {
    expect(browserCommand("U", { BROWSER: browser }, "linux")).toEqual(command);
  });

  it("on Windows reads BROWSER as a ;-separated list (os.pathsep, as Python's webbrowser does), so a drive letter is no list separator", () => {
    const firefox = String.raw`"C:\Program Files\Mozilla Firefox\firefox.exe" -new-tab`;
    expect(browserCommand("U", { BROWSER: firefox }, "win32")).toEqual({
      file: String.raw`C:\Program Files\Mozilla Firefox\firefox.exe`,
      args: ["-new-tab", "U"],
    });
    expect(browserCommand("U", { BROWSER: String.raw`;"C:\Tools\b.exe";"D:\c.exe"` }, "win32")).toEqual({ file: String.raw`C:\Tools\b.exe`, args: ["U"] });
  });

  it("refuses a BROWSER it cannot split, naming it", () => {
    expect(() => browserCommand("U", { BROWSER: `"/opt/my browser` }, "linux")).toThrow(
      `cannot read BROWSER ""/opt/my browser": its double quote is never closed`,
    );
  });

  it("uses the platform's opener, and finds no browser on Linux without a graphical session", () => {
    expect(browserCommand("u", {}, "darwin")).toEqual({ file: "open", args: ["u"] });
    expect(browserCommand("u", { BROWSER: "  " }, "darwin")).toEqual({ file: "open", args: ["u"] });
    expect(browserCommand("u", {}, "win32")).toEqual({ file: "rundll32", args: ["url.dll,FileProtocolHandler", "u"] });
    expect(browserCommand("u", { DISPLAY: ":0" }, "linux")).toEqual({ file: "xdg-open", args: ["u"] });
    expect(browserCommand("u", { WAYLAND_DISPLAY: "wayland-0" }, "linux")?.file).toBe("xdg-open");
    expect(browserCommand("u", {}, "linux")).toBeUndefined();
  });
});
