/** Element-wise comparison against a reference, in float64, with allclose's criterion |d| <= atol + rtol |want|. */
import type { Tensor } from "../engine/index.js";
import type { Tolerance } from "./result.js";

export interface Comparison {
  n: number;
  maxAbsErr: number;
  maxRelErr: number;
  ok: boolean;
  /** Largest |d| - (atol + rtol |want|): > 0 means out of tolerance. */
  worstExcess: number;
  /** Element index of worstExcess. */
  worstIndex: number;
}

type Numbers = ArrayLike<number>;

export function compareArrays(got: Numbers, want: Numbers, tol: Tolerance): Comparison {
  const n = want.length;
  if (got.length !== n) return { n, maxAbsErr: Infinity, maxRelErr: Infinity, ok: false, worstExcess: Infinity, worstIndex: -1 };
  let maxAbsErr = 0;
  let maxRelErr = 0;
  let worstExcess = -Infinity;
  let worstIndex = -1;
  let ok = true;
  for (let i = 0; i < n; i++) {
    const w = want[i]!;
    const g = got[i]!;
    const d = Math.abs(g - w);
    const aw = Math.abs(w);
    // NaN anywhere is a failure, and NaN == NaN is not agreement.
    const bad = !(d <= tol.atol + tol.rtol * aw);
    if (bad) ok = false;
    const excess = Number.isNaN(d) ? Infinity : d - (tol.atol + tol.rtol * aw);
    if (excess > worstExcess) {
      worstExcess = excess;
      worstIndex = i;
    }
    if (!(d <= maxAbsErr)) maxAbsErr = Number.isNaN(d) ? Infinity : d;
    if (aw >= tol.atol && aw > 0 && d / aw > maxRelErr) maxRelErr = d / aw;
  }
  return { n, maxAbsErr, maxRelErr, ok, worstExcess, worstIndex };
}

/** Compares two float tensors of the same shape (shapes differing is a failure). */
export function compareTensors(got: Tensor, want: Tensor, tol: Tolerance): Comparison {
  const sameShape = got.ndim === want.ndim && got.shape.every((s, i) => s === want.shape[i]);
  if (!sameShape) return { n: want.numel, maxAbsErr: Infinity, maxRelErr: Infinity, ok: false, worstExcess: Infinity, worstIndex: -1 };
  return compareArrays(got.toTypedArray() as Numbers, want.toTypedArray() as Numbers, tol);
}
