/** The demo's pure parts: the fixed budget (steps from --minutes or --epochs), chance levels, the patch grid. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { chanceOf, demoModelConfig, demoPatchSize, planBudget, REFERENCE_GFLOPS, REFERENCE_OVERHEAD_SECONDS } from "../../src/demo/index.js";
import { stepFlops } from "../../src/train/trainer/flops.js";

const model = demoModelConfig(32, 4000);

test("--minutes buys whole epochs at the reference rate; the same input always gives the same steps", () => {
  const b = planBudget({ minutes: 10, methods: 2, trainSamples: 4779, batchSize: 128, model });
  assert.equal(b.stepsPerEpoch, 37); // floor(4779 / 128): the trainer drops the tail
  const perEpoch = (37 * stepFlops(model, 128).train) / 1e9 / REFERENCE_GFLOPS;
  assert.equal(b.epochs, Math.floor((600 - REFERENCE_OVERHEAD_SECONDS) / 2 / perEpoch));
  assert.equal(b.steps, b.epochs * 37);
  assert.ok(b.referenceSecondsPerMethod <= (600 - REFERENCE_OVERHEAD_SECONDS) / 2 + 1e-9);
  assert.deepEqual(planBudget({ minutes: 10, methods: 2, trainSamples: 4779, batchSize: 128, model }), b);
  const one = planBudget({ minutes: 10, methods: 1, trainSamples: 4779, batchSize: 128, model });
  assert.ok(one.epochs >= 2 * b.epochs, "one method gets the whole budget");
  assert.equal(planBudget({ minutes: 0.01, methods: 2, trainSamples: 4779, batchSize: 128, model }).epochs, 1, "at least one epoch");
});

test("--epochs overrides the minutes; a batch larger than the data shrinks to it", () => {
  const b = planBudget({ minutes: 10, epochs: 3, methods: 2, trainSamples: 90, batchSize: 32, model });
  assert.deepEqual([b.epochs, b.stepsPerEpoch, b.steps, b.from], [3, 2, 6, "epochs"]);
  const small = planBudget({ minutes: 10, epochs: 1, methods: 2, trainSamples: 20, batchSize: 128, model });
  assert.deepEqual([small.batchSize, small.stepsPerEpoch], [20, 1]);
});

test("chance levels: uniform guess and the largest class, in percent", () => {
  assert.deepEqual(chanceOf([0, 1, 2, 3, 4, 5, 6, 7], 8), { classes: 8, images: 8, acc1: 12.5, acc5: 62.5, majority_acc1: 12.5 });
  assert.deepEqual(chanceOf([0, 0, 0, 1], 3), { classes: 3, images: 4, acc1: 33.33, acc5: null, majority_acc1: 75 });
});

test("the patch grid is about 8 x 8 (1 px patches when the size has no divisor near it)", () => {
  assert.equal(demoPatchSize(32), 4);
  assert.equal(demoPatchSize(16), 2);
  assert.equal(demoPatchSize(64), 8);
  assert.equal(demoPatchSize(24), 3);
  assert.equal(model.vision.imageSize / model.vision.patchSize, 8);
  assert.equal(demoPatchSize(13), 1);
  assert.equal(demoPatchSize(40), 5);
});
