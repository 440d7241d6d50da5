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
 *
 * Speed: `JSON.parse` (native) reads the value; one scan of the text then counts its keys and
 * notes where each object and array starts. Fewer keys in the value than in the text means a key
 * was repeated: only then (and for a syntax error, nesting near the limit, or an object with
 * array-index keys, which `JSON.parse` does not keep in text order) does the slower position-aware
 * parser run, for its message with both positions. Line and column are worked out only for the
 * nodes a finding points at.
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
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let value: unknown;
  try {
    value = JSON.parse(start === 0 ? text : text.slice(start));
  } catch {
    return parseJsonWithPositions(text); // it names the line and column of what is wrong
  }
  const structure = scanStructure(text, start);
  if (structure.deepest >= MAX_DEPTH) return parseJsonWithPositions(text);
  const keys = countKeys(value);
  if (keys === undefined || keys !== structure.keys) return parseJsonWithPositions(text);
  let offsets: Map<object, number> | undefined;
  let lineStarts: number[] | undefined;
  return {
    value,
    positionOf: (node) => {
      offsets ??= containerOffsets(value, structure.containers);
      const offset = offsets.get(node);
      if (offset === undefined) return undefined;
      lineStarts ??= computeLineStarts(text);
      return positionIn(lineStarts, offset);
    },
  };
}

/** What one pass over valid JSON text finds: its keys, where each container starts (text order), how deep they nest. */
interface Structure {
  readonly keys: number;
  readonly containers: readonly number[];
  readonly deepest: number;
}

/**
 * Only for text `JSON.parse` accepted: every `"` outside a string opens one, so a string ends at
 * the next `"` after an even number of backslashes, and no bracket inside a string is looked at.
 * A string followed by `:` is a key.
 */
function scanStructure(text: string, start: number): Structure {
  let keys = 0;
  let depth = 0;
  let deepest = 0;
  const containers: number[] = [];
  const length = text.length;
  for (let index = start; index < length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === 0x22) {
      let close = text.indexOf('"', index + 1);
      for (;;) {
        let backslashes = 0;
        while (text.charCodeAt(close - 1 - backslashes) === 0x5c) backslashes += 1;
        if (backslashes % 2 === 0) break;
        close = text.indexOf('"', close + 1);
      }
      // Never for text JSON.parse accepted; if it ever were, the careful parser decides.
      if (close < 0) return { keys: -1, containers, deepest: Number.POSITIVE_INFINITY };
      index = close;
      let after = close + 1;
      let next = text.charCodeAt(after);
      while (next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09) {
        after += 1;
        next = text.charCodeAt(after);
      }
      if (next === 0x3a) keys += 1;
    } else if (code === 0x7b || code === 0x5b) {
      containers.push(index);
      depth += 1;
      if (depth > deepest) deepest = depth;
    } else if (code === 0x7d || code === 0x5d) {
      depth -= 1;
    }
  }
  return { keys, containers, deepest };
}

/** A key JavaScript enumerates before the others ("0", "42"): an object holding one is not in text order. */
function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  if (first < 0x30 || first > 0x39) return false;
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && Number(key) < 4_294_967_295;
}

/** Every object's keys, counted; undefined when an object's keys are not in text order. The scan bounds the depth. */
function countKeys(node: unknown): number | undefined {
  if (node === null || typeof node !== "object") return 0;
  let count = 0;
  if (Array.isArray(node)) {
    for (const item of node as unknown[]) {
      const inner = countKeys(item);
      if (inner === undefined) return undefined;
      count += inner;
    }
    return count;
  }
  const record = node as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (isArrayIndex(key)) return undefined;
    const inner = countKeys(record[key]);
    if (inner === undefined) return undefined;
    count += 1 + inner;
  }
  return count;
}

/** Each object and array of `value` to where it starts: the pre-order of the value (keys as written) is the text's order. */
function containerOffsets(value: unknown, containers: readonly number[]): Map<object, number> {
  const offsets = new Map<object, number>();
  let next = 0;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== "object") return;
    const offset = containers[next];
    next += 1;
    if (offset !== undefined) offsets.set(node, offset);
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) visit(item);
    } else {
      const record = node as Record<string, unknown>;
      for (const key of Object.keys(record)) visit(record[key]);
    }
  };
  visit(value);
  return offsets;
}

/** The position-aware parser: the reference for {@link parseJson}, and what it falls back to. */
export function parseJsonWithPositions(text: string): ParsedJson {
  // Offsets, turned into line and column only when asked: most objects' positions are never needed.
  // A Map, not a WeakMap: it lives exactly as long as the parsed value, and hundreds of thousands of
  // ephemeron entries made garbage collection the largest cost of linting a very large policy.
  const offsets = new Map<object, number>();
  // Offsets where each line starts, built lazily: positions are needed only for objects and errors.
  let lineStarts: number[] | undefined;
  let index = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const positionAt = (offset: number): Position => {
    lineStarts ??= computeLineStarts(text);
    return positionIn(lineStarts, offset);
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

function positionIn(lineStarts: readonly number[], offset: number): Position {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((lineStarts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (lineStarts[low] ?? 0) + 1 };
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
