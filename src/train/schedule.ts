/**
 * The learning-rate schedule, weight-decay groups and logit-scale bounds of LaCLIP training.
 *
 * Learning rate, per optimizer step (after gradient accumulation), exactly LaCLIP's/SLIP's `cosine_scheduler`
 * with T = epochs * stepsPerEpoch total steps and W warmup steps (warmup_epochs * stepsPerEpoch there):
 * - warmup, steps 0 .. W-1: numpy's linspace(lr_start, lr, W), both ends included: step 0 is lr_start, step
 *   W-1 is lr; with W = 1 the single warmup step is lr_start (linspace with one point).
 * - cosine, steps W .. T-1, with i = step - W and n = T - W: lr_end + (lr - lr_end) * (1 + cos(pi * i / n)) / 2.
 *   Step W is lr again, i = n/2 is the midpoint (lr + lr_end) / 2, and the last step T-1 is still a little
 *   above lr_end (i = n-1, not n), as in the reference.
 * - steps >= T (the reference has none: an extended run) stay at lr_end.
 * The reference computes stepsPerEpoch as batches per epoch // gradient accumulation steps.
 */

export interface LrSchedule {
  /** Peak learning rate (`lr`). */
  base: number;
  /** Final learning rate (`lr_end`). */
  final: number;
  /** Warmup start (`lr_start`). */
  start: number;
  /** Optimizer steps in the whole run. */
  totalSteps: number;
  warmupSteps: number;
}

export interface ScheduleSpec {
  lr: number;
  lrStart: number;
  lrEnd: number;
  epochs: number;
  /** Optimizer steps per epoch. */
  stepsPerEpoch: number;
  /** Warmup length in epochs (the reference's unit) ... */
  warmupEpochs?: number;
  /** ... or in steps; takes precedence when given. */
  warmupSteps?: number;
}

/**
 * The warmup of `spec` in steps, shortened to half the run when it would fill the whole run (the default
 * warmup of 1 epoch in a 1-epoch run); `note` says so when it was.
 */
export function fitWarmup(spec: ScheduleSpec): { warmupSteps: number; note?: string } {
  const totalSteps = spec.epochs * spec.stepsPerEpoch;
  const asked = spec.warmupSteps ?? Math.round((spec.warmupEpochs ?? 0) * spec.stepsPerEpoch);
  if (asked < totalSteps) return { warmupSteps: asked };
  const warmupSteps = Math.floor(totalSteps / 2);
  const what = spec.warmupSteps !== undefined ? `optim.warmup_steps ${spec.warmupSteps}` : `optim.warmup_epochs ${spec.warmupEpochs}`;
  return { warmupSteps, note: `the warmup (${what}: ${asked} steps) fills the whole run of ${totalSteps} steps; warming up for ${warmupSteps} steps instead` };
}

export function makeSchedule(spec: ScheduleSpec): LrSchedule {
  const totalSteps = spec.epochs * spec.stepsPerEpoch;
  const warmupSteps = spec.warmupSteps ?? Math.round((spec.warmupEpochs ?? 0) * spec.stepsPerEpoch);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1)) throw new RangeError(`the schedule needs at least one step, got ${totalSteps}`);
  if (!(Number.isInteger(warmupSteps) && warmupSteps >= 0 && warmupSteps < totalSteps)) {
    throw new RangeError(`warmup of ${warmupSteps} steps does not fit a run of ${totalSteps} steps`);
  }
  return { base: spec.lr, final: spec.lrEnd, start: spec.lrStart, totalSteps, warmupSteps };
}

/** The learning rate of optimizer step `step` (0-based, counted over the whole run). */
export function learningRate(s: LrSchedule, step: number): number {
  if (!(Number.isInteger(step) && step >= 0)) throw new RangeError(`step must be a non-negative integer, got ${step}`);
  if (step < s.warmupSteps) {
    if (s.warmupSteps === 1) return s.start;
    if (step === s.warmupSteps - 1) return s.base; // linspace sets its last point to the end value exactly
    return s.start + ((s.base - s.start) * step) / (s.warmupSteps - 1);
  }
  if (step >= s.totalSteps) return s.final;
  const n = s.totalSteps - s.warmupSteps;
  const i = step - s.warmupSteps;
  return s.final + 0.5 * (s.base - s.final) * (1 + Math.cos((Math.PI * i) / n));
}

/** Upper bound of the logit scale, clamped after every step: ln 100 (LaCLIP writes it rounded, 4.6052). */
export const LOGIT_SCALE_MAX = Math.log(100);
export const LACLIP_LOGIT_SCALE_CLAMP = 4.6052;
/** Initial logit scale, ln(1 / 0.07). */
export const LOGIT_SCALE_INIT = Math.log(1 / 0.07);

export function clampLogitScale(v: number): number {
  return Math.min(LOGIT_SCALE_MAX, Math.max(0, v));
}

/**
 * Which parameters get weight decay. Both rules test substrings of the full parameter name:
 * - `peer` (default; /work/shared/bench/torch_clip_step.py, the PyTorch peer): decay iff
 *   `ndim >= 2 && !name.includes("norm") && !name.includes("ln")`.
 * - `laclip` (LaCLIP's train.py): no decay iff `ndim < 2 || name has "bias" || "ln" || "bn"`.
 * On the CLIP models both give the same groups (every norm weight and bias is 1-D); they differ only on a 2-D
 * tensor whose name contains "norm" (peer: no decay) or "bias"/"bn" (LaCLIP: no decay). Being substring
 * tests, "ln" also matches names that merely contain those letters, exactly as the references do.
 */
export type DecayRule = "peer" | "laclip";

export function hasWeightDecay(name: string, shape: readonly number[], rule: DecayRule = "peer"): boolean {
  const ndim = shape.length;
  if (rule === "laclip") return !(ndim < 2 || name.includes("bias") || name.includes("ln") || name.includes("bn"));
  return ndim >= 2 && !name.includes("norm") && !name.includes("ln");
}

/** Splits named parameters into the AdamW groups with and without weight decay, keeping their order. */
export function decayGroups<P extends { name: string; shape: readonly number[] }>(params: readonly P[], rule: DecayRule = "peer"): { decay: P[]; noDecay: P[] } {
  const decay: P[] = [];
  const noDecay: P[] = [];
  for (const p of params) (hasWeightDecay(p.name, p.shape, rule) ? decay : noDecay).push(p);
  return { decay, noDecay };
}
