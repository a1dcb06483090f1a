/**
 * Multilabel zero-shot (CLIP_benchmark's `dataset_type.txt` = multilabel): average precision on hand-made
 * rankings (ties, a class without positives), and a run on a small WebDataset whose mean_average_precision is
 * checked against a brute-force AP over the colour model's hand-computed logits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { liveTensors } from "../../src/engine/index.js";
import { evalTransform } from "../../src/image/index.js";
import { averagePrecision, multilabelMetrics, runDatasetTasks, suiteTable, type BenchmarkOptions } from "../../src/eval/index.js";
import { tempDir } from "../train/data_fixtures.js";
import { handLogits, multilabelSamples, oneHot, writeMultilabelDataset } from "./multilabel_fixtures.js";
import { colourModel, colourTokenizer } from "./tiny_models.js";
import { NAMES } from "./wds_fixtures.js";

const options = (over: Partial<BenchmarkOptions> = {}): BenchmarkOptions => ({
  tasks: ["zeroshot_classification"], tokenizer: colourTokenizer(), contextLength: 16, batchSize: 5,
  transform: evalTransform({ size: 8, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } }),
  identity: { model: "tiny-colour", pretrained: "none", checkpoint: "none" }, ...over,
});

/**
 * AP by its definition, without sorting: for each positive i, the images ranked at or above it are those
 * scoring more, or the same with an index <= i (ties in dataset order); its precision is the positives among
 * them over their count. The sum over positives is divided by max(#positives, 1).
 */
function bruteAp(scores: readonly number[], pos: readonly number[]): number {
  let sum = 0;
  let npos = 0;
  scores.forEach((si, i) => {
    if (pos[i] !== 1) return;
    npos++;
    const above = scores.map((sj, j) => sj > si || (sj === si && j <= i));
    sum += above.filter((a, j) => a && pos[j] === 1).length / above.filter(Boolean).length;
  });
  return sum / Math.max(npos, 1);
}

test("average precision as CLIP_benchmark defines it: precision at each positive, ties in dataset order, no positives -> 0", () => {
  assert.equal(averagePrecision([0.9, 0.8, 0.1], [1, 1, 0]), 1);
  // positives at ranks 2 and 4: (1/2 + 2/4) / 2
  assert.equal(averagePrecision([0.9, 0.8, 0.7, 0.6], [0, 1, 0, 1]), 0.5);
  // the order of the inputs does not matter, only the scores
  assert.equal(averagePrecision([0.6, 0.7, 0.8, 0.9], [1, 0, 1, 0]), 0.5);
  // three tied scores: the earlier sample ranks first, so a lone positive last in the set has precision 1/3
  assert.equal(averagePrecision([0.5, 0.5, 0.5], [0, 0, 1]), 1 / 3);
  assert.equal(averagePrecision([0.5, 0.5, 0.5], [1, 0, 0]), 1);
  // ties within positives: [1, 1, 0] tied, then a positive below: (1/1 + 2/2 + 3/4) / 3
  assert.ok(Math.abs(averagePrecision([0.5, 0.5, 0.5, 0.1], [1, 1, 0, 1]) - (1 + 1 + 3 / 4) / 3) < 1e-15);
  // no positive: AP 0 (the divisor is clamped to 1), not NaN
  assert.equal(averagePrecision([0.3, 0.2], [0, 0]), 0);
  // NaN ranks above every number, as torch.sort puts it first in descending order
  assert.equal(averagePrecision([Number.NaN, 0.9], [0, 1]), 0.5);
  assert.throws(() => averagePrecision([1, 2], [1]), /2 scores but 1 targets/);
  // the mean runs over every class, the one without positives counting 0
  const m = multilabelMetrics(Float32Array.from([0.9, 0.1, 0.2, 0.8]), [Uint8Array.from([1, 0]), Uint8Array.from([1, 0])], ["a", "b"]);
  assert.deepEqual(m.perClass, [{ name: "a", nPositive: 2, averagePrecision: 1 }, { name: "b", nPositive: 0, averagePrecision: 0 }]);
  assert.equal(m.meanAveragePrecision, 0.5);
  assert.equal(m.nNonFinite, 0);
  // random cases agree with the brute force
  for (let k = 0; k < 20; k++) {
    const scores = Array.from({ length: 15 }, (_, i) => Math.round(Math.sin(i * 7.3 + k) * 4) / 4); // many ties
    const pos = scores.map((_, i) => ((i * 5 + k) % 3 === 0 ? 1 : 0));
    assert.ok(Math.abs(averagePrecision(scores, pos) - bruteAp(scores, pos)) < 1e-12, `case ${k}`);
  }
});

test("zero-shot on a multilabel WebDataset: mean_average_precision equals a brute-force AP of the hand logits", async (t) => {
  const root = join(await tempDir(t), "wds_multi");
  const samples = multilabelSamples(24);
  await writeMultilabelDataset(root, samples);
  const logits = handLogits(samples);
  for (let c = 0; c < NAMES.length; c++) {
    // the premise: no two images score within 1e-5 for a class, so float32 and float64 rank them alike
    const col = logits.map((r) => r[c]!).sort((a, b) => a - b);
    assert.ok(col.every((v, i) => i === 0 || v - col[i - 1]! > 1e-5), `class ${c} has near ties`);
  }
  const perClass = NAMES.map((_, c) => bruteAp(logits.map((r) => r[c]!), samples.map((s) => oneHot(s.positives)[c]!)));
  const want = perClass.reduce((a, b) => a + b) / NAMES.length;
  assert.ok(want > 0.2 && want < 0.9, `the fixture should not be trivially ranked (mAP ${want})`);

  const model = colourModel(colourTokenizer());
  const before = liveTensors();
  const [r] = await runDatasetTasks(model, { dataset: "wds/multi", root }, options());
  assert.equal(liveTensors(), before, "no tensor left behind");
  assert.deepEqual(Object.keys(r!).slice(0, 6), ["dataset", "model", "pretrained", "task", "metrics", "language"]);
  assert.deepEqual(Object.keys(r!.metrics), ["mean_average_precision"]);
  assert.ok(Math.abs((r!.metrics.mean_average_precision as number) - want) < 1e-6, `${r!.metrics.mean_average_precision} vs ${want}`);
  assert.deepEqual(r!.counts, { n_images: 24, n_classes: 6, n_skipped: 0, n_non_finite: 0 });
  assert.equal(r!.per_class, undefined);
  const ap = r!.per_class_ap!;
  assert.deepEqual(ap.map((c) => c.class), NAMES);
  assert.deepEqual(ap.map((c) => c.n_positive), NAMES.map((_, c) => samples.filter((s) => s.positives.includes(c)).length));
  ap.forEach((c, i) => assert.ok(Math.abs(c.average_precision - perClass[i]!) < 1e-6, c.class));
  assert.deepEqual(ap[5], { class: "magenta", n_positive: 0, average_precision: 0 });

  // a suite shows the multilabel metric as the dataset's zero-shot column
  const table = suiteTable([r!], [{ path: "none", name: "tiny" }]);
  assert.deepEqual(table.columns, ["multi/zero-shot"]);
  assert.ok(Math.abs(table.rows[0]!.values[0]! - want * 100) < 1e-4);
});

test("linear probe, few-shot and retrieval refuse a multilabel set, naming the task it supports", async (t) => {
  const root = join(await tempDir(t), "wds_multi");
  await writeMultilabelDataset(root, multilabelSamples(4), { shards: 1 });
  const model = colourModel(colourTokenizer());
  for (const task of ["linear_probe", "few_shot", "zeroshot_retrieval"] as const) {
    await assert.rejects(runDatasetTasks(model, { dataset: "wds/multi", root }, options({ tasks: [task] })), (err: Error) => {
      assert.match(err.message, new RegExp(`wds_multi/test' is a multilabel set \\(dataset_type.txt says multilabel\\): laclip runs only zeroshot_classification on it .*not ${task}$`));
      return true;
    });
  }
});
