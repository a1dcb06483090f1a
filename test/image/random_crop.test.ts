import { test } from "node:test";
import assert from "node:assert/strict";
import {
  augmentSeed, fallbackCropBox, planTransform, preprocessImage, randomResizedCropBox, trainTransform,
} from "../../src/image/index.js";
import { Rng } from "../../src/util/rng.js";
import { content, IDENTITY, raw } from "./images.js";

const SCALE: [number, number] = [0.5, 1];
const RATIO: [number, number] = [3 / 4, 4 / 3];

test("random boxes stay inside the image, with area and aspect ratio within bounds (up to rounding)", (t) => {
  for (const [w, h] of [[400, 300], [300, 400], [224, 224], [640, 427], [61, 47]] as const) {
    let minArea = 1, maxArea = 0, minRatio = Infinity, maxRatio = 0, fallbacks = 0;
    for (let i = 0; i < 3000; i++) {
      const b = randomResizedCropBox(new Rng(augmentSeed(7, 0, i)), w, h, SCALE, RATIO);
      assert.ok(b.left >= 0 && b.top >= 0 && b.width >= 1 && b.height >= 1, JSON.stringify(b));
      assert.ok(b.left + b.width <= w && b.top + b.height <= h, `${JSON.stringify(b)} outside ${w}x${h}`);
      const fallback = fallbackCropBox(w, h, RATIO);
      if (b.left === fallback.left && b.top === fallback.top && b.width === fallback.width && b.height === fallback.height) fallbacks++;
      // w and h are each rounded, so allow half a pixel either way on each side.
      const areaLo = ((b.width - 0.5) * (b.height - 0.5)) / (w * h);
      const areaHi = ((b.width + 0.5) * (b.height + 0.5)) / (w * h);
      assert.ok(areaHi >= SCALE[0] && areaLo <= SCALE[1], `area fraction of ${JSON.stringify(b)} in ${w}x${h}`);
      assert.ok((b.width + 0.5) / (b.height - 0.5) >= RATIO[0] && (b.width - 0.5) / (b.height + 0.5) <= RATIO[1], `ratio of ${JSON.stringify(b)}`);
      const a = (b.width * b.height) / (w * h);
      minArea = Math.min(minArea, a);
      maxArea = Math.max(maxArea, a);
      minRatio = Math.min(minRatio, b.width / b.height);
      maxRatio = Math.max(maxRatio, b.width / b.height);
    }
    // The draws cover the ranges, not a corner of them. A box's area is capped where the image's own aspect ratio
    // lies outside RATIO (640x427 is 1.5 wide: at most 427 * 4/3 by 427).
    const possible = Math.min(1, (h * RATIO[1]) / w, w / (RATIO[0] * h));
    assert.ok(minArea < 0.53 && maxArea > 0.93 * possible, `${w}x${h}: area fractions ${minArea}..${maxArea} of ${possible}`);
    assert.ok(minRatio < 0.8 && maxRatio > 1.25, `${w}x${h}: ratios ${minRatio}..${maxRatio}`);
    assert.ok(fallbacks < 30 || (w / h > RATIO[1] && fallbacks < 90), `${w}x${h}: ${fallbacks} fallbacks in 3000`);
    t.diagnostic(`${w}x${h}: ${fallbacks} fallbacks in 3000`);
  }
});

test("the same seed gives the same box; epochs and indices give different ones", () => {
  const box = (seed: number) => randomResizedCropBox(new Rng(seed), 500, 375, SCALE, RATIO);
  assert.deepEqual(box(augmentSeed(1, 3, 17)), box(augmentSeed(1, 3, 17)));
  const distinct = new Set<string>();
  for (let e = 0; e < 20; e++) distinct.add(JSON.stringify(box(augmentSeed(1, e, 17))));
  for (let i = 0; i < 20; i++) distinct.add(JSON.stringify(box(augmentSeed(1, 0, i))));
  assert.ok(distinct.size >= 38, `${distinct.size} distinct boxes of 40`);
});

test("fallback: no box fits in ten tries, so the centred box with the ratio clamped", () => {
  // Far too wide for ratio <= 4/3 at half the area: height stays, width = round(100 * 4/3) = 133.
  assert.deepEqual(randomResizedCropBox(new Rng(1), 1000, 100, SCALE, RATIO), { left: 433, top: 0, width: 133, height: 100 });
  assert.deepEqual(randomResizedCropBox(new Rng(2), 100, 1000, SCALE, RATIO), { left: 0, top: 433, width: 100, height: 133 });
  // A whole-image box at ratio 2 never fits a square: w = W, h = round(101 / 2) = round(50.5) = 50 (half to even).
  assert.deepEqual(randomResizedCropBox(new Rng(3), 101, 101, [1, 1], [2, 2]), { left: 0, top: 25, width: 101, height: 50 });
  // Within the ratio range the fallback is the whole image.
  assert.deepEqual(fallbackCropBox(120, 100, RATIO), { left: 0, top: 0, width: 120, height: 100 });
});

test("train transform output is reproducible from its seed and changes with it", async () => {
  const bytes = await raw(content(200, 150, "noise"), 200, 150, 3).jpeg().toBuffer();
  const spec = trainTransform({ size: 48, normalize: "imagenet" });
  const a = await preprocessImage({ bytes }, spec, { seed: augmentSeed(5, 0, 0) });
  const b = await preprocessImage({ bytes }, spec, { seed: augmentSeed(5, 0, 0) });
  const c = await preprocessImage({ bytes }, spec, { seed: augmentSeed(5, 1, 0) });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 3 * 48 * 48);
});

test("train plans resize the box to size x size and keep all of it", () => {
  const spec = trainTransform({ size: 224, normalize: IDENTITY });
  const p = planTransform(spec, 640, 480, 99);
  assert.deepEqual(p.resize, { width: 224, height: 224 });
  assert.deepEqual(p.window, { left: 0, top: 0, width: 224, height: 224 });
  assert.deepEqual(p.crop, randomResizedCropBox(new Rng(99), 640, 480, SCALE, RATIO));
});
