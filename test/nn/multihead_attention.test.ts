import { test } from "node:test";
import assert from "node:assert/strict";
import { manualSeed, noGrad, randn, tensor, tidy, type Tensor } from "../../src/engine/index.js";
import { MultiheadAttention } from "../../src/nn/index.js";
import { maxAbsDiff, mhaReference, type Mat, type MhaWeights } from "./reference.js";

const E = 8, H = 2, L = 3, S = 4, B = 2;

function setup(seed: number, batchFirst = false): { mha: MultiheadAttention; w: MhaWeights } {
  manualSeed(seed);
  const mha = new MultiheadAttention(E, H, { dtype: "f64", batchFirst });
  // Non-zero biases so that every parameter shows in the result.
  noGrad(() => tidy(() => {
    mha.inProjBias!.copy_(randn([3 * E], { dtype: "f64" }));
    mha.outProj.bias!.copy_(randn([E], { dtype: "f64" }));
  }));
  const arr = (t: Tensor) => t.toArray() as never;
  return { mha, w: { inW: arr(mha.inProjWeight), inB: arr(mha.inProjBias!), outW: arr(mha.outProj.weight), outB: arr(mha.outProj.bias!) } };
}

/** x (T, B, E) as nested arrays → batch element b as (T, E). */
const batchOf = (x: number[][][], b: number): Mat => x.map((row) => row[b]!);

test("parameter names and shapes follow torch.nn.MultiheadAttention", () => {
  const { mha } = setup(0);
  const shapes = [...mha.stateDict()].map(([k, t]) => `${k}:${t.shape.join("x")}`);
  assert.deepEqual(shapes, ["in_proj_weight:24x8", "in_proj_bias:24", "out_proj.weight:8x8", "out_proj.bias:8"]);
  mha.dispose();
});

test("self-attention with a causal float mask equals a hand-written computation", () => {
  const { mha, w } = setup(1);
  const x = randn([L, B, E], { dtype: "f64" });
  const maskRows: Mat = [[0, -Infinity, -Infinity], [0, 0, -Infinity], [0, 0, 0]];
  const mask = tensor(maskRows, { dtype: "f64" });
  const out = mha.forward(x, x, x, { attnMask: mask });
  const { output, weights } = mha.forwardWithWeights(x, x, x, { attnMask: mask });
  const xs = x.toArray() as number[][][];
  const got = out.toArray() as number[][][];
  for (let b = 0; b < B; b++) {
    const ref = mhaReference(batchOf(xs, b), batchOf(xs, b), batchOf(xs, b), w, H, maskRows);
    assert.ok(maxAbsDiff(batchOf(got, b), ref.out) < 1e-12, `batch ${b}`);
    assert.ok(maxAbsDiff(batchOf(output.toArray() as number[][][], b), ref.out) < 1e-12);
    const avg = ref.weights[0]!.map((row, i) => row.map((v, j) => (v + ref.weights[1]![i]![j]!) / 2));
    assert.ok(maxAbsDiff((weights.toArray() as number[][][])[b], avg) < 1e-12);
  }
  for (const t of [x, mask, out, output, weights]) t.dispose();
  mha.dispose();
});

test("cross-attention, batch first, bool key padding mask and bool attn mask", () => {
  const { mha, w } = setup(2, true);
  const q = randn([B, L, E], { dtype: "f64" });
  const kv = randn([B, S, E], { dtype: "f64" });
  // True = may not attend (PyTorch's MHA convention): hide the last key of batch 1, and key 0 for query 2.
  const kpm = tensor([[false, false, false, false], [false, false, false, true]]);
  const attn = tensor([[false, false, false, false], [false, false, false, false], [true, false, false, false]]);
  const out = mha.forward(q, kv, kv, { keyPaddingMask: kpm, attnMask: attn });
  const { weights } = mha.forwardWithWeights(q, kv, kv, { keyPaddingMask: kpm, attnMask: attn, averageWeights: false });
  assert.deepEqual(weights.shape, [B, H, L, S]);
  const qs = q.toArray() as Mat[];
  const ks = kv.toArray() as Mat[];
  const got = out.toArray() as Mat[];
  for (let b = 0; b < B; b++) {
    const mask: Mat = Array.from({ length: L }, (_, i) =>
      Array.from({ length: S }, (_, j) => ((b === 1 && j === 3) || (i === 2 && j === 0) ? -Infinity : 0)));
    const ref = mhaReference(qs[b]!, ks[b]!, ks[b]!, w, H, mask);
    assert.ok(maxAbsDiff(got[b], ref.out) < 1e-12, `batch ${b}`);
    assert.ok(maxAbsDiff((weights.toArray() as number[][][][])[b], ref.weights) < 1e-12);
  }
  for (const t of [q, kv, kpm, attn, out, weights]) t.dispose();
  mha.dispose();
});

test("unbatched (L, E) input and gradients reach every parameter", () => {
  const { mha } = setup(3);
  const x = randn([L, E], { dtype: "f64" });
  tidy(() => {
    const y = mha.forward(x, x, x);
    assert.deepEqual(y.shape, [L, E]);
    y.square().sum().backward();
  });
  assert.ok(mha.parameters().every((p) => p.grad !== undefined && (p.grad.abs().sum().item() > 0)));
  x.dispose();
  mha.dispose();
});

test("a mask of the wrong shape is refused with the expected shapes", () => {
  const { mha } = setup(4);
  const x = randn([L, B, E], { dtype: "f64" });
  const bad = tensor([[0, 0], [0, 0]], { dtype: "f64" });
  assert.throws(() => mha.forward(x, x, x, { attnMask: bad }), /attn_mask has shape \[2, 2\]; expected \[3, 3\] or \[4, 3, 3\]/);
  assert.throws(() => mha.forward(x, x, x, { keyPaddingMask: bad }), /key_padding_mask has shape \[2, 2\]; expected \[2, 3\]/);
  x.dispose();
  bad.dispose();
  mha.dispose();
});
