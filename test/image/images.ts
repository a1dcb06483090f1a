/** Test images built from known pixels with sharp, and helpers to read preprocessed output back as uint8. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import sharp from "sharp";
import { evalTransform, type Normalisation } from "../../src/image/index.js";

/** mean 0, std 1: the output is v / 255, so tests can read back the uint8 pixels. */
export const IDENTITY: Normalisation = { mean: [0, 0, 0], std: [1, 1, 1] };

export function identityEval(size: number, background: "white" | "black" = "white") {
  return evalTransform({ size, normalize: IDENTITY, background });
}

/** (h, w, channels) uint8 from a per-pixel function. */
export function pixels(w: number, h: number, channels: number, fn: (x: number, y: number) => number[]): Uint8Array {
  const out = new Uint8Array(w * h * channels);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.set(fn(x, y), (y * w + x) * channels);
  return out;
}

export function raw(data: Uint8Array, w: number, h: number, channels: 1 | 2 | 3 | 4) {
  return sharp(data, { raw: { width: w, height: h, channels } });
}

/** (3, S, S) float output -> (S, S, 3) uint8, inverting the identity normalisation. */
export function toHwc(chw: Float32Array, size: number, offset = 0): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  const plane = size * size;
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[i * 3 + c] = Math.round(chw[offset + c * plane + i]! * 255);
  return out;
}

/** Max and mean absolute difference of two equal-length byte arrays. */
export function diff(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0, sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (d > max) max = d;
    sum += d;
  }
  return { max, mean: sum / a.length };
}

/** A window (left, top, w, h) of an (h, W, 3) image. */
export function cut(src: Uint8Array, srcW: number, left: number, top: number, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) out.set(src.subarray(((top + y) * srcW + left) * 3, ((top + y) * srcW + left + w) * 3), y * w * 3);
  return out;
}

/** Smooth colour content (photo-like) or per-pixel noise (the worst case for resampling differences). */
export function content(w: number, h: number, kind: "smooth" | "noise", seed = 1): Uint8Array {
  let s = seed;
  return pixels(w, h, 3, (x, y) => [0, 1, 2].map((c) => {
    if (kind === "noise") return (s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) >>> 23;
    return Math.max(0, Math.min(255, Math.round(128 + 60 * Math.sin(x / 7 + c) + 50 * Math.cos(y / 11 - c))));
  }));
}

export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "laclip-image-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
