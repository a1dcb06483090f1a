/**
 * Memory over many steps of the real pipeline: loader batches (decode, tokenise, tensors) → trainStep →
 * dispose, with checkpoints written along the way. The live tensor count must not move after the first steps
 * (optimizer state created), and the RSS must stay roughly flat.
 */
import { test } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import assert from "node:assert/strict";
import { join } from "node:path";
import { liveTensors, setNumThreads } from "../../src/engine/index.js";
import { createDecoder, trainTransform } from "../../src/image/index.js";
import { ClipTokenizer, readMergesFile } from "../../src/tokenizer/index.js";
import { dataSpec, resolveBatch } from "../../src/train/config/index.js";
import { openTrainData } from "../../src/train/data/index.js";
import { TrainLoader } from "../../src/train/loader/index.js";
import { LocalContext, PhaseTimer, buildModel, buildOptimizer, modelConfigOf, saveCheckpoint, trainStep, trainerState } from "../../src/train/trainer/index.js";
import { makeSchedule } from "../../src/train/schedule.js";
import { tinyConfig, tinyData } from "./trainer_fixtures.js";

// One intra-op thread: on 2 shared cores, 2 OpenMP threads make these tiny ops ~20x slower (docs/train.md).
setNumThreads(1);

// LACLIP_LEAK_STEPS=1000 runs the 1,000-step check (about 15 s here); the suite runs 120.
const STEPS = Number(process.env.LACLIP_LEAK_STEPS ?? 120);
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

test(`live tensors stay flat and RSS roughly flat over ${STEPS} real training steps with checkpoints`, async (t) => {
  const d = await tinyData(t);
  const cfg = await tinyConfig(d, join(d.dir, "run"), ["data.workers=1"]);
  const data = await openTrainData(dataSpec(cfg), { rank: 0, world: 1, batchSize: 4, seed: 3, log: () => {} });
  const decoder = createDecoder({ workers: 1 });
  const model = buildModel(modelConfigOf(cfg.model.name), 3);
  const optimizer = buildOptimizer(model, cfg);
  try {
    const loader = new TrainLoader({
      data, decoder, tokenizer: new ClipTokenizer(readMergesFile(d.merges), { contextLength: 8 }), contextLength: 8, seed: 3,
      transform: trainTransform({ size: 16, normalize: "imagenet" }), text: { mode: "laclip", seed: 3 },
    });
    const setup = { model, optimizer, params: model.parameters(), ctx: new LocalContext(), bf16: false, device: "cpu" as const, gradClip: 1.0, accumulation: "exact" as const, timer: new PhaseTimer(false) };
    const state = (step: number) => trainerState({
      step, position: { epoch: 0, step: 0 }, epochEnd: false, lastLr: 0.01, batch: resolveBatch(cfg, 1), textsPerSample: 1, accumulation: "exact",
      schedule: { ...makeSchedule({ lr: 0.01, lrStart: 0, lrEnd: 0, epochs: 1, stepsPerEpoch: 1 }), stepsPerEpoch: 1 },
      logAccum: { lossSum: 0, steps: 0 }, samplesSeen: 0, badSamples: {}, tokenizer: { merges: null, contextLength: 8 }, config: cfg,
    });
    let step = 0;
    const live: number[] = [];
    const rss: number[] = [];
    for (let epoch = 0; step < STEPS; epoch++) {
      for await (const b of loader.epoch({ epoch, step: 0 })) {
        await trainStep(setup, [b], 0.01, { step, epoch });
        b.dispose();
        step += 1;
        if (step % 30 === 0) await saveCheckpoint(join(d.dir, "run"), model, optimizer, state(step), 1);
        if (step % 10 === 0 && step <= STEPS) {
          live.push(liveTensors());
          gc(); // garbage JS has not collected yet (batch buffers, host copies) is not a leak
          rss.push(process.memoryUsage().rss);
        }
      }
    }
    assert.ok(live.every((n) => n === live[0]), `live tensors by 10 steps: ${live.join(" ")}`);
    const growth = (rss.at(-1)! - rss[1]!) / 2 ** 20;
    assert.ok(growth < 16, `RSS grew ${growth.toFixed(1)} MiB between step 20 and step ${STEPS} (${rss.map((r) => (r / 2 ** 20).toFixed(0)).join(" ")} MiB)`);
  } finally {
    optimizer.dispose();
    model.dispose();
    await decoder.close();
    await data.close();
  }
});
