import { test } from "node:test";
import assert from "node:assert/strict";
import { liveTensors, manualSeed, tensor, zeros } from "../../src/engine/index.js";
import { LaclipError } from "../../src/errors/index.js";
import type { HostTensor } from "../../src/io/index.js";
import { LayerNorm, Linear, Module, StateDictError } from "../../src/nn/index.js";

class Net extends Module {
  readonly fc = this.registerModule("fc", new Linear(3, 2));
  readonly ln = this.registerModule("ln", new LayerNorm(2));
}

const host = (values: number[], shape: number[]): HostTensor =>
  ({ dtype: "f64", shape, data: new Uint8Array(new Float64Array(values).buffer) });

test("a state dict round-trips through host memory into a fresh module", () => {
  manualSeed(1);
  const a = new Net();
  manualSeed(2);
  const b = new Net();
  assert.ok(!a.fc.weight.allclose(b.fc.weight));
  const result = b.loadStateDict(a.hostStateDict());
  assert.deepEqual(result, { missingKeys: [], unexpectedKeys: [] });
  for (const [k, t] of a.stateDict()) assert.deepEqual(b.stateDict().get(k)!.toArray(), t.toArray(), k);
  // The values were copied, not shared, and the targets remain leaf parameters.
  assert.ok(b.fc.weight.isLeaf && b.fc.weight.requiresGrad);
  a.dispose();
  assert.equal(b.fc.weight.isDisposed, false);
  b.dispose();
});

test("engine tensors of another dtype load converted", () => {
  const m = new Net();
  const w = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "f64" });
  m.loadStateDict({ "fc.weight": w, "fc.bias": host([7, 8], [2]), "ln.weight": host([1, 1], [2]), "ln.bias": host([0, 0], [2]) });
  assert.equal(m.fc.weight.dtype, "f32");
  assert.deepEqual(m.fc.weight.toArray(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(m.fc.bias!.toArray(), [7, 8]);
  w.dispose();
  m.dispose();
});

test("one error lists missing, unexpected and mis-shaped keys, and nothing is loaded", () => {
  const m = new Net();
  const before = m.fc.bias!.toArray();
  const sd = new Map<string, HostTensor>([
    ["fc.weight", host([1, 2, 3, 4, 5, 6], [3, 2])], // transposed: mis-shaped
    ["fc.bias", host([9, 9], [2])],
    ["ln.weight", host([1, 1], [2])],
    ["extra.thing", host([0], [1])],
  ]);
  const live = liveTensors();
  let caught: unknown;
  try {
    m.loadStateDict(sd);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StateDictError && caught instanceof LaclipError);
  assert.deepEqual(caught.missingKeys, ["ln.bias"]);
  assert.deepEqual(caught.unexpectedKeys, ["extra.thing"]);
  assert.deepEqual(caught.mismatchedKeys, [{ key: "fc.weight", expected: [2, 3], got: [3, 2] }]);
  assert.match(caught.message, /1 missing key\(s\).*'ln\.bias'.*1 unexpected key\(s\).*'extra\.thing'.*'fc\.weight' expects \[2, 3\], got \[3, 2\]/);
  assert.deepEqual(m.fc.bias!.toArray(), before, "fc.bias must not have been copied");
  assert.equal(liveTensors(), live);
  m.dispose();
});

test("non-strict loading returns missing and unexpected keys and loads the rest; mis-shaped keys still throw", () => {
  const m = new Net();
  const r = m.loadStateDict({ "fc.bias": host([3, 4], [2]), "head.weight": host([1], [1]) }, { strict: false });
  assert.deepEqual(r.missingKeys, ["fc.weight", "ln.weight", "ln.bias"]);
  assert.deepEqual(r.unexpectedKeys, ["head.weight"]);
  assert.deepEqual(m.fc.bias!.toArray(), [3, 4]);
  assert.throws(() => m.loadStateDict({ "fc.bias": host([1, 2, 3], [3]) }, { strict: false }),
    (e: unknown) => e instanceof StateDictError && e.mismatchedKeys.length === 1 && e.missingKeys.length === 3);
  m.dispose();
});

test("values that are not tensors are refused with the key named", () => {
  const m = new Module();
  m.registerParameter("w", zeros([1]));
  assert.throws(() => m.loadStateDict({ w: [1] as unknown as HostTensor }), /'w' is neither a Tensor nor a HostTensor/);
  m.dispose();
});
