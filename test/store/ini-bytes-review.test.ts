/**
 * The byte scan (src/store/ini-bytes.ts, section-names.ts) against the string parse of
 * ini-document.ts, adversarially (a review of issue 16's sixth round): random small files of
 * repeated, case-different, non-ASCII, space-edged, control-character, `__proto__`/`constructor`
 * and hash-colliding names (FNV-1a: p2039599 and p2222382), keys, comments, indented lines, mixed
 * line ends and either byte-order mark, in UTF-8 and Latin-1, at several chunk sizes: the same
 * refusal or the same names, and the same file after an edit or a removal. Then a repeated header
 * at every position around the 16 KiB first window's end and the 1 MiB window's, and a file of
 * only headers.
 */
import { closeSync, openSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IniByteDocument } from "../../src/store/ini-bytes.js";
import { IniDocument } from "../../src/store/ini-document.js";
import { makeTempHome } from "../support/run-cli.js";
import { errorOf } from "../support/error-of.js";

let folder: string;
beforeAll(async () => {
  folder = await makeTempHome();
});
const fds: number[] = [];
afterAll(() => {
  for (const fd of fds) closeSync(fd);
});
let n = 0;
let seed = 12345;
const rand = (n: number) => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return (seed >>> 8) % n;
};
const NAMES = [
  "a",
  "b",
  "A",
  "dev",
  "Dev",
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "é",
  "e\u0301",
  "a\tb",
  "\u000ba",
  "a\u000b",
  "p2039599",
  "p2222382",
  "profile dev",
  "profile  dev",
  "x\u00a0",
  "\u00a0x",
  "ü",
  "a\u2028b",
  "a\u0085",
];
const LINES = (): string => {
  const name = NAMES[rand(NAMES.length)] ?? "a";
  switch (rand(9)) {
    case 0:
      return `[${name}]`;
    case 1:
      return `[${name}] ; c${rand(2) === 0 ? "é" : ""}`;
    case 2:
      return `  [${name}]`;
    case 3:
      return `k${rand(3)} = v`;
    case 4:
      return `K${rand(3)} = v`;
    case 5:
      return `ké = v`;
    case 6:
      return "# c";
    case 7:
      return "";
    default:
      return `[${name}]`;
  }
};
const byteOrUnicode = (name: string, bytes: Buffer) =>
  /[^\u0000-\u00ff]/.test(name) && !Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes) ? "a" : name;
const EOLS = ["\n", "\r\n", "\r"];
it("byte scan equals string parse on random files", () => {
  for (let round = 0; round < 300; round += 1) {
    const count = 1 + rand(12);
    const eol = EOLS[rand(3)] ?? "\n";
    let text = ["", "", "", "\uFEFF", "\u00EF\u00BB\u00BF"][rand(5)] ?? "";
    for (let i = 0; i < count; i += 1) text += LINES() + (rand(6) === 0 ? EOLS[rand(3)] : eol);
    for (const fd of fds.splice(0)) closeSync(fd);
    for (const encoding of ["utf8", "latin1"] as const) {
      const bytes = Buffer.from(text, encoding);
      const decoded = encoding === "latin1" && !Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
      const expected = errorOf(() => IniDocument.parse(decoded));
      const path = join(folder, `f${n++}`);
      writeFileSync(path, bytes);
      const reads: Array<() => IniByteDocument> = [() => IniByteDocument.parse(bytes)];
      for (const chunk of [4, 5, 7, 16, 1024])
        reads.push(() => {
          const fd = openSync(path, "r");
          fds.push(fd);
          return IniByteDocument.scanFile(fd, bytes.length, chunk);
        });
      for (const read of reads) {
        const got = errorOf(read);
        if (got !== expected) throw new Error(`${JSON.stringify(text)} ${encoding}: expected ${expected} got ${got}`);
        if (expected === "no error") {
          const names = IniDocument.parse(decoded).sectionNames();
          expect(read().sectionNames(), JSON.stringify(text)).toEqual(names);
          const pick = NAMES[rand(NAMES.length)] ?? "a";
          const target = byteOrUnicode(pick, bytes);
          const remove = rand(3) === 0;
          const stringDoc = IniDocument.parse(decoded);
          const byteDoc = read();
          if (remove) {
            expect(byteDoc.removeSection(target)).toBe(stringDoc.removeSection(target));
          } else {
            stringDoc.upsertSection(target, [
              ["k0", "new"],
              ["region", "x"],
            ]);
            byteDoc.upsertSection(target, [
              ["k0", "new"],
              ["region", "x"],
            ]);
          }
          const out = Buffer.concat(byteDoc.chunks());
          const outText = byteDoc.encoding === "latin1" ? out.toString("latin1") : out.toString("utf8");
          if (outText !== stringDoc.toString())
            throw new Error(
              `write differs ${JSON.stringify(text)} ${encoding} ${target} ${remove}: ${JSON.stringify(outText)} vs ${JSON.stringify(stringDoc.toString())}`,
            );
        }
      }
    }
  }
});
it("window boundaries at every position of a header", () => {
  for (const target of [16 * 1024, 16 * 1024 + 1024 * 1024]) {
    for (let shift = -12; shift <= 12; shift += 1) {
      for (const eol of ["\n", "\r\n", "\r"]) {
        let body = "";
        let i = 0;
        const headOf = (k: number) => `[o${k}]${eol}k = ${"T".repeat(990)}${eol}`;
        while (body.length + 1200 < target) body += headOf(i++);
        const pad = target + shift - body.length - 10;
        body += `[pad]${eol}p = ${"P".repeat(Math.max(0, pad))}${eol}`;
        const text = `[dev]${eol}${body}[dev]${eol}k = 1${eol}[o3]${eol}`;
        const expected = errorOf(() => IniDocument.parse(text));
        const bytes = Buffer.from(text, "latin1");
        const path = join(folder, `w${n++}`);
        writeFileSync(path, bytes);
        const fd = openSync(path, "r");
        try {
          expect(
            errorOf(() => IniByteDocument.scanFile(fd, bytes.length)),
            `${target} ${shift} ${JSON.stringify(eol)}`,
          ).toBe(expected);
        } finally {
          closeSync(fd);
        }
        expect(expected).toMatch(/repeats/);
      }
    }
  }
});
it("only headers, colliding hashes, 1 MiB windows", () => {
  const names = Array.from({ length: 100000 }, (_, i) => `p${i * 19 + 2039599 - 19 * 50000}`);
  names.push("p2039599", "p2222382");
  for (const eol of ["\r"]) {
    for (const tail of ["", `[p2222382]${eol}`, `[p2039599]${eol}`]) {
      const unique = [...new Set(names)];
      const text = unique.map((name) => `[${name}]${eol}`).join("") + tail;
      const expected = errorOf(() => IniDocument.parse(text));
      const bytes = Buffer.from(text, "latin1");
      const path = join(folder, `h${eol.length}${tail.length}`);
      writeFileSync(path, bytes);
      const fd = openSync(path, "r");
      fds.push(fd);
      expect(errorOf(() => IniByteDocument.scanFile(fd, bytes.length))).toBe(expected);
      if (expected === "no error") expect(IniByteDocument.scanFile(fd, bytes.length).sectionNames()).toEqual(IniDocument.parse(text).sectionNames());
      else expect(expected).toMatch(/repeats/);
    }
  }
});

it('drops a byte-order mark saved as Latin-1 text ("ï»¿" in UTF-8) where the string parse does, and only there', () => {
  const mark = Buffer.from("\u00EF\u00BB\u00BF", "utf8");
  const files = [
    Buffer.concat([mark, Buffer.from("[a]\nk = 1\n")]), // dropped: the file is UTF-8
    Buffer.concat([mark, Buffer.from("[a]\nk = \xff\n", "latin1")]), // kept: the file is Latin-1, its first line "Ã¯Â»Â¿[a]"
    Buffer.concat([mark, Buffer.from("\n[a]\n")]),
  ];
  for (const bytes of files) {
    const text = bytes.toString(Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes) ? "utf8" : "latin1");
    const expected = errorOf(() => IniDocument.parse(text));
    const path = join(folder, `mark${n++}`);
    writeFileSync(path, bytes);
    const reads: Array<() => IniByteDocument> = [() => IniByteDocument.parse(bytes)];
    for (const chunk of [4, 5, 7, 1024])
      reads.push(() => {
        const fd = openSync(path, "r");
        fds.push(fd);
        return IniByteDocument.scanFile(fd, bytes.length, chunk);
      });
    for (const read of reads) {
      expect(errorOf(read)).toBe(expected);
      if (expected !== "no error") continue;
      const document = read();
      expect(document.sectionNames()).toEqual(["a"]);
      document.upsertSection("a", [["k", "2"]]);
      const string = IniDocument.parse(text);
      string.upsertSection("a", [["k", "2"]]);
      expect(Buffer.concat(document.chunks()).toString("utf8")).toBe(string.toString());
    }
  }
  expect(errorOf(() => IniDocument.parse(files[1]?.toString("latin1") ?? ""))).toBe("line 1: not a [section], a key = value line or a comment");
});
