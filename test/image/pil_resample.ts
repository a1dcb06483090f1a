/**
 * An independent re-implementation of Pillow's 8-bit separable resampling (the algorithm behind
 * `Image.resize(size, BICUBIC|BILINEAR)`, which torchvision's Resize/RandomResizedCrop call on PIL images), used
 * only by tests to measure how far libvips' kernels sit from what PyTorch pipelines compute. Written from the
 * algorithm's description: antialiased support (the filter widens by the downscale factor), sample centres at
 * (x + 0.5) * scale, weights normalised per output pixel, rounded to 22-bit fixed point, a horizontal pass then
 * a vertical pass with a uint8 intermediate.
 */

export type PilFilter = "bicubic" | "bilinear";

const SUPPORT: Record<PilFilter, number> = { bicubic: 2, bilinear: 1 };
const PRECISION_BITS = 32 - 8 - 2;

function kernel(filter: PilFilter, x: number): number {
  x = Math.abs(x);
  if (filter === "bilinear") return x < 1 ? 1 - x : 0;
  const a = -0.5; // Keys' cubic with a = -0.5 (Catmull-Rom), as Pillow uses
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Coeffs {
  bounds: Int32Array; // per output pixel: first input index, count
  weights: Float64Array[]; // fixed-point integer weights per output pixel
}

function coefficients(inSize: number, outSize: number, filter: PilFilter): Coeffs {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT[filter] * filterScale;
  const bounds = new Int32Array(outSize * 2);
  const weights: Float64Array[] = [];
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const k = new Float64Array(xmax);
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      k[x] = kernel(filter, (x + xmin - center + 0.5) / filterScale);
      sum += k[x]!;
    }
    for (let x = 0; x < xmax; x++) {
      const w = sum !== 0 ? k[x]! / sum : 0;
      k[x] = w < 0 ? Math.trunc(-0.5 + w * 2 ** PRECISION_BITS) : Math.trunc(0.5 + w * 2 ** PRECISION_BITS);
    }
    bounds[2 * xx] = xmin;
    bounds[2 * xx + 1] = xmax;
    weights.push(k);
  }
  return { bounds, weights };
}

function clip8(acc: number): number {
  const v = Math.floor(acc / 2 ** PRECISION_BITS);
  return v < 0 ? 0 : v > 255 ? 255 : v;
}

/** Resizes interleaved uint8 pixels (h, w, channels) to (outH, outW, channels) the way Pillow does. */
export function pilResize(
  src: Uint8Array, w: number, h: number, channels: number, outW: number, outH: number, filter: PilFilter,
): Uint8Array {
  let cur = src;
  let curW = w;
  if (outW !== w) {
    const { bounds, weights } = coefficients(w, outW, filter);
    const tmp = new Uint8Array(outW * h * channels);
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < outW; xx++) {
        const x0 = bounds[2 * xx]!, n = bounds[2 * xx + 1]!, k = weights[xx]!;
        for (let c = 0; c < channels; c++) {
          let acc = 2 ** (PRECISION_BITS - 1);
          for (let x = 0; x < n; x++) acc += cur[(y * curW + x0 + x) * channels + c]! * k[x]!;
          tmp[(y * outW + xx) * channels + c] = clip8(acc);
        }
      }
    }
    cur = tmp;
    curW = outW;
  }
  if (outH !== h) {
    const { bounds, weights } = coefficients(h, outH, filter);
    const out = new Uint8Array(curW * outH * channels);
    for (let yy = 0; yy < outH; yy++) {
      const y0 = bounds[2 * yy]!, n = bounds[2 * yy + 1]!, k = weights[yy]!;
      for (let i = 0; i < curW * channels; i++) {
        let acc = 2 ** (PRECISION_BITS - 1);
        for (let y = 0; y < n; y++) acc += cur[(y0 + y) * curW * channels + i]! * k[y]!;
        out[yy * curW * channels + i] = clip8(acc);
      }
    }
    cur = out;
  }
  return cur === src ? src.slice() : cur;
}
