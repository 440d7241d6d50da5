import { describe, expect, it } from "vitest";
import { readIniSections } from "../../src/store/ini-document.js";
import { scanSectionSettings, SectionSettingsScanner, type WantedSettings } from "../../src/store/section-settings.js";

const WANTED: WantedSettings = new Map([
  ["role_arn", "value"],
  ["region", "value"],
  ["x_rolecred_managed", "value"],
  ["aws_session_token", "presence"],
  ["aws_access_key_id", "presence"],
  ["sso_start_url", "presence"],
]);

/** What the whole tolerant parse gives for the wanted keys: per section in its order, each key's value, null (present) or absent. */
function fromWholeParse(bytes: Buffer): Array<[string, Record<string, string | null>]> {
  return [...readIniSections(bytes.toString("utf8"))].map(([name, settings]) => [
    name,
    Object.fromEntries([...WANTED].filter(([key]) => settings.has(key)).map(([key, mode]) => [key, mode === "value" ? (settings.get(key) ?? "") : null])),
  ]);
}

function fromScan(sections: ReadonlyMap<string, { get(key: string): string | null | undefined }>): Array<[string, Record<string, string | null>]> {
  return [...sections].map(([name, settings]) => [
    name,
    Object.fromEntries(
      [...WANTED.keys()].flatMap((key) => {
        const value = settings.get(key);
        return value === undefined ? [] : [[key, value]];
      }),
    ),
  ]);
}

function agrees(text: string | Buffer): void {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  expect(fromScan(scanSectionSettings(bytes, WANTED))).toEqual(fromWholeParse(bytes));
}

describe(scanSectionSettings.name, () => {
  it("reads the wanted keys of every section, merging repeated sections with the later value winning", () => {
    const text = "[a]\nrole_arn = one\nregion=eu\n[b]\naws_session_token = t\n[a]\nrole_arn = two\nother = x\n";
    const sections = scanSectionSettings(Buffer.from(text), WANTED);
    expect([...sections.keys()]).toEqual(["a", "b"]);
    expect(sections.get("a")?.get("role_arn")).toBe("two");
    expect(sections.get("a")?.get("region")).toBe("eu");
    expect(sections.get("a")?.has("other")).toBe(false);
    // A key asked for by presence is present, its value not read.
    expect(sections.get("b")?.get("aws_session_token")).toBeNull();
    expect(sections.get("b")?.has("aws_session_token")).toBe(true);
    agrees(text);
  });

  it("names keys as the parse does: case folded, trimmed of any space, `:` or `=` whichever is first", () => {
    agrees(
      "[a]\nROLE_ARN = upper\nRegion\t= tabbed\nx_rolecred_managed: true\nrole_arn : a=b\n[b]\nrole_arn\u00a0= nbsp\n\u212Aeys = kelvin\nregion = \u00a0 spaced \u3000\n",
    );
    agrees("[a]\nrole arn = spaced key\nrole_arn= = double\naws_session_token\n");
  });

  it("leaves continuation lines to their parent key and reads an indented key after a header", () => {
    agrees("[a]\ns3 =\n  role_arn = nested\n  region = nested\n[b]\n  role_arn = indented\n\tregion = tab\n[c]\nx = 1\n  [d]\nrole_arn = still c\n");
    agrees("[rolecred]\naccount_aliases =\n  111122223333 = sandbox\n  [dev]\n[dev]\nregion = x\n");
  });

  it("ignores what the parse refuses: keys before any section, bad headers, lines without a delimiter", () => {
    agrees(
      "role_arn = early\n[ a ]\nregion = after a bad header\n[]\n[__proto__]\nrole_arn = p\n[ok]\njunk line\nregion = r\n[x] trailing\nrole_arn = [x] trailing's\n",
    );
  });

  it("reads CRLF, lone CR, a BOM (as a character, or its bytes saved as Latin-1 text) and comments", () => {
    agrees("\uFEFF[a]\r\nrole_arn = crlf\r\n; comment\r\n# [b]\r\n[b]\rregion = cr\r\r\n[c] ; note\nregion = c\n");
    agrees("\u00EF\u00BB\u00BF[a]\nregion = latin1 bom\n");
    agrees("[a]\nregion = no newline at the end");
  });

  it("reads bytes that are not UTF-8 as the parse decodes them", () => {
    agrees(
      Buffer.from([
        ...Buffer.from("[caf"),
        0xe9,
        ...Buffer.from("]\nregion = "),
        0xff,
        0xfe,
        ...Buffer.from("\nrole_arn"),
        0xc3,
        ...Buffer.from(" = x\n[ok]\nregion = y\n"),
      ]),
    );
  });

  it("gives the same answer when the file comes in pieces of whole lines", () => {
    const text = "[a]\r\nrole_arn = one\r\n[b]\nregion = two\n  [c]\nregion = three\n[c]\nregion = four\n";
    const scanner = new SectionSettingsScanner(WANTED);
    const bytes = Buffer.from(text);
    const cut = text.indexOf("[b]");
    scanner.scan(bytes.subarray(0, cut));
    scanner.scan(bytes.subarray(cut));
    expect(fromScan(scanner.sections)).toEqual(fromWholeParse(bytes));
  });

  it("refuses a wanted key the scan could not see as a key of its own", () => {
    expect(() => scanSectionSettings(Buffer.from("[a]\n"), new Map([["s3.max_concurrent_requests", "value"]]))).toThrow(/dot/);
    expect(() => scanSectionSettings(Buffer.from("[a]\n"), new Map([["Region", "value"]]))).toThrow();
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
      "role_arn = 1",
      "ROLE_ARN = 2",
      "region:3",
      "region =",
      "  region = 4",
      "  y = 5",
      "aws_session_token = t",
      "x_rolecred_managed = true",
      "sso_start_url",
      "# [a]",
      "; c",
      "",
      "   ",
      "é = [",
      "[é]",
      "[c[d]",
      "k = [a]",
      "[__proto__]",
      "\u00a0[b]",
      "\u00a0region = 6",
    ];
    const endings = ["\n", "\r\n", "\r"];
    let seed = 11;
    const random = (below: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % below;
    };
    for (let file = 0; file < 2000; file++) {
      const lines = Array.from({ length: 1 + random(14) }, () => pieces[random(pieces.length)] ?? "");
      const ending = endings[random(endings.length)] ?? "\n";
      agrees((random(5) === 0 ? "\uFEFF" : "") + lines.join(ending) + (random(2) === 0 ? ending : ""));
    }
  });
});
