import { describe, expect, it } from "vitest";
import { readIniSections } from "../../src/store/ini-document.js";
import { scanSectionHeaders, sectionNames } from "../../src/store/section-scan.js";

/** The scan must list exactly the sections the whole tolerant parse reads, or decline. */
function scanAgrees(text: string | Buffer): "agrees" | "declined" {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  const headers = scanSectionHeaders(bytes);
  if (headers === undefined) return "declined";
  expect(sectionNames(headers)).toEqual([...readIniSections(bytes.toString("utf8")).keys()]);
  return "agrees";
}

describe(scanSectionHeaders.name, () => {
  it("lists headers among comments, values with brackets, CRLF and a BOM", () => {
    expect(scanAgrees(`\uFEFF[first]\r\na = 1\r\n# [second]\r\nb = [second]\r\n\r\n[second] ; note\r\nc = 3\r\n[third]\nd=4`)).toBe("agrees");
  });

  it("skips a byte-order mark saved as Latin-1 text, as the parse does", () => {
    // "ï»¿" first: the parse drops it, so the header after it is in column 0.
    expect(scanAgrees("\u00EF\u00BB\u00BF[a]\nx = 1\n[b]\n")).toBe("agrees");
    expect(sectionNames(scanSectionHeaders(Buffer.from("\u00EF\u00BB\u00BF[a]\n")) ?? { names: [], starts: [] })).toEqual(["a"]);
  });

  it("keeps a repeated section once, where it first appears", () => {
    const text = "[profile x]\nregion = us-east-1\n[x]\nregion = a\n[profile x]\noutput = json\n";
    expect(scanAgrees(text)).toBe("agrees");
    expect(sectionNames(scanSectionHeaders(Buffer.from(text)) ?? { names: [], starts: [] })).toEqual(["profile x", "x"]);
  });

  it("skips what the parse refuses as a header: spaces inside, empty, __proto__, trailing text", () => {
    expect(scanAgrees("[a]\nx = 1\n[ b ]\ny = 2\n[]\nz = 3\n[__proto__]\nw = 4\n[c] trailing\n[c2] # fine\n[weird = value\n[d]\n")).toBe("agrees");
  });

  it("reads a plain `[name]` line from its bytes as the pattern reads it: edges of printable ASCII, a space, a tab, DEL, a `]` inside", () => {
    const lines = ["[a b]", "[ a]", "[a ]", "[~]", "[!x!]", "[a\tb]", "[\tc]", "[d\u007f]", "[e]]", "[f]x", "[g]\t", "[__proto__]", "[h]"];
    expect(scanAgrees(lines.map((line) => `${line}\nk = v\n`).join(""))).toBe("agrees");
    expect(sectionNames(scanSectionHeaders(Buffer.from("[a b]\n[~]\n[d\u007f]\n[h]\n")) ?? { names: [], starts: [] })).toEqual(["a b", "~", "d\u007f", "h"]);
  });

  it("answers lone-CR files, names with brackets or non-ASCII, and bytes that are not UTF-8", () => {
    expect(scanAgrees("[a[b]\rx = 1\r[é]\ry = 2\r[profile ü]\r")).toBe("agrees");
    expect(scanAgrees(Buffer.from([...Buffer.from("[caf"), 0xe9, ...Buffer.from("]\nx = 1\n[ok]\n")]))).toBe("agrees");
  });

  it("leaves an indented `[` to the whole parse: a continuation after a key, a header after a comment", () => {
    expect(scanAgrees("[rolecred]\naccount_aliases =\n  111122223333 = sandbox\n  [dev]\n[dev]\n")).toBe("declined");
    expect(scanAgrees("# top\n  [dev]\nregion = x\n")).toBe("declined");
    expect(scanAgrees("[a]\n\u00a0[b]\n")).toBe("declined");
    expect(scanAgrees("\uFEFF\t[a]\n")).toBe("declined");
  });

  it("is not fooled by a `[` later on an indented line or inside a value", () => {
    expect(scanAgrees('[a]\nx = [1, 2]\n  y = [3]\npolicy = {"a":["b"]}\né[c]\n[d]')).toBe("agrees");
  });

  it("agrees with the whole parse on generated files of hostile lines", () => {
    const pieces = [
      "[a]",
      "[b]",
      "[profile a]",
      "[ a ]",
      "[]",
      "[a] x",
      "[a] ;c",
      "  [a]",
      "\t[b]",
      "x = 1",
      "x =",
      "  y = 2",
      "# [a]",
      "; c",
      "",
      "é = [",
      "[é]",
      "[c[d]",
      "k = [a]",
      "[__proto__]",
      "\u00a0[b]",
    ];
    const endings = ["\n", "\r\n", "\r"];
    let seed = 7;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    const verdicts = new Set<string>();
    for (let file = 0; file < 2000; file++) {
      const lines = Array.from({ length: 1 + random(12) }, () => pieces[random(pieces.length)] ?? "");
      const ending = endings[random(endings.length)] ?? "\n";
      const text = (random(5) === 0 ? "\uFEFF" : "") + lines.join(ending) + (random(2) === 0 ? ending : "");
      verdicts.add(scanAgrees(text));
    }
    // Both kinds of file were generated: the comparison ran on files the scan answers.
    expect([...verdicts].sort()).toEqual(["agrees", "declined"]);
  });
});
