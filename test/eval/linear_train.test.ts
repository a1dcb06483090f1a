import { test } from "node:test";
import assert from "node:assert/strict";
import { liveTensors, tensor } from "../../src/engine/index.js";
import { fitLinear, linearProbe, trainLinear } from "../../src/eval/index.js";
import { Rng, deriveSeed } from "../../src/util/rng.js";
import { referenceTrain } from "./linear_reference.js";

/** `rows` points of `dim` values around one random centre per class; labels cycle through the classes. */
function points(seed: number, rows: number, classes: number, dim: number): { data: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes * dim }, () => rng.uniform(-1, 1));
  const labels = Array.from({ length: rows }, (_, i) => i % classes);
  const data = Float32Array.from({ length: rows * dim }, (_, i) => centres[labels[Math.floor(i / dim)]! * dim + (i % dim)]! + rng.uniform(-0.7, 0.7));
  return { data, labels };
}

const rowsOf = (a: ArrayLike<number>, dim: number): number[][] => Array.from({ length: a.length / dim }, (_, i) => Array.from({ length: dim }, (_, d) => a[i * dim + d]!));

test("the seed draws the initial weights and the per-epoch row orders; shuffled training matches the reference", () => {
  const [dim, C, rows, seed] = [6, 5, 29, 7]; // batches of 8: the last one holds 5 rows
  const { data, labels } = points(3, rows, C, dim);
  // the seed's streams, written out: U(-1/sqrt(D), 1/sqrt(D)) for the weight then the bias, and one in-place
  // reshuffle of the running order per epoch
  const rng = new Rng(deriveSeed(seed, "linear-probe", "init"));
  const bound = 1 / Math.sqrt(dim);
  const w0 = Float32Array.from({ length: C * dim }, () => rng.uniform(-bound, bound));
  const b0 = Float32Array.from({ length: C }, () => rng.uniform(-bound, bound));
  const order = Array.from({ length: rows }, (_, i) => i);
  const orders = [0, 1, 2].map((e) => [...new Rng(deriveSeed(seed, "linear-probe", "shuffle", e)).shuffle(order)]);
  assert.notDeepEqual(orders[0], orders[1], "each epoch has its own order");

  const untrained = trainLinear(data, labels, dim, C, { lr: 0, seed });
  assert.deepEqual([...untrained.weight], [...w0]);
  assert.deepEqual([...untrained.bias], [...b0]);
  const got = trainLinear(data, labels, dim, C, { lr: 0.05, epochs: 3, batchSize: 8, weightDecay: 0.2, seed });
  const ref = referenceTrain(rowsOf(data, dim), labels, rowsOf(w0, dim), Array.from(b0), { lr: 0.05, epochs: 3, batch: 8, wd: 0.2, orders });
  // float32 engine against the double reference, as in linear_probe.test.ts
  ref.w.flat().forEach((v, i) => assert.ok(Math.abs(got.weight[i]! - v) < 2e-6, `weight ${i}: ${got.weight[i]} vs ${v}`));
  ref.b.forEach((v, c) => assert.ok(Math.abs(got.bias[c]! - v) < 2e-6, `bias ${c}: ${got.bias[c]} vs ${v}`));
  const rowOrder = referenceTrain(rowsOf(data, dim), labels, rowsOf(w0, dim), Array.from(b0), { lr: 0.05, epochs: 3, batch: 8, wd: 0.2 });
  assert.ok(rowOrder.w.flat().some((v, i) => Math.abs(got.weight[i]! - v) > 1e-4), "the shuffled order changes the result");
});

test("a fit leaves the live tensor count and its input tensors as they were, also when it fails", () => {
  const [dim, C] = [4, 3];
  const { data, labels } = points(5, 40, C, dim);
  const x = tensor(data, { shape: [40, dim] });
  const y = tensor(Int32Array.from(labels), { dtype: "i64" });
  const live = liveTensors();
  const m = fitLinear(x, y, C, { epochs: 2, batchSize: 16, weightDecay: 0.01, seed: 1 });
  assert.equal(liveTensors(), live + 2, "only the weight and the bias outlive the fit");
  assert.deepEqual(m.weight.shape, [C, dim]);
  assert.equal(m.weight.requiresGrad, false);
  m.weight.dispose();
  m.bias.dispose();
  assert.equal(liveTensors(), live);
  assert.deepEqual([...(x.toTypedArray() as Float32Array)], [...data], "the features are read, never written");

  const bad = tensor(Int32Array.from(labels, (v) => v + C), { dtype: "i64" }); // class indices out of range
  assert.throws(() => fitLinear(x, bad, C, { epochs: 1 }), /target|out of bounds|range/i);
  bad.dispose();
  assert.equal(liveTensors(), live, "a failed fit frees what it made");

  const val = points(6, 12, C, dim);
  const before = Float32Array.from(data);
  const r = linearProbe({ dim, data, labels }, { dim, ...points(7, 9, C, dim) }, { val: { dim, ...val }, epochs: 1, batchSize: 16 });
  assert.equal(r.search.length, 19);
  assert.equal(liveTensors(), live, "the weight decay search, the final fit and the scoring free every tensor");
  assert.deepEqual(data, before, "normalising happens on the engine's copy, not on the caller's rows");
  x.dispose();
  y.dispose();
});
