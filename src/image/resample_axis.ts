/**
 * Pillow's separable 8-bit resampling along one axis of an interleaved RGB image. libvips' reducers agree with
 * Pillow when shrinking, but libvips enlarges with corner-aligned sampling (output pixel 2k lands on input pixel
 * k), half a pixel off Pillow's centre alignment, so axes that grow are resampled here instead (and, with the
 * `pillow` resampler, axes that shrink too).
 * Weights follow Pillow: filter centred at (i + 0.5) * scale, taps cut at the image edge and renormalised, then
 * rounded to 22-bit fixed point, summed in int32 and shifted back.
 */
import type { Interpolation } from "./spec.js";

const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = ONE >> 1; // start the sums at half a unit so the final shift rounds to nearest

function filter(kind: Interpolation, x: number): number {
  x = Math.abs(x);
  if (kind === "bilinear") return x < 1 ? 1 - x : 0;
  if (x < 1) return (1.5 * x - 2.5) * x * x + 1; // Keys' cubic, a = -0.5
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

interface Taps {
  first: Int32Array; // (outSize,) first input index of each output pixel
  count: Int32Array; // (outSize,)
  weights: Int32Array; // (outSize, stride) fixed-point weights
  stride: number;
}

function taps(inSize: number, outSize: number, kind: Interpolation): Taps {
  const scale = inSize / outSize;
  const widen = Math.max(scale, 1);
  const support = (kind === "bicubic" ? 2 : 1) * widen;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const w = new Float64Array(stride);
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * scale;
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const n = Math.min(Math.trunc(centre + support + 0.5), inSize) - lo;
    let total = 0;
    for (let k = 0; k < n; k++) total += w[k] = filter(kind, (k + lo - centre + 0.5) / widen);
    for (let k = 0; k < n; k++) {
      const v = total !== 0 ? (w[k]! / total) * ONE : 0;
      weights[o * stride + k] = v < 0 ? Math.trunc(v - 0.5) : Math.trunc(v + 0.5);
    }
    first[o] = lo;
    count[o] = n;
  }
  return { first, count, weights, stride };
}

// Accumulators are int32 as in Pillow: |sum| <= 255 * 1.2 * 2^22 < 2^31, so Math.imul and | 0 never wrap.
function clip8(acc: number): number {
  const v = acc >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** (h, w, 3) uint8 -> (h, outWidth, 3) uint8. */
export function resampleWidth(src: Uint8Array, width: number, height: number, outWidth: number, kind: Interpolation): Uint8Array {
  const { first, count, weights, stride } = taps(width, outWidth, kind);
  const out = new Uint8Array(height * outWidth * 3);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    let o = y * outWidth * 3;
    for (let x = 0; x < outWidth; x++) {
      let r = HALF, g = HALF, b = HALF;
      let p = row + first[x]! * 3;
      const wo = x * stride;
      for (let k = 0, n = count[x]!; k < n; k++, p += 3) {
        const wk = weights[wo + k]!;
        r = (r + Math.imul(src[p]!, wk)) | 0;
        g = (g + Math.imul(src[p + 1]!, wk)) | 0;
        b = (b + Math.imul(src[p + 2]!, wk)) | 0;
      }
      out[o++] = clip8(r);
      out[o++] = clip8(g);
      out[o++] = clip8(b);
    }
  }
  return out;
}

/** (h, w, 3) uint8 -> (outHeight, w, 3) uint8. */
export function resampleHeight(src: Uint8Array, width: number, height: number, outHeight: number, kind: Interpolation): Uint8Array {
  const { first, count, weights, stride } = taps(height, outHeight, kind);
  const rowLen = width * 3;
  const out = new Uint8Array(outHeight * rowLen);
  const acc = new Int32Array(rowLen);
  for (let y = 0; y < outHeight; y++) {
    acc.fill(HALF);
    for (let k = 0, n = count[y]!; k < n; k++) {
      const wk = weights[y * stride + k]!;
      const row = (first[y]! + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i] = acc[i]! + Math.imul(src[row + i]!, wk);
    }
    const o = y * rowLen;
    for (let i = 0; i < rowLen; i++) out[o + i] = clip8(acc[i]!);
  }
  return out;
}
