import { test } from "node:test";
import assert from "node:assert/strict";
import { tensor, type Tensor } from "../../src/engine/index.js";
import { SGD, type SGDOptions } from "../../src/optim/index.js";
import { maxRelDiff, setGrad, SGDRef, type SGDRefOptions } from "./reference.js";

const f64 = (values: number[]): Tensor => tensor(values, { dtype: "f64", requiresGrad: true });

const cases: [string, Partial<SGDOptions> & { lr: number }, SGDRefOptions][] = [
  ["plain", { lr: 0.1 }, { lr: 0.1 }],
  ["weight decay", { lr: 0.1, weightDecay: 0.01 }, { lr: 0.1, wd: 0.01 }],
  ["momentum + dampening", { lr: 0.05, momentum: 0.9, dampening: 0.1, weightDecay: 0.001 }, { lr: 0.05, momentum: 0.9, dampening: 0.1, wd: 0.001 }],
  ["nesterov", { lr: 0.05, momentum: 0.8, nesterov: true, weightDecay: 0.02 }, { lr: 0.05, momentum: 0.8, nesterov: true, wd: 0.02 }],
];

for (const [name, options, refOptions] of cases) {
  test(`SGD (${name}) equals the f64 reference over several steps`, () => {
    const init = [0.5, -1, 2.5, 0.125, -3];
    const p = f64(init);
    const opt = new SGD([p], options);
    const ref = new SGDRef([...init], refOptions);
    for (let step = 1; step <= 6; step++) {
      ref.step(setGrad(p, 4, step));
      opt.step();
      opt.zeroGrad();
      assert.ok(maxRelDiff(p.toTypedArray() as Float64Array, ref.p) < 1e-13, `step ${step}`);
    }
    assert.equal(opt.stateOf(p).has("momentum_buffer"), (options.momentum ?? 0) > 0);
    opt.dispose();
    p.dispose();
  });
}

test("SGD groups use their own learning rate; a parameter without gradient is left alone", () => {
  const a = f64([1, 1]);
  const b = f64([1, 1]);
  const c = f64([7]);
  const opt = new SGD([{ params: [a] }, { params: [b, c], lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
  const ra = new SGDRef([1, 1], { lr: 0.1, momentum: 0.9 });
  const rb = new SGDRef([1, 1], { lr: 0.5, momentum: 0.9 });
  for (let step = 1; step <= 3; step++) {
    ra.step(setGrad(a, 1, step));
    rb.step(setGrad(b, 2, step));
    opt.step();
  }
  assert.ok(maxRelDiff(a.toTypedArray() as Float64Array, ra.p) < 1e-13);
  assert.ok(maxRelDiff(b.toTypedArray() as Float64Array, rb.p) < 1e-13);
  assert.deepEqual(c.toArray(), [7]);
  // Learning-rate schedules change group options between steps.
  opt.paramGroups[1]!.lr = 0;
  const before = b.toArray();
  setGrad(b, 2, 9);
  opt.step();
  assert.deepEqual(b.toArray(), before, "lr 0 leaves b unchanged");
  opt.dispose();
  for (const t of [a, b, c]) t.dispose();
});

test("SGD refuses nesterov without momentum", () => {
  const p = f64([1]);
  assert.throws(() => new SGD([p], { lr: 0.1, nesterov: true }), /nesterov needs momentum > 0 and dampening 0/);
  p.dispose();
});
