import { test } from "node:test";
import assert from "node:assert/strict";
import { centerCropBox, preprocessImage, roundHalfEven, shortestSideSize } from "../../src/image/index.js";
import { identityEval, pixels, raw, toHwc } from "./images.js";

test("Python rounding: halves go to the even neighbour", () => {
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, -2.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 4, 0, -2, -2, 2, 3]);
});

test("shortest side becomes size; the long side is truncated as torchvision does", () => {
  assert.deepEqual(shortestSideSize(500, 375, 224), { width: 298, height: 224 }); // 298.67 -> 298
  assert.deepEqual(shortestSideSize(375, 500, 224), { width: 224, height: 298 });
  assert.deepEqual(shortestSideSize(300, 300, 224), { width: 224, height: 224 });
  assert.deepEqual(shortestSideSize(100, 30, 224), { width: 746, height: 224 }); // 746.67
});

test("center crop offsets round half to even", () => {
  assert.deepEqual(centerCropBox(16, 23, 16), { left: 0, top: 4, width: 16, height: 16 }); // 3.5 -> 4
  assert.deepEqual(centerCropBox(16, 25, 16), { left: 0, top: 4, width: 16, height: 16 }); // 4.5 -> 4
  assert.deepEqual(centerCropBox(27, 16, 16), { left: 6, top: 0, width: 16, height: 16 }); // 5.5 -> 6
});

// Pixels that carry their own coordinates: R = 10 x, G = 10 y.
const coords = (w: number, h: number) => pixels(w, h, 3, (x, y) => [10 * x, 10 * y, 99]);

for (const [w, h, left, top] of [[16, 23, 0, 4], [16, 25, 0, 4], [27, 16, 6, 0], [23, 16, 4, 0]] as const) {
  test(`eval crop of a ${w}x${h} image at size 16 starts at column ${left}, row ${top}`, async () => {
    const bytes = await raw(coords(w, h), w, h, 3).png().toBuffer();
    const out = toHwc(await preprocessImage({ bytes }, identityEval(16)), 16);
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        assert.deepEqual([...out.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3)], [10 * (x + left), 10 * (y + top), 99], `output (${x}, ${y})`);
      }
    }
  });
}

// Linear ramps survive cubic resampling away from the borders, so each output pixel tells where it was sampled.
for (const [w, h, what] of [[90, 60, "shrunk"], [30, 20, "enlarged"], [60, 90, "shrunk"], [20, 30, "enlarged"]] as const) {
  test(`eval geometry of a ${w}x${h} image ${what} to 40: every interior pixel comes from the right place`, async () => {
    const size = 40;
    const ramp = pixels(w, h, 3, (x, y) => [Math.round((x * 250) / (w - 1)), Math.round((y * 250) / (h - 1)), 0]);
    const bytes = await raw(ramp, w, h, 3).png().toBuffer();
    const out = toHwc(await preprocessImage({ bytes }, identityEval(size)), size);
    const r = shortestSideSize(w, h, size);
    const box = centerCropBox(r.width, r.height, size);
    const sx = w / r.width, sy = h / r.height;
    let checked = 0;
    for (let y = 0; y < size; y++) {
      const srcY = (y + box.top + 0.5) * sy - 0.5;
      if (srcY < 3 || srcY > h - 4) continue; // kernels touching the border are renormalised, not linear
      for (let x = 0; x < size; x++) {
        const srcX = (x + box.left + 0.5) * sx - 0.5;
        if (srcX < 3 || srcX > w - 4) continue;
        const p = (y * size + x) * 3;
        assert.ok(Math.abs(out[p]! - (srcX * 250) / (w - 1)) <= 1.5, `R at (${x}, ${y}): ${out[p]} vs x ${srcX}`);
        assert.ok(Math.abs(out[p + 1]! - (srcY * 250) / (h - 1)) <= 1.5, `G at (${x}, ${y}): ${out[p + 1]} vs y ${srcY}`);
        checked++;
      }
    }
    assert.ok(checked > 400, `only ${checked} interior pixels checked`);
  });
}
