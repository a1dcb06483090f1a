/**
 * The one pixel loop in JavaScript: a window of an interleaved (h, w, 3) uint8 image becomes planar (3, H, W)
 * float32 through the normalisation table, writing straight into the caller's output (a batch slot).
 */
import type { Box } from "./geometry.js";

/** Writes (3, window.height, window.width) floats at out[offset...]; `table` is (3, 256) from normalisationTable. */
export function hwcToChw(
  src: Uint8Array, srcWidth: number, window: Box, table: Float32Array, out: Float32Array, offset: number,
): void {
  const { left, top, width, height } = window;
  const plane = width * height;
  let g = offset + plane;
  let b = offset + 2 * plane;
  let r = offset;
  const tr = table.subarray(0, 256), tg = table.subarray(256, 512), tb = table.subarray(512, 768);
  for (let y = 0; y < height; y++) {
    let p = ((top + y) * srcWidth + left) * 3;
    const end = p + width * 3;
    for (; p < end; p += 3) {
      out[r++] = tr[src[p]!]!;
      out[g++] = tg[src[p + 1]!]!;
      out[b++] = tb[src[p + 2]!]!;
    }
  }
}
