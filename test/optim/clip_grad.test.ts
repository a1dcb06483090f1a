import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../src/engine/index.js";
import { clipGradNorm, clipGradNormDeferred, clipGradValue, NonFiniteNormError } from "../../src/optim/index.js";
import { gradValues, setGrad } from "./reference.js";

const f64 = (values: number[]): Tensor => tensor(values, { dtype: "f64", requiresGrad: true });
const gradOf = (p: Tensor): number[] => Array.from(p.grad!.toTypedArray() as Float64Array);

function jsNorm(grads: number[][], p: number): number {
  const all = grads.flat().map(Math.abs);
  if (p === Infinity) return Math.max(...all);
  const per = grads.map((g) => g.reduce((s, v) => s + Math.abs(v) ** p, 0) ** (1 / p));
  return per.reduce((s, v) => s + v ** p, 0) ** (1 / p);
}

for (const normType of [2, 1, 3, Infinity]) {
  test(`clipGradNorm (p = ${normType}) returns the total norm and scales by maxNorm / (norm + 1e-6)`, () => {
    const params = [f64([1, 2, 3, 4]), f64([5, 6]), f64([7])];
    const grads = params.map((p, i) => setGrad(p, i, 2));
    const total = jsNorm(grads, normType);
    const maxNorm = total / 3;
    const got = clipGradNorm([...params, f64([0])], maxNorm, normType); // a parameter without a gradient is skipped
    assert.ok(Math.abs(got - total) / total < 1e-12, `${got} vs ${total}`);
    const coef = maxNorm / (total + 1e-6);
    params.forEach((p, i) => {
      const want = grads[i]!.map((g) => g * coef);
      gradOf(p).forEach((v, j) => assert.ok(Math.abs(v - want[j]!) < 1e-12, `param ${i}[${j}]`));
    });
    params.forEach((p) => p.dispose());
  });
}

test("clipGradNorm leaves gradients below maxNorm unchanged (coefficient clamped to 1)", () => {
  const p = f64([1, 2, 3]);
  const g = setGrad(p, 0, 1);
  const n = clipGradNorm([p], 1e6);
  assert.ok(Math.abs(n - Math.hypot(...g)) < 1e-12);
  assert.deepEqual(gradOf(p), g);
  assert.equal(clipGradNorm([f64([1])], 1), 0, "no gradients: norm 0");
  p.dispose();
});

test("clipGradNorm with errorIfNonfinite throws on a NaN norm and leaves the gradients", () => {
  const p = f64([1, 2]);
  const t = tensor([NaN, 1], { dtype: "f64" });
  p.grad = t;
  t.dispose();
  assert.throws(() => clipGradNorm([p], 1, 2, { errorIfNonfinite: true }), (e: unknown) => e instanceof NonFiniteNormError && Number.isNaN(e.norm));
  assert.equal(gradOf(p)[1], 1);
  p.dispose();
});

test("clipGradValue clamps every element", () => {
  const p = f64([0, 0, 0, 0, 0]);
  setGrad(p, 3, 1);
  clipGradValue([p], 0.5);
  assert.deepEqual(gradOf(p), gradValues(3, 1, 5).map((v) => Math.min(0.5, Math.max(-0.5, v))));
  p.dispose();
});

test("clipGradNormDeferred scales like clipGradNorm and returns the norm as a tensor (no host read)", () => {
  const a = [f64([1, 2, 3, 4]), f64([5, 6])];
  const b = [f64([1, 2, 3, 4]), f64([5, 6])];
  a.forEach((p, i) => setGrad(p, i, 2));
  b.forEach((p, i) => setGrad(p, i, 2));
  const want = clipGradNorm(a, 1.5);
  const got = clipGradNormDeferred(b, 1.5)!;
  assert.deepEqual(got.shape, []);
  assert.equal(got.item(), want);
  a.forEach((p, i) => assert.deepEqual(gradOf(b[i]!), gradOf(p)));
  assert.equal(clipGradNormDeferred([f64([1])], 1), undefined, "no gradients, no norm");
  got.dispose();
  [...a, ...b].forEach((p) => p.dispose());
});
