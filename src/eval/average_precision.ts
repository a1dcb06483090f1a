/**
 * Average precision per class, the multilabel zero-shot metric, defined as CLIP_benchmark defines it
 * (metrics/zeroshot_classification.py, after torchnet's APMeter): rank every image by its score for the class,
 * highest first; at each positive image, take the precision of the ranking down to it (positives so far /
 * rank); AP is the sum of those precisions divided by the number of positives. A class with no positive image
 * has AP 0 (the sum is empty and the divisor is clamped to 1), and it still counts in the mean:
 * mean_average_precision is the plain mean over all C classes.
 *
 * Ties: CLIP_benchmark leaves the order of equal scores to torch.sort; laclip ranks tied images in dataset
 * order (a stable sort), so the number never depends on the machine. A NaN score ranks above every number, as
 * in torch.sort's descending order.
 */

/** Descending by score, NaN first, equal scores in index order. */
function rankOrder(score: (i: number) => number, n: number): Int32Array {
  const order = Int32Array.from({ length: n }, (_, i) => i);
  return order.sort((a, b) => {
    const x = score(a);
    const y = score(b);
    const nx = Number.isNaN(x);
    const ny = Number.isNaN(y);
    if (nx || ny) return nx && ny ? a - b : nx ? -1 : 1;
    return x > y ? -1 : x < y ? 1 : a - b;
  });
}

/** AP of one class from `n` scores and 0/1 positives (any array-likes of length n). */
export function averagePrecision(scores: ArrayLike<number>, positives: ArrayLike<number>): number {
  const n = scores.length;
  if (positives.length !== n) throw new RangeError(`${n} scores but ${positives.length} targets`);
  const order = rankOrder((i) => scores[i]!, n);
  let tp = 0;
  let sum = 0;
  order.forEach((i, r) => {
    if (positives[i]! !== 0) {
      tp++;
      sum += tp / (r + 1);
    }
  });
  return sum / Math.max(tp, 1);
}

export interface MultilabelMetrics {
  /** Mean over all classes of their AP (classes without positives count as 0). */
  meanAveragePrecision: number;
  perClass: { name: string; nPositive: number; averagePrecision: number }[];
  nImages: number;
  /** Rows whose logits were not all finite. */
  nNonFinite: number;
}

/** Metrics of (rows, C) logits against each row's 0/1 target over the C classes. */
export function multilabelMetrics(logits: Float32Array, targets: readonly Uint8Array[], classNames: readonly string[]): MultilabelMetrics {
  const C = classNames.length;
  const rows = targets.length;
  if (C === 0 || rows === 0) throw new RangeError("multilabel metrics need at least one class and one image");
  if (logits.length !== rows * C) throw new RangeError(`logits hold ${logits.length} values, expected ${rows} x ${C}`);
  let nNonFinite = 0;
  for (let r = 0; r < rows; r++) if (!logits.subarray(r * C, (r + 1) * C).every(Number.isFinite)) nNonFinite++;
  const scores = new Float32Array(rows);
  const positives = new Uint8Array(rows);
  const perClass = classNames.map((name, c) => {
    for (let r = 0; r < rows; r++) {
      scores[r] = logits[r * C + c]!;
      positives[r] = targets[r]![c]!;
    }
    return { name, nPositive: positives.reduce((a, b) => a + b, 0), averagePrecision: averagePrecision(scores, positives) };
  });
  const meanAveragePrecision = perClass.reduce((a, p) => a + p.averagePrecision, 0) / C;
  return { meanAveragePrecision, perClass, nImages: rows, nNonFinite };
}
