/**
 * The linear probe's classifier, trained as CLIP_benchmark trains it (metrics/linear_probe.py `train`): a
 * Linear(D, C) layer, cross-entropy averaged over the batch, torch.optim.AdamW (betas 0.9/0.999, eps 1e-8,
 * decoupled weight decay) and a cosine learning rate without warmup over epochs x ceil(N / batch) steps, the
 * rows reshuffled every epoch and the last batch short. Plain host arithmetic: the probe is small next to the
 * feature extraction, and this keeps it exact and reproducible from its seed.
 */
import { Rng, deriveSeed } from "../util/rng.js";

export interface LinearTrainOptions {
  /** Peak learning rate. Default 0.1 (CLIP_benchmark's --lr). */
  lr?: number;
  /** Passes over the rows. Default 10. */
  epochs?: number;
  /** Rows per step. Default 64. */
  batchSize?: number;
  /** AdamW's decoupled weight decay. Default 0. */
  weightDecay?: number;
  /** Seeds the initial weights and the per-epoch shuffles. Default 0. */
  seed?: number;
  /** Reshuffle the rows every epoch (DataLoader shuffle=True). Default true; false keeps row order. */
  shuffle?: boolean;
  /** Starting weights (C*D, row-major) and bias (C); default torch.nn.Linear's U(-1/sqrt(D), 1/sqrt(D)) drawn from the seed. */
  init?: { weight: Float32Array; bias: Float32Array };
}

/** A trained Linear(D, C): logits = x @ weight.T + bias. */
export interface LinearModel {
  weight: Float32Array; // (C, D)
  bias: Float32Array; // (C)
  dim: number;
  classes: number;
}

/** The cosine schedule without warmup: lr at `step` of `steps` (CLIP_benchmark's cosine_lr with warmup 0). */
export function cosineLr(base: number, step: number, steps: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * step) / steps)) * base;
}

/** (rows, C) logits of `data` (rows, D) under `m`. */
export function linearLogits(m: LinearModel, data: Float32Array): Float32Array {
  const rows = data.length / m.dim;
  const out = new Float32Array(rows * m.classes);
  for (let r = 0; r < rows; r++) {
    const x = r * m.dim;
    for (let c = 0; c < m.classes; c++) {
      const w = c * m.dim;
      let s = m.bias[c]!;
      for (let d = 0; d < m.dim; d++) s += m.weight[w + d]! * data[x + d]!;
      out[r * m.classes + c] = s;
    }
  }
  return out;
}

export function trainLinear(data: Float32Array, labels: ArrayLike<number>, dim: number, classes: number, o: LinearTrainOptions = {}): LinearModel {
  const lr = o.lr ?? 0.1;
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 64;
  const wd = o.weightDecay ?? 0;
  const seed = o.seed ?? 0;
  const rows = labels.length;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batchSize must be a positive integer, got ${batch}`);
  if (rows === 0) throw new RangeError("the linear probe needs at least one training row");
  const P = classes * dim;
  const weight = new Float32Array(P);
  const bias = new Float32Array(classes);
  if (o.init !== undefined) {
    weight.set(o.init.weight);
    bias.set(o.init.bias);
  } else {
    const rng = new Rng(deriveSeed(seed, "linear-probe", "init"));
    const bound = 1 / Math.sqrt(dim);
    for (let i = 0; i < P; i++) weight[i] = rng.uniform(-bound, bound);
    for (let c = 0; c < classes; c++) bias[c] = rng.uniform(-bound, bound);
  }
  // AdamW state for weight then bias, as one flat vector
  const m1 = new Float64Array(P + classes);
  const m2 = new Float64Array(P + classes);
  const grad = new Float64Array(P + classes);
  const probs = new Float64Array(classes);
  const perEpoch = Math.ceil(rows / batch);
  const steps = epochs * perEpoch;
  const order = Array.from({ length: rows }, (_, i) => i);
  let step = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (o.shuffle ?? true) new Rng(deriveSeed(seed, "linear-probe", "shuffle", epoch)).shuffle(order);
    for (let s = 0; s < rows; s += batch) {
      const e = Math.min(rows, s + batch);
      const n = e - s;
      grad.fill(0);
      for (let k = s; k < e; k++) {
        const r = order[k]!;
        const x = r * dim;
        let max = -Infinity;
        for (let c = 0; c < classes; c++) {
          let z = bias[c]!;
          const w = c * dim;
          for (let d = 0; d < dim; d++) z += weight[w + d]! * data[x + d]!;
          probs[c] = z;
          if (z > max) max = z;
        }
        let sum = 0;
        for (let c = 0; c < classes; c++) sum += probs[c] = Math.exp(probs[c]! - max);
        const y = labels[r]!;
        // d(mean CE)/d logit = (softmax - onehot) / n
        for (let c = 0; c < classes; c++) {
          const g = (probs[c]! / sum - (c === y ? 1 : 0)) / n;
          grad[P + c]! += g;
          const w = c * dim;
          for (let d = 0; d < dim; d++) grad[w + d]! += g * data[x + d]!;
        }
      }
      const lrNow = cosineLr(lr, step, steps);
      step++;
      const bc1 = 1 - 0.9 ** step;
      const bc2 = Math.sqrt(1 - 0.999 ** step);
      const decay = 1 - lrNow * wd;
      for (let i = 0; i < P + classes; i++) {
        const g = grad[i]!;
        m1[i] = 0.9 * m1[i]! + 0.1 * g;
        m2[i] = 0.999 * m2[i]! + 0.001 * g * g;
        const update = (lrNow / bc1) * (m1[i]! / (Math.sqrt(m2[i]!) / bc2 + 1e-8));
        if (i < P) weight[i] = weight[i]! * decay - update;
        else bias[i - P] = bias[i - P]! * decay - update;
      }
    }
  }
  return { weight, bias, dim, classes };
}
