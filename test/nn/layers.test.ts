import { test } from "node:test";
import assert from "node:assert/strict";
import { Generator, liveTensors, noGrad, randn, tensor, tidy, type Tensor } from "../../src/engine/index.js";
import { Conv2d, Embedding, GELU, LayerNorm, Linear, QuickGELU, Sequential } from "../../src/nn/index.js";
import { matvec, maxAbsDiff, type Mat } from "./reference.js";

const flat = (t: Tensor): number[] => Array.from(t.toTypedArray() as Float32Array | Float64Array);

test("Linear: PyTorch's default bounds, seeded by a generator, and x W^T + b", () => {
  const a = new Linear(50, 20, { generator: new Generator(7) });
  const b = new Linear(50, 20, { generator: new Generator(7) });
  assert.deepEqual(flat(a.weight), flat(b.weight), "same generator seed, same initialisation");
  const bound = 1 / Math.sqrt(50);
  for (const t of [a.weight, a.bias!]) {
    const v = flat(t);
    assert.ok(v.every((x) => Math.abs(x) <= bound));
    assert.ok(Math.max(...v.map(Math.abs)) > 0.8 * bound, "draws fill the range");
  }
  const lin = new Linear(3, 2, { dtype: "f64" });
  const x = randn([4, 3], { dtype: "f64" });
  const y = lin.forward(x);
  const w = lin.weight.toArray() as Mat;
  const bias = lin.bias!.toArray() as number[];
  assert.ok(maxAbsDiff(y.toArray(), (x.toArray() as Mat).map((r) => matvec(w, r, bias))) < 1e-14);
  const nb = new Linear(3, 2, { bias: false });
  assert.deepEqual([...nb.stateDict().keys()], ["weight"]);
  for (const t of [x, y]) t.dispose();
  for (const m of [a, b, lin, nb]) m.dispose();
});

test("LayerNorm: weight 1, bias 0, normalises the last dimension with the given eps", () => {
  const ln = new LayerNorm(4, { eps: 1e-3, dtype: "f64" });
  assert.deepEqual(ln.weight!.toArray(), [1, 1, 1, 1]);
  assert.deepEqual(ln.bias!.toArray(), [0, 0, 0, 0]);
  const rows = [[1, 2, 3, 4], [0, 0, 0, 10]];
  const x = tensor(rows, { dtype: "f64" });
  const y = ln.forward(x);
  const ref = rows.map((r) => {
    const m = r.reduce((a, b) => a + b) / 4;
    const v = r.reduce((a, b) => a + (b - m) ** 2, 0) / 4;
    return r.map((e) => (e - m) / Math.sqrt(v + 1e-3));
  });
  assert.ok(maxAbsDiff(y.toArray(), ref) < 1e-12);
  const plain = new LayerNorm([2, 4], { elementwiseAffine: false });
  assert.equal(plain.stateDict().size, 0);
  for (const t of [x, y]) t.dispose();
  ln.dispose();
});

test("Embedding: N(0, 1) rows, the padding row zero, forward picks rows", () => {
  const emb = new Embedding(1000, 16, { paddingIdx: -1, generator: new Generator(3) });
  assert.equal(emb.paddingIdx, 999);
  const v = flat(emb.weight);
  const mean = v.reduce((a, b) => a + b) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  assert.ok(Math.abs(mean) < 0.02 && Math.abs(sd - 1) < 0.03, `mean ${mean} sd ${sd}`);
  const idx = tensor([[2, 999]], { dtype: "i64" });
  const y = emb.forward(idx);
  assert.deepEqual(y.shape, [1, 2, 16]);
  assert.ok(flat(y).slice(16).every((e) => e === 0));
  tidy(() => assert.deepEqual(flat(y).slice(0, 16), flat(emb.weight.select(0, 2))));
  for (const t of [idx, y]) t.dispose();
  emb.dispose();
});

test("Conv2d: weight (out, in/groups, kh, kw), stride and padding as PyTorch, values against a direct sum", () => {
  const conv = new Conv2d(2, 3, [2, 2], { stride: 2, padding: 1, dtype: "f64" });
  assert.deepEqual(conv.weight.shape, [3, 2, 2, 2]);
  const bound = 1 / Math.sqrt(2 * 2 * 2);
  assert.ok(flat(conv.weight).every((x) => Math.abs(x) <= bound));
  const x = randn([1, 2, 3, 3], { dtype: "f64" });
  const y = conv.forward(x);
  assert.deepEqual(y.shape, [1, 3, 2, 2]);
  const xs = (x.toArray() as number[][][][])[0]!;
  const w = conv.weight.toArray() as number[][][][];
  const b = conv.bias!.toArray() as number[];
  const at = (c: number, i: number, j: number): number => (i < 0 || j < 0 || i >= 3 || j >= 3 ? 0 : xs[c]![i]![j]!);
  const ref = [0, 1, 2].map((o) => [0, 1].map((oi) => [0, 1].map((oj) => {
    let s = b[o]!;
    for (let c = 0; c < 2; c++) for (let ki = 0; ki < 2; ki++) for (let kj = 0; kj < 2; kj++) s += w[o]![c]![ki]![kj]! * at(c, oi * 2 - 1 + ki, oj * 2 - 1 + kj);
    return s;
  })));
  assert.ok(maxAbsDiff((y.toArray() as number[][][][])[0], ref) < 1e-12);
  const grouped = new Conv2d(4, 6, 3, { groups: 2, bias: false });
  assert.deepEqual(grouped.weight.shape, [6, 2, 3, 3]);
  assert.throws(() => new Conv2d(3, 4, 3, { groups: 2 }), /divisible by groups/);
  for (const t of [x, y]) t.dispose();
  conv.dispose();
  grouped.dispose();
});

test("GELU and QuickGELU modules apply their functions", () => {
  const x = tensor([-1, 0, 0.5, 2], { dtype: "f64" });
  const g = new GELU().forward(x);
  const q = new QuickGELU().forward(x);
  const xs = [-1, 0, 0.5, 2];
  const erf = (z: number): number => { // midpoint rule on 2/sqrt(pi) * exp(-t^2), far finer than the tolerance
    let s = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const t = ((i + 0.5) * z) / n;
      s += Math.exp(-t * t);
    }
    return (2 / Math.sqrt(Math.PI)) * s * (z / n);
  };
  assert.ok(maxAbsDiff(flat(g), xs.map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)))) < 1e-7);
  assert.ok(maxAbsDiff(flat(q), xs.map((v) => v / (1 + Math.exp(-1.702 * v)))) < 1e-12);
  for (const t of [x, g, q]) t.dispose();
});

test("Sequential disposes its intermediate outputs; gradients still flow", () => {
  const seq = new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 8), new GELU(), new Linear(8, 1));
  const x = randn([5, 4]);
  const before = liveTensors();
  const y = seq.forward(x);
  assert.equal(liveTensors(), before + 1, "only the output is left");
  noGrad(() => assert.deepEqual(y.shape, [5, 1]));
  tidy(() => y.sum().backward());
  assert.ok(seq.parameters().every((p) => p.grad !== undefined));
  const empty = new Sequential();
  const same = empty.forward(x);
  assert.notEqual(same, x);
  assert.deepEqual(flat(same), flat(x));
  for (const t of [x, y, same]) t.dispose();
  seq.dispose();
});
