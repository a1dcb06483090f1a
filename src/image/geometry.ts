/**
 * The boxes torchvision computes for Resize(size) + CenterCrop(size) and for RandomResizedCrop, with Python's
 * rounding (half to even) and truncation where torchvision has them, so the same image gives the same box.
 * Coordinates are in the upright (EXIF-oriented) image.
 */
import type { Rng } from "../util/rng.js";

export interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** Python 3's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x) + 0; // + 0 turns Math.round's -0 into 0
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision Resize(size) with an int size: the shortest side becomes `size`, the other int(size * long / short). */
export function shortestSideSize(width: number, height: number, size: number): { width: number; height: number } {
  if (width <= height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

/** torchvision CenterCrop on an image at least `size` on each side: top = round((h - size) / 2). */
export function centerCropBox(width: number, height: number, size: number): Box {
  return { left: roundHalfEven((width - size) / 2), top: roundHalfEven((height - size) / 2), width: size, height: size };
}

/**
 * torchvision RandomResizedCrop.get_params: ten tries of (area fraction uniform in `scale`, log aspect ratio
 * uniform in log `ratio`), the first box that fits wins at a uniform position; otherwise the largest centred box
 * whose aspect ratio is clamped into `ratio`.
 */
export function randomResizedCropBox(
  rng: Rng, width: number, height: number, scale: readonly [number, number], ratio: readonly [number, number],
): Box {
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return { left, top, width: w, height: h };
    }
  }
  return fallbackCropBox(width, height, ratio);
}

/** The centre-crop fallback of RandomResizedCrop, separate so it can be checked on its own. */
export function fallbackCropBox(width: number, height: number, ratio: readonly [number, number]): Box {
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < Math.min(...ratio)) h = roundHalfEven(w / Math.min(...ratio));
  else if (inRatio > Math.max(...ratio)) w = roundHalfEven(h * Math.max(...ratio));
  return { left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2), width: w, height: h };
}
