/** Byte-array plumbing shared by the stores and the verified reader. */

/** The chunks copied into one new array of `total` bytes (their summed length). */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/**
 * The bytes as a view on a plain ArrayBuffer, as Blob parts and fetch bodies must be (a view on a
 * SharedArrayBuffer is copied; any other is passed through as it is).
 */
export function plainBytes(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}
