/**
 * The linear probe's classifier, trained as CLIP_benchmark trains it (metrics/linear_probe.py `train`): a
 * Linear(D, C) layer, cross-entropy averaged over the batch, torch.optim.AdamW over both weight and bias (one
 * group, so the bias is decayed too; betas 0.9/0.999, eps 1e-8, decoupled weight decay) and a cosine learning
 * rate without warmup over epochs x ceil(N / batch) steps, the rows reshuffled every epoch and the last batch
 * short. It runs on the engine (libtorch: matmul, cross-entropy, autograd, the AdamW kernel) in float32; the
 * initial weights and the per-epoch orders are drawn from laclip's seeded Rng, so a fit is reproducible from
 * its seed. Each batch is gathered by index_select from the feature tensor, which is never copied.
 */
import { crossEntropy, linear, tensor, tidy, type Tensor } from "../engine/index.js";
import { AdamW } from "../optim/adamw.js";
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

/** A trained Linear(D, C) on the host: logits = x @ weight.T + bias. */
export interface LinearModel {
  weight: Float32Array; // (C, D)
  bias: Float32Array; // (C)
  dim: number;
  classes: number;
}

/** A trained Linear(D, C) on the engine; the caller disposes both tensors. */
export interface LinearWeights {
  weight: Tensor; // (C, D)
  bias: Tensor; // (C)
}

/** The cosine schedule without warmup: lr at `step` of `steps` (CLIP_benchmark's cosine_lr with warmup 0). */
export function cosineLr(base: number, step: number, steps: number): number {
  return 0.5 * (1 + Math.cos((Math.PI * step) / steps)) * base;
}

/** torch.nn.Linear's initialisation, drawn from the seed's own stream: weight first, then bias. */
function initialWeights(dim: number, classes: number, seed: number): { weight: Float32Array; bias: Float32Array } {
  const rng = new Rng(deriveSeed(seed, "linear-probe", "init"));
  const bound = 1 / Math.sqrt(dim);
  const weight = Float32Array.from({ length: classes * dim }, () => rng.uniform(-bound, bound));
  const bias = Float32Array.from({ length: classes }, () => rng.uniform(-bound, bound));
  return { weight, bias };
}

/**
 * Fits Linear(D, C) to `x` (N, D) float32 and `y` (N) int64 class indices. Returns new tensors without
 * gradients; every temporary (batches, gradients, AdamW's moments) is freed before it returns.
 */
export function fitLinear(x: Tensor, y: Tensor, classes: number, o: LinearTrainOptions = {}): LinearWeights {
  const lr = o.lr ?? 0.1;
  const epochs = o.epochs ?? 10;
  const batch = o.batchSize ?? 64;
  const seed = o.seed ?? 0;
  const [rows, dim] = x.shape as [number, number];
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`epochs must be a positive integer, got ${epochs}`);
  if (!(Number.isInteger(batch) && batch >= 1)) throw new RangeError(`batchSize must be a positive integer, got ${batch}`);
  if (x.shape.length !== 2) throw new RangeError(`features must be (rows, dim), got shape [${x.shape.join(", ")}]`);
  if (rows === 0) throw new RangeError("the linear probe needs at least one training row");
  if (y.shape.length !== 1 || y.shape[0] !== rows) throw new RangeError(`${y.shape[0]} labels for ${rows} feature rows`);
  const init = o.init ?? initialWeights(dim, classes, seed);
  const device = x.device; // the probe lives where the features do
  const weight = tensor(init.weight, { shape: [classes, dim], device }).requiresGrad_();
  const bias = tensor(init.bias, { shape: [classes], device }).requiresGrad_();
  const opt = new AdamW([weight, bias], { lr, weightDecay: o.weightDecay ?? 0, betas: [0.9, 0.999], eps: 1e-8 });
  const steps = epochs * Math.ceil(rows / batch);
  const order = Array.from({ length: rows }, (_, i) => i);
  let step = 0;
  let done = false;
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const shuffle = o.shuffle ?? true;
      // the order carries over from epoch to epoch, reshuffled in place, as the Rng stream has always been used
      if (shuffle) new Rng(deriveSeed(seed, "linear-probe", "shuffle", epoch)).shuffle(order);
      tidy(() => {
        const idx = shuffle ? tensor(Int32Array.from(order), { dtype: "i64", device }) : undefined; // (N)
        for (let s = 0; s < rows; s += batch) {
          tidy(() => {
            const n = Math.min(batch, rows - s);
            const pick = idx?.narrow(0, s, n);
            const xb = pick ? x.indexSelect(0, pick) : x.narrow(0, s, n); // (n, D)
            const yb = pick ? y.indexSelect(0, pick) : y.narrow(0, s, n); // (n)
            const loss = crossEntropy(linear(xb, weight, bias), yb);
            opt.zeroGrad();
            loss.backward();
            opt.paramGroups[0]!.lr = cosineLr(lr, step++, steps);
            opt.step();
          });
        }
      });
    }
    done = true;
  } finally {
    opt.zeroGrad(); // frees the last gradients
    opt.dispose();
    if (!done) {
      weight.dispose();
      bias.dispose();
    }
  }
  return { weight: weight.requiresGrad_(false), bias: bias.requiresGrad_(false) };
}

/** fitLinear on host rows: `data` (rows, dim) row-major and `labels`; returns the weights on the host. */
export function trainLinear(data: Float32Array, labels: ArrayLike<number>, dim: number, classes: number, o: LinearTrainOptions = {}): LinearModel {
  return tidy(() => {
    const x = tensor(data, { shape: [labels.length, dim] });
    const y = tensor(Int32Array.from(labels), { dtype: "i64" });
    const m = fitLinear(x, y, classes, o);
    return { weight: m.weight.toTypedArray() as Float32Array, bias: m.bias.toTypedArray() as Float32Array, dim, classes };
  });
}
