import { test } from "node:test";
import assert from "node:assert/strict";
import { liveTensors, tensor, type Tensor } from "../../src/engine/index.js";
import { ConfigError } from "../../src/errors/index.js";
import { AdamW } from "../../src/optim/index.js";
import { AdamWRef, gradValues, maxRelDiff, setGrad } from "./reference.js";

const f64 = (values: number[]): Tensor => tensor(values, { dtype: "f64", requiresGrad: true });
const values = (t: Tensor): Float64Array => t.toTypedArray() as Float64Array;

test("AdamW with two parameter groups equals the f64 reference step by step, step counts per parameter", () => {
  const init = [[0.5, -1.5, 2, 0.25], [1, 2, 3], [-0.3, 0.7]];
  const [a, b, c] = init.map(f64) as [Tensor, Tensor, Tensor];
  const opt = new AdamW([
    { params: [a, b], weightDecay: 0.1 },
    { params: [c], lr: 0.05, betas: [0.8, 0.99], weightDecay: 0 },
  ], { lr: 0.01, eps: 1e-6 });
  const refs = [
    new AdamWRef([...init[0]!], { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-6, wd: 0.1 }),
    new AdamWRef([...init[1]!], { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-6, wd: 0.1 }),
    new AdamWRef([...init[2]!], { lr: 0.05, beta1: 0.8, beta2: 0.99, eps: 1e-6, wd: 0 }),
  ];
  const params = [a, b, c];
  const live = liveTensors();
  for (let step = 1; step <= 6; step++) {
    params.forEach((p, i) => {
      if (i === 1 && step % 2 === 1) return; // b gets a gradient every other step only: its step count lags
      refs[i]!.step(setGrad(p, i, step));
    });
    opt.step();
    opt.zeroGrad();
    params.forEach((p, i) => assert.ok(maxRelDiff(values(p), refs[i]!.p) < 1e-13, `param ${i} step ${step}: ${values(p)} vs ${refs[i]!.p}`));
  }
  assert.equal(opt.stateOf(a).get("step"), 6);
  assert.equal(opt.stateOf(b).get("step"), 3);
  assert.equal(liveTensors(), live + 6, "two moment tensors per parameter, nothing else");
  opt.dispose();
  params.forEach((p) => p.dispose());
});

test("AdamW amsgrad and maximize follow the reference", () => {
  const p = f64([0.1, -0.2, 0.3, 1.5, -2]);
  const opt = new AdamW([p], { lr: 0.02, amsgrad: true, maximize: true, weightDecay: 0.05 });
  const ref = new AdamWRef([0.1, -0.2, 0.3, 1.5, -2], { lr: 0.02, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.05, amsgrad: true, maximize: true });
  for (let step = 1; step <= 8; step++) {
    ref.step(setGrad(p, 9, step * (step % 3 === 0 ? 0.01 : 1)));
    opt.step();
    assert.ok(maxRelDiff(values(p), ref.p) < 1e-13, `step ${step}`);
  }
  assert.ok(opt.stateOf(p).has("max_exp_avg_sq"));
  opt.dispose();
  p.dispose();
});

test("AdamW state dict has PyTorch's layout", () => {
  const a = f64([1, 2]);
  const b = f64([3]);
  const opt = new AdamW([{ params: [a] }, { params: [b], lr: 0.1 }]);
  setGrad(a, 0, 1);
  opt.step();
  const sd = opt.stateDict();
  assert.deepEqual([...sd.state.keys()], [0], "b had no gradient, so no state");
  assert.deepEqual(Object.keys(sd.state.get(0)!).sort(), ["exp_avg", "exp_avg_sq", "step"]);
  assert.equal(sd.state.get(0)!.step, 1);
  assert.deepEqual(sd.param_groups, [
    { params: [0], lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false, maximize: false },
    { params: [1], lr: 0.1, betas: [0.9, 0.999], eps: 1e-8, weight_decay: 0.01, amsgrad: false, maximize: false },
  ]);
  opt.dispose();
  a.dispose();
  b.dispose();
});

test("AdamW refuses unusable options and parameters listed twice", () => {
  const p = f64([1]);
  assert.throws(() => new AdamW([p], { lr: -1 }), (e: unknown) => e instanceof ConfigError && e.key === "lr");
  assert.throws(() => new AdamW([p], { betas: [0.9, 1] }), /betas \[1\] must be in \[0, 1\)/);
  assert.throws(() => new AdamW([{ params: [p] }, { params: [p] }]), /more than one group/);
  assert.throws(() => new AdamW([]), /empty parameter list/);
  p.dispose();
});

test("AdamW's one-pass kernel (contiguous f32) and its per-op path (a strided parameter) agree to a few float roundings", () => {
  // The same values as a contiguous (4, 6) tensor and as the transpose of a (6, 4) one: the native step takes
  // the first in its fused loop and does the second with ATen ops.
  const init = Array.from({ length: 24 }, (_, i) => Math.sin(i) * 2);
  const a = tensor(init, { shape: [4, 6], requiresGrad: true });
  const base = tensor(init, { shape: [4, 6] }).t().contiguous(); // (6, 4)
  const b = base.t().requiresGrad_(); // a (4, 6) view with strides (1, 4)
  base.dispose();
  assert.equal(b.isContiguous, false);
  const opt = new AdamW([{ params: [a, b], weightDecay: 0.5 }], { lr: 0.01, betas: [0.9, 0.98], amsgrad: true });
  for (let step = 1; step <= 5; step++) {
    const g = gradValues(7, step, 24);
    for (const p of [a, b]) {
      const t = tensor(g, { shape: [4, 6] });
      p.grad = t;
      t.dispose();
    }
    opt.step();
    opt.zeroGrad();
  }
  const x = a.toTypedArray() as Float32Array;
  const y = b.contiguous().toTypedArray() as Float32Array;
  for (let i = 0; i < 24; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= 1e-6 * Math.abs(y[i]!) + 1e-9, `element ${i}: ${x[i]} vs ${y[i]}`);
  opt.dispose();
  a.dispose();
  b.dispose();
});
