/**
 * IniByteDocument.scanFile: the credentials file parsed a chunk at a time from the open file
 * (issue 16). Whatever the chunk size, it must read, refuse (same line numbers) and edit exactly
 * as the parse of the whole Buffer does: lines, \r\n pairs and UTF-8 characters cut by a chunk's
 * end included.
 */
import { closeSync, openSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IniByteDocument, ScannedFileChanged } from "../../src/store/ini-bytes.js";
import { makeTempHome } from "../support/run-cli.js";

let folder: string;
let counter = 0;
beforeAll(async () => {
  folder = await makeTempHome();
});
afterAll(() => undefined);

/** `bytes` in a file of their own, open for the scan. */
function opened(bytes: Buffer): { fd: number; path: string; [Symbol.dispose](): void } {
  counter += 1;
  const path = join(folder, `scan-${counter}`);
  writeFileSync(path, bytes);
  const fd = openSync(path, "r");
  return { fd, path, [Symbol.dispose]: () => closeSync(fd) };
}

function outcome(parse: () => IniByteDocument): IniByteDocument | { error: string } {
  try {
    return parse();
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

const EDITS: Array<[string, Array<[string, string]>]> = [
  ["b", [["aws_access_key_id", "NEW"]]],
  ["new", [["k", "v"]]],
  ["a", [["x", "9"]]],
  ["café", [["k", "é"]]],
];

/** The scan at `chunk` bytes agrees with the parse of the Buffer: refusal, sections, encoding, and bytes edit after edit. */
function expectScanLikeParse(bytes: Buffer, chunk: number): void {
  using file = opened(bytes);
  const scanned = outcome(() => IniByteDocument.scanFile(file.fd, bytes.length, chunk));
  const parsed = outcome(() => IniByteDocument.parse(bytes));
  if ("error" in parsed || "error" in scanned) {
    expect(scanned).toEqual(parsed);
    return;
  }
  expect(scanned.sectionNames()).toEqual(parsed.sectionNames());
  expect(scanned.encoding).toBe(parsed.encoding);
  for (const name of parsed.sectionNames()) expect(scanned.section(name)).toEqual(parsed.section(name));
  expect(Buffer.concat(scanned.chunks()).equals(bytes)).toBe(true);
  const inText = (value: string) => (parsed.encoding === "utf8" ? value : Buffer.from(value, "utf8").toString("latin1"));
  for (const [name, entries] of EDITS) {
    const inFile = entries.map(([key, value]) => [key, inText(value)] as const);
    scanned.upsertSection(inText(name), inFile);
    parsed.upsertSection(inText(name), inFile);
    expect(Buffer.concat(scanned.chunks()).equals(Buffer.concat(parsed.chunks()))).toBe(true);
  }
}

const CHUNKS = [4, 5, 6, 7, 9, 16, 1024];

const latin1 = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((part) => (typeof part === "string" ? Buffer.from(part, "latin1") : Buffer.from(part))));

const FILES: Array<[string, Buffer]> = [
  ["an empty file", Buffer.alloc(0)],
  ["a BOM and no final newline", Buffer.from("\uFEFF[a]\nx = 1\n\n[b]\ny = 2", "utf8")],
  ["CRLF lines (a \\r\\n cut between chunks at some size)", Buffer.from("[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2\r\n", "utf8")],
  ["mixed and lone-CR line ends", Buffer.from("[a]\r\nx = 1\n[b]\ry = 2\r\r\n", "utf8")],
  ["UTF-8 names and values (a character cut between chunks)", Buffer.from("[café]\nrégion = éé\n\u00a0indented = 1\n[b]\n\u2003= 2\n# 日本語\n", "utf8")],
  ["Latin-1 bytes", latin1("# J", [0xf6], "rg\n[caf", [0xe9], "]\nr", [0xe9], "gion = x\n[a]\nx = 1\n")],
  ["UTF-8 until its last byte", Buffer.concat([Buffer.from("[é]\nx = ééééé\n", "utf8"), Buffer.from([0xc3])])],
  ["a line longer than a chunk", Buffer.from(`[a]\naws_session_token = ${"T".repeat(5000)}\n[b]\ny = 2\n`, "utf8")],
  ["a repeated key across chunks", Buffer.from("[a]\naws_access_key_id = 1\nx = 2\ny = 3\nAWS_ACCESS_KEY_ID = 2\n", "utf8")],
  ["a repeated section across chunks", Buffer.from("[a]\nx = 1\n[b]\ny = 2\n[a]\n", "utf8")],
  ["a broken line after a CRLF cut", Buffer.from("[a]\r\nx = 1\r\nbroken\r\n", "utf8")],
  ["continuation lines across chunks", Buffer.from("[a]\ns3 =\n  max = 2\n  more = 3\n[b]\n  [c]\n", "utf8")],
];

describe("IniByteDocument.scanFile (the file a chunk at a time)", () => {
  for (const [label, bytes] of FILES) {
    it(`reads, refuses and edits ${label} as the parse of the whole Buffer does, at every chunk size`, () => {
      for (const chunk of CHUNKS) expectScanLikeParse(bytes, chunk);
    });
  }

  it("keeps the \\r\\n of a file whose first line end is cut between chunks, for the lines it adds", () => {
    using file = opened(Buffer.from("[a]\r\nx = 1\r\n"));
    // The first chunk ends at the \r: alone it would read as a lone-\r line end.
    const document = IniByteDocument.scanFile(file.fd, 12, 4);
    document.upsertSection("b", [["y", "2"]]);
    expect(Buffer.concat(document.chunks()).toString()).toBe("[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2\r\n");
  });

  it("decides the encoding of a file whose UTF-8 characters are cut by every chunk size", () => {
    const utf8 = Buffer.from(`[a]\nx = ${"é日".repeat(200)}\n`, "utf8");
    const broken = Buffer.concat([utf8, Buffer.from([0x23, 0x20, 0xe9, 0x0a])]);
    for (const chunk of CHUNKS) {
      using good = opened(utf8);
      expect(IniByteDocument.scanFile(good.fd, utf8.length, chunk).encoding).toBe("utf8");
      using bad = opened(broken);
      expect(IniByteDocument.scanFile(bad.fd, broken.length, chunk).encoding).toBe("latin1");
    }
  });

  it("names the line of a broken line 20,000 lines in, across many chunks", () => {
    const sections = Array.from({ length: 5000 }, (_, index) => `[org-${index}]\r\naws_access_key_id = ASIA${index}\r\naws_session_token = t\r\n`);
    const bytes = Buffer.from(`${sections.join("\r\n")}this line is broken\r\n[dev]\r\nx = 1\r\n`);
    for (const chunk of [7, 4096]) {
      using file = opened(bytes);
      expect(() => IniByteDocument.scanFile(file.fd, bytes.length, chunk)).toThrow("line 20000: not a [section], a key = value line or a comment");
    }
  });

  it("agrees with the parse of the Buffer on 300 random files of tricky lines, at random chunk sizes", () => {
    const pieces = ["[a]", "[b]", "[c] ; x", "  [e]", "[é]", "x = 1", "X = 2", "y: 3", " z = 1", "  more", "# c", "", "é = 1", "\u00a0x = 1", "[ d ]", "bad"];
    const ends = ["\n", "\r\n", "\r"];
    let seed = 17;
    const random = (below: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % below;
    };
    for (let file = 0; file < 300; file += 1) {
      const lines: string[] = [];
      for (let line = random(14); line > 0; line -= 1) lines.push((pieces[random(pieces.length)] ?? "") + (random(6) === 0 ? (ends[random(3)] ?? "") : "\n"));
      expectScanLikeParse(Buffer.from(lines.join(""), "utf8"), 4 + random(12));
    }
  });

  it("reads a \\r\\n or a UTF-8 character cut by the end of the scan's short first window (16 KiB) as the parse does", () => {
    const FIRST_WINDOW = 16 * 1024;
    for (const shift of [-2, -1, 0, 1]) {
      // The filler line ends so that the next line's \r\n (or é) straddles byte 16,384.
      const head = "[a]\r\nx = ";
      const filler = "v".repeat(FIRST_WINDOW - head.length - "\r\n[b".length + shift);
      for (const tail of ["]\r\ny = 1\r\n[c]\r\n", "é]\r\ny = 1\r\n[a]\r\n"]) {
        expectScanLikeParse(Buffer.from(`${head}${filler}\r\n[b${tail}`, "utf8"), 1024 * 1024);
      }
    }
  });

  it("reports a file truncated after the scan when a section is read, instead of reading short", () => {
    const bytes = Buffer.from("[a]\nx = 1\n[b]\ny = 2\n");
    using file = opened(bytes);
    const document = IniByteDocument.scanFile(file.fd, bytes.length, 4);
    truncateSync(file.path, 5);
    expect(() => document.section("b")).toThrow(ScannedFileChanged);
  });

  it("hands back the untouched bytes as ranges of the file, the edited section as new bytes", () => {
    const bytes = Buffer.from("# top\n[a]\nx = 1\n\n[b]\ny = 2\n\n[c]\nz = 3\n");
    using file = opened(bytes);
    const document = IniByteDocument.scanFile(file.fd, bytes.length, 4);
    document.upsertSection("b", [["y", "20"]]);
    expect(document.pieces().map((piece) => (Buffer.isBuffer(piece) ? piece.toString() : piece))).toEqual([
      { start: 0, end: 17 },
      "[b]\ny = 20\n\n",
      { start: 28, end: 38 },
    ]);
  });
});
