import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../helpers/cli.js";
import { tinyData, tinyModel } from "../train/trainer_fixtures.js";

// A new user's path with no --merges and no LACLIP_BPE: train, eval and embed all take the shipped OpenAI
// vocabulary (49408 tokens), and the run records it.
test("laclip train, eval and embed run without --merges or LACLIP_BPE (the shipped CLIP vocabulary)", async (t) => {
  const d = await tinyData(t, { n: 8 });
  const model = join(d.dir, "model_49408.json");
  await writeFile(model, JSON.stringify(tinyModel(49408)));
  const env = { ...process.env };
  delete env.LACLIP_BPE;
  const run = join(d.dir, "run");
  const sets = [
    `model.name=${model}`, "data.format=csv", `data.train=${d.csv}`, "data.workers=0", "train.batch_size=4", "train.epochs=1",
    "train.dtype=fp32", "optim.warmup_steps=1", "log.tensorboard=false", "log.progress=none", `checkpoint.output_dir=${run}`,
  ].flatMap((s) => ["--set", s]);
  const trained = await runCli(["train", "--config", "cpu-small", ...sets], { env });
  assert.equal(trained.code, 0, trained.stderr);

  // two classes of the tiny data as an image folder
  const images = join(d.dir, "eval");
  for (const c of ["red", "green"]) await mkdir(join(images, c), { recursive: true });
  const { copyFile, readdir } = await import("node:fs/promises");
  for (const [i, f] of (await readdir(join(d.dir, "img"))).slice(0, 4).entries()) await copyFile(join(d.dir, "img", f), join(images, i % 2 === 0 ? "red" : "green", f));
  const classes = join(d.dir, "classes.json");
  await writeFile(classes, JSON.stringify(["red", "green"]));
  const evaluated = await runCli(["eval", "--checkpoint", run, "--images", images, "--classes", classes], { env });
  assert.equal(evaluated.code, 0, evaluated.stderr);
  const result = JSON.parse(evaluated.stdout) as { metrics: { acc1: number }; n_images: number };
  assert.equal(result.n_images, 4);
  assert.ok(result.metrics.acc1 >= 0 && result.metrics.acc1 <= 1);

  const texts = join(d.dir, "texts.txt");
  await writeFile(texts, "a red square\na green circle\n");
  const out = join(d.dir, "emb.safetensors");
  const embedded = await runCli(["embed", "--checkpoint", run, "--texts", texts, "--out", out], { env });
  assert.equal(embedded.code, 0, embedded.stderr);
});
