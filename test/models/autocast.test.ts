import { test } from "node:test";
import assert from "node:assert/strict";
import { autocast, manualSeed, randint, randn, tidy } from "../../src/engine/index.js";
import { CLIP, clipPreset } from "../../src/models/clip/index.js";

for (const preset of ["laclip-tiny", "open_clip-tiny"]) {
  test(`${preset} trains under bf16 autocast: f32 features and loss close to f32, f32 gradients`, () => {
    manualSeed(2);
    const m = new CLIP(clipPreset(preset));
    try {
      tidy(() => {
        const images = randn([4, 3, 32, 32]);
        const texts = randint(1, 49000, [4, 16]);
        texts.select(1, 15).fill_(49407).dispose();
        const full = m.forward(images, texts, { loss: true }).loss!.item();
        const out = autocast({ dtype: "bf16" }, () => m.forward(images, texts, { loss: true, multiText: [texts] }));
        assert.deepEqual([out.imageFeatures.dtype, out.textFeatures.dtype, out.loss!.dtype], ["f32", "f32", "f32"]);
        assert.ok(Math.abs(out.loss!.item() - full) < 0.05 * Math.abs(full), `${out.loss!.item()} vs ${full}`);
        out.loss!.backward();
        for (const [k, p] of m.namedParameters()) {
          assert.equal(p.grad?.dtype, "f32", k);
          assert.ok(p.grad!.isfinite().all().item() === 1, k);
        }
      });
    } finally {
      m.dispose();
    }
  });
}
