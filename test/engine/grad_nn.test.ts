/** Finite-difference gradient checks (f64) of the linear-algebra and neural-network ops. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { gradcheck, leaf } from "./gradcheck.js";
import {
  addmm, baddbmm, conv2d, crossEntropy, embedding, Generator, layerNorm, linear, mseLoss,
  scaledDotProductAttention, tensor, type Tensor,
} from "../../src/engine/index.js";

test("matrix products match finite differences", () => {
  const a = leaf([2, 3]);
  const b = leaf([3, 4], (i) => Math.cos(i));
  const c = leaf([2, 4], (i) => 0.1 * i);
  const ba = leaf([2, 2, 3]);
  const bb = leaf([2, 3, 2], (i) => Math.cos(2 * i));
  const bc = leaf([2, 2, 2], (i) => 0.3 - 0.1 * i);
  gradcheck("matmul", (x, y) => x.matmul(y), [a, b]);
  gradcheck("mm", (x, y) => x.mm(y), [a, b]);
  gradcheck("matmul broadcast", (x, y) => x.matmul(y), [ba, leaf([3, 2])]);
  gradcheck("bmm", (x, y) => x.bmm(y), [ba, bb]);
  gradcheck("addmm", (i, x, y) => addmm(i, x, y, { beta: 0.5, alpha: 2 }), [c, a, b]);
  gradcheck("baddbmm", (i, x, y) => baddbmm(i, x, y, { beta: -1, alpha: 0.3 }), [bc, ba, bb]);
  gradcheck("outer", (x, y) => x.select(0, 0).outer(y.select(0, 1)), [a, b]);
  for (const t of [a, b, c, ba, bb, bc]) t.dispose();
});

test("layers match finite differences", () => {
  const x = leaf([2, 3]);
  const w = leaf([4, 3], (i) => Math.cos(i) * 0.5);
  const bias = leaf([4], (i) => 0.1 * i);
  gradcheck("linear", (a, b, c) => linear(a, b, c), [x, w, bias]);
  gradcheck("linear no bias", (a, b) => linear(a, b), [x, w]);
  const img = leaf([1, 2, 4, 4], (i) => Math.sin(0.37 * i));
  const k = leaf([2, 1, 3, 3], (i) => Math.cos(0.5 * i) * 0.3);
  const kb = leaf([2], (i) => i - 0.5);
  gradcheck("conv2d groups=2 padding=1", (a, b, c) => conv2d(a, b, c, { padding: 1, groups: 2 }), [img, k, kb]);
  const k2 = leaf([3, 2, 2, 2], (i) => Math.sin(0.3 * i));
  gradcheck("conv2d stride=2", (a, b) => conv2d(a, b, undefined, { stride: 2 }), [img, k2]);
  const g = leaf([3], (i) => 1 + 0.1 * i);
  const beta = leaf([3], (i) => 0.2 * i);
  gradcheck("layerNorm", (a, b, c) => layerNorm(a, [3], b, c, 1e-5), [x, g, beta], { atol: 1e-5 });
  gradcheck("softmax", (a) => a.softmax(-1), [x]);
  gradcheck("logSoftmax", (a) => a.logSoftmax(0), [x]);
  gradcheck("normalize", (a) => a.normalize({ dim: 1 }), [x]);
  const table = leaf([5, 3]);
  const ids = tensor([[4, 0], [4, 2]], { dtype: "i64" });
  gradcheck("embedding", (t) => embedding(t, ids), [table]);
  // paddingIdx rows get no gradient by design (not the true derivative), so that case is checked directly.
  const e = embedding(table, ids, 4).sum();
  e.backward();
  const gt = table.grad!.toArray() as number[][];
  assert.deepEqual(gt[4], [0, 0, 0]);
  assert.deepEqual(gt[0], [1, 1, 1]);
  assert.deepEqual(gt[2], [1, 1, 1]);
  e.dispose();
  const gen = new Generator(0);
  gradcheck("dropout (reseeded generator)", (a) => a.dropout(0.4, true, gen.manualSeed(7)), [x]);
  for (const t of [x, w, bias, img, k, kb, k2, g, beta, table, ids]) t.dispose();
});

test("losses match finite differences", () => {
  const logits = leaf([4, 3]);
  const target = tensor([2, 0, 1, 1], { dtype: "i64" });
  const withIgnored = tensor([2, -100, 1, 0], { dtype: "i64" });
  const classW = tensor([0.5, 1, 2], { dtype: "f64" });
  const probs = tensor([[0.2, 0.3, 0.5], [1, 0, 0], [0.1, 0.1, 0.8], [0.3, 0.3, 0.4]], { dtype: "f64" });
  const ce = (o: Parameters<typeof crossEntropy>[2]) => (x: Tensor) => crossEntropy(x, target, o);
  gradcheck("crossEntropy", ce({}), [logits]);
  gradcheck("crossEntropy sum", ce({ reduction: "sum" }), [logits]);
  gradcheck("crossEntropy labelSmoothing", ce({ labelSmoothing: 0.1 }), [logits]);
  gradcheck("crossEntropy weight", ce({ weight: classW }), [logits]);
  gradcheck("crossEntropy ignoreIndex", (x) => crossEntropy(x, withIgnored), [logits]);
  gradcheck("crossEntropy probabilities", (x) => crossEntropy(x, probs), [logits]);
  const y = leaf([4, 3], (i) => 0.3 * i - 1);
  gradcheck("mseLoss", (a, b) => mseLoss(a, b), [logits, y]);
  for (const t of [logits, target, withIgnored, classW, probs, y]) t.dispose();
});

test("scaled dot-product attention matches finite differences", () => {
  const q = leaf([1, 2, 3, 4], (i) => Math.sin(0.7 * i));
  const k = leaf([1, 2, 3, 4], (i) => Math.cos(0.4 * i));
  const v = leaf([1, 2, 3, 2], (i) => 0.2 * i - 1);
  const boolMask = tensor([[true, false, true], [true, true, false], [false, true, true]]);
  const addMask = tensor([[0, -1, 0.5], [0, 0, -2], [1, 0, 0]], { dtype: "f64" });
  gradcheck("attention", (a, b, c) => scaledDotProductAttention(a, b, c), [q, k, v]);
  gradcheck("attention causal", (a, b, c) => scaledDotProductAttention(a, b, c, { causal: true }), [q, k, v]);
  gradcheck("attention bool mask", (a, b, c) => scaledDotProductAttention(a, b, c, { mask: boolMask }), [q, k, v]);
  gradcheck("attention float mask + scale", (a, b, c) => scaledDotProductAttention(a, b, c, { mask: addMask, scale: 0.3 }), [q, k, v]);
  for (const t of [q, k, v, boolMask, addMask]) t.dispose();
});
