import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { builtinDataset, builtinDatasetNames, openDatasetSplit, openRetrievalList } from "../../src/eval/index.js";
import { put, tempDir } from "../train/data_fixtures.js";

test("retrieval lists: CSV rows gather captions per image, JSONL caption or captions, Karpathy JSON by split", async (t) => {
  const dir = await tempDir(t);
  const csv = await put(dir, "r.csv", 'image,caption\na.png,a red thing\nb.png,"green, bright"\na.png,red\n');
  const c = await openRetrievalList(csv);
  assert.deepEqual(c.images.map((i) => i.path), [join(dir, "a.png"), join(dir, "b.png")]);
  assert.deepEqual(c.captions, [["a red thing", "red"], ["green, bright"]]);
  const jsonl = await put(dir, "r.jsonl", '{"image": "x/a.png", "caption": "one"}\n\n{"image": "/abs/b.png", "captions": ["two", "three"]}\n');
  const j = await openRetrievalList(jsonl, { imageRoot: "/root" });
  assert.deepEqual(j.images.map((i) => [i.path, i.label]), [["/root/x/a.png", 0], ["/abs/b.png", 1]]);
  assert.deepEqual(j.captions, [["one"], ["two", "three"]]);
  const karpathy = await put(dir, "dataset_flickr30k.json", JSON.stringify({ images: [
    { filename: "1.jpg", split: "train", sentences: [{ raw: "t" }] },
    { filename: "2.jpg", filepath: "val2014", split: "test", sentences: [{ raw: "a dog" }, { raw: "a brown dog" }] },
  ] }));
  const k = await openRetrievalList(karpathy);
  assert.deepEqual(k.images.map((i) => i.path), [join(dir, "val2014", "2.jpg")]);
  assert.deepEqual(k.captions, [["a dog", "a brown dog"]]);
  assert.equal((await openRetrievalList(karpathy, { split: "train" })).images.length, 1);
  // through --dataset FILE
  const opened = await openDatasetSplit({ dataset: karpathy }, "test");
  assert.equal(opened.kind, "retrieval");

  await assert.rejects(openRetrievalList(await put(dir, "bad.csv", "a.png,\n")), /bad\.csv, line 1: empty caption; give every row a caption/);
  await assert.rejects(openRetrievalList(await put(dir, "three.csv", "a.png,b,c\n")), /three\.csv, line 1: expected 2 fields 'image,caption', got 3; quote captions/);
  await assert.rejects(openRetrievalList(await put(dir, "bad.jsonl", '{"image": "a.png", "captions": []}\n')), /bad\.jsonl, line 1: each line needs "caption"/);
  await assert.rejects(openRetrievalList(karpathy, { split: "val" }), /dataset_flickr30k\.json: no image has split 'val'; pass --split/);
  await assert.rejects(openRetrievalList(await put(dir, "empty.csv", "image,caption\n")), /empty\.csv: names no image/);
});

test("built-in datasets ship class names, templates and the metric the papers report", () => {
  const names = builtinDatasetNames();
  for (const n of ["imagenet1k", "food101", "cifar10", "cifar100", "cars", "fgvc_aircraft", "dtd", "pets", "caltech101", "flowers", "stl10", "eurosat", "resisc45", "gtsrb", "country211", "renderedsst2", "sun397"]) {
    assert.ok(names.includes(n), n);
    const d = builtinDataset(n);
    assert.ok(d.classes.length >= 2 && d.templates.templates.length >= 1, n);
    for (const t of d.templates.templates) assert.match(t, /\{c?\}/, `${n}: ${t}`);
  }
  const inet = builtinDataset("imagenet1k");
  assert.equal(inet.classes.length, 1000);
  assert.equal(inet.classes[0]!.name, "tench");
  assert.equal(builtinDataset("imagenet1k", "laclip-7").templates.templates.length, 7);
  assert.equal(builtinDataset("imagenet1k", "openai-80").templates.templates.length, 80);
  assert.equal(builtinDataset("cifar10").classes.length, 10);
  assert.equal(builtinDataset("cifar100").classes.length, 100);
  assert.equal(builtinDataset("cifar10", "slip").templates.templates[0]!.includes("{}"), true);
  for (const n of ["fgvc_aircraft", "pets", "caltech101", "flowers"]) assert.equal(builtinDataset(n).metric, "mean_per_class_recall", n);
  assert.equal(builtinDataset("food101").metric, "acc1");
  assert.throws(() => builtinDataset("nope"), /'nope' is not a built-in dataset \(built in: imagenet1k, .*\); pass --classes and --templates files instead/);
  assert.throws(() => builtinDataset("cifar10", "openai-80"), /has no 'openai-80' templates/);
});

test("a built-in name over an ImageFolder root needs no class file; a missing split names what was looked for", async (t) => {
  const dir = await tempDir(t);
  for (const c of builtinDataset("cifar10").classes) await put(dir, `test/${c.name}/${c.name}.png`, "");
  const s = await openDatasetSplit({ dataset: "cifar10", root: dir }, "test");
  assert.equal(s.kind, "classification");
  if (s.kind !== "classification") return;
  assert.deepEqual(s.set.samples.map((x) => x.label), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.match(s.set.samples[9]!.path, /test\/truck\/truck\.png$/);
  assert.equal(s.templates!.templates.length, builtinDataset("cifar10").templates.templates.length);
  await assert.rejects(openDatasetSplit({ dataset: "cifar10", root: dir }, "val"), /no split 'val' under '.*': expected .*val\/nshards\.txt \(WebDataset\) or the folder .*val\/<class>\/ \(ImageFolder\)/);
  await assert.rejects(openDatasetSplit({ dataset: "wds/x" }, "test"), /--dataset 'wds\/x' needs --dataset-root DIR/);
});
