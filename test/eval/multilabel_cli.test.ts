/**
 * `laclip eval --dataset wds/voc2007_multilabel` end to end with a real CLIP checkpoint (laclip-tiny, random
 * weights) on a root without classnames.txt: the built-in VOC class list, CLIP_benchmark's file name and keys,
 * mean_average_precision as the mean of the per-class APs, and a task multilabel sets do not support refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { Generator } from "../../src/engine/index.js";
import type { TaskResult } from "../../src/eval/index.js";
import { CLIP, clipPreset, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { writeMergesFile } from "../../src/tokenizer/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../train/data_fixtures.js";
import { multilabelSamples, writeMultilabelDataset } from "./multilabel_fixtures.js";
import { colourMerges } from "./tiny_models.js";

test("laclip eval on a multilabel WebDataset writes mean_average_precision under CLIP_benchmark's name; linear_probe is refused", async (t) => {
  const dir = await tempDir(t);
  const model = new CLIP(clipPreset("laclip-tiny"), { generator: new Generator(1) });
  const ckpt = join(dir, "ckpt1");
  await saveClipCheckpoint(model, ckpt);
  model.dispose();
  const root = join(dir, "voc");
  const samples = multilabelSamples(10);
  await writeMultilabelDataset(root, samples, { classnames: false, classes: 20 });
  const merges = join(dir, "merges.txt");
  writeMergesFile(merges, colourMerges());
  const out = join(dir, "out");
  const common = ["--dataset", "wds/voc2007_multilabel", "--dataset-root", root, "--checkpoint", ckpt, "--merges", merges, "--no-feature-cache"];
  const res = await runCli(["eval", "--task", "zeroshot_classification", "--out", `${out}/`, ...common]);
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(await readdir(out), ["voc2007_multilabel_ckpt1_laclip-tiny_en_zeroshot_classification.json"]);
  const j = JSON.parse(await readFile(join(out, "voc2007_multilabel_ckpt1_laclip-tiny_en_zeroshot_classification.json"), "utf8")) as TaskResult;
  assert.deepEqual(Object.keys(j).slice(0, 6), ["dataset", "model", "pretrained", "task", "metrics", "language"]);
  assert.deepEqual([j.dataset, j.task, j.metrics_unit], ["wds/voc2007_multilabel", "zeroshot_classification", "fraction"]);
  assert.deepEqual(Object.keys(j.metrics), ["mean_average_precision"]);
  const ap = j.per_class_ap!;
  assert.equal(ap.length, 20);
  assert.deepEqual([ap[0]!.class, ap[10]!.class, ap[19]!.class], ["aeroplane", "diningtable", "tvmonitor"]); // CLIP_benchmark's VOC order
  assert.deepEqual(ap.map((c) => c.n_positive), Array.from({ length: 20 }, (_, c) => samples.filter((s) => s.positives.includes(c)).length));
  for (const c of ap.slice(5)) assert.equal(c.average_precision, 0, `${c.class} has no positive image`);
  const mean = ap.reduce((a, c) => a + c.average_precision, 0) / 20;
  assert.ok(Math.abs((j.metrics.mean_average_precision as number) - mean) < 1e-12);
  assert.ok(mean > 0 && mean <= 5 / 20, `${mean}: at most the 5 classes with positives can score`);
  assert.deepEqual(j.counts, { n_images: 10, n_classes: 20, n_skipped: 0, n_non_finite: 0 });
  const line = JSON.parse(res.stdout.trim()) as TaskResult;
  assert.deepEqual(line.metrics, j.metrics);

  const refused = await runCli(["eval", "--task", "linear_probe", ...common]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /voc[/\\]test' is a multilabel set \(dataset_type\.txt says multilabel\): laclip runs only zeroshot_classification on it \(mean_average_precision, as CLIP_benchmark\), not linear_probe/);
});
