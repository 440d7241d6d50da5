/**
 * The section names the byte scan of ini-bytes.ts finds, kept as their bytes until the scan ends
 * (issue 16, sixth round). A 50,000-profile credentials file has 50,000 headers: a string and a
 * Map entry made for each while the scan runs cost more than the rest of the header's reading
 * (in a fresh process, mostly before V8 has optimised the scan), and a scavenge or two. Here each
 * name is copied into one Buffer, and a repeat is found by a hash of its bytes in an open-addressed
 * table of positions; the strings are made once, at the end, from one decode of that Buffer.
 *
 * Only names the scan read from their bytes (ASCII: see ini-bytes.ts) are compared here; a name
 * the classifier read itself (a decoded header line) was compared by the classifier, which is
 * handed every name before it reads a line.
 */

const LINE_FEED = 0x0a;
const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
const PROTO = Buffer.from("__proto__", "latin1");
const UNDERSCORE = 0x5f;
const ASCII_TEXT = /^[\u0000-\u007f]*$/;

/** FNV-1a of bytes [start, end). */
function hashOf(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let at = start; at < end; at += 1) hash = Math.imul(hash ^ (bytes[at] ?? 0), FNV_PRIME);
  return hash;
}

function sameBytes(bytes: Uint8Array, start: number, other: Uint8Array, otherStart: number, length: number): boolean {
  for (let offset = 0; offset < length; offset += 1) if (bytes[start + offset] !== other[otherStart + offset]) return false;
  return true;
}

function grown(array: Int32Array<ArrayBuffer>, least: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(Math.max(least, array.length * 2));
  larger.set(array);
  return larger;
}

/**
 * The first sizes are small on purpose: each store grows within the first few sections, so the
 * code that grows them has run (and told V8 what it does) before the scan's loop is optimised; a
 * first growth after that would throw the optimised loop away and have it compiled again.
 */
const FIRST_CAPACITY = 4;

export class SectionNames {
  #count = 0;
  /** Each name's bytes followed by a \n (a name never holds one: lines end there), in file order. */
  #bytes: Buffer = Buffer.allocUnsafe(FIRST_CAPACITY * 8);
  /** Where name N starts in #bytes; entry #count is where the next one will. */
  #offsets = new Int32Array(FIRST_CAPACITY);
  #hashes = new Int32Array(FIRST_CAPACITY);
  /** Open addressing, linear probing: position + 1 of a name in each used slot, 0 in a free one. */
  #table = new Int32Array(FIRST_CAPACITY * 2);
  /** Names that are not ASCII, as the classifier decoded them, by position (their bytes here are none). */
  readonly #decoded = new Map<number, string>();
  #list: string[] | undefined;

  get count(): number {
    return this.#count;
  }

  /**
   * Lists the ASCII name in bytes [start, end) and returns true, unless it is listed already or
   * is `__proto__` (false: the classifier refuses the line, in its own words).
   */
  addBytes(bytes: Buffer, start: number, end: number): boolean {
    const length = end - start;
    const hash = hashOf(bytes, start, end);
    if (this.#find(bytes, start, length, hash)) return false;
    // The first byte is read for every name: a check first run 10,000 names in (a 9-byte org-10000)
    // would throw the optimised scan away and have it compiled again.
    if (bytes[start] === UNDERSCORE && length === PROTO.length && sameBytes(bytes, start, PROTO, 0, length)) return false;
    this.#append(bytes, start, length, hash);
    return true;
  }

  /** Lists a name the classifier read (and compared with every name before it). */
  addDecoded(name: string): void {
    if (ASCII_TEXT.test(name)) {
      // An ASCII name is compared with the names the scan reads from their bytes after it.
      const bytes = Buffer.from(name, "latin1");
      this.#append(bytes, 0, bytes.length, hashOf(bytes, 0, bytes.length));
      return;
    }
    this.#decoded.set(this.#count, name);
    this.#append(Buffer.alloc(0), 0, 0, undefined);
  }

  /** The name at `position` as a string. */
  at(position: number): string {
    const offsets = this.#offsets;
    return this.#decoded.get(position) ?? this.#bytes.toString("latin1", offsets[position] ?? 0, (offsets[position + 1] ?? 1) - 1);
  }

  /** Every name, in file order: made once, from one decode. */
  list(): string[] {
    if (this.#list !== undefined) return this.#list;
    const list = this.#count === 0 ? [] : this.#bytes.toString("latin1", 0, (this.#offsets[this.#count] ?? 1) - 1).split("\n");
    for (const [position, name] of this.#decoded) list[position] = name;
    this.#list = list;
    return list;
  }

  #find(bytes: Buffer, start: number, length: number, hash: number): boolean {
    const table = this.#table;
    const mask = table.length - 1;
    const names = this.#bytes;
    const offsets = this.#offsets;
    const hashes = this.#hashes;
    for (let slot = (hash ^ (hash >>> 15)) & mask; ; slot = (slot + 1) & mask) {
      const entry = table[slot] ?? 0;
      if (entry === 0) return false;
      const position = entry - 1;
      const offset = offsets[position] ?? 0;
      if (hashes[position] === hash && (offsets[position + 1] ?? 0) - 1 - offset === length && sameBytes(bytes, start, names, offset, length)) return true;
    }
  }

  /** `hash` undefined: a name only listed, never compared here. */
  #append(bytes: Uint8Array, start: number, length: number, hash: number | undefined): void {
    const position = this.#count;
    if (position + 2 > this.#offsets.length) {
      this.#offsets = grown(this.#offsets, position + 2);
      this.#hashes = grown(this.#hashes, position + 2);
    }
    const offset = this.#offsets[position] ?? 0;
    if (offset + length + 1 > this.#bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(offset + length + 1, this.#bytes.length * 2));
      this.#bytes.copy(larger, 0, 0, offset);
      this.#bytes = larger;
    }
    const names = this.#bytes;
    for (let at = 0; at < length; at += 1) names[offset + at] = bytes[start + at] ?? 0;
    names[offset + length] = LINE_FEED;
    this.#offsets[position + 1] = offset + length + 1;
    this.#count = position + 1;
    this.#list = undefined;
    if (hash === undefined) return;
    this.#hashes[position] = hash;
    if ((position + 1) * 2 > this.#table.length) this.#rehash(this.#table.length * 2);
    this.#insert(position, hash);
  }

  #insert(position: number, hash: number): void {
    const table = this.#table;
    const mask = table.length - 1;
    let slot = (hash ^ (hash >>> 15)) & mask;
    while ((table[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
    table[slot] = position + 1;
  }

  /** A table of `size` slots with every hashed name in it (a name only listed has no slot: its hash was never set). */
  #rehash(size: number): void {
    const old = this.#table;
    this.#table = new Int32Array(size);
    for (const entry of old) if (entry !== 0) this.#insert(entry - 1, this.#hashes[entry - 1] ?? 0);
  }
}
