/** Tolerance comparison of tensor contents with values computed in plain JS. */
import assert from "node:assert/strict";
import type { Tensor } from "../../src/engine/index.js";

export function flat(x: unknown): number[] {
  return Array.isArray(x) ? x.flatMap(flat) : [x as number];
}

export function assertClose(actual: Tensor | ArrayLike<number>, expected: ArrayLike<number> | unknown[], tol = 1e-5, what = "value"): void {
  const a = "toArray" in (actual as object) ? flat((actual as Tensor).toArray()) : Array.from(actual as ArrayLike<number>);
  const e = Array.isArray(expected) ? flat(expected) : Array.from(expected as ArrayLike<number>);
  assert.equal(a.length, e.length, `${what}: ${a.length} elements, expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i]! - e[i]!) <= tol * (1 + Math.abs(e[i]!)) || (Number.isNaN(a[i]) && Number.isNaN(e[i]));
    assert.ok(ok, `${what}[${i}]: got ${a[i]}, expected ${e[i]}`);
  }
}

/** Deterministic pseudo-random values in [-1, 1) (independent of the engine's RNG). */
export function values(n: number, seed = 1): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}
