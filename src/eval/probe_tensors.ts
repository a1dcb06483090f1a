/**
 * The linear probe's rows on the engine: feature sets copied once into one float32 tensor (train + validation
 * side by side, so the search fits on a view of the training rows and the final fit on the whole, with no
 * second copy), normalised in place; labels as int64; and the logits of a fitted probe, a block of rows at a
 * time, handed to the host for scoring (the whole logit matrix is never held).
 */
import { empty, linear, noGrad, tensor, tidy, type Tensor } from "../engine/index.js";
import type { LabelledFeatures } from "./features.js";
import type { LinearWeights } from "./linear_train.js";

/** Rows scored per block: 4096 x 1000 classes is 16 MB of logits. */
const SCORE_ROWS = 4096;

/** (sum of rows, D) float32: the sets' rows in order, each unit-normalised when `normalize` (eps 1e-12, as F.normalize). */
export function featureTensor(sets: readonly LabelledFeatures[], normalize: boolean): Tensor {
  const dim = sets[0]!.dim;
  const counts = sets.map((s) => s.labels.length);
  let x: Tensor;
  if (sets.length === 1) x = tensor(sets[0]!.data, { shape: [counts[0]!, dim] });
  else {
    x = empty([counts.reduce((a, b) => a + b, 0), dim]);
    let at = 0;
    sets.forEach((s, i) => {
      // one set at a time: its rows pass through one temporary tensor of their own size
      if (counts[i]! > 0) tidy(() => void x.narrow(0, at, counts[i]!).copy_(tensor(s.data, { shape: [counts[i]!, dim] })));
      at += counts[i]!;
    });
  }
  if (normalize) tidy(() => void x.div_(x.norm(2, 1, true).clamp_(1e-12, null))); // (N, 1) norms broadcast over D
  return x;
}

/** (sum of rows) int64 class indices of the sets, in order. */
export function labelTensor(sets: readonly LabelledFeatures[]): Tensor {
  const all = new Int32Array(sets.reduce((a, s) => a + s.labels.length, 0));
  let at = 0;
  for (const s of sets) {
    all.set(s.labels, at);
    at += s.labels.length;
  }
  return tensor(all, { dtype: "i64" });
}

/** Calls `fn` with the (rows, C) logits of each block of `x` (N, D) under `m`, in row order; `start` is the block's first row. */
export function forEachLogitsBlock(m: LinearWeights, x: Tensor, fn: (logits: Float32Array, start: number) => void): void {
  const rows = x.shape[0]!;
  for (let s = 0; s < rows; s += SCORE_ROWS) {
    const block = noGrad(() => tidy(() => linear(x.narrow(0, s, Math.min(SCORE_ROWS, rows - s)), m.weight, m.bias).toTypedArray() as Float32Array));
    fn(block, s);
  }
}
