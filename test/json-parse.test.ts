import { describe, expect, it } from "vitest";
import { JsonDuplicateKeyError, JsonSyntaxError, parseJson, parseJsonWithPositions } from "../src/json-parse.js";

describe(parseJson.name, () => {
  it.each([
    ['{"a": [1, -2.5e3, true, false, null], "b": "x\\u00e9\\n\\"y\\""}', { a: [1, -2500, true, false, null], b: 'xé\n"y"' }],
    ["[]", []],
    ['  "text"  ', "text"],
    ["\uFEFF{}", {}],
  ])("reads %s as JSON.parse does", (text, value) => {
    expect(parseJson(text).value).toEqual(value);
  });

  it("agrees with JSON.parse on a larger document", () => {
    const value = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: ["arn:aws:iam::111111111111:root"] },
          Action: "sts:AssumeRole",
          Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
        },
      ],
    };
    const text = JSON.stringify(value, null, 4);
    expect(parseJson(text).value).toEqual(JSON.parse(text));
  });

  it("keeps __proto__ as data", () => {
    const value = parseJson('{"__proto__": {"polluted": true}}').value as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("remembers where objects and arrays start", () => {
    const parsed = parseJson('{\n  "Statement": [\n    {"Effect": "Allow"},\r\n\t{"Effect": "Deny"}\n  ]\n}');
    const root = parsed.value as { Statement: object[] };
    expect(parsed.positionOf(root)).toEqual({ line: 1, column: 1 });
    expect(parsed.positionOf(root.Statement)).toEqual({ line: 2, column: 16 });
    expect(root.Statement.map((statement) => parsed.positionOf(statement))).toEqual([
      { line: 3, column: 5 },
      { line: 4, column: 2 },
    ]);
  });

  it.each([
    ["", "unexpected end of input", 1, 1],
    ['{"a": 1,}', 'unexpected "}", expected a property name in double quotes', 1, 9],
    ['{\n  "a": 1\n  "b": 2\n}', 'unexpected """, expected "," or "}"', 3, 3],
    ["[1, 2", 'unexpected end of input, expected "," or "]"', 1, 6],
    ["{'a': 1}", `unexpected "'", expected a property name in double quotes`, 1, 2],
    ['{"a": tru}', 'unexpected "t"', 1, 7],
    ['"abc', "unterminated string", 1, 1],
    ['"a\\x"', 'invalid escape "\\x"', 1, 3],
    ['"a\nb"', "unexpected control character U+000a in a string (escape it)", 1, 3],
    ["{} {}", 'unexpected "{" after the end of the JSON value', 1, 4],
    ["01", 'unexpected "1" after the end of the JSON value', 1, 2],
    ["-", 'unexpected "-"', 1, 1],
  ])("refuses %j: %s at %i:%i", (text, reason, line, column) => {
    let caught: unknown;
    try {
      parseJson(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JsonSyntaxError);
    expect(caught).toMatchObject({ reason, position: { line, column } });
  });

  it("refuses absurd nesting instead of overflowing the stack", () => {
    expect(() => parseJson("[".repeat(100_000))).toThrow(/nesting deeper than/);
  });
});

describe("duplicate keys", () => {
  it("refuses a key given twice in one object, naming both places", () => {
    const text = '{\n  "Statement": {\n    "Effect": "Allow",\n    "Action": "s3:*",\n    "Effect": "Deny"\n  }\n}';
    let caught: unknown;
    try {
      parseJson(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(JsonDuplicateKeyError);
    expect(caught).toMatchObject({ key: "Effect", position: { line: 5, column: 5 }, firstPosition: { line: 3, column: 5 } });
    expect((caught as Error).message).toBe('duplicate key "Effect" (first at line 3 column 5) at line 5 column 5');
  });

  it("finds the first one after nested values, and keys that differ only after escaping", () => {
    expect(() => parseJson('{"a": {"b": [1, {"c": 2}]}, "x": 1, "\\u0061": 3}')).toThrow('duplicate key "a" (first at line 1 column 2) at line 1 column 37');
  });

  it("the same key in different objects is fine", () => {
    expect(parseJson('[{"Effect": "Allow"}, {"Effect": "Deny", "Sub": {"Effect": 1}}]').value).toHaveLength(2);
  });
});

/**
 * parseJson reads with JSON.parse and a scan of the text, and falls back to the position-aware
 * parser only for errors, repeated keys, deep nesting and array-index keys: on every input it must
 * give what the position-aware parser gives (value, every object's position, the same error).
 */
describe("parseJson agrees with the position-aware parser", () => {
  type Outcome = { value: unknown; positions: unknown[] } | { error: string; name: string };

  function outcome(parse: (text: string) => ReturnType<typeof parseJson>, text: string): Outcome {
    let parsed;
    try {
      parsed = parse(text);
    } catch (error) {
      if (!(error instanceof JsonSyntaxError)) throw error;
      return { error: error.message, name: error.name };
    }
    const positions: unknown[] = [];
    const visit = (node: unknown): void => {
      if (node === null || typeof node !== "object") return;
      positions.push(parsed.positionOf(node));
      if (Array.isArray(node)) for (const item of node as unknown[]) visit(item);
      else for (const key of Object.keys(node)) visit((node as Record<string, unknown>)[key]);
    };
    visit(parsed.value);
    return { value: parsed.value, positions };
  }

  const deep = (levels: number): string => `${"[".repeat(levels)}1${"]".repeat(levels)}`;

  it.each([
    [
      "a policy with CRLF and tabs",
      '{\r\n\t"Statement": [\r\n\t\t{"Effect": "Allow", "Principal": {"AWS": ["a", "b"]}},\r\n\t\t{"Effect": "Deny"}\r\n\t]\r\n}',
    ],
    ["a byte-order mark", '\uFEFF{"a": {"b": [{}]}}'],
    ["brackets, colons and quotes inside strings", '{"s": "[{\\"k\\": 1}]", "t": "a:b", "u": "{", "v": [":", "]"]}'],
    ["escaped backslashes before a closing quote", '{"a\\\\": {"b\\\\\\"c": ["x\\\\", {"d": "\\\\\\\\"}]}}'],
    ["a key spaced from its colon", '{"a"  \n :  {"b"\t:[ ]} }'],
    ["a __proto__ key", '{"__proto__": {"x": [1]}, "y": {}}'],
    ["array-index keys (JSON.parse reorders them)", '{"b": {"z": []}, "1": [{}], "0": {"q": {}}}'],
    ["a top-level string", '  "text"  '],
    ["empty containers", '[{}, [], {"a": []}]'],
    ["a repeated key", '{"Effect": "Allow",\n "Effect": "Deny"}'],
    ["a repeated key deep inside", '{"Statement": [{"Condition": {"Bool": {"k": "true", "k": "false"}}}]}'],
    ["a repeated __proto__ key", '{"__proto__": 1, "__proto__": 2}'],
    ["a trailing comma", '{"a": [1, 2,]}'],
    ["a control character in a string", '{"a": "x\ty"}'],
    ["nesting at the limit", deep(511)],
    ["nesting past the limit", deep(600)],
    ["nothing", ""],
  ])("%s", (_, text) => {
    expect(outcome(parseJson, text)).toEqual(outcome(parseJsonWithPositions, text));
  });

  it("a generated corpus of policies: same values and positions", () => {
    for (let index = 0; index < 200; index += 1) {
      const statement = {
        Sid: `S${index}`,
        Effect: index % 3 === 0 ? "Deny" : "Allow",
        Principal: { AWS: [`arn:aws:iam::${index}:root`, '\\"quoted\\"'] },
        Condition: { StringLike: { "k:[x]": ["{", "\\"] } },
      };
      const text = JSON.stringify({ Version: "2012-10-17", Statement: [statement, { ...statement, Sid: "" }] }, null, index % 4);
      expect(outcome(parseJson, text)).toEqual(outcome(parseJsonWithPositions, text));
    }
  });
});
