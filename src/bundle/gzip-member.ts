/**
 * One gzip member for a chunk of archive input; runs in the compression workers.
 *
 * Incompressible input (already-compressed or random files) costs CPU at any level and gains
 * nothing. A member whose first 64 KiB do not shrink by 2% at level 1 is written as stored deflate
 * blocks directly (a copy and a CRC-32), which is what deflate would emit for it anyway, at memory
 * speed. The rule looks only at the bytes, so the output stays reproducible.
 */

export type Gzip = (input: Uint8Array, level?: number) => Uint8Array;

const CRC_TABLE = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++)
    for (let k = 1; k < 8; k++) t[k * 256 + n] = ((t[(k - 1) * 256 + n] as number) >>> 8) ^ (t[(t[(k - 1) * 256 + n] as number) & 0xff] as number);
  return t;
})();

/** CRC-32 (IEEE), slicing by 8. */
export function crc32(data: Uint8Array): number {
  // Hot loop: every index is in range by construction (the `!` say so to the compiler).
  const t = CRC_TABLE;
  const d = data;
  let c = -1;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  for (; i < end8; i += 8) {
    c ^= d[i]! | (d[i + 1]! << 8) | (d[i + 2]! << 16) | (d[i + 3]! << 24);
    c =
      t[1792 + (c & 0xff)]! ^
      t[1536 + ((c >>> 8) & 0xff)]! ^
      t[1280 + ((c >>> 16) & 0xff)]! ^
      t[1024 + (c >>> 24)]! ^
      t[768 + d[i + 4]!]! ^
      t[512 + d[i + 5]!]! ^
      t[256 + d[i + 6]!]! ^
      t[d[i + 7]!]!;
  }
  for (; i < data.length; i++) c = t[(c ^ d[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** A gzip member holding `data` in stored (uncompressed) deflate blocks. */
export function storedMember(data: Uint8Array): Uint8Array {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(10 + data.length + 5 * blocks + 8);
  out.set([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff], 0);
  let o = 10;
  for (let b = 0; b < blocks; b++) {
    const start = b * 65535;
    const len = Math.min(65535, data.length - start);
    out[o] = b === blocks - 1 ? 1 : 0;
    out[o + 1] = len & 0xff;
    out[o + 2] = len >>> 8;
    out[o + 3] = ~len & 0xff;
    out[o + 4] = (~len >>> 8) & 0xff;
    out.set(data.subarray(start, start + len), o + 5);
    o += 5 + len;
  }
  const view = new DataView(out.buffer);
  view.setUint32(o, crc32(data), true);
  view.setUint32(o + 4, data.length >>> 0, true);
  return out;
}

/** The member for one chunk: stored when the chunk does not compress, else libdeflate at `level`. */
export function gzipMember(gzip: Gzip, data: Uint8Array, level: number): Uint8Array {
  if (level > 1 && data.length >= 131072) {
    const probe = gzip(data.subarray(0, 65536), 1);
    if (probe.length > 65536 * 0.98 + 18) return storedMember(data);
  }
  return gzip(data, level);
}
