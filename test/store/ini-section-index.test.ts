import { describe, expect, it } from "vitest";
import { IniSectionIndex, readIniSections } from "../../src/store/ini-document.js";

/** The index must answer every lookup exactly as the whole-file tolerant parse does. */
function expectSameAsWholeParse(text: string, names: readonly string[]): void {
  const whole = readIniSections(text);
  for (const name of [...names, ...whole.keys()]) {
    const index = new IniSectionIndex(Buffer.from(text, "utf8"));
    const expected = whole.get(name);
    const found = index.get(name);
    expect(found === undefined ? undefined : [...found], `[${name}]`).toEqual(expected === undefined ? undefined : [...expected]);
  }
  expect([...new IniSectionIndex(Buffer.from(text, "utf8")).keys()]).toEqual([...whole.keys()]);
}

describe("IniSectionIndex (sections read one at a time)", () => {
  it("reads a section among many, with comments, CRLF and a BOM", () => {
    const text = `\uFEFF[first]\r\na = 1\r\n# [second]\r\nb = [second]\r\n\r\n[second] ; note\r\nc = 3\r\n[third]\nd=4`;
    expectSameAsWholeParse(text, ["first", "second", "third", "missing"]);
  });

  it("merges a repeated section, later values winning", () => {
    expectSameAsWholeParse("[a]\nx = 1\ny = 2\n[b]\nz = 1\n[a]\nx = 3\n", ["a", "b"]);
  });

  it("keeps keys after an invalid header in the section before it, as the whole parse does", () => {
    expectSameAsWholeParse("[a]\nx = 1\n[ b ]\ny = 2\n[]\nz = 3\n[__proto__]\nw = 4\n[c]\nv = 5\n", ["a", " b ", "b", "", "__proto__", "c"]);
  });

  it("reads indented sub-sections and an indented header after a key as a continuation", () => {
    const text = "[rolecred]\naccount_aliases =\n  111122223333 = sandbox\n  [dev]\n[dev]\nregion = eu-west-1\n";
    expectSameAsWholeParse(text, ["rolecred", "dev"]);
  });

  it("finds an indented header that is one (after a blank line or a comment)", () => {
    expectSameAsWholeParse("# top\n  [dev]\nregion = x\n[prod]\n  [dev]\n", ["dev", "prod"]);
  });

  it("does not take a header-like value or a longer name for the section", () => {
    expectSameAsWholeParse("[devx]\na = 1\n[profile dev]\nb = [dev]\n[dev] trailing\nc = 2\n", ["dev", "devx", "profile dev"]);
  });

  it("answers lone-CR files and names with brackets or non-ASCII", () => {
    expectSameAsWholeParse("[a[b]\rx = 1\r[é]\ry = 2\r", ["a[b", "é", "a]b"]);
  });
});
