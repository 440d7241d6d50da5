import { isUtf8 } from "node:buffer";
import { describe, expect, it } from "vitest";
import { IniByteDocument } from "../../src/store/ini-bytes.js";
import { IniDocument } from "../../src/store/ini-document.js";

/** What the strict parse of the whole text (ini-document.ts, the line model) makes of `bytes`. */
function wholeParse(bytes: Buffer): { document: IniDocument; encoding: "utf8" | "latin1" } | { error: string } {
  const encoding = isUtf8(bytes) ? "utf8" : "latin1";
  try {
    const document = IniDocument.parse(bytes.toString(encoding));
    document.removeSection("no such section"); // builds the whole line model
    return { document, encoding };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

function byteParse(bytes: Buffer): IniByteDocument | { error: string } {
  try {
    return IniByteDocument.parse(bytes);
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const EDITS: Array<[string, Array<[string, string]>]> = [
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
  ["café", [["k", "é"]]],
];

/** The byte document agrees with the whole parse: the same refusal, or the same sections and, edit after edit, the same bytes. */
function expectSameAsWholeParse(bytes: Buffer): void {
  const whole = wholeParse(bytes);
  const sectioned = byteParse(bytes);
  if ("error" in whole || "error" in sectioned) {
    expect(sectioned).toEqual(whole);
    return;
  }
  expect(sectioned.sectionNames()).toEqual(whole.document.sectionNames());
  for (const name of whole.document.sectionNames()) expect(sectioned.section(name)).toEqual(whole.document.section(name));
  expect(Buffer.concat(sectioned.chunks()).equals(bytes)).toBe(true);
  const inText = (value: string) => (whole.encoding === "utf8" ? value : Buffer.from(value, "utf8").toString("latin1"));
  for (const [name, entries] of EDITS) {
    const inFile = entries.map(([key, value]) => [key, inText(value)] as const);
    sectioned.upsertSection(inText(name), inFile, new Set(["aws_security_token"]));
    whole.document.upsertSection(inText(name), inFile, new Set(["aws_security_token"]));
    expect(Buffer.concat(sectioned.chunks()).toString("latin1")).toBe(Buffer.from(whole.document.toString(), whole.encoding).toString("latin1"));
    expect(sectioned.sectionNames()).toEqual(whole.document.sectionNames());
    expect(sectioned.section(inText(name))).toEqual(whole.document.section(inText(name)));
  }
  sectioned.removeSection("a");
  whole.document.removeSection("a");
  expect(Buffer.concat(sectioned.chunks()).toString("latin1")).toBe(Buffer.from(whole.document.toString(), whole.encoding).toString("latin1"));
}

const manyKeys = Array.from({ length: 40 }, (_, index) => `key${index} = ${index}`).join("\n");

const TEXTS: Array<[string, string | Buffer]> = [
  ["an empty file", ""],
  ["only a comment", "# only a comment"],
  ["a BOM and no final newline", "\uFEFF[a]\nx = 1\n\n[b]\ny = 2"],
  [
    "comments, continuation lines, an indented header",
    "# top\n\n[a]\nx = 1\ns3 =\n  max = 2\n# between\n[b]\naws_access_key_id = A\naws_security_token = old\n\n\n[c]\nz = 3\n[d]\nx = 1\n  [e]\n[f]\nq = 1",
  ],
  ["CRLF", "[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2\r\n"],
  ["mixed and lone-CR line ends", "[a]\r\nx = 1\n[b]\ry = 2\r\r\n"],
  ["key: value, upper-case keys, tabs, \\v and \\f", "[a]\nKey: 1\n\tmore\n\u000b\u000c\n[b] ; note\t\nX\t= 2\n\t# indented comment\n"],
  ["a header with a trailing comment and brackets in a value", "[a] # comment\nx = [b]\n[a[b]\ny = ]\n"],
  ["non-ASCII names, keys and spaces (UTF-8)", "[café]\nrégion = x\n\u00a0indented = 1\n[b]\n\u2003= 2\n"],
  ["a section of 40 keys", `[a]\n${manyKeys}\n[b]\nx = 1\n`],
  ["an indented key after a header", "[a]\n  x = 1\n[b]\n"],
  ["a key-only line, an '=' first", "[a]\nx\n"],
  ["a line of only '='", "[a]\n= 1\n"],
  ["an empty header", "[a]\n[]\n"],
  ["spaces inside a header", "[a]\nx = 1\n[ dev ]\n"],
  ["__proto__", "[__proto__]\nx = 1\n"],
  ["a repeated section", "[a]\nx = 1\n[b]\n[a]\n"],
  ["a repeated section, decoded", "[é]\nx = 1\n[b]\n[é]\n"],
  ["a repeated key, case-folded", "[a]\naws_access_key_id = 1\nAWS_ACCESS_KEY_ID = 2\n"],
  ["a repeated key after a decoded line", "[a]\nx = 1\nné = 2\nx = 3\n"],
  ["a repeated key past 32 keys", `[a]\n${manyKeys}\nkey3 = again\n`],
  ["a key before any section", "x = 1\n[a]\n"],
  ["an indented key before any section", "  x = 1\n[a]\n"],
  ["a header with text after it", "[a] x\n"],
  ["a non-ASCII line that is none of them", "[a]\n\u00e9\n"],
  ["a U+2028 in a header's comment", "[a] # \u2028\nx = 1\n"],
  [
    "Latin-1 bytes",
    Buffer.concat([
      Buffer.from("\uFEFF# J", "utf8"),
      Buffer.from([0xf6]),
      Buffer.from("rg\n[caf"),
      Buffer.from([0xe9]),
      Buffer.from("]\nr"),
      Buffer.from([0xe9]),
      Buffer.from("gion = x\n[a]\nx = 1\n"),
    ]),
  ],
  ["a Latin-1 non-breaking space before a key", Buffer.concat([Buffer.from("[a]\n"), Buffer.from([0xa0]), Buffer.from("x = 1\n"), Buffer.from([0xff])])],
  ["a Latin-1 repeated section", Buffer.concat([Buffer.from("[caf"), Buffer.from([0xe9]), Buffer.from("]\n[caf"), Buffer.from([0xe9]), Buffer.from("]\n")])],
];

describe("IniByteDocument (the credentials file as its bytes)", () => {
  for (const [label, text] of TEXTS) {
    it(`reads and edits ${label} as the whole line model does`, () => {
      expectSameAsWholeParse(typeof text === "string" ? Buffer.from(text, "utf8") : text);
    });
  }

  it("agrees with the whole parse on 1,000 random files of tricky lines", () => {
    // Mostly lines that parse, so that most files get as far as the edits; now and then one that does not.
    const usual = [
      "[a]",
      "[b]",
      "[c] ; x",
      "  [e]",
      "[a[b]",
      "[é]",
      "x = 1",
      "X = 2",
      "y: 3",
      "key3 = 1",
      " z = 1",
      "  more",
      "\tmore",
      "# c",
      "  ; c",
      "",
      " ",
      "é = 1",
      "\u00a0x = 1",
      "\u2028",
    ];
    const broken = ["[ d ]", "[]", "=", "bad", "[x] y"];
    const ends = ["\n", "\r\n", "\r"];
    let seed = 16;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    let parsed = 0;
    for (let file = 0; file < 1000; file += 1) {
      const lines: string[] = [];
      for (let line = random(14); line > 0; line -= 1) {
        const piece = random(25) === 0 ? broken[random(broken.length)] : usual[random(usual.length)];
        lines.push((piece ?? "") + (random(8) === 0 ? (ends[random(3)] ?? "") : "\n"));
      }
      const bytes = Buffer.from(lines.join(""), "utf8");
      expectSameAsWholeParse(bytes);
      if (!("error" in byteParse(bytes))) parsed += 1;
    }
    // Both outcomes were compared, many times each.
    expect(parsed).toBeGreaterThan(130);
    expect(parsed).toBeLessThan(800);
  });

  it("reads every section of a listing (past 64, from the text decoded once) as the whole parse does, UTF-8 or Latin-1", () => {
    const sections = Array.from({ length: 100 }, (_, index) => `[s-${index}]\nkey = value ${index % 7 === 0 ? "é" : "e"}\nx = 1\n`).join("\n");
    expectSameAsWholeParse(Buffer.from(sections, "utf8"));
    expectSameAsWholeParse(Buffer.from(sections, "latin1"));
  });

  it("names the line of a broken line far from the section edited, as the whole parse does", () => {
    const sections = Array.from({ length: 5000 }, (_, index) => `[org-${index}]\naws_access_key_id = ASIA${index}\naws_session_token = t\n`);
    const text = `${sections.join("\n")}this line is broken\n[dev]\nx = 1\n`;
    expect(() => IniByteDocument.parse(Buffer.from(text))).toThrow("line 20000: not a [section], a key = value line or a comment");
  });

  it("hands back the untouched bytes as slices of the Buffer read, not copies", () => {
    const bytes = Buffer.from("# top\n[a]\nx = 1\n\n[b]\ny = 2\n\n[c]\nz = 3\n");
    const document = IniByteDocument.parse(bytes);
    document.upsertSection("b", [["y", "20"]]);
    const chunks = document.chunks();
    expect(chunks.map((chunk) => chunk.toString())).toEqual(["# top\n[a]\nx = 1\n\n", "[b]\ny = 20\n\n", "[c]\nz = 3\n"]);
    expect(chunks[0]?.buffer).toBe(bytes.buffer);
    expect(chunks[2]?.buffer).toBe(bytes.buffer);
    // Nothing edited: the file's own bytes.
    expect(IniByteDocument.parse(bytes).chunks()[0]?.buffer).toBe(bytes.buffer);
  });
});
