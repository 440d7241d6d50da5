/**
 * Just enough DER for what node:crypto does not expose: the certificate's keyUsage (RFC 5280
 * §4.2.1.3; X509Certificate.keyUsage is the *extended* key usage, which says nothing about
 * whether the key may make signatures), and the structure of a PKCS#12 bundle (./pkcs12.ts).
 */

export interface Tlv {
  readonly tag: number;
  /** Offset of the tag byte: the element, header included, is [offset, end). */
  readonly offset: number;
  /** Offset of the value's first byte. */
  readonly start: number;
  /** Offset just past the value. */
  readonly end: number;
}

export function readTlv(der: Uint8Array, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset] ?? 0;
  let length = der[offset + 1] ?? 0;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > limit) return undefined;
    length = 0;
    for (let index = 0; index < octets; index++) length = length * 256 + (der[start + index] ?? 0);
    start += octets;
  }
  const end = start + length;
  return end > limit ? undefined : { tag, offset, start, end };
}

export function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const found: Tlv[] = [];
  let offset = parent.start;
  while (offset < parent.end) {
    const child = readTlv(der, offset, parent.end);
    if (child === undefined) return found;
    found.push(child);
    offset = child.end;
  }
  return found;
}

/** 2.5.29.15 as DER object identifier content. */
const KEY_USAGE_OID = [0x55, 0x1d, 0x0f];
const SEQUENCE = 0x30;
const EXTENSIONS_TAG = 0xa3;
const OID = 0x06;
const OCTET_STRING = 0x04;
const BIT_STRING = 0x03;

/**
 * The keyUsage bits of a DER certificate, first byte first (0x80 = digitalSignature), or
 * undefined when the certificate has no keyUsage extension (any use is then allowed).
 */
export function keyUsageBits(der: Uint8Array): Uint8Array | undefined {
  const certificate = readTlv(der, 0, der.length);
  if (certificate?.tag !== SEQUENCE) return undefined;
  const [tbs] = children(der, certificate);
  if (tbs?.tag !== SEQUENCE) return undefined;
  const extensionsWrapper = children(der, tbs).find((child) => child.tag === EXTENSIONS_TAG);
  if (extensionsWrapper === undefined) return undefined;
  const [extensions] = children(der, extensionsWrapper);
  if (extensions?.tag !== SEQUENCE) return undefined;
  for (const extension of children(der, extensions)) {
    const [oid, ...rest] = children(der, extension);
    if (oid?.tag !== OID || oid.end - oid.start !== KEY_USAGE_OID.length) continue;
    if (!KEY_USAGE_OID.every((byte, index) => der[oid.start + index] === byte)) continue;
    const value = rest.find((child) => child.tag === OCTET_STRING);
    if (value === undefined) return new Uint8Array();
    const bits = readTlv(der, value.start, value.end);
    // The first content byte of a BIT STRING counts the unused bits; the flags follow.
    if (bits?.tag !== BIT_STRING || bits.end - bits.start < 1) return new Uint8Array();
    return der.slice(bits.start + 1, bits.end);
  }
  return undefined;
}

/** Does the certificate allow its key to sign (digitalSignature), as CreateSession needs? */
export function allowsDigitalSignature(der: Uint8Array): boolean {
  const bits = keyUsageBits(der);
  return bits === undefined || ((bits[0] ?? 0) & 0x80) !== 0;
}

/** A DER object identifier's content as dotted text: "1.2.840.113549.1.7.1". */
export function oidText(der: Uint8Array, oid: Tlv): string {
  const bytes = der.subarray(oid.start, oid.end);
  const first = bytes[0] ?? 0;
  const arcs = [Math.floor(first / 40), first % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join(".");
}
