/**
 * Feature matrices as the metric functions take them: row-major float32 host memory, one row per image or text.
 * `checkFeatures` is the one place that checks their shape, so every metric reports a bad input the same way.
 */
import { LaclipError } from "../errors/laclip_error.js";
import { Rng, deriveSeed } from "../util/rng.js";

/** (rows, dim) features, row-major; rows = data.length / dim. What encodeTokens and the feature cache hand back. */
export interface Features {
  data: Float32Array;
  dim: number;
}

/** Features with one class index per row (0-based). */
export interface LabelledFeatures extends Features {
  labels: ArrayLike<number>;
}

/** The row count of `f`, after checking that `dim` divides the data; `what` names the matrix in errors. */
export function featureRows(f: Features, what: string): number {
  if (!(Number.isInteger(f.dim) && f.dim >= 1)) throw new LaclipError(`${what}: the feature width must be a positive integer, got ${f.dim}`);
  if (f.data.length % f.dim !== 0) throw new LaclipError(`${what}: ${f.data.length} values are not whole rows of width ${f.dim}`);
  return f.data.length / f.dim;
}

/** Rows and class count of labelled features; every label must be an integer in [0, classes). */
export function checkLabelled(f: LabelledFeatures, classes: number, what: string): number {
  const rows = featureRows(f, what);
  if (f.labels.length !== rows) throw new LaclipError(`${what}: ${f.labels.length} labels for ${rows} feature rows`);
  for (let i = 0; i < rows; i++) {
    const y = f.labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < classes)) throw new LaclipError(`${what}: label ${y} of row ${i} is not a class index in [0, ${classes - 1}]`);
  }
  return rows;
}

/** 1 + the largest label of all the sets: the class count when none is given. */
export function classCount(...sets: LabelledFeatures[]): number {
  let max = -1;
  for (const s of sets) for (let i = 0; i < s.labels.length; i++) max = Math.max(max, s.labels[i]!);
  return max + 1;
}

/** A copy of the rows L2-normalised (F.normalize's eps: a zero row stays zero). */
export function normalisedCopy(f: Features): Float32Array {
  const out = new Float32Array(f.data.length);
  for (let r = 0; r < f.data.length; r += f.dim) {
    let s = 0;
    for (let d = 0; d < f.dim; d++) s += f.data[r + d]! ** 2;
    const inv = 1 / Math.max(Math.sqrt(s), 1e-12);
    for (let d = 0; d < f.dim; d++) out[r + d] = f.data[r + d]! * inv;
  }
  return out;
}

/** A seeded split of `f` into (train, val) with round(p * rows) validation rows, each in row order. */
export function holdOutRows(f: LabelledFeatures, p: number, seed: number): [LabelledFeatures & { labels: Int32Array }, LabelledFeatures & { labels: Int32Array }] {
  if (!(p > 0 && p < 1)) throw new LaclipError(`--val-proportion must be between 0 and 1 (exclusive), got ${p}`);
  const rows = f.labels.length;
  const order = new Rng(deriveSeed(seed, "linear-probe", "val-proportion")).shuffle(Array.from({ length: rows }, (_, i) => i));
  const nVal = Math.round(p * rows);
  if (nVal < 1 || nVal >= rows) throw new LaclipError(`--val-proportion ${p} of ${rows} training rows leaves no ${nVal < 1 ? "validation" : "training"} rows`);
  return [selectRows(f, order.slice(nVal).sort((a, b) => a - b)), selectRows(f, order.slice(0, nVal).sort((a, b) => a - b))];
}

/** The rows `idx` of `f`, in that order, with their labels. */
export function selectRows(f: LabelledFeatures, idx: readonly number[]): LabelledFeatures & { labels: Int32Array } {
  const data = new Float32Array(idx.length * f.dim);
  idx.forEach((r, i) => data.set(f.data.subarray(r * f.dim, (r + 1) * f.dim), i * f.dim));
  return { data, dim: f.dim, labels: Int32Array.from(idx, (r) => f.labels[r]!) };
}
