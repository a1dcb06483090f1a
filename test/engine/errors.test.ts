/** Bad input gives clear JS errors (EngineError, a LaclipError) naming the op, and never crashes the process. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LaclipError } from "../../src/errors/laclip_error.js";
import * as E from "../../src/engine/index.js";

function throwsEngine(fn: () => unknown, op: string, pattern: RegExp, kind?: E.EngineError["kind"]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof E.EngineError, `expected EngineError, got ${String(e)}`);
    assert.ok(e instanceof LaclipError);
    assert.equal(e.op, op);
    assert.match(e.message, pattern);
    assert.ok(e.message.startsWith(`${op}: `));
    if (kind) assert.equal(e.kind, kind);
    return true;
  });
}

test("wrong shapes", () => {
  const a = E.ones([2, 3]);
  throwsEngine(() => a.matmul(E.ones([2, 3])), "matmul", /cannot be multiplied \(2x3 and 2x3\)/, "torch");
  throwsEngine(() => a.add(E.ones([4])), "add", /size of tensor a \(3\) must match/);
  throwsEngine(() => a.view(4, 2), "view", /shape '\[4, 2\]' is invalid/);
  throwsEngine(() => E.cat([a, E.ones([2, 2])], 0), "cat", /Sizes of tensors must match/);
  throwsEngine(() => a.select(0, 5), "select", /out of range/);
  throwsEngine(() => a.permute(0), "permute", /number of dimensions/);
  throwsEngine(() => E.linear(a, E.ones([4, 2])), "linear", /cannot be multiplied/);
  throwsEngine(() => E.conv2d(E.ones([1, 3, 4, 4]), E.ones([2, 2, 3, 3])), "conv2d", /expected input.*to have 2 channels/);
  throwsEngine(() => E.tensor([[1, 2], [3]]), "tensor", /ragged/);
  throwsEngine(() => E.tensor([1, 2, 3], { shape: [2, 2] }), "tensor", /does not hold 3 elements/);
  throwsEngine(() => E.fromHost({ dtype: "f32", shape: [3], data: new Uint8Array(8) }), "fromBytes", /byte length 8 does not match/);
  throwsEngine(() => a.item(), "item", /one element/);
  throwsEngine(() => E.ones([2, 3], { requiresGrad: true }).sum().backward(E.ones([2])), "backward", /gradient shape \[2\] must equal the output shape \[\]/);
  throwsEngine(() => E.tensor([1, 2], { requiresGrad: true }).mul(2).backward(), "backward", /only for scalar outputs/);
});

test("wrong dtypes and values", () => {
  throwsEngine(() => E.ones([2, 2]).matmul(E.ones([2, 2], { dtype: "f64" })), "matmul", /dtype|same dtype|expected/i);
  throwsEngine(() => E.embedding(E.ones([4, 2]), E.tensor([1.5, 2])), "embedding", /Long|Int/);
  throwsEngine(() => E.crossEntropy(E.ones([2, 3]), E.tensor([0, 5], { dtype: "i64" })), "crossEntropy", /out of bounds|Target 5/);
  throwsEngine(() => E.ones([2]).indexSelect(0, E.tensor([0])), "indexSelect", /int64|Long/i);
  throwsEngine(() => E.tensor([1], { requiresGrad: true, dtype: "i64" }), "setRequiresGrad", /floating point/);
  throwsEngine(() => E.zeros([2], { dtype: "q8" as E.DType }), "zeros", /unknown dtype 'q8'/, "argument");
  throwsEngine(() => E.ones([3]).dropout(1.5, true), "dropout", /\[0, 1\]/, "argument");
  throwsEngine(() => E.ones([2]).reshape(1.5), "reshape", /not an integer/, "argument");
  throwsEngine(() => E.crossEntropy(E.ones([2, 3]), E.tensor([0, 1], { dtype: "i64" }), { reduction: "avg" as "mean" }), "crossEntropy", /reduction/);
  assert.throws(() => E.setNumThreads(0), E.EngineError);
});

test("disposed tensors and bad devices", () => {
  const t = E.ones([2]);
  const u = E.ones([2]);
  t.dispose();
  for (const [op, fn] of [["add", () => u.add(t)], ["cat", () => E.cat([u, t])], ["exp", () => t.exp()], ["toArray", () => t.toArray()], ["toHost", () => t.toHost()]] as const) {
    assert.throws(fn, (e: unknown) => e instanceof E.DisposedTensorError && e.op === op, op);
  }
  throwsEngine(() => E.zeros([2], { device: "gpu" as E.Device }), "zeros", /unknown device 'gpu'/, "device");
  if (!E.cudaAvailable()) {
    throwsEngine(() => E.ones([2]).to("cuda"), "to", /requested but/, "device");
    throwsEngine(() => E.randn([2], { device: "cuda:1" }), "randn", /requested but/, "device");
  }
});

test("the process survives a burst of failing calls", () => {
  for (let i = 0; i < 200; i++) {
    try {
      E.ones([i % 5 + 1, 2]).matmul(E.ones([3, 2]));
    } catch (e) {
      assert.ok(e instanceof E.EngineError);
    }
  }
  assert.equal(E.ones([2, 3]).matmul(E.ones([3, 2])).sum().item(), 12);
});
