import { describe, expect, it } from "vitest";
import { IniDocument, IniSectionIndex, readIniSections } from "../../src/store/ini-document.js";

/** The index must answer every lookup exactly as the whole-file tolerant parse does. */
function expectSameAsWholeParse(text: string, names: readonly string[]): void {
  const whole = readIniSections(text);
  // One index for every name: past the first two lookups it answers from its index of the headers.
  const shared = new IniSectionIndex(Buffer.from(text, "utf8"));
  for (const name of [...names, "absent-1", "absent-2", ...names, ...whole.keys()]) {
    const index = new IniSectionIndex(Buffer.from(text, "utf8"));
    const expected = whole.get(name);
    const found = index.get(name);
    expect(found === undefined ? undefined : [...found], `[${name}]`).toEqual(expected === undefined ? undefined : [...expected]);
    const fromShared = shared.get(name);
    expect(fromShared === undefined ? undefined : [...fromShared], `[${name}] (shared)`).toEqual(expected === undefined ? undefined : [...expected]);
  }
  expect([...new IniSectionIndex(Buffer.from(text, "utf8")).keys()]).toEqual([...whole.keys()]);
}

describe("IniSectionIndex (sections read one at a time)", () => {
  it("finds the first section after either byte-order mark the whole parse drops (U+FEFF, or its bytes saved again as Latin-1 text)", () => {
    for (const mark of ["\uFEFF", "\u00EF\u00BB\u00BF"]) {
      const text = `${mark}[first]\na = 1\n[second]\nb = 2\n`;
      const index = new IniSectionIndex(Buffer.from(text, "utf8"));
      expect(index.get("first"), JSON.stringify(mark)).toEqual(readIniSections(text).get("first"));
      expect(index.get("first")?.get("a")).toBe("1");
    }
  });

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

  it("after two lookups, indexes the headers in one pass: a name that is not there costs no further pass", () => {
    const text = Array.from({ length: 2000 }, (_, index) => `[org-${index}]\naws_access_key_id = ASIA${index}\nnote = [org-${index + 1}]\n`).join("");
    const bytes = Buffer.from(text, "utf8");
    // Every search of the bytes, counted on this buffer only.
    let searchedBytes = 0;
    const indexOf = bytes.indexOf.bind(bytes);
    const counted = (value: string | number | Uint8Array, from?: number): number => {
      const found = indexOf(value, from);
      searchedBytes += (found === -1 ? bytes.length : found + 1) - (from ?? 0);
      return found;
    };
    bytes.indexOf = counted as Buffer["indexOf"];
    const index = new IniSectionIndex(bytes);
    expect(index.get("org-1999")?.get("aws_access_key_id")).toBe("ASIA1999");
    expect(index.get("jo")).toBeUndefined();
    const beforeIndexing = searchedBytes;
    expect(index.get("default")).toBeUndefined();
    expect(searchedBytes - beforeIndexing).toBeLessThan(3 * bytes.length); // the one pass
    const indexed = searchedBytes;
    for (const name of ["profile org-7", "org-2000", "org-5", "jo-script", "org-0"]) index.get(name);
    expect(index.get("org-5")?.get("note")).toBe("[org-6]");
    expect(searchedBytes - indexed).toBeLessThan(bytes.length / 100);
    const whole = readIniSections(text);
    for (const name of ["org-0", "org-1999", "jo", "org-2000"]) expect(index.get(name), name).toEqual(whole.get(name));
  });
});

describe("IniDocument edits one section's text, as the whole line model would", () => {
  const texts = [
    "",
    "# only a comment",
    "\uFEFF[a]\nx = 1\n\n[b]\ny = 2",
    "# top\n\n[a]\nx = 1\ns3 =\n  max = 2\n# between\n[b]\naws_access_key_id = A\naws_security_token = old\n\n\n[c]\nz = 3\n",
    "[a]\nx = 1\n[b]\n",
    "[a]\nx = 1\n  [b]\n[c]\nq = 1",
  ];
  const edits: Array<[string, Array<[string, string]>]> = [
    [
      "b",
      [
        ["aws_access_key_id", "NEW"],
        ["aws_session_token", "T"],
      ],
    ],
    ["new", [["k", "v"]]],
    [
      "a",
      [
        ["x", "9"],
        ["added", "yes"],
      ],
    ],
    ["new", [["k", "w"]]],
  ];
  for (const text of texts) {
    it(`gives the same bytes for ${JSON.stringify(text.slice(0, 24))}…`, () => {
      const sectioned = IniDocument.parse(text);
      const whole = IniDocument.parse(text);
      whole.removeSection("no such section"); // builds the whole line model
      for (const [name, entries] of edits) {
        sectioned.upsertSection(name, entries, new Set(["aws_security_token"]));
        whole.upsertSection(name, entries, new Set(["aws_security_token"]));
        expect(sectioned.toString()).toBe(whole.toString());
        expect(sectioned.sectionNames()).toEqual(whole.sectionNames());
        expect(sectioned.section(name)).toEqual(whole.section(name));
      }
    });
  }

  it("still refuses what the strict parse refuses, naming the line", () => {
    expect(() => IniDocument.parse("[a]\nx = 1\n[b]\n[a]\n")).toThrow("line 4: section [a] repeats the one on line 1");
    expect(() => IniDocument.parse("[a]\nx = 1\nx = 2\n")).toThrow('line 3: key "x" repeats');
    expect(() => IniDocument.parse("x = 1\n[a]\n")).toThrow('line 1: key "x" comes before any [section]');
  });
});
