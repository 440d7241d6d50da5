import { describe, expect, it } from "vitest";
import { IniDocument, IniSyntaxError, readIniSections } from "../../src/store/ini-document.js";

const realWorldFile = [
  "# my keys, do not lose",
  "[default]",
  "aws_access_key_id = AKIAEXAMPLE",
  "aws_secret_access_key = secret ; keep",
  "",
  "; work account",
  "[work]",
  "region=eu-west-1",
  "aws_access_key_id: AKIAWORK",
  "s3 =",
  "  max_concurrent_requests = 20",
  "",
  "[profile prod.admin]",
  "role_arn = arn:aws:iam::111111111111:role/Admin",
].join("\n");

describe(IniDocument.name, () => {
  it.each([
    ["a typical file", realWorldFile],
    ["CRLF line endings", realWorldFile.replaceAll("\n", "\r\n")],
    ["a trailing newline", `${realWorldFile}\n`],
    ["a byte order mark", `\uFEFF${realWorldFile}\n`],
    ["an empty file", ""],
    ["only comments", "# nothing\n; here\n"],
    ["mixed line endings", "[a]\r\nx = 1\n[b]\ry = 2\n"],
  ])("serialises %s back byte for byte", (_name, text) => {
    expect(IniDocument.parse(text).toString()).toBe(text);
  });

  it("reads sections and keys, case-folding keys", () => {
    const document = IniDocument.parse(realWorldFile);
    expect(document.sectionNames()).toEqual(["default", "work", "profile prod.admin"]);
    expect(Object.fromEntries(document.section("work") ?? [])).toEqual({
      region: "eu-west-1",
      aws_access_key_id: "AKIAWORK",
      s3: "",
    });
  });

  it.each([
    ["garbage line", "[a]\nthis is not ini\n", 2, "not a [section], a key = value line or a comment"],
    ["key before any section", "aws_access_key_id = x\n[a]\n", 1, 'key "aws_access_key_id" comes before any [section]'],
    ["duplicate section", "[a]\nx = 1\n[b]\n[a]\n", 4, "section [a] repeats the one on line 1 (the AWS CLI rejects this too)"],
    ["duplicate key", "[a]\nx = 1\nX = 2\n", 3, 'key "x" repeats the one on line 2 in [a]'],
    ["empty section name", "[]\n", 1, "empty section name []"],
    ["__proto__ section", "[__proto__]\n", 1, "section name __proto__ is not allowed"],
  ])("refuses a file with a %s, naming the line", (_name, text, line, reason) => {
    const error = (() => {
      try {
        IniDocument.parse(text);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(IniSyntaxError);
    expect(error).toMatchObject({ line, reason });
  });

  it("replaces keys in place, keeps unknown keys and comments, adds new keys after the last key", () => {
    const document = IniDocument.parse("[dev]\n# note\naws_access_key_id = OLD\nregion = eu-west-1\naws_security_token = STALE\n\n[other]\nx = 1\n");
    document.upsertSection(
      "dev",
      [
        ["aws_access_key_id", "NEW"],
        ["aws_session_token", "TOKEN"],
      ],
      new Set(["aws_security_token"]),
    );
    expect(document.toString()).toBe("[dev]\n# note\naws_access_key_id = NEW\nregion = eu-west-1\naws_session_token = TOKEN\n\n[other]\nx = 1\n");
  });

  it("drops the continuation lines of a replaced key", () => {
    const document = IniDocument.parse("[a]\ns3 =\n  max = 1\nz = 2\n");
    document.upsertSection("a", [["s3", "none"]]);
    expect(document.toString()).toBe("[a]\ns3 = none\nz = 2\n");
  });

  it("appends a new section after one blank line, terminating an unterminated last line", () => {
    const document = IniDocument.parse("[a]\nx = 1");
    document.upsertSection("b", [["y", "2"]]);
    expect(document.toString()).toBe("[a]\nx = 1\n\n[b]\ny = 2\n");
  });

  it("uses the file's own line ending for new lines", () => {
    const document = IniDocument.parse("[a]\r\nx = 1\r\n");
    document.upsertSection("b", [["y", "2"]]);
    expect(document.toString()).toBe("[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2\r\n");
  });

  it("removes a section and its trailing blank lines, leaving the next section's comment", () => {
    const document = IniDocument.parse("[a]\nx = 1\n\n[b]\ny = 2\n\n# about c\n[c]\nz = 3\n");
    expect(document.removeSection("b")).toBe(true);
    expect(document.toString()).toBe("[a]\nx = 1\n\n# about c\n[c]\nz = 3\n");
    expect(document.removeSection("missing")).toBe(false);
  });

  it("removes the first section of a file without leaving a leading blank line", () => {
    const document = IniDocument.parse("[a]\nx = 1\n\n[b]\ny = 2\n");
    document.removeSection("a");
    expect(document.toString()).toBe("[b]\ny = 2\n");
  });
});

describe(readIniSections.name, () => {
  it("skips what it cannot read and merges repeated sections, as the SDK's loader does", () => {
    const sections = readIniSections("junk\n[a]\nx = 1\nnot a line\n[a]\ny = 2\nx = 3\n");
    expect(Object.fromEntries(sections.get("a") ?? [])).toEqual({ x: "3", y: "2" });
  });
});

describe("readIniSections sub-sections", () => {
  it("reads indented lines under an empty key as parent.child keys", () => {
    const sections = readIniSections("[rolecred]\naccount_aliases =\n  111122223333 = sandbox\n  444455556666 = prod\nother = 1\n");
    expect(Object.fromEntries(sections.get("rolecred") ?? [])).toEqual({
      account_aliases: "",
      "account_aliases.111122223333": "sandbox",
      "account_aliases.444455556666": "prod",
      other: "1",
    });
  });
});

describe("section headers the AWS CLI and SDKs would not find", () => {
  it("refuses [ devw ] naming the line; [profile dev] (a space inside the name) stays fine", () => {
    expect(() => IniDocument.parse("[ok]\nk = v\n[ devw ]\nk = v\n")).toThrow(
      /^line 3: section header \[ devw \] has spaces inside the brackets; the AWS CLI and SDKs do not read it as \[devw\]$/,
    );
    expect(() => IniDocument.parse("[devw ]\n")).toThrow(/line 1/);
    expect(IniDocument.parse("[profile dev]\nk = v\n").sectionNames()).toEqual(["profile dev"]);
  });
});
