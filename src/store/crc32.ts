/**
 * zlib's CRC-32, loaded at its first use: node:zlib is not on the warm `process`/`env`/`assume`
 * path's way (the bundles' top-level requires), so no module the warm path holds imports it.
 * Shared by the writer's remembered scan (remembered-scan.ts, scan-blocks.ts) and the listing's
 * blocks (section-blocks.ts).
 */

/** zlib.crc32: the CRC-32 of `data`, continued from `value`. */
export type Crc32 = (data: Uint8Array, value?: number) => number;

export function loadCrc32(): Crc32 {
  // Not import(): that starts the ES module loader in the bundled fast path (≈ 5 ms of a fresh process).
  return process.getBuiltinModule("node:zlib").crc32;
}
