/**
 * How close the resampling is to Pillow's (what torchvision runs on PIL images), measured against the
 * independent re-implementation in pil_resample.ts on lossless PNGs, so decoding adds no difference.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  centerCropBox, evalTransform, planTransform, preprocessImage, shortestSideSize, trainTransform,
  type Interpolation, type Resampler,
} from "../../src/image/index.js";
import { resampleHeight, resampleWidth } from "../../src/image/resample_axis.js";
import { content, cut, diff, IDENTITY, raw, toHwc } from "./images.js";
import { pilResize } from "./pil_resample.js";

test("enlarging a two-pixel row gives the hand-computed Pillow values", () => {
  const row = new Uint8Array([0, 0, 0, 200, 200, 200]); // (1, 2, 3)
  const channel0 = (a: Uint8Array) => [...a].filter((_, i) => i % 3 === 0);
  // bilinear: centres 0.25, 0.75, 1.25, 1.75 -> weights (1), (.75, .25), (.25, .75), (1) after edge renormalising
  assert.deepEqual(channel0(resampleWidth(row, 2, 1, 4, "bilinear")), [0, 50, 150, 200]);
  // bicubic (a = -0.5): at centre 0.75, taps f(0.25) = 0.8671875 and f(0.75) = 0.2265625, renormalised -> 41.43;
  // at 0.25, f(0.25) and f(1.25) = -0.0703125 -> -17.6, clipped to 0; at 1.75 the mirror image overshoots:
  // 200 * 0.8671875 / 0.796875 = 217.6 -> 218
  assert.deepEqual(channel0(resampleWidth(row, 2, 1, 4, "bicubic")), [0, 41, 159, 218]);
  const col = new Uint8Array([0, 0, 0, 200, 200, 200]); // (2, 1, 3)
  assert.deepEqual(channel0(resampleHeight(col, 1, 2, 4, "bicubic")), [0, 41, 159, 218]);
});

async function evalVsPillow(w: number, h: number, size: number, kind: "smooth" | "noise", interpolation: Interpolation, resampler: Resampler) {
  const src = content(w, h, kind);
  const bytes = await raw(src, w, h, 3).png().toBuffer();
  const out = toHwc(await preprocessImage({ bytes }, evalTransform({ size, normalize: IDENTITY, interpolation, resampler })), size);
  const r = shortestSideSize(w, h, size);
  const box = centerCropBox(r.width, r.height, size);
  return diff(out, cut(pilResize(src, w, h, 3, r.width, r.height, interpolation), r.width, box.left, box.top, size, size));
}

const CASES: [number, number, number][] = [[150, 110, 64], [110, 150, 64], [300, 200, 96], [60, 40, 64], [40, 70, 64], [90, 50, 64]];

for (const interpolation of ["bicubic", "bilinear"] as const) {
  test(`pillow resampler equals Pillow exactly (${interpolation}, eval: shrink, enlarge, mixed)`, async () => {
    for (const [w, h, s] of CASES) for (const kind of ["smooth", "noise"] as const) {
      assert.deepEqual(await evalVsPillow(w, h, s, kind, interpolation, "pillow"), { max: 0, mean: 0 }, `${w}x${h} -> ${s} ${kind}`);
    }
  });
}

test("pillow resampler equals Pillow exactly on random resized crops", async () => {
  const [w, h, size] = [160, 120, 64];
  const src = content(w, h, "noise", 7);
  const bytes = await raw(src, w, h, 3).png().toBuffer();
  const spec = trainTransform({ size, normalize: IDENTITY, resampler: "pillow" });
  for (let seed = 0; seed < 6; seed++) {
    const { crop: c } = planTransform(spec, w, h, seed);
    const want = pilResize(cut(src, w, c.left, c.top, c.width, c.height), c.width, c.height, 3, size, size, "bicubic");
    assert.deepEqual(diff(toHwc(await preprocessImage({ bytes }, spec, { seed }), size), want), { max: 0, mean: 0 }, `seed ${seed}`);
  }
});

test("libvips resampler: enlargement is exact, shrinking stays within the documented distance of Pillow", async (t) => {
  for (const [w, h, s] of [[60, 40, 64], [40, 70, 64]] as const) {
    assert.deepEqual(await evalVsPillow(w, h, s, "noise", "bicubic", "libvips"), { max: 0, mean: 0 });
  }
  // Bounds from measurement (README.md): smooth content within 2 levels, per-pixel noise (the worst case)
  // within 14 levels and 0.5 on average for shrink factors under 4.
  for (const interpolation of ["bicubic", "bilinear"] as const) {
    for (const [w, h, s] of [[150, 110, 64], [300, 200, 96], [230, 180, 64]] as const) {
      const smooth = await evalVsPillow(w, h, s, "smooth", interpolation, "libvips");
      const noise = await evalVsPillow(w, h, s, "noise", interpolation, "libvips");
      t.diagnostic(`${interpolation} ${w}x${h}->${s}: smooth max ${smooth.max} mean ${smooth.mean.toFixed(3)}; noise max ${noise.max} mean ${noise.mean.toFixed(3)}`);
      assert.ok(smooth.max <= 2 && smooth.mean <= 0.25, `smooth ${JSON.stringify(smooth)}`);
      assert.ok(noise.max <= 14 && noise.mean <= 0.5, `noise ${JSON.stringify(noise)}`);
    }
  }
});
