import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { defaultConfig, FIELDS, formatConfig, loadConfig, resolveBatch, saveConfig, validateConfig } from "../../src/train/config/index.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { projectRoot } from "../helpers/shared.js";
import { put, tempDir } from "./data_fixtures.js";

const rejectsKey = (key: string, message?: RegExp) => (e: unknown) => e instanceof ConfigError && e.key === key && (!message || message.test(e.message));

test("the paper preset loads with the recipe's values", async () => {
  const cfg = await loadConfig({ file: join(projectRoot(), "configs", "laclip-cc3m-vitb16.yaml") });
  assert.equal(cfg.model.name, "vit-b16");
  assert.deepEqual(
    { lr: cfg.optim.lr, wd: cfg.optim.weight_decay, ws: cfg.optim.lr_start, we: cfg.optim.lr_end, warm: cfg.optim.warmup_epochs, betas: cfg.optim.betas, eps: cfg.optim.eps },
    { lr: 1e-3, wd: 0.5, ws: 1e-6, we: 1e-5, warm: 1, betas: [0.9, 0.98], eps: 1e-8 },
  );
  assert.equal(cfg.train.epochs, 35);
  assert.equal(cfg.train.dtype, "bf16");
  assert.deepEqual(resolveBatch(cfg, 32), { perRank: 256, world: 32, accum: 1, global: 8192 });
  assert.deepEqual(resolveBatch(cfg, 8), { perRank: 256, world: 8, accum: 4, global: 8192 });
  assert.throws(() => resolveBatch(cfg, 3), rejectsKey("train.global_batch", /not a multiple of batch_size 256 x 3 ranks/));
  assert.equal(cfg.data.rewrites.length, 4);
  assert.equal(cfg.text.augment, "laclip");
});

test("the CPU preset loads", async () => {
  const cfg = await loadConfig({ file: join(projectRoot(), "configs", "cpu-small.yaml") });
  assert.equal(cfg.model.name, "bench-s");
  assert.equal(cfg.train.dtype, "fp32");
  assert.deepEqual(resolveBatch(cfg, 1), { perRank: 64, world: 1, accum: 1, global: 64 });
});

test("JSON and YAML files, extends, and typed --set overrides", async (t) => {
  const dir = await tempDir(t);
  const base = await put(dir, "base.yaml", "data:\n  train: base.csv\noptim:\n  lr: 2.0e-3\ntrain:\n  epochs: 4\n");
  const child = await put(dir, "sub/child.json", JSON.stringify({ extends: "../base.yaml", optim: { weight_decay: 0.1 }, train: { batch_size: 8 } }));
  const cfg = await loadConfig({
    file: child,
    overrides: ["optim.lr=5e-4", "data.format=wds", "data.train=s/{00000..00012}.tar", "data.json_text_keys=[rewrite_*, caption2]", "train.global_batch=64", "log.tensorboard=false", "text.source_weights={original: 2, chatgpt: 0.5}", "optim.grad_clip=1", "data.crop_scale=0.4,1"],
  });
  assert.equal(cfg.optim.lr, 5e-4);
  assert.equal(cfg.optim.weight_decay, 0.1); // from the child
  assert.equal(cfg.train.epochs, 4); // from the base
  assert.equal(cfg.train.batch_size, 8);
  assert.equal(cfg.data.train, "s/{00000..00012}.tar"); // a string key keeps braces as text
  assert.deepEqual(cfg.data.json_text_keys, ["rewrite_*", "caption2"]);
  assert.equal(cfg.log.tensorboard, false);
  assert.deepEqual(cfg.text.source_weights, { original: 2, chatgpt: 0.5 });
  assert.deepEqual(cfg.data.crop_scale, [0.4, 1]);
  assert.deepEqual(resolveBatch(cfg, 2), { perRank: 8, world: 2, accum: 4, global: 64 });
  assert.equal((await loadConfig({ file: child, overrides: ["optim.grad_clip=null"] })).optim.grad_clip, null);
});

test("validation errors name the key and say what is wanted", async (t) => {
  const dir = await tempDir(t);
  const ok = ["data.train=x.csv"];
  await assert.rejects(loadConfig({ overrides: [...ok, "optim.lr=abc"] }), rejectsKey("optim.lr", /expected a number/));
  await assert.rejects(loadConfig({ overrides: [...ok, "optim.lr=0"] }), rejectsKey("optim.lr", /greater than 0/));
  await assert.rejects(loadConfig({ overrides: [...ok, "train.dtype=fp16"] }), rejectsKey("train.dtype", /one of fp32, bf16/));
  await assert.rejects(loadConfig({ overrides: [...ok, "optim.lrr=1"] }), rejectsKey("optim.lrr", /unknown key/));
  await assert.rejects(loadConfig({ overrides: [...ok, "train.epochs=2.5"] }), rejectsKey("train.epochs", /integer/));
  await assert.rejects(loadConfig({ overrides: [...ok, "optim.betas=[0.9, 1.0]"] }), rejectsKey("optim.betas"));
  await assert.rejects(loadConfig({ overrides: [...ok, "eval.class_names=c.json"] }), rejectsKey("eval.templates", /needed too/));
  await assert.rejects(loadConfig({ overrides: [...ok, "data.format=jsonl"] }), rejectsKey("data.image_root", /required with format jsonl/));
  await assert.rejects(loadConfig({ overrides: [...ok, "optim.warmup_epochs=40"] }), rejectsKey("optim.warmup_epochs", /shorter than the run/));
  await assert.rejects(loadConfig({}), rejectsKey("data.train", /is not set/));
  const typo = await put(dir, "typo.yaml", "optim:\n  weight_decy: 0.1\ndata:\n  train: a.csv\n");
  await assert.rejects(loadConfig({ file: typo }), (e: unknown) => e instanceof ConfigError && e.key === "optim.weight_decy" && /did you mean 'optim.weight_decay'/.test(e.message) && e.message.includes("typo.yaml"));
  const broken = await put(dir, "broken.yaml", "optim:\n  lr: [1,\n");
  await assert.rejects(loadConfig({ file: broken }), /broken\.yaml: not valid YAML/);
  const loop = await put(dir, "loop.yaml", "extends: loop.yaml\n");
  await assert.rejects(loadConfig({ file: loop }), /'extends' loops/);
  assert.throws(() => validateConfig({ ...defaultConfig(), data: "x" }), rejectsKey("data", /must be a mapping/));
});

test("printing is complete and commented; a saved config loads back identical", async (t) => {
  const dir = await tempDir(t);
  const cfg = await loadConfig({ overrides: ["data.train=a.csv", "text.source_weights={original: 2}", "data.rewrites=[r1.txt, r2.txt]"] });
  const text = formatConfig(cfg);
  for (const f of FIELDS) {
    const name = f.key.split(".")[1]!;
    assert.ok(text.includes(`\n  ${name}:`), `printed config lacks ${f.key}`);
    assert.ok(text.includes(`# ${f.doc}`), `printed config lacks the doc of ${f.key}`);
  }
  assert.deepEqual(parseYaml(text), JSON.parse(JSON.stringify(cfg)));
  const path = await saveConfig(cfg, join(dir, "run"));
  assert.equal(path, join(dir, "run", "config.yaml"));
  assert.deepEqual(await loadConfig({ file: path }), cfg);
  assert.match(await readFile(path, "utf8"), /# peak learning rate\n  lr: 0.001/);
});

test("every schema default is valid once data.train is set, and defaults match the schema keys", () => {
  const cfg = defaultConfig();
  cfg.data.train = "x.csv";
  assert.doesNotThrow(() => validateConfig(cfg));
  const keys = Object.entries(cfg).flatMap(([s, body]) => Object.keys(body as object).map((k) => `${s}.${k}`));
  assert.deepEqual(keys, FIELDS.map((f) => f.key));
});

test("a config's data section opens as a training set", async (t) => {
  const { dataSpec } = await import("../../src/train/config/index.js");
  const { openTrainData } = await import("../../src/train/data/open.js");
  const dir = await tempDir(t);
  const csv = await put(dir, "t.csv", "a.jpg,one two\nb.jpg,three four\nc.jpg,five six\n");
  const rw = await put(dir, "rw.txt", "r a\nr b\nr c\n");
  const cfg = await loadConfig({ overrides: [`data.train=${csv}`, `data.rewrites=[${rw}]`, "data.rewrite_sources=[chatgpt]", "data.check_images=false", "data.index_stride=2"] });
  const data = await openTrainData(dataSpec(cfg), { rank: 0, world: 1, batchSize: 3, seed: cfg.train.seed });
  t.after(() => data.close());
  for await (const b of data.batches({ epoch: 0, step: 0 })) {
    assert.deepEqual(b.samples.map((s) => s.texts.length), [2, 2, 2]);
    assert.deepEqual(b.samples[0]!.sources, ["original", "chatgpt"]);
  }
});
