/**
 * What every message passes through on its way to stderr (src/log.ts): secrets masked by value,
 * MFA codes only as whole numbers, and control characters shown escaped.
 */
import { describe, expect, it } from "vitest";
import { createLogger, escapeControl, SecretRegistry } from "../../src/log.js";

describe("escapeControl", () => {
  it.each([
    ["ESC (CSI, OSC)", "a\u001b[31mred\u001b]0;title\u0007", "a\\x1b[31mred\\x1b]0;title\\x07"],
    ["OSC 52 clipboard write", "\u001b]52;c;aGk=\u001b\\", "\\x1b]52;c;aGk=\\x1b\\"],
    ["BEL, backspace, NUL, CR, tab, DEL", "\u0007\b\u0000\r\t\u007f", "\\x07\\x08\\x00\\x0d\\x09\\x7f"],
    ["C1 CSI and bidi overrides", "\u009b2J \u202eabc\u202c \u2066x\u2069", "\\x9b2J \\u202eabc\\u202c \\u2066x\\u2069"],
    ["plain text, quotes, non-ASCII letters", "dev-ö ‘q’ arn:aws:iam::123456789012:role/x", "dev-ö ‘q’ arn:aws:iam::123456789012:role/x"],
  ])("%s", (_what, text, shown) => {
    expect(escapeControl(text)).toBe(shown);
  });

  it("keeps newlines by default, shows them as \\n on request (one-line errors)", () => {
    expect(escapeControl("a\nb")).toBe("a\nb");
    expect(escapeControl("a\nb\u001b", false)).toBe("a\\nb\\x1b");
  });

  it("a newline alone is still shown as \\n on request, and every call escapes (the no-match shortcut)", () => {
    expect(escapeControl("a\nb", false)).toBe("a\\nb");
    expect(["x\u001b", "x\u001b", "y\u202e"].map((text) => escapeControl(text))).toEqual(["x\\x1b", "x\\x1b", "y\\u202e"]);
  });
});

describe("SecretRegistry", () => {
  it("masks an MFA code as a whole number, never the digits of an account id or ARN", () => {
    const secrets = new SecretRegistry();
    secrets.add("123456");
    expect(secrets.redact("account 123456789012, arn:aws:iam::123456789012:mfa/jo, 9123456")).toBe(
      "account 123456789012, arn:aws:iam::123456789012:mfa/jo, 9123456",
    );
    expect(secrets.redact("code 123456 rejected; code=123456, '123456'")).toBe("code **** rejected; code=****, '****'");
  });

  it("masks other secrets wherever they occur", () => {
    const secrets = new SecretRegistry();
    secrets.add("wJalrXUtnFEMI/K7MDENG");
    secrets.add("abc"); // too short to mask
    expect(secrets.redact("key=wJalrXUtnFEMI/K7MDENGx abc")).toBe("key=****x abc");
  });
});

describe("createLogger", () => {
  it("masks, then escapes, every line", () => {
    const lines: string[] = [];
    const secrets = new SecretRegistry();
    secrets.add("654321");
    const log = createLogger({ write: (text: string) => lines.push(text) }, secrets, true);
    log.warn("profile evil\u001b]52;c;aGk=\u0007 in 111111654321, code 654321");
    log.verbose("two\nlines\u0007");
    expect(lines).toEqual(["warning: profile evil\\x1b]52;c;aGk=\\x07 in 111111654321, code ****\n", "rolecred: two\nlines\\x07\n"]);
  });
});
