/** The demo's pure parts: the fixed budget (steps from --minutes or --epochs), chance levels, the patch grid. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { warmupSteps, chanceOf, demoModelConfig, demoPatchSize, planBudget, REFERENCE_GFLOPS, REFERENCE_OVERHEAD_SECONDS, type BudgetInput } from "../../src/demo/index.js";
import { stepFlops } from "../../src/train/trainer/flops.js";

const model = demoModelConfig(32, 4000);
const full: BudgetInput = { minutes: 10, methods: 2, trainSamples: 4779, batchSize: 128, model, dtype: "bf16" };

test("--minutes buys whole epochs at the reference rate of the dtype; the same input always gives the same steps", () => {
  const b = planBudget(full);
  assert.equal(b.stepsPerEpoch, 37); // floor(4779 / 128): the trainer drops the tail
  const perEpoch = (37 * stepFlops(model, 128).train) / 1e9 / REFERENCE_GFLOPS.bf16;
  assert.equal(b.epochs, Math.floor((600 - REFERENCE_OVERHEAD_SECONDS) / 2 / perEpoch));
  assert.ok(b.epochs >= 5, `${b.epochs}`);
  assert.equal(b.steps, b.epochs * 37);
  assert.ok(b.referenceSecondsPerMethod <= (600 - REFERENCE_OVERHEAD_SECONDS) / 2 + 1e-9);
  assert.deepEqual(planBudget(full), b);
  assert.ok(planBudget({ ...full, methods: 1 }).epochs >= 2 * b.epochs, "one method gets the whole budget");
  assert.ok(planBudget({ ...full, dtype: "fp32" }).epochs < b.epochs, "fp32 is slower on the reference machine");
  assert.equal(planBudget({ ...full, minutes: 0.01 }).epochs, 1, "at least one epoch");
});

test("--epochs overrides the minutes; a batch larger than the data shrinks to it", () => {
  const b = planBudget({ ...full, epochs: 3, trainSamples: 90, batchSize: 32 });
  assert.deepEqual([b.epochs, b.stepsPerEpoch, b.steps, b.from], [3, 2, 6, "epochs"]);
  const small = planBudget({ ...full, epochs: 1, trainSamples: 20 });
  assert.deepEqual([small.batchSize, small.stepsPerEpoch], [20, 1]);
});

test("chance levels: uniform guess and the largest class, as fractions of 1", () => {
  assert.deepEqual(chanceOf([0, 1, 2, 3, 4, 5, 6, 7], 8), { classes: 8, images: 8, acc1: 0.125, acc5: 0.625, majority_acc1: 0.125 });
  assert.deepEqual(chanceOf([0, 0, 0, 1], 3), { classes: 3, images: 4, acc1: 0.3333, acc5: null, majority_acc1: 0.75 });
});

test("the patch grid is about 4 x 4 (the nearest grid a size allows)", () => {
  assert.equal(demoPatchSize(32), 8);
  assert.equal(demoPatchSize(16), 4);
  assert.equal(demoPatchSize(64), 16);
  assert.equal(demoPatchSize(24), 6);
  assert.equal(demoPatchSize(13), 1); // 13 x 13 patches of 1 px: a prime has no grid nearer 4
  assert.equal(model.vision.imageSize / model.vision.patchSize, 4);
});

test("warmup is 10% of the steps, at least one, and never the whole run", () => {
  assert.deepEqual([1, 2, 10, 11, 444].map(warmupSteps), [0, 1, 1, 2, 45]);
});
