import { test } from "node:test";
import assert from "node:assert/strict";
import { FormatError } from "../../src/errors/index.js";
import { PyDict, PyNamespace, TorchTensor, loadTorchCheckpoint, readTorchStateDict } from "../../src/io/index.js";
import { PickleWriter } from "./helpers/pickle_writer.js";
import { checkpointZip, f32Bytes, f32Values, pushTensor, writeTemp, type StorageSpec } from "./helpers/torch_pickle.js";

// One storage of 24 floats 0..23 seen as a (4, 6) matrix; every view below indexes it by hand.
const base: StorageSpec = { key: "0", cls: "FloatStorage", numel: 24 };
const baseBytes = f32Bytes(Array.from({ length: 24 }, (_, i) => i));

function viewsCheckpoint(): Uint8Array {
  const w = new PickleWriter().proto(2).emptyDict().mark();
  w.str("base"); pushTensor(w, { storage: base, offset: 0, size: [4, 6], stride: [6, 1] });
  w.str("cols"); pushTensor(w, { storage: base, offset: 1, size: [4, 3], stride: [6, 1] });
  w.str("t"); pushTensor(w, { storage: base, offset: 0, size: [6, 4], stride: [1, 6] });
  w.str("expanded"); pushTensor(w, { storage: base, offset: 5, size: [2, 3], stride: [0, 1] });
  w.str("scalar"); pushTensor(w, { storage: base, offset: 23, size: [], stride: [] });
  w.str("empty"); pushTensor(w, { storage: base, offset: 24, size: [0, 3], stride: [3, 1] });
  w.str("param"); pushTensor(w, { storage: { key: "1", cls: "BFloat16Storage", numel: 2 }, offset: 0, size: [2], stride: [1], parameter: true });
  w.setitems().stop();
  return checkpointZip(w.toBytes(), new Map([["0", baseBytes], ["1", Uint8Array.of(0x80, 0x3f, 0x00, 0x40)]]));
}

function expectedView(offset: number, size: number[], stride: number[]): number[] {
  const out: number[] = [];
  const walk = (d: number, at: number): void => {
    if (d === size.length) return void out.push(at);
    for (let i = 0; i < size[d]; i++) walk(d + 1, at + i * stride[d]);
  };
  walk(0, offset);
  return out;
}

test("views of one storage (slice, transpose, expand, scalar, empty) become contiguous HostTensors", async (t) => {
  const ck = await loadTorchCheckpoint(await writeTemp(t, "views.pt", viewsCheckpoint()));
  t.after(() => ck.close());
  const root = ck.root as PyDict;
  const get = (k: string): TorchTensor => root.get(k) as TorchTensor;
  assert.equal(get("cols").storage, get("t").storage, "views share one storage object");
  const cases: [string, number, number[], number[]][] = [
    ["base", 0, [4, 6], [6, 1]], ["cols", 1, [4, 3], [6, 1]], ["t", 0, [6, 4], [1, 6]],
    ["expanded", 5, [2, 3], [0, 1]], ["scalar", 23, [], []], ["empty", 24, [0, 3], [3, 1]],
  ];
  for (const [k, offset, size, stride] of cases) {
    const h = await get(k).read();
    assert.equal(h.dtype, "f32");
    assert.deepEqual(h.shape, size, k);
    assert.deepEqual(f32Values(h.data), expectedView(offset, size, stride), k);
    assert.equal(h.data.byteOffset, 0, `${k} is its own buffer`);
  }
  const p = get("param");
  assert.equal(p.isParameter, true);
  assert.equal(p.requiresGrad, true);
  const ph = await p.read();
  assert.deepEqual([ph.dtype, ph.shape, [...ph.data]], ["bf16", [2], [0x80, 0x3f, 0x00, 0x40]]);
});

test("each view reads only the storage elements it spans, never the whole storage", async (t) => {
  const ck = await loadTorchCheckpoint(await writeTemp(t, "views.pt", viewsCheckpoint()));
  t.after(() => ck.close());
  const root = ck.root as PyDict;
  const storage = (root.get("cols") as TorchTensor).storage;
  const calls: [number, number][] = [];
  const original = storage.readElements.bind(storage);
  storage.readElements = (start: number, count: number) => {
    calls.push([start, count]);
    return original(start, count);
  };
  for (const k of ["cols", "expanded", "scalar", "empty"]) await (root.get(k) as TorchTensor).read();
  // cols: rows 0..3, columns 1..3 -> elements 1..21; expanded: 5..7; scalar: 23; empty: nothing.
  assert.deepEqual(calls, [[1, 21], [5, 3], [23, 1], [24, 0]]);
});

test("a training checkpoint: state_dict with module. prefix, int-keyed optimizer state, Namespace args", async (t) => {
  const w = new PickleWriter().proto(2).emptyDict().mark().str("epoch").int(7).str("state_dict");
  w.global("collections", "OrderedDict").emptyTuple().reduce().mark();
  w.str("module.w"); pushTensor(w, { storage: base, offset: 0, size: [2, 3], stride: [3, 1] });
  w.str("module.b"); pushTensor(w, { storage: base, offset: 6, size: [3], stride: [1] });
  w.setitems();
  w.str("optimizer").emptyDict().mark().str("state").emptyDict().mark();
  w.int(0).emptyDict().mark().str("step").float(3).str("exp_avg"); pushTensor(w, { storage: base, offset: 9, size: [1], stride: [1] });
  w.setitems().setitems().setitems();
  w.str("args").global("argparse", "Namespace").emptyTuple().newobj().emptyDict().mark();
  w.str("lr").float(5e-4).str("model").str("CLIP_VITB16").str("__proto__").int(1).setitems().build();
  w.setitems().stop();
  const path = await writeTemp(t, "train.pt", checkpointZip(w.toBytes(), new Map([["0", baseBytes]]), "checkpoint"));
  const ck = await loadTorchCheckpoint(path);
  t.after(() => ck.close());
  const root = ck.root as PyDict;
  assert.equal(root.get("epoch"), 7);
  assert.equal(ck.prefix, "checkpoint/");
  const args = root.get("args") as PyNamespace;
  assert.deepEqual([args.fields.lr, args.fields.model, Object.getPrototypeOf(args.fields)], [5e-4, "CLIP_VITB16", null]);
  assert.equal(args.fields["__proto__"], 1, "an attribute named __proto__ is plain data");
  const state = ((root.get("optimizer") as PyDict).get("state") as PyDict).get(0) as PyDict;
  assert.ok(state instanceof PyDict, "optimizer state is keyed by the int 0");
  assert.equal(state.get("step"), 3);

  assert.deepEqual([...ck.stateDict().keys()], ["module.w", "module.b"]);
  const sd = await readTorchStateDict(path, { stripPrefix: "module." });
  assert.deepEqual([...sd.keys()], ["w", "b"]);
  assert.deepEqual(f32Values(sd.get("b")!.data), [6, 7, 8]);
  assert.throws(() => ck.stateDict({ key: "model" }), (err: Error) => err instanceof FormatError && /no top-level key 'model'.*epoch/.test(err.message));
  assert.throws(() => ck.stateDict({ key: "args" }), /argparse\.Namespace, not a dict/);
  assert.throws(() => ck.stateDict({ key: "optimizer" }), /int key|not a tensor/);
});

test("stripping a prefix that makes two keys collide is an error, not a silent overwrite", async (t) => {
  const w = new PickleWriter().proto(2).emptyDict().mark();
  w.str("module.w"); pushTensor(w, { storage: base, offset: 0, size: [1], stride: [1] });
  w.str("w"); pushTensor(w, { storage: base, offset: 1, size: [1], stride: [1] });
  w.setitems().stop();
  const ck = await loadTorchCheckpoint(await writeTemp(t, "dup.pt", checkpointZip(w.toBytes(), new Map([["0", baseBytes]]))));
  t.after(() => ck.close());
  assert.throws(() => ck.stateDict({ stripPrefix: "module." }), /two entries named 'w'/);
});
