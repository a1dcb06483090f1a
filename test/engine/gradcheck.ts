/**
 * Gradient check against central finite differences, in f64. The output is reduced with fixed random weights
 * (L = sum(w * f(x))) so that every output element contributes; the analytic gradient of L from backward() is
 * compared with (L(x + eps e_i) - L(x - eps e_i)) / 2 eps for every element of every input that requires grad.
 */
import assert from "node:assert/strict";
import { noGrad, tensor, tidy, type Tensor } from "../../src/engine/index.js";

export interface GradcheckOptions {
  eps?: number;
  atol?: number;
  rtol?: number;
}

/** Weights for the output reduction, a deterministic function of position (no RNG state involved). */
function weights(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => Math.sin(1 + 1.7 * i) + 0.1);
}

function loss(f: (...xs: Tensor[]) => Tensor, xs: Tensor[]): number {
  return tidy(() => {
    const y = f(...xs);
    const w = tensor(weights(y.numel), { shape: [...y.shape], dtype: "f64" });
    return y.to("f64").mul(w).sum().item();
  });
}

/**
 * Checks `f` at `inputs` (f64 tensors; those with requiresGrad are checked). Throws an AssertionError naming
 * the input and element that disagree. Inputs stay owned by the caller.
 */
export function gradcheck(name: string, f: (...xs: Tensor[]) => Tensor, inputs: Tensor[], o: GradcheckOptions = {}): void {
  const eps = o.eps ?? 1e-6;
  const atol = o.atol ?? 1e-6;
  const rtol = o.rtol ?? 1e-4;
  for (const x of inputs) if (x.requiresGrad) assert.equal(x.dtype, "f64", `${name}: gradcheck inputs must be f64`);
  const analytic = tidy(() => {
    for (const x of inputs) x.zeroGrad();
    const y = f(...inputs);
    const w = tensor(weights(y.numel), { shape: [...y.shape], dtype: "f64" });
    y.to("f64").mul(w).sum().backward();
    return inputs.map((x) => (x.requiresGrad ? (x.grad?.toTypedArray() as Float64Array | undefined) ?? new Float64Array(x.numel) : undefined));
  });
  noGrad(() => {
    inputs.forEach((x, k) => {
      const a = analytic[k];
      if (a === undefined) return;
      const base = x.toTypedArray() as Float64Array;
      for (let i = 0; i < base.length; i++) {
        const at = (delta: number): number => {
          const data = base.slice();
          data[i]! += delta;
          const xi = tensor(data, { shape: [...x.shape], dtype: "f64" });
          const xs = inputs.map((v, j) => (j === k ? xi : v));
          try {
            return loss(f, xs);
          } finally {
            xi.dispose();
          }
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        const diff = Math.abs(numeric - a[i]!);
        assert.ok(
          diff <= atol + rtol * Math.abs(numeric),
          `${name}: d/d input${k}[${i}] analytic ${a[i]} vs numeric ${numeric} (diff ${diff.toExponential(2)})`,
        );
      }
    });
  });
  for (const x of inputs) x.zeroGrad();
}

/** A small f64 leaf tensor requiring grad, with values from `values` or a fixed pattern. */
export function leaf(shape: number[], values?: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const f = values ?? ((i: number) => Math.sin(0.9 * i + 0.3) * 1.3);
  return tensor(Float64Array.from({ length: n }, (_, i) => f(i)), { shape, dtype: "f64", requiresGrad: true });
}
