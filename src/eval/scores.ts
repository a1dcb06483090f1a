/** Dot products of feature rows by libtorch, a block at a time (the one float32 matmul the metrics share). */
import { noGrad, tensor, tidy } from "../engine/index.js";
import type { Features } from "./features.js";

/** (end - start, m) scores: rows [start, end) of `a` against every row of `b`, as host floats. */
export function scoreBlock(a: Features, start: number, end: number, b: Features): Float32Array {
  return noGrad(() => tidy(() => {
    const x = tensor(a.data.subarray(start * a.dim, end * a.dim), { shape: [end - start, a.dim] }); // (n, D)
    const y = tensor(b.data, { shape: [b.data.length / b.dim, b.dim] }); // (m, D)
    return x.matmul(y.t()).toTypedArray() as Float32Array; // (n, m)
  }));
}
