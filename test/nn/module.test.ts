import { test } from "node:test";
import assert from "node:assert/strict";
import { arange, liveTensors, randn, tidy, zeros, type Tensor } from "../../src/engine/index.js";
import { ConfigError } from "../../src/errors/index.js";
import { Dropout, GELU, LayerNorm, Linear, Module, ModuleList, MultiheadAttention, Sequential } from "../../src/nn/index.js";

/** A CLIP-shaped tree: the keys below are the ones open_clip / OpenAI CLIP checkpoints use. */
class Mlp extends Module {
  readonly cFc = this.registerModule("c_fc", new Linear(8, 32));
  readonly gelu = this.registerModule("gelu", new GELU());
  readonly cProj = this.registerModule("c_proj", new Linear(32, 8));
}
class Block extends Module {
  readonly attn = this.registerModule("attn", new MultiheadAttention(8, 2));
  readonly ln1 = this.registerModule("ln_1", new LayerNorm(8));
  readonly mlp = this.registerModule("mlp", new Mlp());
  readonly ln2 = this.registerModule("ln_2", new LayerNorm(8));
}
class Transformer extends Module {
  readonly resblocks = this.registerModule("resblocks", new ModuleList([new Block(), new Block()]));
}
class Visual extends Module {
  constructor() {
    super();
    this.registerParameter("class_embedding", zeros([8]));
    this.registerModule("transformer", new Transformer());
    this.registerBuffer("position_ids", arange(4));
    this.registerBuffer("scratch", zeros([2]), { persistent: false });
  }
}
class Clip extends Module {
  readonly visual = this.registerModule("visual", new Visual());
  constructor() {
    super();
    this.registerParameter("logit_scale", zeros([]));
  }
}

const blockKeys = (i: number): string[] =>
  ["attn.in_proj_weight", "attn.in_proj_bias", "attn.out_proj.weight", "attn.out_proj.bias", "ln_1.weight", "ln_1.bias",
    "mlp.c_fc.weight", "mlp.c_fc.bias", "mlp.c_proj.weight", "mlp.c_proj.bias", "ln_2.weight", "ln_2.bias"]
    .map((k) => `visual.transformer.resblocks.${i}.${k}`);

test("state dict keys of a nested module equal PyTorch's, in PyTorch's order", () => {
  const m = new Clip();
  const expected = ["logit_scale", "visual.class_embedding", "visual.position_ids", ...blockKeys(0), ...blockKeys(1)];
  assert.deepEqual([...m.stateDict().keys()], expected);
  const params = [...m.namedParameters().keys()];
  assert.deepEqual(params, expected.filter((k) => k !== "visual.position_ids"));
  assert.deepEqual([...m.namedBuffers().keys()], ["visual.position_ids", "visual.scratch"]);
  assert.equal(m.stateDict().get("visual.transformer.resblocks.1.attn.in_proj_weight")!.shape.join(","), "24,8");
  assert.ok(m.parameters().every((p) => p.requiresGrad && p.isLeaf));
  m.dispose();
});

test("a parameter shared by two modules is listed once by namedParameters but under both keys in stateDict", () => {
  const a = new Linear(3, 3);
  const outer = new Module();
  outer.registerModule("a", a);
  outer.registerModule("b", new Module()).registerParameter("w", a.weight);
  assert.deepEqual([...outer.namedParameters().keys()], ["a.weight", "a.bias"]);
  assert.deepEqual([...outer.stateDict().keys()], ["a.weight", "a.bias", "b.w"]);
  outer.toDtype("f64"); // converted once: the two modules still share one tensor
  const sd = outer.stateDict();
  assert.equal(sd.get("a.weight"), sd.get("b.w"));
  assert.equal(sd.get("b.w")!.dtype, "f64");
  outer.dispose();
});

test("modules built inside tidy() keep their parameters; dispose() frees them all", () => {
  const before = liveTensors();
  const m = tidy(() => {
    const seq = new Sequential(new Linear(4, 8), new GELU(), new Linear(8, 2));
    randn([3, 3]); // a temporary the scope frees
    return seq;
  });
  assert.equal(liveTensors(), before + 4);
  const y = m.forward(randn([5, 4]));
  assert.deepEqual(y.shape, [5, 2]);
  y.dispose();
  m.dispose();
  assert.equal(liveTensors(), before + 1); // the input randn([5, 4]) above was never disposed: only it remains
});

test("train() and eval() reach every submodule; Dropout follows the flag", () => {
  const m = new Sequential(new Linear(4, 4), new Dropout(0.5));
  m.eval();
  assert.ok(m.modules().every((c) => !c.training));
  const x = randn([64, 4]);
  const a = m.forward(x);
  const b = m.forward(x);
  assert.ok(a.allclose(b, 0, 0), "eval mode is deterministic");
  m.train();
  assert.ok(m.modules().every((c) => c.training));
  const c = m.forward(x);
  assert.ok(!c.allclose(a), "training mode drops elements");
  for (const t of [x, a, b, c]) t.dispose();
  m.dispose();
});

test("to(dtype) converts floating parameters and keeps integer buffers; the new tensors are leaves", () => {
  const m = new Clip();
  m.toDtype("f64");
  const sd = m.stateDict();
  assert.equal(sd.get("visual.class_embedding")!.dtype, "f64");
  assert.equal(sd.get("visual.position_ids")!.dtype, "i64");
  assert.ok(m.parameters().every((p: Tensor) => p.dtype === "f64" && p.isLeaf && p.requiresGrad));
  // The layer's getters see the converted tensors.
  const lin = (m.visual as Visual).namedModules().get("transformer.resblocks.0.mlp.c_fc") as Linear;
  assert.equal(lin.weight.dtype, "f64");
  m.dispose();
});

test("zeroGrad() sets every gradient to none", () => {
  const m = new Linear(3, 2);
  const x = randn([4, 3]);
  tidy(() => m.forward(x).sum().backward());
  assert.ok(m.parameters().every((p) => p.grad !== undefined));
  m.zeroGrad();
  assert.ok(m.parameters().every((p) => p.grad === undefined));
  x.dispose();
  m.dispose();
});

test("bad registrations are refused with ConfigError naming the key", () => {
  const m = new Module();
  assert.throws(() => m.registerParameter("a.b", zeros([1])), (e: unknown) => e instanceof ConfigError && e.key === "a.b");
  m.registerParameter("w", zeros([1]));
  assert.throws(() => m.registerBuffer("w", zeros([1])), /already registered as a parameter/);
  assert.throws(() => m.registerParameter("i", arange(3)), /must be floating point/);
  assert.throws(() => m.param("missing"), /has no parameter 'missing'/);
  const list = new ModuleList([new Linear(1, 1)]);
  assert.throws(() => list.at(3), /out of range/);
  m.dispose();
  list.dispose();
});
