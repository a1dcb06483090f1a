/**
 * Model FLOPs of one training step, for MFU (model FLOPs utilisation = these FLOPs per second / measured peak).
 * Only matrix products are counted, a multiply-add as 2 FLOPs; norms, softmax, activations and the optimizer
 * are left out (a few percent at these sizes). Per sample, with N = (S/p)^2 + 1 image tokens of width W, T text
 * tokens of width Wt, MLP ratio r, embedding width E:
 *   patch embedding          2 * (S/p)^2 * 3p^2 * W
 *   each transformer block   8 N W^2 (q, k, v, out projections) + 4 r N W^2 (MLP) + 4 N^2 W (scores and mix)
 *                            (the text tower's causal attention is counted in full: the kernel computes it all)
 *   projections              2 W E + 2 Wt E (only the pooled token of each tower is projected)
 * per step: B * (vision + T_texts * text) + T_texts * 2 B^2 E (the logits), B the global batch.
 * Training = 3 x forward (the backward pass costs about twice the forward), the usual convention; "exact"
 * gradient accumulation runs one more forward, which MFU deliberately does not count.
 */
import type { ClipConfig } from "../../models/clip/index.js";

export interface StepFlops {
  visionPerSample: number;
  textPerSample: number;
  lossPerStep: number;
  forward: number;
  /** 3 x forward. */
  train: number;
}

function blockFlops(tokens: number, width: number, mlpRatio: number): number {
  return 8 * tokens * width ** 2 + 4 * mlpRatio * tokens * width ** 2 + 4 * tokens ** 2 * width;
}

/** FLOPs of a step of `batch` samples (global), each with `textsPerImage` texts of `textLength` tokens. */
export function stepFlops(c: ClipConfig, batch: number, textsPerImage = 1, textLength = c.text.contextLength): StepFlops {
  const v = c.vision;
  const t = c.text;
  const patches = (v.imageSize / v.patchSize) ** 2;
  const visionPerSample = 2 * patches * 3 * v.patchSize ** 2 * v.width + v.layers * blockFlops(patches + 1, v.width, v.mlpRatio) + 2 * v.width * c.embedDim;
  const textPerSample = t.layers * blockFlops(textLength, t.width, t.mlpRatio) + 2 * t.width * c.embedDim;
  const lossPerStep = textsPerImage * 2 * batch * batch * c.embedDim;
  const forward = batch * (visionPerSample + textsPerImage * textPerSample) + lossPerStep;
  return { visionPerSample, textPerSample, lossPerStep, forward, train: 3 * forward };
}
