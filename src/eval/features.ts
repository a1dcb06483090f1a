/**
 * Feature matrices as the metric functions take them: row-major float32 host memory, one row per image or text.
 * `checkFeatures` is the one place that checks their shape, so every metric reports a bad input the same way.
 */
import { LaclipError } from "../errors/laclip_error.js";

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
