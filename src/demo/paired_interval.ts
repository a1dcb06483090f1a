/**
 * The demo's confidence interval: a paired difference LaCLIP - CLIP per seed, and Student's t interval over
 * the seeds, mean +- t(0.975, n - 1) * sd / sqrt(n). Pairing by seed removes what both methods share within a
 * seed (initial weights, data order, crops); the interval describes seed-to-seed variation of the training
 * run only, on this one dataset and held-out set (not a bootstrap over images).
 */

/** t(0.975, df) for df 1..30 (standard tables, 3 decimals). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12,
  2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** The 0.975 quantile of Student's t with `df` degrees of freedom (table up to 30, then the Cornish-Fisher series). */
export function tQuantile975(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`degrees of freedom must be a positive integer, got ${df}`);
  if (df <= T975.length) return T975[df - 1]!;
  const z = 1.959964;
  const g1 = (z ** 3 + z) / 4;
  const g2 = (5 * z ** 5 + 16 * z ** 3 + 3 * z) / 96;
  const g3 = (3 * z ** 7 + 19 * z ** 5 + 17 * z ** 3 - 15 * z) / 384;
  return z + g1 / df + g2 / df ** 2 + g3 / df ** 3;
}

export interface MeanInterval {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1); null with one value. */
  sd: number | null;
  /** The 95% t interval of the mean; null with fewer than two values. */
  lo: number | null;
  hi: number | null;
}

/** Mean and 95% t interval of `xs` (the values are seeds' results, so the interval is over seeds). */
export function tInterval(xs: readonly number[]): MeanInterval {
  const n = xs.length;
  if (n === 0) throw new RangeError("an interval needs at least one value");
  for (const x of xs) if (!Number.isFinite(x)) throw new RangeError(`an interval needs finite values, got ${x}`);
  const mean = xs.reduce((s, x) => s + x, 0) / n;
  if (n < 2) return { n, mean, sd: null, lo: null, hi: null };
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, lo: mean - half, hi: mean + half };
}

export interface PairedInterval extends MeanInterval {
  /** b[i] - a[i] per seed. */
  diffs: number[];
}

/** The paired difference `b - a` (LaCLIP - CLIP), seed by seed, and its 95% t interval over seeds. */
export function pairedInterval(a: readonly number[], b: readonly number[]): PairedInterval {
  if (a.length !== b.length) throw new RangeError(`paired values need one of each per seed, got ${a.length} and ${b.length}`);
  const diffs = a.map((x, i) => b[i]! - x);
  return { ...tInterval(diffs), diffs };
}
