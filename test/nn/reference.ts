/** Plain-JS f64 reference computations for the nn tests (independent of the engine). */
export type Mat = number[][];

export const matvec = (w: Mat, x: number[], b?: number[]): number[] =>
  w.map((row, i) => row.reduce((s, v, j) => s + v * x[j]!, b?.[i] ?? 0));

export function softmaxRow(xs: number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export interface MhaWeights {
  inW: Mat; inB: number[]; outW: Mat; outB: number[];
}

/**
 * Multi-head attention for one batch element: xq (L, E), xk/xv (S, E), additive mask (L, S) or undefined.
 * Returns the output (L, E) and the per-head weights (heads, L, S).
 */
export function mhaReference(xq: Mat, xk: Mat, xv: Mat, w: MhaWeights, heads: number, mask?: Mat): { out: Mat; weights: number[][][] } {
  const e = w.outW.length;
  const hd = e / heads;
  const part = (k: number): [Mat, number[]] => [w.inW.slice(k * e, (k + 1) * e), w.inB.slice(k * e, (k + 1) * e)];
  const [[wq, bq], [wk, bk], [wv, bv]] = [part(0), part(1), part(2)];
  const q = xq.map((x) => matvec(wq, x, bq));
  const k = xk.map((x) => matvec(wk, x, bk));
  const v = xv.map((x) => matvec(wv, x, bv));
  const weights: number[][][] = [];
  const concat: Mat = xq.map(() => new Array<number>(e).fill(0));
  for (let h = 0; h < heads; h++) {
    const sl = (r: number[]): number[] => r.slice(h * hd, (h + 1) * hd);
    const wh = q.map((qi, i) => softmaxRow(k.map((kj, j) => sl(qi).reduce((s, a, d) => s + a * sl(kj)[d]!, 0) / Math.sqrt(hd) + (mask?.[i]![j] ?? 0))));
    weights.push(wh);
    wh.forEach((row, i) => {
      for (let d = 0; d < hd; d++) concat[i]![h * hd + d] = row.reduce((s, a, j) => s + a * v[j]![h * hd + d]!, 0);
    });
  }
  return { out: concat.map((c) => matvec(w.outW, c, w.outB)), weights };
}

export function maxAbsDiff(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return Infinity;
    return a.reduce((m: number, v, i) => Math.max(m, maxAbsDiff(v, b[i])), 0);
  }
  return Infinity;
}
