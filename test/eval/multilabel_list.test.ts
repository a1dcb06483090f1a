/**
 * Multilabel list files (`{"path", "labels": [...]}` JSON lines, or a `path,labels` CSV with `;`-separated
 * labels): targets as written, the same mean_average_precision as the WebDataset form of the same images,
 * single-label lists unchanged, and one error line naming the file and line for a bad row.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { evalTransform } from "../../src/image/index.js";
import { openDatasetSplit, runDatasetTasks, type BenchmarkOptions } from "../../src/eval/index.js";
import { tempDir } from "../train/data_fixtures.js";
import { multilabelSamples, writeMultilabelDataset } from "./multilabel_fixtures.js";
import { colourModel, colourTokenizer } from "./tiny_models.js";
import { NAMES, png } from "./wds_fixtures.js";

const options = (): BenchmarkOptions => ({
  tasks: ["zeroshot_classification"], tokenizer: colourTokenizer(), contextLength: 16, batchSize: 4,
  transform: evalTransform({ size: 8, normalize: { mean: [0, 0, 0], std: [1, 1, 1] } }),
  identity: { model: "tiny-colour", pretrained: "none", checkpoint: "none" },
});

async function classFiles(dir: string): Promise<{ classes: string; templates: string }> {
  const classes = join(dir, "classes.txt");
  const templates = join(dir, "templates.txt");
  await writeFile(classes, `${NAMES.join("\n")}\n`);
  await writeFile(templates, "a photo of a {c}.\nart of the {c}.\n");
  return { classes, templates };
}

test("JSON lines and CSV multilabel lists: targets as written ([] a pure negative); single-label lists stay single-label", async (t) => {
  const dir = await tempDir(t);
  const { classes } = await classFiles(dir);
  const jsonl = join(dir, "multi.jsonl");
  await writeFile(jsonl, ['{"path": "a.png", "labels": [0, "cyan"]}', "", '{"path": "/abs/b.png", "labels": []}', '{"path": "c.png", "labels": ["green", 1]}', ""].join("\n"));
  const m = await openDatasetSplit({ dataset: jsonl, classes }, "test");
  if (m.kind !== "multilabel") return assert.fail(`opened as ${m.kind}`);
  assert.deepEqual(m.set.samples.map((s) => [s.path, s.label]), [[join(dir, "a.png"), 0], ["/abs/b.png", 1], [join(dir, "c.png"), 2]]);
  assert.deepEqual(m.set.targets.map((x) => [...x]), [[1, 0, 0, 0, 1, 0], [0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0]]);
  const csv = join(dir, "multi.csv");
  await writeFile(csv, 'path,labels\r\na.png,red; 3\r\n"b,1.png",magenta\r\n');
  const c = await openDatasetSplit({ dataset: csv, classes, imageRoot: "/imgs" }, "test");
  if (c.kind !== "multilabel") return assert.fail(`opened as ${c.kind}`);
  assert.deepEqual(c.set.samples.map((s) => s.path), ["/imgs/a.png", "/imgs/b,1.png"]);
  assert.deepEqual(c.set.targets.map((x) => [...x]), [[1, 0, 0, 1, 0, 0], [0, 0, 0, 0, 0, 1]]);
  const single = join(dir, "single.csv");
  await writeFile(single, "path,label\na.png,red\n");
  assert.equal((await openDatasetSplit({ dataset: single, classes }, "test")).kind, "classification");
  const singleJson = join(dir, "single.jsonl");
  await writeFile(singleJson, '{"path": "a.png", "label": 2}\n');
  assert.equal((await openDatasetSplit({ dataset: singleJson, classes }, "test")).kind, "classification");
});

test("zero-shot on a multilabel list equals zero-shot on the WebDataset form of the same images", async (t) => {
  const dir = await tempDir(t);
  const { classes, templates } = await classFiles(dir);
  const samples = multilabelSamples(12, 3);
  await writeMultilabelDataset(join(dir, "wds"), samples);
  const rows: string[] = [];
  for (const [i, s] of samples.entries()) {
    await writeFile(join(dir, `img${i}.png`), await png(s.rgb));
    rows.push(JSON.stringify({ path: `img${i}.png`, labels: s.positives.map((c) => (i % 2 === 0 ? c : NAMES[c])) }));
  }
  const list = join(dir, "list.jsonl");
  await writeFile(list, `${rows.join("\n")}\n`);
  const model = colourModel(colourTokenizer());
  const [fromList] = await runDatasetTasks(model, { dataset: list, classes, templates }, options());
  const [fromWds] = await runDatasetTasks(model, { dataset: "wds/x", root: join(dir, "wds") }, options());
  assert.deepEqual(Object.keys(fromList!.metrics), ["mean_average_precision"]);
  assert.equal(fromList!.metrics.mean_average_precision, fromWds!.metrics.mean_average_precision);
  assert.deepEqual(fromList!.per_class_ap, fromWds!.per_class_ap);
});

test("bad multilabel list rows: one error line naming the file and line", async (t) => {
  const dir = await tempDir(t);
  const { classes } = await classFiles(dir);
  const cases: [string, string, RegExp][] = [
    ["empty.csv", "path,labels\na.png,red\nb.png, ; \n", /empty\.csv, line 3: no labels; give the image's classes separated by ';'/],
    ["range.csv", "path,labels\na.png,red;9\n", /range\.csv, line 2: label 9 is not a class index in \[0, 5\]/],
    ["name.csv", "path,labels\na.png,red;purple\n", /name\.csv, line 2: unknown label 'purple'/],
    ["fields.csv", "path,labels\na.png\n", /fields\.csv, line 2: expected 2 fields 'path,labels', got 1/],
    ["notlist.jsonl", '{"path": "a.png", "labels": [1]}\n{"path": "b.png", "labels": "red"}\n', /notlist\.jsonl, line 2: each line of a multilabel list must be an object/],
    ["mixed.jsonl", '{"path": "a.png", "labels": [1]}\n{"path": "b.png", "label": 1}\n', /mixed\.jsonl, line 2: each line of a multilabel list/],
    ["float.jsonl", '{"path": "a.png", "labels": [1.5]}\n', /float\.jsonl, line 1: label 1\.5 is not a class index/],
    ["broken.jsonl", '{"path": "a.png", "labels": [1]}\n{"path": \n', /broken\.jsonl, line 2: not valid JSON/],
  ];
  for (const [name, text, want] of cases) {
    const file = join(dir, name);
    await writeFile(file, text);
    await assert.rejects(openDatasetSplit({ dataset: file, classes }, "test"), (err: Error) => {
      assert.match(err.message, want, name);
      assert.ok(!err.message.includes("\n"), `${name}: one line`);
      return true;
    });
  }
});
