import { test } from "node:test";
import assert from "node:assert/strict";
import { autocast, liveTensors, noGrad, randn, tidy } from "../../src/engine/index.js";
import { LayerNorm } from "../../src/nn/index.js";

test("LayerNorm under bf16 autocast takes a bf16 input with float32 weights and normalises in float32", () => {
  const ln = new LayerNorm(8);
  noGrad(() => tidy(() => {
    ln.weight!.copy_(randn([8]));
    ln.bias!.copy_(randn([8]));
  }));
  const before = liveTensors();
  tidy(() => {
    const x = randn([3, 8]).to({ dtype: "bf16" });
    const y = autocast({ dtype: "bf16", device: "cpu" }, () => ln.forward(x));
    assert.equal(y.dtype, "f32");
    const want = ln.forward(x.to({ dtype: "f32" })).toTypedArray() as Float32Array;
    assert.deepEqual(y.toTypedArray(), want, "the same as normalising the float32 copy");
    assert.throws(() => ln.forward(x), /layerNorm: input is bf16 but the weights are f32; cast one to the other, or run under autocast/);
  });
  assert.equal(liveTensors(), before, "no tensor left behind");
  ln.dispose?.();
});
