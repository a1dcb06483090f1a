/**
 * Fused kernels: finite-difference gradients in f64, and values and gradients in f32 and under bf16 autocast
 * against the same computation composed from plain ops.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gradcheck, leaf } from "./gradcheck.js";
import {
  autocast, fusedLayerNorm, fusedLayerNormWithResidual, fusedLinear, fusedSelfAttention, layerNorm, linear, liveTensors, manualSeed, randn,
  scaledDotProductAttention, tidy, type Tensor,
} from "../../src/engine/index.js";

/** Largest |a - b| / (atol + rtol |b|) over the elements: <= 1 means close. */
function closeness(a: Tensor, b: Tensor, atol: number, rtol: number): number {
  const x = a.to("f64").toTypedArray() as Float64Array;
  const y = b.to("f64").toTypedArray() as Float64Array;
  assert.equal(x.length, y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / (atol + rtol * Math.abs(y[i]!)));
  return worst;
}

/** Reference attention from plain ops: split heads, optional qk-norm, softmax(q k^T s) v, merge heads. */
function composedAttention(qkv: Tensor, heads: number, causal: boolean, qn?: Tensor[], kn?: Tensor[]): Tensor {
  const [b, t, e3] = qkv.shape as [number, number, number];
  const e = e3 / 3;
  const hd = e / heads;
  let [q, k, v] = qkv.view(b, t, 3, heads, hd).permute(2, 0, 3, 1, 4).unbind(0) as [Tensor, Tensor, Tensor]; // (B, h, T, hd)
  if (qn) q = layerNorm(q, [hd], qn[0], qn[1], 1e-6);
  if (kn) k = layerNorm(k, [hd], kn[0], kn[1], 1e-6);
  return scaledDotProductAttention(q, k, v, { causal }).transpose(1, 2).reshape(b, t, e); // (B, T, E)
}

test("fusedLinear matches finite differences (f64): plain, gelu, quick_gelu, residual", () => {
  const x = leaf([2, 3, 4]);
  const w = leaf([5, 4], (i) => Math.cos(0.7 * i) * 0.6);
  const b = leaf([5], (i) => 0.1 * i - 0.2);
  const r = leaf([2, 3, 5], (i) => Math.sin(2.1 * i));
  gradcheck("fusedLinear", (a, c, d) => fusedLinear(a, c, d), [x, w, b]);
  gradcheck("fusedLinear no bias", (a, c) => fusedLinear(a, c), [x, w]);
  gradcheck("fusedLinear gelu", (a, c, d) => fusedLinear(a, c, d, { activation: "gelu" }), [x, w, b]);
  gradcheck("fusedLinear quick_gelu", (a, c, d) => fusedLinear(a, c, d, { activation: "quick_gelu" }), [x, w, b]);
  gradcheck("fusedLinear residual", (a, c, d, e) => fusedLinear(a, c, d, { residual: e }), [x, w, b, r]);
  for (const t of [x, w, b, r]) t.dispose();
});

test("fusedLayerNorm matches finite differences (f64)", () => {
  const x = leaf([3, 2, 6], (i) => Math.sin(1.3 * i) * 2 + 0.5);
  const w = leaf([6], (i) => 1 + 0.2 * i);
  const b = leaf([6], (i) => 0.3 - 0.1 * i);
  gradcheck("fusedLayerNorm", (a, c, d) => fusedLayerNorm(a, c, d, 1e-5), [x, w, b]);
  gradcheck("fusedLayerNorm no affine", (a) => fusedLayerNorm(a, undefined, undefined, 1e-3), [x]);
  gradcheck("fusedLayerNormWithResidual", (a, c, d) => {
    const [y, r] = fusedLayerNormWithResidual(a, c, d, 1e-5);
    return y.mul(r.sin()).add(r.mul(0.7)); // both outputs feed the loss, one of them twice
  }, [x, w, b]);
  for (const t of [x, w, b]) t.dispose();
});

test("fusedSelfAttention matches finite differences (f64), causal and with qk-norm", () => {
  const qkv = leaf([2, 4, 18], (i) => Math.sin(0.61 * i) * 1.5); // E = 6: 2 heads of 3
  const qw = leaf([3], (i) => 1 + 0.3 * i);
  const qb = leaf([3], (i) => 0.1 * i);
  const kw = leaf([3], (i) => 0.8 - 0.1 * i);
  const kb = leaf([3], (i) => -0.2 * i);
  gradcheck("attention", (a) => fusedSelfAttention(a, { heads: 2 }), [qkv]);
  gradcheck("attention causal", (a) => fusedSelfAttention(a, { heads: 2, causal: true }), [qkv]);
  gradcheck("attention qk-norm", (a, b, c, d, e) => fusedSelfAttention(a, { heads: 2, qNorm: { weight: b, bias: c }, kNorm: { weight: d, bias: e } }), [qkv, qw, qb, kw, kb]);
  for (const t of [qkv, qw, qb, kw, kb]) t.dispose();
});

/** Runs `f` and `g` on the same f32 inputs; compares outputs and every input's gradient. */
function compareWithComposed(name: string, inputs: Tensor[], f: (...x: Tensor[]) => Tensor, g: (...x: Tensor[]) => Tensor, atol: number, rtol: number, bf16 = false): void {
  tidy(() => {
    const run = (fn: (...x: Tensor[]) => Tensor) => {
      for (const x of inputs) x.zeroGrad();
      const y = bf16 ? autocast({ dtype: "bf16" }, () => fn(...inputs)) : fn(...inputs);
      y.to("f32").mul(randn(y.shape, { dtype: "f32" }).mul(0).add(1)).sum().backward();
      return { y: y.to("f32"), grads: inputs.map((x) => x.grad!.clone()) };
    };
    const a = run(f);
    const b = run(g);
    assert.ok(closeness(a.y, b.y, atol, rtol) <= 1, `${name}: outputs differ`);
    a.grads.forEach((ga, i) => assert.ok(closeness(ga, b.grads[i]!, atol, rtol) <= 1, `${name}: gradient of input ${i} differs (${closeness(ga, b.grads[i]!, atol, rtol)})`));
    for (const x of inputs) x.zeroGrad();
  });
}

test("fused ops agree with the composed ops in f32 at transformer sizes", () => {
  manualSeed(3);
  const live = liveTensors();
  const x = randn([4, 33, 48]).requiresGrad_();
  const w1 = randn([96, 48]).mul_(0.15).requiresGrad_();
  const b1 = randn([96]).mul_(0.1).requiresGrad_();
  const w2 = randn([48, 96]).mul_(0.1).requiresGrad_();
  const g = randn([48]).mul_(0.1).add_(1).requiresGrad_();
  const beta = randn([48]).mul_(0.1).requiresGrad_();
  const qkvW = randn([144, 48]).mul_(0.15).requiresGrad_();
  const qn = [randn([16]).mul_(0.1).add_(1).requiresGrad_(), randn([16]).mul_(0.1).requiresGrad_()];
  compareWithComposed("layer norm", [x, g, beta], (a, c, d) => fusedLayerNorm(a, c, d, 1e-6), (a, c, d) => layerNorm(a, [48], c, d, 1e-6), 1e-5, 1e-4);
  compareWithComposed("mlp", [x, w1, b1, w2], (a, c, d, e) => fusedLinear(fusedLinear(a, c, d, { activation: "gelu" }), e, undefined, { residual: a }),
    (a, c, d, e) => a.add(linear(linear(a, c, d).gelu(), e)), 1e-5, 1e-4);
  compareWithComposed("quick_gelu", [x, w1, b1], (a, c, d) => fusedLinear(a, c, d, { activation: "quick_gelu" }), (a, c, d) => linear(a, c, d).quickGelu(), 1e-5, 1e-4);
  for (const causal of [false, true]) {
    compareWithComposed(`attention causal=${causal}`, [x, qkvW, ...qn], (a, c, d, e) => fusedSelfAttention(linear(a, c), { heads: 3, causal, qNorm: { weight: d, bias: e }, kNorm: { weight: d, bias: e } }),
      (a, c, d, e) => composedAttention(linear(a, c), 3, causal, [d, e], [d, e]), 1e-5, 1e-4);
  }
  for (const t of [x, w1, b1, w2, g, beta, qkvW, ...qn]) t.dispose();
  assert.equal(liveTensors(), live);
});

test("fused ops under bf16 autocast: bf16 products, f32 residual stream, close to the composed ops", () => {
  manualSeed(4);
  const x = randn([2, 17, 64]).requiresGrad_();
  const w1 = randn([128, 64]).mul_(0.1).requiresGrad_();
  const b1 = randn([128]).mul_(0.1).requiresGrad_();
  const w2 = randn([64, 128]).mul_(0.1).requiresGrad_();
  tidy(() => {
    const y = autocast({ dtype: "bf16" }, () => fusedLinear(fusedLinear(x, w1, b1, { activation: "gelu" }), w2, undefined, { residual: x }));
    assert.equal(y.dtype, "f32", "the residual's dtype");
    const h = autocast({ dtype: "bf16" }, () => fusedLinear(x, w1, b1));
    assert.equal(h.dtype, "bf16", "autocast's dtype without a residual");
    assert.equal(fusedLayerNorm(x, undefined, undefined, 1e-5, "bf16").dtype, "bf16");
    const qkv = autocast({ dtype: "bf16" }, () => fusedLinear(x, w1.narrow(0, 0, 96), b1.narrow(0, 0, 96), { floatOutput: true }));
    assert.equal(qkv.dtype, "f32", "floatOutput: the bf16 product written as f32");
    const att = autocast({ dtype: "bf16" }, () => fusedSelfAttention(qkv, { heads: 2 }));
    assert.equal(att.dtype, "bf16", "f32 qkv under autocast: bf16 products, bf16 output");
    assert.ok(closeness(att, composedAttention(qkv, 2, false), 0.02, 0.02) <= 1, "attention with bf16 products is close to f32");
  });
  compareWithComposed("mlp bf16", [x, w1, b1, w2], (a, c, d, e) => fusedLinear(fusedLinear(a, c, d, { activation: "gelu" }), e, undefined, { residual: a }),
    (a, c, d, e) => a.add(linear(linear(a, c, d).gelu(), e)), 0.05, 0.05, true);
  for (const t of [x, w1, b1, w2]) t.dispose();
});
