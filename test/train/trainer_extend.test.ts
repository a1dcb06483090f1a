/**
 * Extending a finished run: started again with a larger train.epochs, it resumes from its last checkpoint,
 * says what changed, and continues on the learning-rate schedule of the new length. A length shorter than what
 * was already trained is refused.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { setNumThreads } from "../../src/engine/index.js";
import { ConfigError } from "../../src/errors/config_error.js";
import { readMetrics } from "../../src/train/log/index.js";
import { fitWarmup, learningRate, makeSchedule } from "../../src/train/schedule.js";
import { train } from "../../src/train/trainer/index.js";
import { tinyConfig, tinyData } from "./trainer_fixtures.js";

setNumThreads(1);

test("a finished run of 1 epoch, started again with train.epochs=3, trains epochs 2 and 3 on the 3-epoch schedule", async (t) => {
  const d = await tinyData(t); // 16 samples, batch 4: 4 steps per epoch
  const out = join(d.dir, "run");
  const first = await train(await tinyConfig(d, out, ["train.epochs=1"]), { merges: d.merges, log: () => {} });
  assert.equal(first.step, 4);

  const lines: string[] = [];
  const r = await train(await tinyConfig(d, out, ["train.epochs=3"]), { merges: d.merges, log: (l) => lines.push(l) });
  assert.equal(r.step, 12);
  assert.equal(r.position.epoch, 3);
  assert.match(lines.join("\n"), /train\.epochs: checkpoint 1, now 3: extending the run from 4 to 12 optimizer steps; the learning rate follows the cosine schedule of 3 epochs from step 5 on/);
  const schedule = makeSchedule({ lr: 0.01, lrStart: 1e-6, lrEnd: 1e-5, epochs: 3, stepsPerEpoch: 4, warmupSteps: 2 });
  const steps = readMetrics(join(out, "metrics.jsonl")).filter((m) => m.loss !== undefined && (m.step as number) > 4);
  assert.deepEqual(steps.map((m) => m.step), [5, 6, 7, 8, 9, 10, 11, 12]);
  for (const m of steps) assert.equal(m.lr, learningRate(schedule, (m.step as number) - 1), `step ${m.step}`);

  // shorter than what is already done: refused, naming the key
  await assert.rejects(train(await tinyConfig(d, out, ["train.epochs=2"]), { merges: d.merges, log: () => {} }),
    (err: unknown) => err instanceof ConfigError && err.key === "train.epochs" && /already covers 3 of its 3 epochs; use train\.epochs >= 3/.test(err.message));
});

test("train.epochs=1 with the default warmup (1 epoch): the warmup is shortened to half the run, said once", async (t) => {
  const d = await tinyData(t);
  const out = join(d.dir, "run");
  const lines: string[] = [];
  const cfg = await tinyConfig(d, out, ["train.epochs=1", "optim.warmup_steps=null", "log.tensorboard=true"]);
  assert.equal(cfg.optim.warmup_epochs, 1, "the default warmup");
  const r = await train(cfg, { merges: d.merges, log: (l) => lines.push(l) });
  assert.equal(r.step, 4);
  const notes = lines.filter((l) => /warmup/.test(l));
  assert.deepEqual(notes, ["the warmup (optim.warmup_epochs 1: 4 steps) fills the whole run of 4 steps; warming up for 2 steps instead"]);
  const schedule = makeSchedule({ lr: 0.01, lrStart: 1e-6, lrEnd: 1e-5, epochs: 1, stepsPerEpoch: 4, warmupSteps: 2 });
  const lrs = readMetrics(join(out, "metrics.jsonl")).filter((m) => m.loss !== undefined).map((m) => m.lr);
  assert.deepEqual(lrs, [0, 1, 2, 3].map((s) => learningRate(schedule, s)));

  // the finished job run again does nothing, and leaves no new (empty) TensorBoard file behind
  const tb = join(out, "tb");
  const before = (await readdir(tb)).sort();
  assert.equal(before.length, 1);
  const again = await train(cfg, { merges: d.merges, log: () => {} });
  assert.equal(again.step, 4);
  assert.deepEqual((await readdir(tb)).sort(), before);
});

test("fitWarmup: kept when shorter than the run, halved when it fills it", () => {
  assert.deepEqual(fitWarmup({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 10, stepsPerEpoch: 5, warmupEpochs: 1 }), { warmupSteps: 5 });
  const short = fitWarmup({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 1, stepsPerEpoch: 7, warmupEpochs: 1 });
  assert.equal(short.warmupSteps, 3);
  assert.match(short.note!, /optim\.warmup_epochs 1: 7 steps\) fills the whole run of 7 steps; warming up for 3 steps instead/);
  assert.equal(fitWarmup({ lr: 1, lrStart: 0, lrEnd: 0, epochs: 2, stepsPerEpoch: 2, warmupSteps: 9 }).warmupSteps, 2);
});
