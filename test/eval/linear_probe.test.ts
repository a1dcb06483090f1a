import { test } from "node:test";
import assert from "node:assert/strict";
import { cosineLr, fewShotSubset, holdOutRows, linearProbe, searchGrid, trainLinear, weightDecayGrid } from "../../src/eval/index.js";
import { Rng } from "../../src/util/rng.js";
import { referenceTrain } from "./linear_reference.js";

function clusters(seed: number, perClass: number, classes: number, dim: number, noise: number): { data: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
  const data: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < perClass * classes; i++) {
    const c = i % classes;
    data.push(...centres[c]!.map((v) => v + rng.uniform(-noise, noise)));
    labels.push(c);
  }
  return { data: Float32Array.from(data), labels };
}

const rowsOf = (data: Float32Array, dim: number): number[][] => Array.from({ length: data.length / dim }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
const unitRows = (rows: number[][]): number[][] => rows.map((r) => r.map((v) => v / Math.hypot(...r)));

test("trainLinear matches the reference AdamW / cross-entropy / cosine training step for step", () => {
  const dim = 5;
  const C = 4;
  const { data, labels } = clusters(1, 7, C, dim, 0.8); // 28 rows: batches of 8, the last one short
  const rng = new Rng(2);
  const w0 = Float32Array.from({ length: C * dim }, () => rng.uniform(-0.4, 0.4));
  const b0 = Float32Array.from({ length: C }, () => rng.uniform(-0.4, 0.4));
  // the engine trains in float32 (AdamW's moments too), the reference in double: 2e-6 on weights of size ~0.4
  // leaves room for float32 rounding over the 12 steps, and for nothing else
  for (const wd of [0, 0.3]) {
    const got = trainLinear(data, labels, dim, C, { lr: 0.05, epochs: 3, batchSize: 8, weightDecay: wd, shuffle: false, init: { weight: w0, bias: b0 } });
    const ref = referenceTrain(rowsOf(data, dim), labels, rowsOf(w0, dim), Array.from(b0), { lr: 0.05, epochs: 3, batch: 8, wd });
    ref.w.flat().forEach((v, i) => assert.ok(Math.abs(got.weight[i]! - v) < 2e-6, `weight ${i} (wd ${wd}): ${got.weight[i]} vs ${v}`));
    ref.b.forEach((v, c) => assert.ok(Math.abs(got.bias[c]! - v) < 2e-6, `bias ${c}`));
    assert.ok(Math.abs(got.weight[0]! - w0[0]!) > 1e-3, "training moved the weights");
  }
  assert.equal(cosineLr(0.1, 0, 10), 0.1);
  assert.ok(Math.abs(cosineLr(0.1, 5, 10) - 0.05) < 1e-15);
});

test("linearProbe's metrics equal the reference probe's on the same features (CLIP_benchmark keys)", () => {
  const dim = 4;
  const C = 6;
  const train = clusters(3, 10, C, dim, 1.4);
  const testSet = clusters(3, 5, C, dim, 1.4); // same seed: same centres
  const o = { lr: 0.1, epochs: 4, batchSize: 16, seed: 5, shuffle: false };
  const r = linearProbe({ dim, ...train }, { dim, ...testSet }, o);
  assert.deepEqual(Object.keys(r.metrics).sort(), ["epochs", "fewshot_k", "lp_acc1", "lp_acc5", "lp_mean_per_class_recall", "normalized", "seed", "weight_decay"]);
  // the probe's initial weights: lr 0 leaves them untouched
  const init = trainLinear(new Float32Array(dim), [0], dim, C, { lr: 0, seed: 5 });
  const ref = referenceTrain(unitRows(rowsOf(train.data, dim)), train.labels, rowsOf(init.weight, dim), Array.from(init.bias), { lr: 0.1, epochs: 4, batch: 16, wd: 0 });
  const logits = unitRows(rowsOf(testSet.data, dim)).map((x) => ref.w.map((wr, c) => wr.reduce((s, v, d) => s + v * x[d]!, ref.b[c]!)));
  const order = logits.map((z) => z.map((v, c) => [v, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]).map(([, c]) => c));
  const acc1 = order.filter((o1, i) => o1[0] === testSet.labels[i]).length / order.length;
  const acc5 = order.filter((o1, i) => o1.slice(0, 5).includes(testSet.labels[i]!)).length / order.length;
  const recalls = Array.from({ length: C }, (_, c) => {
    const mine = order.map((o1, i) => [o1[0], testSet.labels[i]] as const).filter(([, y]) => y === c);
    return mine.filter(([p, y]) => p === y).length / mine.length;
  });
  assert.equal(r.metrics.lp_acc1, acc1);
  assert.equal(r.metrics.lp_acc5, acc5);
  assert.ok(Math.abs(r.metrics.lp_mean_per_class_recall - recalls.reduce((a, b) => a + b) / C) < 1e-12);
  assert.ok(acc1 > 0.3 && acc1 < 1, `a probe that learns something but not everything (${acc1})`);
  assert.equal(r.metrics.weight_decay, 0);
  assert.deepEqual([r.nTrain, r.nVal, r.nTest, r.classes], [60, 0, 30, 6]);
});

test("the weight decay search visits the grid as CLIP_benchmark does and fits the final probe on train + val", () => {
  const grid = weightDecayGrid();
  assert.equal(grid.length, 97);
  assert.ok(Math.abs(grid[0]! - 1e-6) < 1e-20 && Math.abs(grid[96]! - 100) < 1e-12 && Math.abs(grid[48]! - 0.01) < 1e-15);
  // a unimodal validation curve peaking at index 37
  const score = (i: number): number => 1 - Math.abs(i - 37) / 100;
  const { best, tried } = searchGrid(97, score);
  // by hand: coarse peak 32; +-8 -> 40 (0.97 beats 32's 0.95); +-4 -> 36; +-2 -> 38 ties 36 and loses (first best kept); +-1 -> 37
  assert.deepEqual(tried, [0, 16, 32, 48, 64, 80, 96, 24, 32, 40, 36, 40, 44, 34, 36, 38, 35, 36, 37]);
  assert.equal(best, 37);
  const flat = searchGrid(97, () => 0); // no candidate beats 0: index 0 (CLIP_benchmark's best_wd_idx start)
  assert.equal(flat.best, 0);

  const dim = 6;
  const train = clusters(8, 6, 5, dim, 0.3);
  const val = clusters(8, 3, 5, dim, 0.3);
  const testSet = clusters(8, 4, 5, dim, 0.3);
  const lines: string[] = [];
  const r = linearProbe({ dim, ...train }, { dim, ...testSet }, { val: { dim, ...val }, epochs: 2, batchSize: 8, log: (l) => lines.push(l) });
  assert.equal(r.search.length, 19);
  assert.equal(lines.length, 19);
  assert.ok(grid.includes(r.metrics.weight_decay));
  const chosen = r.search.find((t) => t.weightDecay === r.metrics.weight_decay)!;
  assert.equal(chosen.valAcc1, Math.max(...r.search.map((t) => t.valAcc1)), "the chosen weight decay has the best validation top-1");
  assert.equal(r.nVal, 15);
  assert.ok(r.metrics.lp_acc1 >= 0.9, `well-separated clusters (${r.metrics.lp_acc1})`);
});

test("fewshot_k keeps K rows per class and refuses classes with fewer; acc5 is null under 5 classes", () => {
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 0, 2, 2];
  const keep = fewShotSubset(labels, 2, 0);
  assert.equal(keep.length, 6);
  assert.equal(new Set(keep).size, 6);
  for (const c of [0, 1, 2]) assert.equal(keep.filter((i) => labels[i] === c).length, 2);
  assert.throws(() => fewShotSubset(labels, 4, 0), /class 1 has fewer than 4 training samples; lower --fewshot-k/);
  const dim = 3;
  const train = clusters(9, 8, 3, dim, 0.3);
  const r = linearProbe({ dim, ...train }, { dim, ...clusters(9, 2, 3, dim, 0.3) }, { fewshotK: 2, epochs: 3 });
  assert.equal(r.nTrain, 6);
  assert.equal(r.metrics.fewshot_k, 2);
  assert.equal(r.metrics.lp_acc5, null);
  assert.throws(() => linearProbe({ dim, ...train }, { dim, data: new Float32Array(3), labels: [7] }, { classes: 3 }), /label 7 of row 0 is not a class index in \[0, 2\]/);
});

test("--val-proportion holds out a seeded, disjoint share of the training rows", () => {
  const dim = 2;
  const rows = 10;
  const f = { data: Float32Array.from({ length: rows * dim }, (_, i) => i), dim, labels: Array.from({ length: rows }, (_, i) => i % 3) };
  const [train, val] = holdOutRows(f, 0.3, 4);
  assert.equal(val.labels.length, 3);
  assert.equal(train.labels.length, 7);
  const firstOf = (x: { data: Float32Array }) => Array.from({ length: x.data.length / dim }, (_, i) => x.data[i * dim]! / dim);
  const all = [...firstOf(train), ...firstOf(val)].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: rows }, (_, i) => i), "every row once");
  firstOf(val).forEach((r, i) => assert.equal(val.labels[i], r % 3, "labels travel with their rows"));
  assert.deepEqual(holdOutRows(f, 0.3, 4)[1].data, val.data, "same seed, same split");
  assert.throws(() => holdOutRows(f, 1, 0), /between 0 and 1/);
  assert.throws(() => holdOutRows(f, 0.01, 0), /leaves no validation rows/);
});
