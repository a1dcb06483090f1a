import { test } from "node:test";
import assert from "node:assert/strict";
import { autocast, liveTensors, manualSeed, noGrad, randn, tidy } from "../../src/engine/index.js";
import { mlp } from "../../src/models/clip/attention.js";

// Inference under bf16 autocast takes libtorch's own products; training takes the fused kernel. Both compute
// residual + fc2(act(fc1(x))): the same numbers up to bf16 rounding, for both activations.
for (const activation of ["gelu", "quick_gelu"] as const) {
  test(`mlp (${activation}) under bf16 autocast: the inference path equals the fused training path`, () => {
    manualSeed(5);
    const before = liveTensors();
    tidy(() => {
      const x = randn([2, 7, 32]);
      const residual = randn([2, 7, 32]);
      const w = { fc1Weight: randn([64, 32]).mul(0.2), fc1Bias: randn([64]).mul(0.1), fc2Weight: randn([32, 64]).mul(0.2), fc2Bias: randn([32]).mul(0.1), activation };
      const fused = autocast({ dtype: "bf16" }, () => mlp(x, w, residual));
      const plain = noGrad(() => autocast({ dtype: "bf16" }, () => mlp(x, w, residual)));
      assert.deepEqual([fused.dtype, plain.dtype], ["f32", "f32"]);
      const diff = fused.sub(plain).abs().max().item();
      const scale = fused.sub(residual).abs().max().item();
      assert.ok(diff < 0.02 * scale, `max |fused - plain| ${diff} vs branch scale ${scale}`);
      // and both are close to the f32 computation
      const f32 = noGrad(() => mlp(x, w, residual));
      assert.ok(plain.sub(f32).abs().max().item() < 0.03 * scale);
    });
    assert.equal(liveTensors(), before);
  });
}
