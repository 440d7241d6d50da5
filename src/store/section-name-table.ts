/**
 * The section names of a scanned credentials file, kept as bytes: 50,000 headers cost a hash and a
 * copy of their bytes each, not a string and a Map entry each. A name becomes a string only when it
 * is asked for (a write asks for one or two; a listing asks for all, once).
 *
 * Names read from the bytes by the scan's own fast path are ASCII (it leaves any other header to
 * the classifier); a name the classifier decoded is stored the same way when it is ASCII, and in a
 * Map of its own otherwise, so a name is found under one key whichever path read it. Equal hashes
 * are compared byte by byte: two names that hash alike are still two sections.
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a over bytes [start, end): exported so a test can find two names that collide. */
export function hashNameBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let at = start; at < end; at += 1) hash = Math.imul(hash ^ (bytes[at] ?? 0), FNV_PRIME);
  return hash >>> 0;
}

const ASCII_TEXT = /^[\u0000-\u007f]*$/;

export class SectionNameTable {
  /** The ASCII names' bytes, one after the other; name i is [#starts[i], #starts[i] + #lengths[i]). */
  // Small to start with, so that growing runs (and is seen by the optimizing compiler) on the
  // first few headers: a path first taken in optimized code throws that code away.
  #arena = Buffer.allocUnsafe(16);
  #arenaUsed = 0;
  #starts = new Int32Array(2);
  #lengths = new Int32Array(2);
  #hashes = new Uint32Array(2);
  /** Open addressing: index + 1 of the name in each slot, 0 for an empty slot; the size a power of 2, at most half full. */
  #slots = new Int32Array(4);
  #count = 0;
  /** Names decoded so far (and every non-ASCII name, which has no bytes in the arena). */
  readonly #text: (string | undefined)[] = [];
  readonly #nonAscii = new Map<string, number>();

  get count(): number {
    return this.#count;
  }

  /**
   * Add the ASCII name in bytes [start, end) as the next section; returns the index of an equal
   * name added before (and adds nothing), or -1.
   */
  addBytes(bytes: Uint8Array, start: number, end: number): number {
    const hash = hashNameBytes(bytes, start, end);
    const length = end - start;
    const mask = this.#slots.length - 1;
    let slot = hash & mask;
    for (let entry = this.#slots[slot] ?? 0; entry !== 0; entry = this.#slots[slot] ?? 0) {
      const index = entry - 1;
      if (this.#hashes[index] === hash && this.#lengths[index] === length && this.#sameBytes(index, bytes, start)) return index;
      slot = (slot + 1) & mask;
    }
    const index = this.#count;
    this.#reserve(length);
    const arena = this.#arena;
    for (let offset = 0; offset < length; offset += 1) arena[this.#arenaUsed + offset] = bytes[start + offset] ?? 0;
    this.#starts[index] = this.#arenaUsed;
    this.#lengths[index] = length;
    this.#hashes[index] = hash;
    this.#arenaUsed += length;
    this.#slots[slot] = index + 1;
    this.#count += 1;
    if (this.#count * 2 > this.#slots.length) this.#rehash();
    return -1;
  }

  /** {@link addBytes} for a name the classifier decoded. */
  addText(name: string): number {
    if (ASCII_TEXT.test(name)) {
      const index = this.addBytes(Buffer.from(name, "latin1"), 0, name.length);
      if (index === -1) this.#text[this.#count - 1] = name;
      return index;
    }
    const earlier = this.#nonAscii.get(name);
    if (earlier !== undefined) return earlier;
    const index = this.#count;
    this.#reserve(0);
    this.#starts[index] = this.#arenaUsed;
    this.#lengths[index] = -1; // never equal to an ASCII name's length
    this.#nonAscii.set(name, index);
    this.#text[index] = name;
    this.#count += 1;
    return -1;
  }

  /** The index of section `name`, or undefined. */
  indexOf(name: string): number | undefined {
    if (!ASCII_TEXT.test(name)) return this.#nonAscii.get(name);
    const bytes = Buffer.from(name, "latin1");
    const hash = hashNameBytes(bytes, 0, bytes.length);
    const mask = this.#slots.length - 1;
    for (let slot = hash & mask, entry = this.#slots[slot] ?? 0; entry !== 0; slot = (slot + 1) & mask, entry = this.#slots[slot] ?? 0) {
      const index = entry - 1;
      if (this.#hashes[index] === hash && this.#lengths[index] === bytes.length && this.#sameBytes(index, bytes, 0)) return index;
    }
    return undefined;
  }

  /** Name `index` as a string, decoded once. */
  name(index: number): string {
    let text = this.#text[index];
    if (text === undefined) {
      const start = this.#starts[index] ?? 0;
      text = this.#arena.toString("latin1", start, start + (this.#lengths[index] ?? 0));
      this.#text[index] = text;
    }
    return text;
  }

  /** Every name, in the order added. */
  names(): string[] {
    const names: string[] = [];
    for (let index = 0; index < this.#count; index += 1) names.push(this.name(index));
    return names;
  }

  #sameBytes(index: number, bytes: Uint8Array, start: number): boolean {
    const arena = this.#arena;
    const at = this.#starts[index] ?? 0;
    const length = this.#lengths[index] ?? 0;
    for (let offset = 0; offset < length; offset += 1) if (arena[at + offset] !== bytes[start + offset]) return false;
    return true;
  }

  /** Room for one more name of `length` bytes. */
  #reserve(length: number): void {
    if (this.#arenaUsed + length > this.#arena.length) {
      const arena = Buffer.allocUnsafe(Math.max(this.#arena.length * 2, this.#arenaUsed + length));
      this.#arena.copy(arena, 0, 0, this.#arenaUsed);
      this.#arena = arena;
    }
    if (this.#count === this.#starts.length) {
      const size = this.#starts.length * 2;
      this.#starts = grown(this.#starts, new Int32Array(size));
      this.#lengths = grown(this.#lengths, new Int32Array(size));
      this.#hashes = grown(this.#hashes, new Uint32Array(size));
    }
  }

  /** A table 4 times as large (fewer rehashes of a growing file), every ASCII name placed again. */
  #rehash(): void {
    const slots = new Int32Array(this.#slots.length * 4);
    const mask = slots.length - 1;
    const lengths = this.#lengths;
    const hashes = this.#hashes;
    for (let index = 0; index < this.#count; index += 1) {
      if ((lengths[index] ?? 0) < 0) continue; // non-ASCII: in the Map
      let slot = (hashes[index] ?? 0) & mask;
      while ((slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      slots[slot] = index + 1;
    }
    this.#slots = slots;
  }
}

function grown<T extends Int32Array | Uint32Array>(old: T, into: T): T {
  into.set(old);
  return into;
}
