/**
 * The trainer's own state in a checkpoint (`trainer.json`): everything besides the weights and the optimizer
 * moments that a resumed run needs to continue exactly where the checkpoint was taken.
 *
 * Random numbers: the engine exposes no generator state to save, and needs none here. Crops and text draws are
 * seeded per (seed, epoch, sample index) (src/image/augment_seed.ts, text_aug.ts), the data order per (seed,
 * epoch), and the global engine generator is re-seeded from (seed, step) at the start of every optimizer step,
 * so any random op inside a step (none in CLIP today: no dropout) draws the same numbers after a resume.
 * Loss scaling: none (bf16 needs no scaler), recorded as null.
 */
import type { BatchPlan, TrainConfig } from "../config/index.js";
import type { DataPosition } from "../data/index.js";
import type { LrSchedule } from "../schedule.js";
import type { Accumulation } from "./step.js";

export const STATE_FORMAT = "laclip-trainer-state";
export const STATE_VERSION = 1;

export interface TrainerState {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** Optimizer steps completed. */
  step: number;
  /** The data position the next step starts at. */
  position: DataPosition;
  /** True when written at the end of an epoch (position is then {epoch + 1, 0}). */
  epochEnd: boolean;
  schedule: LrSchedule & { stepsPerEpoch: number };
  /** Learning rate of the last step taken. */
  lastLr: number | null;
  batch: BatchPlan;
  textsPerSample: number;
  accumulation: Accumulation;
  rng: { kind: "derived"; seed: number; rule: string };
  lossScale: null;
  /** Running sums for the loss average of the metrics line being built. */
  logAccum: { lossSum: number; steps: number };
  samplesSeen: number;
  badSamples: Record<string, number>;
  tokenizer: { merges: string | null; contextLength: number };
  config: TrainConfig;
  savedAt: string;
}

export const RNG_RULE = "engine generator re-seeded with deriveSeed(seed, 'step', step) before each step; crops and text draws seeded by (seed, epoch, sample index)";

/** A state to save: the given fields plus the constant ones and the time. */
export function trainerState(f: Omit<TrainerState, "format" | "version" | "rng" | "lossScale" | "savedAt">): TrainerState {
  return { format: STATE_FORMAT, version: STATE_VERSION, ...f, rng: { kind: "derived", seed: f.config.train.seed, rule: RNG_RULE }, lossScale: null, savedAt: new Date().toISOString() };
}
