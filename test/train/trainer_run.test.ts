/**
 * Whole runs of `train()` on a tiny generated dataset: scheduled learning rates in the metrics, checkpoints
 * kept and described, zero-shot eval lines per epoch, TensorBoard files, bad images counted, a non-finite loss
 * stopping with the last good checkpoint, and a resume with changed settings refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { setNumThreads } from "../../src/engine/index.js";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { ConfigError } from "../../src/errors/config_error.js";
import { readMetrics } from "../../src/train/log/index.js";
import { learningRate, makeSchedule } from "../../src/train/schedule.js";
import { CHECKPOINTS_DIR, NonFiniteLossError, readState, train } from "../../src/train/trainer/index.js";
import { COLOURS, tinyConfig, tinyData } from "./trainer_fixtures.js";

// One intra-op thread: on 2 shared cores, 2 OpenMP threads make these tiny ops ~20x slower (docs/train.md).
setNumThreads(1);

const quiet = () => {};

test("a run logs the scheduled lr at every step, keeps the newest checkpoints, evaluates each epoch", async (t) => {
  const d = await tinyData(t, { broken: [6] });
  const evalDir = join(d.dir, "eval");
  for (const [name, rgb] of COLOURS.slice(0, 3)) {
    await mkdir(join(evalDir, name), { recursive: true });
    await sharp({ create: { width: 20, height: 20, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toFile(join(evalDir, name, "x.png"));
  }
  await writeFile(join(d.dir, "classes.json"), JSON.stringify(COLOURS.slice(0, 3).map(([n]) => n)));
  await writeFile(join(d.dir, "templates.json"), JSON.stringify(["a {} square"]));
  const out = join(d.dir, "run");
  const cfg = await tinyConfig(d, out, [
    "log.tensorboard=true", `eval.class_names=${join(d.dir, "classes.json")}`, `eval.templates=${join(d.dir, "templates.json")}`, `eval.images=${evalDir}`,
  ]);
  const lines: string[] = [];
  const r = await train(cfg, { merges: d.merges, log: (l) => lines.push(l), keepCheckpoints: 2 });
  assert.equal(r.step, 8, "16 samples / batch 4 = 4 steps per epoch, 2 epochs");
  assert.deepEqual(lines.filter((l) => /zeroshot_acc1/.test(l)).map((l) => l.split(":")[0]), ["epoch 1 of 2", "epoch 2 of 2"]);
  assert.match(lines.find((l) => /zeroshot_acc1/.test(l))!, /\(fractions of 1, as laclip eval reports them\)$/);
  assert.deepEqual(r.position, { epoch: 2, step: 0 });

  const schedule = makeSchedule({ lr: 0.01, lrStart: 1e-6, lrEnd: 1e-5, epochs: 2, stepsPerEpoch: 4, warmupSteps: 2 });
  const metrics = readMetrics(join(out, "metrics.jsonl"));
  const steps = metrics.filter((m) => m.lr !== undefined);
  assert.deepEqual(steps.map((m) => m.step), [1, 2, 3, 4, 5, 6, 7, 8]);
  for (const m of steps) {
    assert.equal(m.lr, learningRate(schedule, m.step - 1), `step ${m.step}`);
    assert.equal(m.epoch, Math.ceil(m.step / 4), "steps 1-4 are epoch 1, as the evaluation after them");
    assert.ok(typeof m.loss === "number" && Number.isFinite(m.loss));
    assert.ok((m.logit_scale as number) > 1 && (m.logit_scale as number) <= 100);
    assert.ok((m.samples_per_s as number) > 0 && (m.data_wait_s as number) >= 0);
  }
  assert.ok((steps.at(-1)!.bad_samples as number) >= 1, "the broken image was counted");
  const evals = metrics.filter((m) => m.zeroshot_acc1 !== undefined);
  assert.deepEqual(evals.map((m) => [m.step, m.epoch]), [[4, 1], [8, 2]], "epochs counted from 1, as in the step lines and the log");
  for (const e of evals) assert.ok((e.zeroshot_acc1 as number) >= 0 && (e.zeroshot_acc1 as number) <= 1, "a fraction, as laclip eval reports it");

  const kept = (await readdir(join(out, CHECKPOINTS_DIR))).sort();
  assert.deepEqual(kept, ["step-00000006", "step-00000008"], "every 2 steps and each epoch, newest 2 kept");
  const state = await readState(join(out, CHECKPOINTS_DIR, "step-00000008"));
  assert.equal(state.step, 8);
  assert.deepEqual(state.position, { epoch: 2, step: 0 });
  assert.equal(state.epochEnd, true);
  assert.equal(state.schedule.totalSteps, 8);
  assert.equal(state.lossScale, null);
  assert.equal(state.config.train.seed, 3);
  assert.ok((state.badSamples.undecodable_image ?? 0) >= 1);
  const files = (await readdir(join(out, CHECKPOINTS_DIR, "step-00000008"))).sort();
  assert.deepEqual(files, ["config.json", "model.safetensors", "optimizer.json", "optimizer.safetensors", "train_config.yaml", "trainer.json"]);
  assert.match(await readFile(join(out, "config.yaml"), "utf8"), /batch_size: 4/);
  assert.equal((await readdir(join(out, "tb"))).filter((f) => f.startsWith("events.out.tfevents.")).length, 1);

  // started again on the finished run: nothing left to do, nothing rewritten
  const again = await train(cfg, { merges: d.merges, log: quiet, keepCheckpoints: 2 });
  assert.equal(again.step, 8);
  assert.equal(again.lastLoss, undefined);
  assert.equal(readMetrics(join(out, "metrics.jsonl")).length, metrics.length);

  // model.init: a fresh run (new output dir, step 0) starting from the trained weights
  const initOut = join(d.dir, "from-init");
  const init = await tinyConfig(d, initOut, [`model.init=${join(out, CHECKPOINTS_DIR, "step-00000008")}`, "train.epochs=1"]);
  const ri = await train(init, { merges: d.merges, log: quiet });
  assert.equal(ri.step, 4);
  const firstInit = readMetrics(join(initOut, "metrics.jsonl"))[0]!;
  assert.equal(firstInit.step, 1);
  assert.ok((firstInit.loss as number) < (steps[0]!.loss as number) - 0.05, `init loss ${firstInit.loss} vs fresh ${steps[0]!.loss}`);

  // the same output dir with another learning rate is another run: refused, with the differing key named
  const changed = await tinyConfig(d, out, ["optim.lr=0.02"]);
  await assert.rejects(train(changed, { merges: d.merges, log: quiet }), (err: unknown) => err instanceof ConfigError && /optim\.lr: checkpoint 0\.01, now 0\.02/.test(err.message));
});

test("a non-finite loss stops the run, names the step, and leaves the last good checkpoint newest", async (t) => {
  const d = await tinyData(t);
  const out = join(d.dir, "run");
  // an absurd learning rate blows the weights up after the first update, so a later loss is NaN
  const cfg = await tinyConfig(d, out, ["optim.lr=1e30", "optim.warmup_steps=0", "checkpoint.every_steps=1"]);
  let error: NonFiniteLossError | undefined;
  await train(cfg, { merges: d.merges, log: quiet }).catch((err: unknown) => {
    if (!(err instanceof NonFiniteLossError)) throw err;
    error = err;
  });
  assert.ok(error, "the run must stop on the non-finite loss");
  const failed = error.step + 1;
  assert.match(error.message, new RegExp(`optimizer step ${failed} \\(epoch 1\\) is (NaN|Infinity|-Infinity)`));
  const dirs = (await readdir(join(out, CHECKPOINTS_DIR))).sort();
  const newest = dirs.at(-1)!;
  assert.equal(newest, `step-${String(failed - 1).padStart(8, "0")}`, "the checkpoint of the step before the bad one");
  assert.ok(error.message.includes(join(out, CHECKPOINTS_DIR, newest)), error.message);
  const state = await readState(join(out, CHECKPOINTS_DIR, newest));
  assert.equal(state.step, failed - 1);
  const lines = readMetrics(join(out, "metrics.jsonl"));
  assert.equal(lines.at(-1)!.stopped, "non-finite loss");
  assert.equal(lines.at(-1)!.step, failed);
});
