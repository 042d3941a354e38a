// ASCII lower case on bytes, for searches that ignore case: A-Z → a-z, every other byte kept. Only exact for
// ASCII text (batch-matchers.ts says which lines it may answer for).

/** A lower-cased copy of bytes that are all ASCII: four bytes at a time, with no carry between them. */
export function lowerAscii(bytes: Buffer): Buffer {
  // Zeroed and its own ArrayBuffer: aligned for 32-bit words, and the padding cannot carry into a byte.
  const out = Buffer.alloc((bytes.length + 3) & ~3);
  bytes.copy(out);
  const words = new Uint32Array(out.buffer, out.byteOffset, out.length >> 2);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    // A byte b < 0x80: b + 0x3f reaches 0x80 from 'A' (0x41) on, b + 0x25 from '[' (0x5b) on.
    const upper = (w + 0x3f3f3f3f) & ~(w + 0x25252525) & 0x80808080;
    words[i] = w | (upper >>> 2);
  }
  return out.subarray(0, bytes.length);
}

/** A copy with the ASCII capitals lower-cased, and which lines (ending at `ends`) hold a byte that is not ASCII. */
export function lowerAsciiLines(bytes: Buffer, ends: number[]): { lowered: Buffer; mixed: Uint8Array } {
  const lowered = Buffer.allocUnsafe(bytes.length);
  const mixed = new Uint8Array(ends.length);
  let at = 0;
  for (let line = 0; line < ends.length; line++) {
    let high = 0;
    for (const end = ends[line]; at < end; at++) {
      const b = bytes[at];
      high |= b;
      lowered[at] = b - 0x41 < 26 && b >= 0x41 ? b | 0x20 : b;
    }
    if (high & 0x80) mixed[line] = 1;
    if (at < bytes.length) lowered[at] = bytes[at++]; // the newline
  }
  return { lowered, mixed };
}
