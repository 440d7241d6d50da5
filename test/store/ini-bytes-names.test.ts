/**
 * Section names and keys in the byte scan (src/store/ini-bytes.ts), at every chunk size, as the
 * string parse of ini-document.ts reads them (issue 16): a repeated section refused with both
 * line numbers whichever path (the bytes or the classifier) read each header, names that are not
 * ASCII (UTF-8 or Latin-1 files), keys repeated across a window's end, 5,000 sections.
 */
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IniByteDocument, namePositions } from "../../src/store/ini-bytes.js";
import { IniDocument } from "../../src/store/ini-document.js";
import { makeTempHome } from "../support/run-cli.js";
import { errorOf } from "../support/error-of.js";

let folder: string;
let counter = 0;
const openFiles: number[] = [];
beforeAll(async () => {
  folder = await makeTempHome();
});
afterAll(() => {
  for (const fd of openFiles.splice(0)) closeSync(fd);
});

const CHUNK_SIZES = [4, 7, 16, 64, 1024, 1024 * 1024];

/** The whole-Buffer parse and the chunked scan of `bytes` at several chunk sizes. */
function readAllWays(bytes: Buffer): Array<() => IniByteDocument> {
  counter += 1;
  const path = join(folder, `names-${counter}`);
  writeFileSync(path, bytes);
  const scans = CHUNK_SIZES.map((chunk) => () => {
    // Open until the end: a scanned document reads its sections from the file.
    const fd = openSync(path, "r");
    openFiles.push(fd);
    return IniByteDocument.scanFile(fd, bytes.length, chunk);
  });
  return [() => IniByteDocument.parse(bytes), ...scans];
}

describe("section names in the byte scan", () => {
  it("refuses a repeated section with both line numbers, whichever path read each header", () => {
    const files = [
      "[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n", // both headers read from their bytes
      "[a]\nk = 1\n[b]\nk = 2\n[a] ; café\nk = 3\n", // the repeat decoded (a non-ASCII comment)
      "[a] ; café\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n", // the first decoded, the repeat from its bytes
      "[a] ; café\nk = 1\n[b]\nk = 2\n[a] ; ü\nk = 3\n", // both decoded
    ];
    for (const text of files) {
      const expected = errorOf(() => IniDocument.parse(text));
      expect(expected).toBe("line 5: section [a] repeats the one on line 1 (the AWS CLI rejects this too)");
      for (const read of readAllWays(Buffer.from(text, "utf8"))) expect(errorOf(read)).toBe(expected);
    }
  });

  it("reads non-ASCII names, UTF-8 or Latin-1, and refuses them repeated", () => {
    const utf8 = Buffer.from("[café]\nk = 1\n[cafe]\nk = 2\n[ü]\nk = 3\n", "utf8");
    const latin1 = Buffer.from("[café]\nk = 1\n[cafe]\nk = 2\n[ü]\nk = 3\n", "latin1");
    for (const bytes of [utf8, latin1]) {
      for (const read of readAllWays(bytes)) {
        const document = read();
        expect(document.sectionNames()).toEqual(["café", "cafe", "ü"]);
        expect(document.section("café")?.get("k")).toBe("1");
        expect(document.section("cafe")?.get("k")).toBe("2");
        expect(document.section("ü")?.get("k")).toBe("3");
        expect(document.hasSection("caf")).toBe(false);
      }
    }
    const repeated = "[café]\nk = 1\n[cafe]\n[café]\n";
    const expected = errorOf(() => IniDocument.parse(repeated));
    expect(expected).toBe("line 4: section [café] repeats the one on line 1 (the AWS CLI rejects this too)");
    for (const bytes of [Buffer.from(repeated, "utf8"), Buffer.from(repeated, "latin1")]) {
      for (const read of readAllWays(bytes)) expect(errorOf(read)).toBe(expected);
    }
  });

  it("finds every one of 5,000 sections and edits the one asked for", () => {
    const names = Array.from({ length: 5000 }, (_, index) => `org-${index}`);
    const bytes = Buffer.from(names.map((name, index) => `[${name}]\nk = ${index}\n`).join(""), "latin1");
    for (const read of readAllWays(bytes).slice(0, 3)) {
      const document = read();
      expect(document.sectionNames()).toEqual(names);
      for (const [index, name] of names.entries()) expect(document.section(name)?.get("k")).toBe(String(index));
      expect(document.hasSection("org-5000")).toBe(false);
    }
    const document = IniByteDocument.parse(bytes);
    document.upsertSection("org-2500", [["k", "edited"]]);
    expect(Buffer.concat(document.chunks()).toString("latin1")).toBe(bytes.toString("latin1").replace("[org-2500]\nk = 2500\n", "[org-2500]\nk = edited\n"));
  });
});

describe("section names kept as bytes until the scan ends (issue 16, sixth round)", () => {
  /** Every way of reading `text` refuses it as the string parse does, or lists the same names and sections. */
  function expectLikeStringParse(text: string, encoding: BufferEncoding = "utf8"): string {
    const expected = errorOf(() => IniDocument.parse(text));
    for (const read of readAllWays(Buffer.from(text, encoding))) {
      expect(errorOf(read)).toBe(expected);
      if (expected !== "no error") continue;
      const document = read();
      const names = IniDocument.parse(text).sectionNames();
      expect(document.sectionNames()).toEqual(names);
      for (const name of names) expect(document.section(name)).toEqual(IniDocument.parse(text).section(name));
    }
    return expected;
  }

  it("refuses a name repeated thousands of names later, after the table of names has grown many times", () => {
    const names = Array.from({ length: 5000 }, (_, index) => `org-${index}`);
    const text = `${names.map((name) => `[${name}]\nk = 1\n`).join("")}[org-17]\nk = 2\n`;
    expect(expectLikeStringParse(text)).toBe("line 10001: section [org-17] repeats the one on line 35 (the AWS CLI rejects this too)");
  });

  it("refuses a name repeated across the first short window and across a 1 MiB window, as the string parse does", () => {
    const filler = (from: number, count: number) =>
      Array.from({ length: count }, (_, index) => `[org-${from + index}]\naws_session_token = ${"T".repeat(700)}\n`).join("\n");
    // The repeat 20 KiB in (past the first window), then 1.2 MiB in (past the first full window).
    for (const sections of [25, 1600]) {
      const text = `[dev]\nk = 1\n${filler(0, sections)}\n[dev]\nk = 2\n`;
      expect(expectLikeStringParse(text)).toMatch(/section \[dev\] repeats the one on line 1 /);
    }
  });

  it("refuses __proto__ and reads other 9-byte names that start with an underscore", () => {
    expect(expectLikeStringParse("[a]\nk = 1\n[_proto__x]\nk = 2\n[_________]\nk = 3\n")).toBe("no error");
    expect(expectLikeStringParse("[a]\nk = 1\n[__proto__]\nk = 2\n")).toBe("line 3: section name __proto__ is not allowed");
  });

  it("compares names the classifier read (a non-ASCII comment) with names read from their bytes, both ways", () => {
    expect(expectLikeStringParse("[a]\nk = 1\n[b] ; é\nk = 2\n[c]\n[b]\n")).toBe(
      "line 6: section [b] repeats the one on line 3 (the AWS CLI rejects this too)",
    );
    expect(expectLikeStringParse("[é]\nk = 1\n[b]\n[é] ; x\n")).toBe("line 4: section [é] repeats the one on line 1 (the AWS CLI rejects this too)");
    expect(expectLikeStringParse("[é]\nk = 1\n[b]\nk = 2\n[ü]\n[c]\n", "latin1")).toBe("no error");
  });

  it("names the section a repeated non-ASCII key is in when every header was read from its bytes", () => {
    expect(expectLikeStringParse("[a]\nk = 1\n[b]\nké = 1\nKé = 2\n")).toBe('line 5: key "ké" repeats the one on line 4 in [b]');
    expect(expectLikeStringParse("ké = 1\n[a]\n")).toBe('line 1: key "ké" comes before any [section]');
  });

  it("reads a [name] inside a value, and a header after a line that ends in a lone \\r, as the string parse does", () => {
    expect(expectLikeStringParse("[a]\nnote = [a]\nk = [b] ; x\n[b]\nk = 1\n")).toBe("no error");
    expect(expectLikeStringParse("[a]\rk = 1\r[b]\rk = 2\r\n[a]\r")).toBe("line 5: section [a] repeats the one on line 1 (the AWS CLI rejects this too)");
    expect(expectLikeStringParse("[a]\rk = 1\r[b]\r\nk = 2\r")).toBe("no error");
  });
});

describe("keys in the byte scan", () => {
  it("refuses a key repeated across any window's end, and past the room for keys, as the string parse does", () => {
    const longKeys = Array.from({ length: 25 }, (_, index) => `${"k".repeat(100)}${index} = ${index}`).join("\n");
    const texts = [
      "[a]\naws_access_key_id = 1\naws_secret_access_key = 2\nAWS_Access_Key_Id = 3\n",
      `[a]\n${longKeys}\n${"K".repeat(100)}3 = again\n`, // past 2,048 bytes of keys: the map
      `[a]\n${longKeys}\n[b]\n${longKeys}\n`, // the next section starts with room again
    ];
    for (const text of texts) {
      const expected = errorOf(() => IniDocument.parse(text));
      for (const read of readAllWays(Buffer.from(text, "latin1"))) expect(errorOf(read)).toBe(expected);
    }
    expect(errorOf(() => IniDocument.parse(texts[0] ?? ""))).toBe('line 4: key "aws_access_key_id" repeats the one on line 2 in [a]');
    expect(errorOf(() => IniDocument.parse(texts[1] ?? ""))).toContain("line 27: key ");
    expect(errorOf(() => IniDocument.parse(texts[2] ?? ""))).toBe("no error");
  });
});

describe("namePositions (a section's position by its name, issue 16, eighth round)", () => {
  it("answers every name the same asked once or again, before and after it makes its Map", () => {
    const names = Array.from({ length: 40 }, (_, at) => `org-${at}`);
    const positions = namePositions(names);
    // Each name asked twice: the second answer is the remembered one, then past 16 names the Map's.
    for (let at = 0; at < 40; at += 1) {
      expect(positions.get(`org-${at}`)).toBe(at);
      expect(positions.get(`org-${at}`)).toBe(at);
      expect(positions.get(`missing-${at}`)).toBeUndefined();
      expect(positions.get(`missing-${at}`)).toBeUndefined();
    }
    expect(positions.get("__proto__")).toBeUndefined();
    expect(positions.get("org-0")).toBe(0);
  });
});
