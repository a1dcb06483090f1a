/**
 * The task runner on CLIP_benchmark-layout shards with the colour model (image feature = mean colour, text
 * feature = the colour word's vector), so every feature is known by hand: each metric is checked against the
 * metric functions run on hand-made features, or against a hand count.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { evalTransform } from "../../src/image/index.js";
import { liveTensors } from "../../src/engine/index.js";
import { FeatureCache, fewShotEpisodes, linearProbe, openWdsSplit, runDatasetTasks, type BenchmarkOptions, type TaskResult } from "../../src/eval/index.js";
import { tempDir, writeTar } from "../train/data_fixtures.js";
import { colourModel, colourTokenizer } from "./tiny_models.js";
import { NAMES, png, writeClsDataset, writeRetrievalDataset, type ClsSample } from "./wds_fixtures.js";

const TRANSFORM = evalTransform({ size: 8, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } });

function options(over: Partial<BenchmarkOptions> = {}): BenchmarkOptions {
  const tok = colourTokenizer();
  return {
    tasks: ["zeroshot_classification"], tokenizer: tok, contextLength: 16, transform: TRANSFORM, batchSize: 5,
    identity: { model: "tiny-colour", pretrained: "none", checkpoint: "none" }, ...over,
  };
}

/** The features the colour model gives these solid images: the unit mean colour. */
function handFeatures(samples: readonly ClsSample[]): { data: Float32Array; dim: number; labels: number[] } {
  const data = new Float32Array(samples.length * 3);
  samples.forEach((s, i) => {
    const v = s.rgb.map((c) => c / 255);
    const n = Math.hypot(...v);
    data.set(v.map((x) => x / n), i * 3);
  });
  return { data, dim: 3, labels: samples.map((s) => s.label) };
}

test("zero-shot, linear probe and few-shot on a WebDataset split match hand-made features; CLIP_benchmark keys", async (t) => {
  const root = join(await tempDir(t), "wds_colours");
  const { train, test: testSamples } = await writeClsDataset(root);
  const model = colourModel(colourTokenizer());
  const before = liveTensors();
  const lines: string[] = [];
  const o = options({
    tasks: ["zeroshot_classification", "linear_probe", "few_shot"], linearProbe: { epochs: 3, seed: 1 },
    fewShot: { ways: 3, shots: 1, queries: 2, episodes: 10 }, log: (l) => lines.push(l),
  });
  const results = await runDatasetTasks(model, { dataset: "wds/colours", root }, o);
  assert.equal(liveTensors(), before, "no tensor left behind");
  assert.deepEqual(results.map((r) => r.task), ["zeroshot_classification", "linear_probe", "few_shot"]);
  for (const r of results) assert.deepEqual(Object.keys(r).slice(0, 6), ["dataset", "model", "pretrained", "task", "metrics", "language"]);
  const [zs, lp, fs] = results as [TaskResult, TaskResult, TaskResult];
  // every image is a shade of its own colour: all right, and its class ranks first
  assert.deepEqual(zs.metrics, { acc1: 1, acc5: 1, mean_per_class_recall: 1 });
  assert.deepEqual(zs.counts, { n_images: 24, n_classes: 6, n_skipped: 0, n_non_finite: 0 });
  assert.equal(zs.settings.n_templates, 2);
  const direct = linearProbe(handFeatures(train), handFeatures(testSamples), { epochs: 3, seed: 1, classes: 6 });
  for (const [k, v] of Object.entries(direct.metrics)) assert.ok(Math.abs((lp.metrics[k] as number) - (v as number)) < 1e-6 || lp.metrics[k] === v, `${k}: ${lp.metrics[k]} vs ${v}`);
  assert.deepEqual(Object.keys(lp.metrics), ["lp_acc1", "lp_acc5", "lp_mean_per_class_recall", "weight_decay", "epochs", "seed", "fewshot_k", "normalized"]);
  assert.deepEqual([lp.counts.n_train, lp.counts.n_test], [36, 24]);
  const directFs = fewShotEpisodes(handFeatures(testSamples), { ways: 3, shots: 1, queries: 2, episodes: 10 });
  assert.ok(Math.abs((fs.metrics.fewshot_acc as number) - directFs.metrics.fewshot_acc) < 1e-9);
  assert.equal(fs.metrics.fewshot_acc, 1);
  assert.equal(lines.length, 0, lines.join("\n"));
});

test("retrieval recall on a WebDataset retrieval split, by hand; the feature cache is read on a second run", async (t) => {
  const dir = await tempDir(t);
  const root = join(dir, "caps");
  await writeRetrievalDataset(root);
  const cache = new FeatureCache(join(dir, "cache"));
  const model = colourModel(colourTokenizer());
  const lines: string[] = [];
  const o = options({ tasks: ["zeroshot_retrieval"], recallK: [1, 5], cache, log: (l) => lines.push(l) });
  const [r] = await runDatasetTasks(model, { dataset: "wds/caps", root }, o);
  // 13 captions: only "blue" (on the cyan image) misses at 1: the blue image scores 1, cyan 0.707 and ties
  // magenta, which comes later -> rank 1, a hit at 5. Every image's own name caption ranks it first.
  assert.deepEqual(r!.metrics, { "image_retrieval_recall@1": 12 / 13, "text_retrieval_recall@1": 1, "image_retrieval_recall@5": 1, "text_retrieval_recall@5": 1 });
  assert.deepEqual(r!.counts, { n_images: 6, n_captions: 13, n_skipped: 0 });
  assert.equal(r!.settings.features_cached, false);
  assert.equal((await readdir(join(dir, "cache"))).length, 2, "one entry: features and their description");
  const [again] = await runDatasetTasks(model, { dataset: "wds/caps", root }, o);
  assert.equal(again!.settings.features_cached, true);
  assert.deepEqual(again!.metrics, r!.metrics);
  assert.match(lines.join("\n"), /6 image features from the cache/);
  // a changed preprocessing is a different entry
  const [other] = await runDatasetTasks(model, { dataset: "wds/caps", root }, { ...o, transform: evalTransform({ size: 6, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } }) });
  assert.equal(other!.settings.features_cached, false);
});

test("bad WebDataset splits fail with one line naming the file and what to do", async (t) => {
  const dir = await tempDir(t);
  const make = async (name: string, members: { name: string; data: string | Buffer }[], extra: Record<string, string> = {}) => {
    const root = join(dir, name);
    await writeTar(join(root, "test", "0.tar"), members);
    await writeFile(join(root, "test", "nshards.txt"), "1\n");
    await writeFile(join(root, "classnames.txt"), "red\ngreen\n");
    for (const [f, text] of Object.entries(extra)) await writeFile(join(root, f), text);
    return root;
  };
  const img = await png([255, 0, 0]);
  const good = await make("good", [{ name: "a.png", data: img }, { name: "a.cls", data: "1" }]);
  const opened = await openWdsSplit(good, "test");
  assert.equal(opened.kind === "classification" && opened.set.samples[0]!.label, 1);

  await rm(join(good, "test", "nshards.txt"));
  await assert.rejects(openWdsSplit(good, "test"), (e: Error) => /good\/test\/nshards\.txt: missing: .*splits here: test\); check --dataset-root and --split/.test(e.message) && !e.message.includes("\n"));
  const range = await make("range", [{ name: "a.png", data: img }, { name: "a.cls", data: "2" }]);
  await assert.rejects(openWdsSplit(range, "test"), /range\/test\/0\.tar, key 'a': class 2 is out of range: .*classnames\.txt has 2 classes \(0\.\.1\); fix the sample's label/);
  const noImage = await make("noimage", [{ name: "a.cls", data: "0" }]);
  await assert.rejects(openWdsSplit(noImage, "test"), /noimage\/test\/0\.tar, key 'a': sample has members \[cls\] but no image \(webp, png, jpg, jpeg\); remove the sample or add its image/);
  const noCaption = await make("nocap", [{ name: "a.png", data: img }, { name: "a.cls", data: "0" }], { "dataset_type.txt": "retrieval\n" });
  await assert.rejects(openWdsSplit(noCaption, "test"), /nocap\/test\/0\.tar, key 'a': sample has no 'txt' member \(its captions\)/);
  const empty = await make("empty", []);
  await assert.rejects(openWdsSplit(empty, "test"), /empty\/test\/nshards\.txt: the split has no samples in its 1 shard\(s\); check --split/);
  const shortCount = await make("short", [{ name: "a.png", data: img }, { name: "a.cls", data: "0" }]);
  await writeFile(join(shortCount, "test", "nshards.txt"), "2\n");
  await assert.rejects(openWdsSplit(shortCount, "test"), /says 2 shards, but .*short\/test\/1\.tar does not exist/);
  assert.equal(NAMES.length, 6);
});
