import { test } from "node:test";
import assert from "node:assert/strict";
import { fewShotEpisode, fewShotEpisodes } from "../../src/eval/index.js";
import { Rng } from "../../src/util/rng.js";

/** Clustered features: class c is near a random centre; some classes too small to be drawn. */
function clusters(seed: number, sizes: number[], dim: number, noise: number): { data: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const centres = sizes.map(() => Array.from({ length: dim }, () => rng.uniform(-1, 1)));
  const data: number[] = [];
  const labels: number[] = [];
  sizes.forEach((n, c) => {
    for (let i = 0; i < n; i++) {
      data.push(...centres[c]!.map((v) => v + rng.uniform(-noise, noise)));
      labels.push(c);
    }
  });
  return { data: Float32Array.from(data), labels };
}

const unit = (v: number[]): number[] => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};

/** Accuracy by the smallest Euclidean distance between the unit query and the unit support mean. */
function directAccuracy(data: Float32Array, dim: number, classes: number[], support: number[][], query: number[][]): number {
  const row = (r: number) => unit(Array.from(data.subarray(r * dim, (r + 1) * dim)));
  const protos = support.map((rows) => unit(rows.map(row).reduce((a, b) => a.map((v, d) => v + b[d]!))));
  let hits = 0;
  let n = 0;
  query.forEach((rows, truth) => {
    for (const r of rows) {
      const q = row(r);
      const dist = protos.map((p) => p.reduce((s, v, d) => s + (v - q[d]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === truth) hits++;
      n++;
    }
    assert.ok(classes[truth]! >= 0);
  });
  return hits / n;
}

test("episodes draw valid classes and rows, and the accuracies match a direct nearest-mean computation", () => {
  const sizes = [12, 9, 3, 15, 10, 8, 2, 11];
  const dim = 6;
  const { data, labels } = clusters(3, sizes, dim, 1.2);
  const o = { ways: 4, shots: 3, queries: 5, episodes: 40, seed: 11 };
  const r = fewShotEpisodes({ data, dim, labels }, o);
  assert.equal(r.eligibleClasses, sizes.filter((n) => n >= 8).length);
  const accs: number[] = [];
  for (let e = 0; e < o.episodes; e++) {
    const ep = fewShotEpisode(labels, e, o);
    assert.equal(new Set(ep.classes).size, 4);
    const all = [...ep.support.flat(), ...ep.query.flat()];
    assert.equal(new Set(all).size, 4 * 8, "rows are distinct");
    ep.classes.forEach((c, w) => {
      assert.ok(sizes[c]! >= 8, `class ${c} has enough rows`);
      assert.equal(ep.support[w]!.length, 3);
      assert.equal(ep.query[w]!.length, 5);
      for (const row of [...ep.support[w]!, ...ep.query[w]!]) assert.equal(labels[row], c);
    });
    accs.push(directAccuracy(data, dim, ep.classes, ep.support, ep.query));
  }
  accs.forEach((a, e) => assert.ok(Math.abs(r.accuracies[e]! - a) < 1e-12, `episode ${e}: ${r.accuracies[e]} vs ${a}`));
  const mean = accs.reduce((a, b) => a + b) / accs.length;
  const sd = Math.sqrt(accs.reduce((a, b) => a + (b - mean) ** 2, 0) / accs.length);
  assert.ok(Math.abs(r.metrics.fewshot_acc - mean) < 1e-12);
  assert.ok(Math.abs(r.metrics.fewshot_ci95 - (1.96 * sd) / Math.sqrt(40)) < 1e-12);
  assert.ok(accs.some((a) => a < 1) && mean > 0.25, "the noise makes some episodes imperfect, yet better than chance");
  assert.deepEqual(fewShotEpisodes({ data, dim, labels }, o).accuracies, r.accuracies, "same seed, same result");
  assert.notDeepEqual(fewShotEpisodes({ data, dim, labels }, { ...o, seed: 12 }).accuracies, r.accuracies);
});

test("defaults are 5-way 5-shot, 15 queries, 600 episodes; too few classes is an error naming the options", () => {
  const { data, labels } = clusters(5, [20, 20, 20, 20, 20, 20], 3, 0.01);
  const r = fewShotEpisodes({ data, dim: 3, labels });
  assert.deepEqual({ ...r.metrics, fewshot_acc: 0, fewshot_ci95: 0 }, { fewshot_acc: 0, fewshot_ci95: 0, ways: 5, shots: 5, queries: 15, episodes: 600, seed: 0 });
  assert.equal(r.metrics.fewshot_acc, 1);
  assert.equal(r.metrics.fewshot_ci95, 0);
  assert.throws(() => fewShotEpisodes({ data, dim: 3, labels }, { shots: 10, queries: 11 }), /need 5 classes with at least 21 samples .* only 0 have/);
  assert.throws(() => fewShotEpisodes({ data, dim: 3, labels }, { ways: 0 }), /ways must be a positive integer/);
});
