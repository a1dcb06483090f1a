/**
 * `laclip eval --task ... --dataset wds/NAME` and `--suite` with real CLIP checkpoints (laclip-tiny, random
 * weights): CLIP_benchmark's file names and JSON keys, one stdout line per result, the suite table's numbers
 * equal to the result files', and --out refusing a single file for several results.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Generator } from "../../src/engine/index.js";
import { CLIP, clipPreset, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { writeMergesFile } from "../../src/tokenizer/index.js";
import type { TaskResult } from "../../src/eval/index.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../train/data_fixtures.js";
import { colourMerges } from "./tiny_models.js";
import { writeClsDataset, writeRetrievalDataset } from "./wds_fixtures.js";

async function checkpoints(dir: string): Promise<[string, string]> {
  const paths: string[] = [];
  for (const seed of [1, 2]) {
    const model = new CLIP(clipPreset("laclip-tiny"), { generator: new Generator(seed) });
    const p = join(dir, `ckpt${seed}`);
    await saveClipCheckpoint(model, p);
    model.dispose();
    paths.push(p);
  }
  return paths as [string, string];
}

test("several tasks x two checkpoints write CLIP_benchmark-named JSONs; a suite compares them in one table", async (t) => {
  const dir = await tempDir(t);
  const [a, b] = await checkpoints(dir);
  await writeClsDataset(join(dir, "wds_colours"), 4, 3);
  await writeRetrievalDataset(join(dir, "wds_caps"));
  const merges = join(dir, "merges.txt");
  writeMergesFile(merges, colourMerges());
  const out = join(dir, "out");
  const common = ["--merges", merges, "--feature-cache", join(dir, "cache"), "--batch", "7"];
  const res = await runCli(["eval", "--task", "zeroshot_classification,linear_probe,few_shot", "--dataset", "wds/colours", "--dataset-root", join(dir, "wds_{dataset}"),
    "--checkpoint", a, "--checkpoint", b, "--out", `${out}/`, "--epochs", "2", "--fewshot-ways", "3", "--fewshot-shots", "1", "--fewshot-queries", "2", "--fewshot-episodes", "5", ...common]);
  assert.equal(res.code, 0, res.stderr);
  const names = (await readdir(out)).sort();
  assert.deepEqual(names, ["ckpt1", "ckpt2"].flatMap((c) => ["few_shot", "linear_probe", "zeroshot_classification"].map((task) => `colours_${c}_laclip-tiny_en_${task}.json`)).sort());
  const lines = res.stdout.trim().split("\n").map((l) => JSON.parse(l) as TaskResult & { out: string });
  assert.equal(lines.length, 6);
  for (const line of lines) {
    const j = JSON.parse(await readFile(line.out, "utf8")) as TaskResult;
    assert.deepEqual(Object.keys(j).slice(0, 6), ["dataset", "model", "pretrained", "task", "metrics", "language"]);
    assert.deepEqual([j.dataset, j.model, j.language], ["wds/colours", "laclip-tiny", "en"]);
    assert.deepEqual([j.metrics_unit, (line as { metrics_unit?: string }).metrics_unit], ["fraction", "fraction"]); // said in the file and on stdout
    assert.deepEqual(line.metrics, j.metrics);
  }
  const zs = JSON.parse(await readFile(join(out, "colours_ckpt1_laclip-tiny_en_zeroshot_classification.json"), "utf8")) as TaskResult;
  assert.deepEqual(Object.keys(zs.metrics), ["acc1", "acc5", "mean_per_class_recall"]);
  assert.equal(zs.counts.n_images, 18);
  assert.equal(zs.pretrained, a);

  // a suite over the same features (read from the cache) and a retrieval set
  const suite = join(dir, "suite.yaml");
  await writeFile(suite, [
    "checkpoints:", "  - { name: CLIP, path: ckpt1 }", "  - { name: LaCLIP, path: ckpt2 }",
    "tasks: [zeroshot_classification, linear_probe]",
    "datasets:", "  - { dataset: wds/colours, root: wds_colours }", "  - { dataset: wds/caps, root: wds_caps, tasks: [zeroshot_retrieval] }",
    "out: suite_out", `settings: { epochs: 2, batch: 7, merges: merges.txt, feature_cache: cache }`, "",
  ].join("\n"));
  const s = await runCli(["eval", "--suite", suite]);
  assert.equal(s.code, 0, s.stderr);
  assert.match(s.stderr, /from the cache/);
  assert.equal(s.stdout.trim().split("\n").length, 6);
  const md = await readFile(join(dir, "suite_out", "table.md"), "utf8");
  const rows = md.trim().split("\n");
  assert.equal(rows[0], "| checkpoint | colours/zero-shot | colours/linear probe | caps/image R@1 | caps/text R@1 | mean |");
  assert.equal(rows.length, 4);
  const csv = (await readFile(join(dir, "suite_out", "table.csv"), "utf8")).trim().split("\n");
  assert.equal(csv[0], "checkpoint,colours/zero-shot,colours/linear probe,caps/image R@1,caps/text R@1,mean");
  for (const [i, name] of ["CLIP", "LaCLIP"].entries()) {
    const ck = `ckpt${i + 1}`;
    const read = async (f: string) => (JSON.parse(await readFile(join(dir, "suite_out", f), "utf8")) as TaskResult).metrics;
    const want = [
      (await read(`colours_${ck}_laclip-tiny_en_zeroshot_classification.json`)).acc1 as number,
      (await read(`colours_${ck}_laclip-tiny_en_linear_probe.json`)).lp_acc1 as number,
      (await read(`caps_${ck}_laclip-tiny_en_zeroshot_retrieval.json`))["image_retrieval_recall@1"] as number,
      (await read(`caps_${ck}_laclip-tiny_en_zeroshot_retrieval.json`))["text_retrieval_recall@1"] as number,
    ].map((v) => v * 100);
    const cells = [...want, want.reduce((x, y) => x + y) / 4].map((v) => v.toFixed(1));
    assert.equal(rows[2 + i], `| ${name} | ${cells.join(" | ")} |`);
    assert.equal(csv[1 + i], [name, ...cells].join(","));
  }

  const many = await runCli(["eval", "--task", "zeroshot_classification,few_shot", "--dataset", "wds/colours", "--dataset-root", join(dir, "wds_colours"), "--checkpoint", a, "--out", join(dir, "one.json"), ...common]);
  assert.equal(many.code, 1);
  assert.match(many.stderr, /2 results \(checkpoints x datasets x tasks\) need --out DIR\//);
  const bad = await runCli(["eval", "--task", "zeroshot_retrieval", "--dataset", "wds/colours", "--dataset-root", join(dir, "wds_colours"), "--checkpoint", a, ...common]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /zero-shot retrieval needs captions, but '.*wds_colours\/test' is a classification set/);
});
