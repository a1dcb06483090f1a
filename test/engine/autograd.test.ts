/** Autograd semantics: accumulation, retain_graph, no_grad, detach, .grad ownership, autocast, custom functions. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { assertClose } from "./close.js";
import * as E from "../../src/engine/index.js";

test("gradients accumulate across backward calls until cleared", () => {
  const x = E.tensor([1, -2, 3], { dtype: "f64", requiresGrad: true });
  for (let i = 0; i < 2; i++) x.mul(x).sum().backward();
  assert.deepEqual(x.grad!.toArray(), [4, -8, 12]); // 2 * 2x
  x.zeroGrad(false);
  assert.deepEqual(x.grad!.toArray(), [0, 0, 0]);
  x.zeroGrad();
  assert.equal(x.grad, undefined);
  x.mul(3).backward(E.tensor([1, 10, 100], { dtype: "f64" }));
  assert.deepEqual(x.grad!.toArray(), [3, 30, 300]);
});

test("retainGraph allows a second backward; without it libtorch's error comes back as an EngineError", () => {
  const x = E.tensor([2], { dtype: "f64", requiresGrad: true });
  const y = x.exp().sum();
  y.backward(undefined, { retainGraph: true });
  y.backward();
  assertClose(x.grad!, [2 * Math.exp(2)], 1e-12);
  assert.throws(() => y.backward(), (e: unknown) => e instanceof E.EngineError && e.op === "backward" && /second time/.test(e.message));
});

test("noGrad, enableGrad, detach and requiresGrad", () => {
  const x = E.tensor([1, 2], { requiresGrad: true });
  assert.equal(x.isLeaf, true);
  const y = E.noGrad(() => x.mul(2));
  assert.equal(y.requiresGrad, false);
  assert.equal(E.isGradEnabled(), true);
  const z = E.noGrad(() => E.enableGrad(() => x.mul(2)));
  assert.equal(z.requiresGrad, true);
  assert.equal(z.hasGradFn, true);
  const d = x.detach();
  assert.equal(d.requiresGrad, false);
  E.noGrad(() => d.add_(1));
  assert.deepEqual(x.toArray(), [2, 3], "detach shares storage");
  assert.throws(() => x.add_(1), E.EngineError, "in-place on a leaf that requires grad");
  E.noGrad(() => x.add_(1));
  x.requiresGrad = false;
  assert.equal(x.mul(2).requiresGrad, false);
  assert.throws(() => E.noGrad(async () => 1), /synchronous/);
  assert.equal(E.isGradEnabled(), true);
});

test(".grad is one tensor per parameter, re-pointed, released when cleared", () => {
  const p = E.tensor([1, 2, 3], { requiresGrad: true });
  p.sum().backward();
  const g1 = p.grad!;
  assert.equal(p.grad, g1, "same object on every read");
  g1.dispose(); // owned by p: no effect
  assert.deepEqual(g1.toArray(), [1, 1, 1]);
  p.grad = undefined;
  assert.equal(g1.isDisposed, true);
  assert.throws(() => g1.toArray(), E.DisposedTensorError);
  p.grad = E.tensor([5, 5, 5]);
  assert.deepEqual(p.grad!.toArray(), [5, 5, 5]);
  const before = E.liveTensors();
  for (let i = 0; i < 50; i++) void p.grad!.shape;
  assert.equal(E.liveTensors(), before, "reading .grad allocates no handles");
  const n = p.mul(2);
  n.retainGrad();
  n.sum().backward();
  assert.deepEqual(n.grad!.toArray(), [1, 1, 1]);
  p.dispose();
  assert.equal(g1.isDisposed, true);
});

test("autograd.grad and higher-order gradients (incl. through the custom QuickGELU function)", () => {
  const x = E.tensor([0.5, -1.5], { dtype: "f64", requiresGrad: true });
  const [dy] = E.grad([x.pow(3).sum()], [x], { createGraph: true });
  assertClose(dy!, [0.75, 6.75], 1e-12); // 3x^2
  const [d2] = E.grad([dy!.sum()], [x]);
  assertClose(d2!, [3, -9], 1e-12); // 6x
  const composite = (t: E.Tensor) => t.mul(t.mul(1.702).sigmoid());
  const [g1] = E.grad([x.quickGelu().sum()], [x], { createGraph: true });
  const [g2] = E.grad([composite(x).sum()], [x], { createGraph: true });
  assertClose(g1!, g2!.toArray() as number[], 1e-12, "first derivative");
  const [h1] = E.grad([g1!.sum()], [x]);
  const [h2] = E.grad([g2!.sum()], [x]);
  assertClose(h1!, h2!.toArray() as number[], 1e-10, "second derivative");
  const unused = E.tensor([1], { requiresGrad: true });
  assert.deepEqual(E.grad([x.sum()], [x, unused]).map((g) => g === undefined), [false, true]);
});

test("bf16 autocast: matmul in bf16, f32 parameters get f32 gradients, state restored", () => {
  E.manualSeed(1);
  const w = E.randn([16, 8], { requiresGrad: true });
  const x = E.randn([4, 16]);
  const ref = x.matmul(w).square().mean().item();
  const y = E.autocast({ dtype: "bf16" }, () => {
    assert.equal(E.isAutocastEnabled(), true);
    const h = x.matmul(w);
    assert.equal(h.dtype, "bf16");
    const inner = E.autocast({ enabled: false }, () => x.matmul(w));
    assert.equal(inner.dtype, "f32");
    assert.equal(E.isAutocastEnabled(), true, "nested region restores");
    return h.to("f32").square().mean();
  });
  assert.equal(E.isAutocastEnabled(), false);
  assert.ok(Math.abs(y.item() - ref) / ref < 0.05, `bf16 loss ${y.item()} vs f32 ${ref}`);
  y.backward();
  assert.equal(w.grad!.dtype, "f32");
  assert.equal(x.matmul(w).dtype, "f32");
  assert.throws(() => E.autocast({ dtype: "f16" }, () => 0), /bf16/);
});
