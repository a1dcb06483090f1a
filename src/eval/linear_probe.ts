/**
 * The linear probe as CLIP_benchmark runs it (metrics/linear_probe.py `evaluate`) on frozen features:
 * optionally K rows per class (a seeded permutation, the first K of each class: its few-shot linear probe), then
 * - without a validation set: weight decay 0, one fit on the training rows;
 * - with one: the weight decay searched over logspace(-6, 2, 97) (the 7 points of logspace(-6, 2, 7) first, then
 *   a window of +-8, 4, 2, 1 grid steps around the best, keeping the first best on ties), each candidate fit on
 *   the training rows and scored by validation top-1, and the final fit on training + validation rows;
 * and the final classifier scored on the test rows: lp_acc1, lp_acc5 (null under 5 classes), lp_mean_per_class_recall.
 *
 *   const r = linearProbe(train, test, { val, classNames });
 *   r.metrics.lp_acc1, r.metrics.weight_decay
 */
import { tidy, type Tensor } from "../engine/index.js";
import { LaclipError } from "../errors/laclip_error.js";
import { Rng, deriveSeed } from "../util/rng.js";
import { checkLabelled, classCount, selectRows, type LabelledFeatures } from "./features.js";
import { fitLinear, type LinearTrainOptions, type LinearWeights } from "./linear_train.js";
import { featureTensor, forEachLogitsBlock, labelTensor } from "./probe_tensors.js";
import { ZeroShotAccumulator, rankOfLabel } from "./metrics.js";

export interface LinearProbeOptions extends Omit<LinearTrainOptions, "weightDecay" | "init"> {
  /** Validation rows: turns on the weight decay search. Default none (weight decay 0). */
  val?: LabelledFeatures;
  /** Training rows per class, -1 for all (CLIP_benchmark's --fewshot_k). Default -1. */
  fewshotK?: number;
  /** L2-normalise every row first (CLIP_benchmark's default; a no-op on normalised features). Default true. */
  normalize?: boolean;
  /** Class count; default 1 + the largest label in train, val and test. */
  classes?: number;
  /** Class names for the per-class results; default the indices. */
  classNames?: readonly string[];
  /** One line per weight decay tried. */
  log?: (line: string) => void;
}

/** CLIP_benchmark's linear-probe keys. */
export interface LinearProbeMetrics {
  lp_acc1: number;
  lp_acc5: number | null;
  lp_mean_per_class_recall: number;
  weight_decay: number;
  epochs: number;
  seed: number;
  fewshot_k: number;
  normalized: boolean;
}

export interface LinearProbeResult {
  metrics: LinearProbeMetrics;
  /** Every weight decay tried, in order, with its validation top-1 (empty without a validation set). */
  search: { weightDecay: number; valAcc1: number }[];
  nTrain: number;
  nVal: number;
  nTest: number;
  classes: number;
}

/** logspace(-6, 2, 97): the weight decay grid. */
export function weightDecayGrid(): number[] {
  return Array.from({ length: 97 }, (_, i) => 10 ** (-6 + (i * 8) / 96));
}

/**
 * The coarse-to-fine search over grid indices: `score(i)` is the validation accuracy of grid point i. Returns
 * the chosen index and the indices scored, in order (repeats included, as CLIP_benchmark refits them).
 */
export function searchGrid(size: number, score: (index: number) => number): { best: number; tried: number[] } {
  const tried: number[] = [];
  const peak = (idxs: number[]): number => {
    let best = 0;
    let max = 0;
    for (const i of idxs) {
      tried.push(i);
      const acc = score(i);
      if (max < acc) [best, max] = [i, acc];
    }
    return best;
  };
  let best = peak([0, 16, 32, 48, 64, 80, 96].filter((i) => i < size));
  for (let span = 8; span > 0; span = Math.floor(span / 2)) best = peak([Math.max(best - span, 0), best, Math.min(best + span, size - 1)]);
  return { best, tried };
}

/** Row indices keeping the first `k` rows of each class in a seeded permutation; every present class must have k. */
export function fewShotSubset(labels: ArrayLike<number>, k: number, seed: number): number[] {
  const perm = new Rng(deriveSeed(seed, "linear-probe", "fewshot")).shuffle(Array.from({ length: labels.length }, (_, i) => i));
  const counts = new Map<number, number>();
  const keep: number[] = [];
  for (const p of perm) {
    const c = counts.get(labels[p]!) ?? 0;
    if (c < k) keep.push(p);
    counts.set(labels[p]!, Math.min(c + 1, k));
  }
  const short = [...counts].filter(([, n]) => n < k).map(([c]) => c);
  if (short.length > 0) throw new LaclipError(`fewshot_k ${k}: class ${short.sort((a, b) => a - b).slice(0, 5).join(", ")} has fewer than ${k} training samples; lower --fewshot-k`);
  return keep;
}

/** Top-1 accuracy of `m` on the rows `x` (the same tie rule as the test metrics). */
function top1(m: LinearWeights, x: Tensor, labels: ArrayLike<number>, classes: number): number {
  let hits = 0;
  forEachLogitsBlock(m, x, (logits, start) => {
    for (let r = 0; r < logits.length / classes; r++) if (rankOfLabel(logits, classes, r, labels[start + r]!) === 0) hits++;
  });
  return hits / labels.length;
}

const rowsOf = (labels: ArrayLike<number>, start: number, n: number): number[] => Array.from({ length: n }, (_, i) => labels[start + i]!);

export function linearProbe(train: LabelledFeatures, test: LabelledFeatures, o: LinearProbeOptions = {}): LinearProbeResult {
  const normalize = o.normalize ?? true;
  const k = o.fewshotK ?? -1;
  const seed = o.seed ?? 0;
  const epochs = o.epochs ?? 10;
  const sets = o.val ? [train, o.val, test] : [train, test];
  const classes = o.classes ?? classCount(...sets);
  checkLabelled(train, classes, "linear probe training features");
  checkLabelled(test, classes, "linear probe test features");
  if (o.val) checkLabelled(o.val, classes, "linear probe validation features");
  if (sets.some((s) => s.dim !== train.dim)) throw new LaclipError("linear probe: train, validation and test features differ in width; they must come from one model");
  if (test.labels.length === 0) throw new LaclipError("linear probe: the test split has no rows");
  if (!(Number.isInteger(k) && (k === -1 || k >= 1))) throw new LaclipError(`fewshot_k must be -1 (all) or a positive integer, got ${k}`);
  const tr = k > 0 ? selectRows(train, fewShotSubset(train.labels, k, seed)) : train;
  if (o.val && o.val.labels.length === 0) throw new LaclipError("linear probe: the validation split has no rows");
  const fitOpts = { lr: o.lr, epochs, batchSize: o.batchSize, seed, shuffle: o.shuffle };
  const search: LinearProbeResult["search"] = [];
  let weightDecay = 0;
  const acc = new ZeroShotAccumulator(o.classNames ?? Array.from({ length: classes }, (_, c) => String(c)));
  const nTr = tr.labels.length;
  const parts = o.val ? [tr, o.val] : [tr];
  const x = featureTensor(parts, normalize); // (nTr + nVal, D): the training rows first
  const y = labelTensor(parts);
  let model: LinearWeights;
  try {
    if (o.val) {
      const va = o.val;
      const grid = weightDecayGrid();
      const { best } = searchGrid(grid.length, (i) => tidy(() => {
        // views, not copies: the candidates fit on the training rows and are scored on the validation rows
        const m = fitLinear(x.narrow(0, 0, nTr), y.narrow(0, 0, nTr), classes, { ...fitOpts, weightDecay: grid[i]! });
        const valAcc1 = top1(m, x.narrow(0, nTr, va.labels.length), va.labels, classes);
        search.push({ weightDecay: grid[i]!, valAcc1 });
        o.log?.(`weight decay ${grid[i]!.toExponential(3)}: validation acc1 ${valAcc1.toFixed(4)}`);
        return valAcc1;
      }));
      weightDecay = grid[best]!;
    }
    model = fitLinear(x, y, classes, { ...fitOpts, weightDecay });
  } finally {
    x.dispose();
    y.dispose();
  }
  try {
    tidy(() => forEachLogitsBlock(model, featureTensor([test], normalize), (logits, start) => acc.add(logits, rowsOf(test.labels, start, logits.length / classes))));
  } finally {
    model.weight.dispose();
    model.bias.dispose();
  }
  const m = acc.result();
  return {
    metrics: { lp_acc1: m.acc1, lp_acc5: m.acc5, lp_mean_per_class_recall: m.meanPerClassRecall, weight_decay: weightDecay, epochs, seed, fewshot_k: k, normalized: normalize },
    search,
    nTrain: nTr,
    nVal: o.val?.labels.length ?? 0,
    nTest: test.labels.length,
    classes,
  };
}
