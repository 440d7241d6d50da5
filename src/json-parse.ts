/**
 * A strict JSON parser (RFC 8259) that also remembers where every object and array starts, so a
 * finding can point at `file:line:column` of the statement it is about and a syntax error can
 * name its line and column. `JSON.parse` gives neither.
 *
 * Positions are 1-based; columns count UTF-16 code units, as editors and SARIF's default
 * `columnKind` do. A leading byte-order mark is skipped (Windows editors write one).
 *
 * A key repeated in one object is an error, not "the last one wins" as `JSON.parse` has it: in a
 * policy `"Effect": "Allow", …, "Effect": "Deny"` means whatever the reader decides, and IAM
 * refuses it ("Individual elements must not contain multiple instances of the same key", Grammar
 * of the IAM JSON policy language). Everything rolecred parses with this module is a policy or
 * holds one.
 */

export interface Position {
  readonly line: number;
  readonly column: number;
}

export interface ParsedJson {
  readonly value: unknown;
  /** Where an object or array of `value` starts (its `{` or `[`). */
  readonly positionOf: (node: object) => Position | undefined;
}

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: Position,
  ) {
    super(`${reason} at line ${position.line} column ${position.column}`);
    this.name = "JsonSyntaxError";
  }
}

/** A key given twice in one object; `position` is the second one's, `firstPosition` the first's. */
export class JsonDuplicateKeyError extends JsonSyntaxError {
  constructor(
    readonly key: string,
    position: Position,
    readonly firstPosition: Position,
  ) {
    super(`duplicate key ${JSON.stringify(key)} (first at line ${firstPosition.line} column ${firstPosition.column})`, position);
    this.name = "JsonDuplicateKeyError";
  }
}

/** Nesting deeper than this is no policy; refusing it keeps a hostile file from overflowing the stack. */
const MAX_DEPTH = 512;

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseJson(text: string): ParsedJson {
  // Offsets, turned into line and column only when asked: most objects' positions are never needed.
  // A Map, not a WeakMap: it lives exactly as long as the parsed value, and hundreds of thousands of
  // ephemeron entries made garbage collection the largest cost of linting a very large policy.
  const offsets = new Map<object, number>();
  // Offsets where each line starts, built lazily: positions are needed only for objects and errors.
  let lineStarts: number[] | undefined;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const positionAt = (offset: number): Position => {
    lineStarts ??= computeLineStarts(text);
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
  };

  const fail = (reason: string, offset = index): never => {
    throw new JsonSyntaxError(reason, positionAt(offset));
  };

  const describeHere = (): string => {
    if (index >= text.length) return "unexpected end of input";
    const char = text[index] ?? "";
    return `unexpected ${/[\u0000-\u001f]/.test(char) ? `control character U+${char.charCodeAt(0).toString(16).padStart(4, "0")}` : `"${char}"`}`;
  };

  const skipWhitespace = (): void => {
    while (index < text.length) {
      const code = text.charCodeAt(index);
      if (code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09) index += 1;
      else break;
    }
  };

  const parseString = (): string => {
    const start = index;
    index += 1; // opening quote
    let result = "";
    let chunkStart = index;
    for (;;) {
      if (index >= text.length) fail("unterminated string", start);
      const code = text.charCodeAt(index);
      if (code === 0x22) {
        result += text.slice(chunkStart, index);
        index += 1;
        return result;
      }
      if (code < 0x20) fail(`${describeHere()} in a string (escape it)`);
      if (code === 0x5c) {
        result += text.slice(chunkStart, index);
        const escape = text[index + 1] ?? "";
        if (escape === "u") {
          const hex = text.slice(index + 2, index + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("invalid \\u escape", index);
          result += String.fromCharCode(Number.parseInt(hex, 16));
          index += 6;
        } else {
          const replacement = ESCAPES[escape];
          if (replacement === undefined) fail(`invalid escape "\\${escape}"`, index);
          result += replacement;
          index += 2;
        }
        chunkStart = index;
        continue;
      }
      index += 1;
    }
  };

  const parseNumber = (): number => {
    NUMBER.lastIndex = index;
    const match = NUMBER.exec(text);
    if (match === null) return fail(describeHere());
    index += match[0].length;
    return Number(match[0]);
  };

  const parseLiteral = (word: string, value: unknown): unknown => {
    if (!text.startsWith(word, index)) fail(describeHere());
    index += word.length;
    return value;
  };

  const parseValue = (depth: number): unknown => {
    skipWhitespace();
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const char = text[index];
    switch (char) {
      case "{":
        return parseObject(depth);
      case "[":
        return parseArray(depth);
      case '"':
        return parseString();
      case "t":
        return parseLiteral("true", true);
      case "f":
        return parseLiteral("false", false);
      case "n":
        return parseLiteral("null", null);
      default:
        if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) return parseNumber();
        return fail(describeHere());
    }
  };

  const parseObject = (depth: number): Record<string, unknown> => {
    const result: Record<string, unknown> = {};
    const objectStart = index;
    offsets.set(result, index);
    index += 1;
    skipWhitespace();
    if (text[index] === "}") {
      index += 1;
      return result;
    }
    for (;;) {
      skipWhitespace();
      if (text[index] !== '"') fail(`${describeHere()}, expected a property name in double quotes`);
      const keyOffset = index;
      const key = parseString();
      if (Object.hasOwn(result, key)) {
        throw new JsonDuplicateKeyError(key, positionAt(keyOffset), positionAt(firstKeyOffset(objectStart, key, depth)));
      }
      skipWhitespace();
      if (text[index] !== ":") fail(`${describeHere()}, expected ":" after property name`);
      index += 1;
      const value = parseValue(depth + 1);
      // A "__proto__" key is data here, not the object's prototype.
      if (key === "__proto__") Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      else result[key] = value;
      skipWhitespace();
      const next = text[index];
      index += 1;
      if (next === "}") return result;
      if (next !== ",") fail(`${index > text.length ? "unexpected end of input" : `unexpected "${next}"`}, expected "," or "}"`, index - 1);
    }
  };

  /**
   * Where `key` first appears in the object starting at `objectStart`: read again only when a key
   * repeats, so the common case keeps no table of key offsets.
   */
  const firstKeyOffset = (objectStart: number, key: string, depth: number): number => {
    index = objectStart + 1;
    for (;;) {
      skipWhitespace();
      const offset = index;
      if (parseString() === key) return offset;
      skipWhitespace();
      index += 1; // ":"
      parseValue(depth + 1);
      skipWhitespace();
      index += 1; // ","
    }
  };

  const parseArray = (depth: number): unknown[] => {
    const result: unknown[] = [];
    offsets.set(result, index);
    index += 1;
    skipWhitespace();
    if (text[index] === "]") {
      index += 1;
      return result;
    }
    for (;;) {
      result.push(parseValue(depth + 1));
      skipWhitespace();
      const next = text[index];
      index += 1;
      if (next === "]") return result;
      if (next !== ",") fail(`${index > text.length ? "unexpected end of input" : `unexpected "${next}"`}, expected "," or "]"`, index - 1);
    }
  };

  const value = parseValue(0);
  skipWhitespace();
  if (index < text.length) fail(`${describeHere()} after the end of the JSON value`);
  return {
    value,
    positionOf: (node) => {
      const offset = offsets.get(node);
      return offset === undefined ? undefined : positionAt(offset);
    },
  };
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let offset = 0; offset < text.length; offset += 1) {
    const code = text.charCodeAt(offset);
    if (code === 0x0a) starts.push(offset + 1);
    else if (code === 0x0d && text.charCodeAt(offset + 1) !== 0x0a) starts.push(offset + 1);
  }
  return starts;
}
