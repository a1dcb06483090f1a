/**
 * Zero-shot metrics accumulated batch by batch. Ranking breaks ties by class index, lower first, as
 * torch.argmax does (it returns the first maximum): the true class's rank is the number of classes scoring
 * higher plus the number of lower-indexed classes scoring the same, and top-k counts a hit when rank < k.
 * A row with a NaN or infinite logit counts as a miss for every k and is counted apart.
 */
import { LaclipError } from "../errors/laclip_error.js";

export interface ClassResult {
  name: string;
  /** Images of this class evaluated. */
  n: number;
  /** Of those, how many were top-1 correct. */
  correct1: number;
  /** correct1 / n; null when the class has no images. */
  recall: number | null;
}

export interface ZeroShotMetrics {
  /** Fraction of images whose top-1 class is right (0..1). */
  acc1: number;
  /** Fraction with the right class among the top 5; null with fewer than 5 classes (CLIP_benchmark reports NaN). */
  acc5: number | null;
  /** Mean over classes with at least one image of their top-1 recall (sklearn's balanced accuracy). */
  meanPerClassRecall: number;
  nImages: number;
  nClasses: number;
  /** Rows whose logits were not all finite (counted as misses). */
  nNonFinite: number;
  perClass: ClassResult[];
}

/** Rank (0 = first) of class `label` in row `row` of (rows, C) logits, ties going to the lower index; C when not finite. */
export function rankOfLabel(logits: Float32Array, classes: number, row: number, label: number): number {
  const base = row * classes;
  const s = logits[base + label]!;
  let rank = 0;
  for (let j = 0; j < classes; j++) {
    const v = logits[base + j]!;
    if (!Number.isFinite(v)) return classes;
    if (v > s || (v === s && j < label)) rank++;
  }
  return rank;
}

export class ZeroShotAccumulator {
  private readonly n: Float64Array;
  private readonly hit1: Float64Array;
  private hit5 = 0;
  private total = 0;
  private nonFinite = 0;

  constructor(private readonly classNames: readonly string[]) {
    if (classNames.length === 0) throw new LaclipError("zero-shot metrics need at least one class");
    this.n = new Float64Array(classNames.length);
    this.hit1 = new Float64Array(classNames.length);
  }

  /** Adds `labels.length` rows of (rows, C) logits. */
  add(logits: Float32Array, labels: ArrayLike<number>): void {
    const C = this.classNames.length;
    if (logits.length !== labels.length * C) throw new RangeError(`logits hold ${logits.length} values, expected ${labels.length} x ${C}`);
    for (let r = 0; r < labels.length; r++) {
      const label = labels[r]!;
      if (!(Number.isInteger(label) && label >= 0 && label < C)) throw new RangeError(`label ${label} is not a class index in [0, ${C - 1}]`);
      const rank = rankOfLabel(logits, C, r, label);
      if (rank === C) this.nonFinite++;
      this.n[label]!++;
      this.total++;
      if (rank < 1) this.hit1[label]!++;
      if (rank < 5) this.hit5++;
    }
  }

  get count(): number {
    return this.total;
  }

  result(): ZeroShotMetrics {
    if (this.total === 0) throw new LaclipError("no image was evaluated, so there are no zero-shot metrics");
    const C = this.classNames.length;
    let hits = 0;
    let recallSum = 0;
    let present = 0;
    const perClass = this.classNames.map((name, c): ClassResult => {
      const n = this.n[c]!;
      hits += this.hit1[c]!;
      if (n > 0) {
        recallSum += this.hit1[c]! / n;
        present++;
      }
      return { name, n, correct1: this.hit1[c]!, recall: n > 0 ? this.hit1[c]! / n : null };
    });
    return {
      acc1: hits / this.total,
      acc5: C >= 5 ? this.hit5 / this.total : null,
      meanPerClassRecall: recallSum / present,
      nImages: this.total,
      nClasses: C,
      nNonFinite: this.nonFinite,
      perClass,
    };
  }
}
