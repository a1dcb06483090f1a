/**
 * How long each method trains. Both methods get the same number of optimizer steps, fixed before either
 * starts, so they see identical steps, learning-rate schedule, data order and crops.
 *
 * `--minutes M` is turned into epochs by a fixed cost model, not by timing this machine: the epochs that M
 * minutes buy on the reference machine (the 2-core CPU the demo was sized on). Timing the machine at run
 * time would let the load of the moment change the number of steps, and with it every accuracy; a fixed
 * model makes the result a function of the settings alone, the same on every machine and every run. The price:
 * on a faster machine the demo ends early, on a slower or busier one it runs longer than M minutes (the run
 * prints its own rate after the first method). `--epochs N` sets the epochs directly.
 */
import { stepFlops } from "../train/trainer/flops.js";
import type { ClipConfig } from "../models/clip/index.js";

/**
 * Model GFLOP per second (stepFlops' count, 3 x forward) that a whole training loop of the demo's model
 * sustained on the reference machine (the 2-core development machine, one intra-op thread, one decode worker),
 * data loading, optimizer and checkpoints included: 42.9 measured in bf16 over 18 epochs while the machine was
 * shared (load average 5-6); fp32 from the bf16/fp32 ratio of `bench train-step` on the same model
 * (docs/demo.md, "Budget").
 */
export const REFERENCE_GFLOPS = { bf16: 45, fp32: 35 } as const;

/** Seconds of the default run spent outside training on the reference machine: data, rewrites, tokenizer, six evaluations, report. */
export const REFERENCE_OVERHEAD_SECONDS = 80;

export interface Budget {
  epochs: number;
  stepsPerEpoch: number;
  /** Optimizer steps per method. */
  steps: number;
  batchSize: number;
  /** Where the epochs came from. */
  from: "minutes" | "epochs";
  /** Model FLOPs of one training step (stepFlops), and the seconds per method the reference machine would take. */
  gflopPerStep: number;
  referenceSecondsPerMethod: number;
}

export interface BudgetInput {
  minutes: number;
  epochs?: number;
  /** Training runs sharing the minutes: methods x seeds. */
  methods: number;
  trainSamples: number;
  batchSize: number;
  model: ClipConfig;
  dtype: "fp32" | "bf16";
}

export function planBudget(i: BudgetInput): Budget {
  const batchSize = Math.min(i.batchSize, i.trainSamples);
  const stepsPerEpoch = Math.floor(i.trainSamples / batchSize); // the trainer drops a tail that cannot fill a batch
  const gflopPerStep = stepFlops(i.model, batchSize).train / 1e9;
  const secondsPerEpoch = (stepsPerEpoch * gflopPerStep) / REFERENCE_GFLOPS[i.dtype];
  let epochs = i.epochs;
  if (epochs === undefined) {
    const trainSeconds = Math.max(0, i.minutes * 60 - REFERENCE_OVERHEAD_SECONDS) / i.methods;
    epochs = Math.max(1, Math.floor(trainSeconds / secondsPerEpoch));
  }
  return {
    epochs, stepsPerEpoch, steps: epochs * stepsPerEpoch, batchSize, from: i.epochs === undefined ? "minutes" : "epochs",
    gflopPerStep, referenceSecondsPerMethod: epochs * secondsPerEpoch,
  };
}
