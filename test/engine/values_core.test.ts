/** Results of creation, elementwise, shape and reduction ops against values computed in plain JS. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose, values } from "./close.js";
import * as E from "../../src/engine/index.js";
import { DTYPE_SIZE, type DType } from "../../src/io/host_tensor.js";

test("creation: nested arrays, typed arrays, factories", () => {
  const a = E.tensor([[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual([a.shape, a.dtype, a.device], [[2, 3], "f32", "cpu"]);
  assert.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(E.tensor([true, false]).toArray(), [1, 0]);
  assert.equal(E.tensor([true, false]).dtype, "bool");
  assert.deepEqual(E.tensor(new Int32Array([5, -7, 9]), { shape: [3, 1] }).toArray(), [[5], [-7], [9]]);
  assert.deepEqual(Array.from(E.tensor([2 ** 40 + 1, -3], { dtype: "i64" }).toTypedArray() as BigInt64Array), [2n ** 40n + 1n, -3n]);
  assert.equal(E.scalar(2.5).item(), 2.5);
  assert.deepEqual(E.scalar(3).shape, []);
  assert.deepEqual(E.zeros([2, 2]).toArray(), [[0, 0], [0, 0]]);
  assert.deepEqual(E.ones([3], { dtype: "i32" }).toTypedArray(), new Int32Array([1, 1, 1]));
  assert.deepEqual(E.full([2], 7, { dtype: "f64" }).toArray(), [7, 7]);
  assert.deepEqual(E.arange(5).toArray(), [0, 1, 2, 3, 4]);
  assert.equal(E.arange(5).dtype, "i64");
  assertClose(E.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]);
  assertClose(E.linspace(-1, 1, 5), [-1, -0.5, 0, 0.5, 1]);
  assert.deepEqual(E.eye(2, 3).toArray(), [[1, 0, 0], [0, 1, 0]]);
  assert.equal(E.empty([4, 5]).numel, 20);
  assert.deepEqual(E.fullLike(a, 2).toArray(), [[2, 2, 2], [2, 2, 2]]);
});

test("host round trip keeps bytes for every dtype; f16/bf16 widen to f32", () => {
  const dtypes: DType[] = ["f32", "f64", "bf16", "f16", "i64", "i32", "i16", "i8", "u8", "bool"];
  for (const dtype of dtypes) {
    const n = 6;
    const data = new Uint8Array(n * DTYPE_SIZE[dtype]);
    for (let i = 0; i < data.length; i++) data[i] = dtype === "bool" ? i % 2 : (i * 37 + 11) & 0x3f; // no NaN patterns
    const t = E.fromHost({ dtype, shape: [2, 3], data });
    assert.equal(t.dtype, dtype);
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(t.toHost().data, data, dtype);
    t.dispose();
  }
  const b = E.tensor([1.5, -2, 3.25], { dtype: "bf16" });
  assert.deepEqual(Array.from(b.toTypedArray() as Float32Array), [1.5, -2, 3.25]);
  // bf16 keeps 8 mantissa bits: 1 + 2^-9 rounds to 1
  assert.equal(E.tensor([1 + 2 ** -9], { dtype: "bf16" }).item(), 1);
  assert.deepEqual(E.fromHost({ dtype: "f32", shape: [], data: new Uint8Array(new Float32Array([4]).buffer) }).item(), 4);
});

test("seeded generators reproduce PyTorch's streams", () => {
  E.manualSeed(0);
  // torch.manual_seed(0); torch.randn(3)
  assertClose(E.randn([3]), [1.5409960746765137, -0.293428897857666, -2.1787893772125244], 1e-6);
  const g = new E.Generator(42);
  // g = torch.Generator().manual_seed(42): rand(3), randint(0, 10, (5,)), randperm(6), in this order
  assertClose(E.rand([3], { generator: g }), [0.8822692632675171, 0.9150039553642273, 0.38286375999450684], 1e-6);
  assert.deepEqual(E.randint(0, 10, [5], { generator: g }).toArray(), [4, 6, 5, 0, 4]);
  assert.deepEqual(E.randperm(6, { generator: g }).toArray(), [4, 0, 1, 2, 3, 5]);
  const a = E.zeros([1000]).normal_(2, 0.5, g.manualSeed(3));
  const b = E.zeros([1000]).normal_(2, 0.5, g.manualSeed(3));
  assert.ok(a.allclose(b, 0, 0));
  assert.ok(Math.abs(a.mean().item() - 2) < 0.1 && Math.abs(a.std().item() - 0.5) < 0.05);
  const u = E.empty([1000]).uniform_(-3, -1, g);
  assert.ok(u.min().item() >= -3 && u.max().item() < -1);
});

test("elementwise math and comparisons agree with Math.*", () => {
  const xs = values(12, 3).map((v) => v * 2);
  const x = E.tensor(xs, { dtype: "f64" });
  const check = (t: E.Tensor, f: (v: number) => number, what: string) => assertClose(t, xs.map(f), 1e-12, what);
  check(x.exp(), Math.exp, "exp");
  check(x.abs().log(), (v) => Math.log(Math.abs(v)), "log");
  check(x.abs().sqrt(), (v) => Math.sqrt(Math.abs(v)), "sqrt");
  check(x.abs().rsqrt(), (v) => 1 / Math.sqrt(Math.abs(v)), "rsqrt");
  check(x.sigmoid(), (v) => 1 / (1 + Math.exp(-v)), "sigmoid");
  check(x.tanh(), Math.tanh, "tanh");
  check(x.relu(), (v) => Math.max(v, 0), "relu");
  check(x.sign(), Math.sign, "sign");
  check(x.sin(), Math.sin, "sin");
  check(x.cos(), Math.cos, "cos");
  check(x.reciprocal(), (v) => 1 / v, "reciprocal");
  check(x.pow(3), (v) => v ** 3, "pow");
  check(x.clamp(-0.5, 0.25), (v) => Math.min(Math.max(v, -0.5), 0.25), "clamp");
  check(x.quickGelu(), (v) => v / (1 + Math.exp(-1.702 * v)), "quickGelu");
  check(x.gelu("tanh"), (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3))), "gelu tanh");
  check(x.add(3, 2), (v) => v + 6, "add alpha");
  check(x.rsub(1), (v) => 1 - v, "rsub");
  check(x.div(2, "floor"), (v) => Math.floor(v / 2), "div floor");
  check(x.gt(0.1), (v) => (v > 0.1 ? 1 : 0), "gt");
  check(x.le(0), (v) => (v <= 0 ? 1 : 0), "le");
  check(x.ne(xs[0]!), (v) => (v !== xs[0] ? 1 : 0), "ne");
  const y = E.tensor([1, 2, 3]).mul(E.tensor([[1], [10]])); // broadcast (2,1) x (3) -> (2,3)
  assert.deepEqual(y.toArray(), [[1, 2, 3], [10, 20, 30]]);
  const acc = E.zeros([3], { dtype: "f64" });
  acc.add_(E.tensor([1, 2, 3], { dtype: "f64" }), 2).mul_(0.5).addcmul_(acc, acc, 1).lerp_(E.zeros([3], { dtype: "f64" }), 0.5);
  assert.deepEqual(acc.toArray(), [1, 3, 6]); // ((2x/2) + x^2) / 2 with x = 1, 2, 3
});

test("shape ops and indexing agree with JS", () => {
  const x = E.arange(24).reshape(2, 3, 4);
  const at = (i: number, j: number, k: number) => i * 12 + j * 4 + k;
  assert.deepEqual(x.permute(2, 0, 1).shape, [4, 2, 3]);
  assert.equal((x.permute(2, 0, 1).toArray() as number[][][])[3]![1]![2], at(1, 2, 3));
  assert.deepEqual(x.transpose(0, 1).contiguous().view(3, 8).select(0, 1).toArray(), [4, 5, 6, 7, 16, 17, 18, 19]);
  assert.deepEqual(x.slice(2, 1, undefined, 2).select(0, 0).toArray(), [[1, 3], [5, 7], [9, 11]]);
  assert.deepEqual(x.narrow(1, 2, 1).flatten().toArray(), [8, 9, 10, 11, 20, 21, 22, 23]);
  assert.deepEqual(E.tensor([[1, 2], [3, 4]]).index(E.tensor([1, 0, 1], { dtype: "i64" })).toArray(), [[3, 4], [1, 2], [3, 4]]);
  const m = E.tensor([[1, 2], [3, 4]]);
  assert.deepEqual(m.gather(1, E.tensor([[1, 1], [0, 1]], { dtype: "i64" })).toArray(), [[2, 2], [3, 4]]);
  assert.deepEqual(m.maskedFill(m.gt(2), -1).toArray(), [[1, 2], [-1, -1]]);
  assert.deepEqual(E.where(m.gt(1), m, 0).toArray(), [[0, 2], [3, 4]]);
  assert.deepEqual(E.cat([m, m.mul(10)], 1).toArray(), [[1, 2, 10, 20], [3, 4, 30, 40]]);
  assert.deepEqual(E.stack([m, m], 0).shape, [2, 2, 2]);
  assert.deepEqual(E.arange(7).chunk(3).map((t) => t.toArray()), [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(E.arange(5).split([2, 3]).map((t) => t.toArray()), [[0, 1], [2, 3, 4]]);
  assert.deepEqual(E.ones([3, 3]).triu(1).toArray(), [[0, 1, 1], [0, 0, 1], [0, 0, 0]]);
  assert.deepEqual(E.tensor([[1, 2]]).expand(2, 2).toArray(), [[1, 2], [1, 2]]);
  assert.deepEqual(E.tensor([1, 2]).repeat(2).toArray(), [1, 2, 1, 2]);
  assert.deepEqual(E.zeros([3]).scatter(0, E.tensor([2, 0], { dtype: "i64" }), E.tensor([5, 6])).toArray(), [6, 0, 5]);
  const z = E.zeros([3]);
  z.indexPut_([E.tensor([0, 0, 2], { dtype: "i64" })], E.tensor([1, 2, 3]), true);
  assert.deepEqual(z.toArray(), [3, 0, 3]);
});

test("reductions agree with JS", () => {
  const xs = values(12, 9);
  const x = E.tensor(xs, { dtype: "f64", shape: [3, 4] });
  const rows = [0, 1, 2].map((r) => xs.slice(4 * r, 4 * r + 4));
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const mean = (a: number[]) => sum(a) / a.length;
  const variance = (a: number[], c: number) => sum(a.map((v) => (v - mean(a)) ** 2)) / (a.length - c);
  assertClose(x.sum(), [sum(xs)], 1e-12);
  assertClose(x.sum(1), rows.map(sum), 1e-12);
  assertClose(x.mean(0), [0, 1, 2, 3].map((c) => mean(rows.map((r) => r[c]!))), 1e-12);
  assertClose(x.var(1), rows.map((r) => variance(r, 1)), 1e-12);
  assertClose(x.std(1, { correction: 0 }), rows.map((r) => Math.sqrt(variance(r, 0))), 1e-12);
  assertClose(x.norm(), [Math.sqrt(sum(xs.map((v) => v * v)))], 1e-12);
  assertClose(x.norm(1, 1), rows.map((r) => sum(r.map(Math.abs))), 1e-12);
  assertClose(x.logsumexp(1), rows.map((r) => Math.log(sum(r.map(Math.exp)))), 1e-12);
  assertClose(x.max(), [Math.max(...xs)]);
  const { values: mv, indices: mi } = x.max(1);
  assertClose(mv, rows.map((r) => Math.max(...r)));
  assert.deepEqual(mi.toArray(), rows.map((r) => r.indexOf(Math.max(...r))));
  assert.deepEqual(x.argmin(1).toArray(), rows.map((r) => r.indexOf(Math.min(...r))));
  assert.equal(x.argmax().item(), xs.indexOf(Math.max(...xs)));
  const top = x.topk(2, 1);
  assert.deepEqual(top.values.toArray(), rows.map((r) => [...r].sort((a, b) => b - a).slice(0, 2)));
  assertClose(x.cumsum(1).select(1, 3), rows.map(sum), 1e-12);
  assertClose(x.prod(1), rows.map((r) => r.reduce((p, v) => p * v, 1)), 1e-12);
  assert.equal(x.gt(-2).all().item(), 1);
  assert.equal(x.gt(2).any().item(), 0);
});

test("typed arrays backed by a SharedArrayBuffer become tensors (one copy)", () => {
  const shared = new SharedArrayBuffer(6 * 4 + 8);
  const view = new Float32Array(shared, 8, 6); // an offset view, as worker pools hand out batch slices
  view.set([1, 2, 3, 4, 5, 6]);
  const t = E.tensor(view, { shape: [2, 3] });
  const h = E.fromHost({ dtype: "u8", shape: [4], data: new Uint8Array(shared, 8, 4) });
  view[0] = 100; // a copy: later writes to the shared memory do not reach the tensor
  assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(h.toArray(), [0, 0, 128, 63]); // the bytes of 1.0f, little-endian
  t.dispose();
  h.dispose();
});
