/**
 * Hostile and broken checkpoints. The reader never executes anything, so a pickle that names a dangerous
 * global must fail with a RefusedGlobalError naming it and the file; the marker its payload would create
 * must not exist afterwards.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FormatError } from "../../src/errors/index.js";
import { RefusedGlobalError, TorchTensor, ZipReader, loadTorchCheckpoint } from "../../src/io/index.js";
import { PickleWriter } from "./helpers/pickle_writer.js";
import { checkpointZip, f32Bytes, f32Values, pushTensor, tempDir, writeTemp } from "./helpers/torch_pickle.js";
import { buildZip } from "./helpers/zip_writer.js";

const DANGEROUS: [string, string][] = [
  ["os", "system"], ["posix", "system"], ["nt", "system"], ["builtins", "eval"], ["builtins", "exec"],
  ["__builtin__", "eval"], ["builtins", "getattr"], ["subprocess", "Popen"], ["torch.storage", "_load_from_bytes"],
  ["torch", "load"], ["numpy", "load"],
];

type Style = "GLOBAL" | "STACK_GLOBAL" | "INST" | "nested";

function hostile(module: string, name: string, marker: string, style: Style): Uint8Array {
  const cmd = `touch ${marker}`;
  const w = new PickleWriter();
  if (style === "GLOBAL") w.proto(2).global(module, name).str(cmd).tupleN(1).reduce().stop();
  else if (style === "STACK_GLOBAL") w.proto(4).stackGlobal(module, name).memoize().shortStr(cmd).tupleN(1).reduce().stop();
  else if (style === "INST") w.proto(2).mark().str(cmd).op(0x69).raw(new TextEncoder().encode(`${module}\n${name}\n`)).stop();
  else {
    // Behind a valid tensor, inside a dict value, as a backward hook of a rebuilt tensor.
    w.proto(2).emptyDict().mark().str("ok");
    pushTensor(w, { storage: { key: "0", cls: "FloatStorage", numel: 1 }, offset: 0, size: [1], stride: [1] });
    w.str("evil").global("torch._utils", "_rebuild_tensor_v2").mark();
    w.global("collections", "OrderedDict").emptyTuple().reduce().int(0).global(module, name).str(cmd).tupleN(1).reduce();
    w.setitem().tuple().reduce().setitems().stop();
  }
  return checkpointZip(w.toBytes(), new Map([["0", f32Bytes([1])]]));
}

for (const style of ["GLOBAL", "STACK_GLOBAL", "INST", "nested"] as const) {
  test(`dangerous globals through ${style} are refused by name and nothing runs`, async (t) => {
    const dir = await tempDir(t);
    for (const [module, name] of DANGEROUS) {
      const marker = join(dir, `ran-${module}-${name}`);
      const path = join(dir, `${module}.${name}.pt`);
      await writeFile(path, hostile(module, name, marker, style));
      await assert.rejects(loadTorchCheckpoint(path), (err: Error) => {
        assert.ok(err instanceof RefusedGlobalError, `${module}.${name}: ${err}`);
        assert.ok(err instanceof FormatError);
        assert.equal(err.global, `${module}.${name}`);
        assert.ok(err.message.includes(`'${module}.${name}'`));
        assert.ok(err.message.startsWith(path), "names the file");
        assert.match(err.message, /key 'archive\/data\.pkl'/);
        return true;
      });
      assert.equal(existsSync(marker), false, `${module}.${name} must not have run`);
    }
  });
}

test("broken checkpoints are FormatErrors that say what is wrong", async (t) => {
  const storage = { key: "0", cls: "FloatStorage", numel: 4 };
  const one = (spec: Partial<Parameters<typeof pushTensor>[1]>, extra?: (w: PickleWriter) => void): Uint8Array => {
    const w = new PickleWriter().proto(2).emptyDict().str("x");
    pushTensor(w, { storage, offset: 0, size: [4], stride: [1], ...spec });
    w.setitem();
    extra?.(w);
    return w.stop().toBytes();
  };
  const data = new Map([["0", f32Bytes([1, 2, 3, 4])]]);
  const good = checkpointZip(one({}), data);
  const cases: [string, Uint8Array, RegExp][] = [
    ["truncated zip", good.subarray(0, good.length - 40), /zip|truncated/],
    ["truncated in data", good.subarray(0, 200), /zip|truncated/],
    ["missing storage entry", checkpointZip(one({}), new Map()), /storage '0' has no 'archive\/data\/0' entry/],
    ["storage too short", checkpointZip(one({}), new Map([["0", f32Bytes([1, 2])]])), /key 'archive\/data\/0'.*needs 16 bytes but the entry has 8/],
    ["view past storage", checkpointZip(one({ offset: 2, size: [3] }), data), /reaches past the 4 elements/],
    ["size/stride ranks differ", checkpointZip(one({ size: [2, 2], stride: [2] }), data), /2 dims but stride has 1/],
    ["complex storage", checkpointZip(one({ storage: { ...storage, cls: "ComplexFloatStorage" } }), data), /'torch\.ComplexFloatStorage'.*not supported/],
    ["unknown opcode", checkpointZip(Uint8Array.of(0x80, 2, 0xfe, 0x2e), data), /key 'archive\/data\.pkl'.*unknown opcode 0xfe/],
    ["no data.pkl", checkpointZip(one({}), data, "a/b"), /expected one '<name>\/data\.pkl' entry/],
    ["pickle not a zip", new PickleWriter().proto(2).none().stop().toBytes(), /legacy \(pre-1\.6, non-zip\)/],
    [
      "big-endian",
      checkpointZip(one({}), data, "archive", [{ name: "archive/byteorder", data: new TextEncoder().encode("big") }]),
      /byte order is 'big'/,
    ],
    [
      "one storage, two dtypes",
      checkpointZip(one({}, (w) => { w.str("y"); pushTensor(w, { storage: { ...storage, cls: "IntStorage" }, offset: 0, size: [1], stride: [1] }); w.setitem(); }), data),
      /storage '0' is referenced with two different types/,
    ],
  ];
  for (const [what, bytes, re] of cases) {
    const path = await writeTemp(t, "broken.pt", bytes);
    await assert.rejects(loadTorchCheckpoint(path), (err: Error) => {
      assert.ok(err instanceof FormatError, `${what}: ${err}`);
      assert.match(err.message, re, what);
      assert.ok(err.message.startsWith(path), `${what} names the file`);
      return true;
    });
  }
});

test("reading a tensor after close() is a clear error", async (t) => {
  const w = new PickleWriter().proto(2);
  pushTensor(w, { storage: { key: "0", cls: "FloatStorage", numel: 1 }, offset: 0, size: [1], stride: [1] });
  const ck = await loadTorchCheckpoint(await writeTemp(t, "c.pt", checkpointZip(w.stop().toBytes(), new Map([["0", f32Bytes([1])]]))));
  await ck.close();
  const tensor = ck.root as unknown as { read(): Promise<unknown> };
  await assert.rejects(tensor.read(), /read after close/);
});

test("stride 0 over a 1-element storage with huge shapes fails at open, before any data is read", async (t) => {
  for (const n of [16384, 65536]) {
    const w = new PickleWriter().proto(2).emptyDict();
    for (const name of ["a", "b", "c"]) {
      w.str(name);
      pushTensor(w, { storage: { key: "0", cls: "FloatStorage", numel: 1 }, offset: 0, size: [n, n], stride: [0, 0] });
      w.setitem();
    }
    const bytes = checkpointZip(w.stop().toBytes(), new Map([["0", f32Bytes([1])]]));
    assert.ok(bytes.length < 1500, `${bytes.length} bytes`);
    const path = await writeTemp(t, `expand${n}.pt`, bytes);
    await assert.rejects(loadTorchCheckpoint(path), (err: Error) => {
      assert.ok(err instanceof FormatError, String(err));
      assert.ok(err.message.startsWith(path));
      assert.match(err.message, new RegExp(`size \\(${n}, ${n}\\) stride \\(0, 0\\) repeats the 1 elements of storage '0'.*re-save the tensor with \\.contiguous\\(\\)`));
      return true;
    });
  }
  // a small expanded view (what torch.save writes for a broadcast bias) still reads
  const w = new PickleWriter().proto(2);
  pushTensor(w, { storage: { key: "0", cls: "FloatStorage", numel: 1 }, offset: 0, size: [2, 3], stride: [0, 0] });
  const ck = await loadTorchCheckpoint(await writeTemp(t, "small.pt", checkpointZip(w.stop().toBytes(), new Map([["0", f32Bytes([7])]]))));
  t.after(() => ck.close());
  assert.deepEqual(f32Values((await (ck.root as unknown as TorchTensor).read()).data), [7, 7, 7, 7, 7, 7]);
});

/** Sets the uncompressed size of every entry named `name` in both its local and its central header. */
function patchSize(zip: Uint8Array, name: string, size: number): Uint8Array {
  const out = Uint8Array.from(zip);
  const v = new DataView(out.buffer);
  const enc = new TextEncoder().encode(name);
  for (let i = 0; i + 46 < out.length; i++) {
    const sig = v.getUint32(i, true);
    const nameAt = sig === 0x04034b50 ? i + 30 : sig === 0x02014b50 ? i + 46 : -1;
    if (nameAt < 0 || !enc.every((b, k) => out[nameAt + k] === b)) continue;
    v.setUint32(sig === 0x04034b50 ? i + 22 : i + 24, size, true);
  }
  return out;
}

test("deflated storages inflate only the range a tensor views, within the declared size", async (t) => {
  const n = 1 << 20; // 4 MiB of floats, a few KiB deflated
  const values = new Float32Array(n);
  values[n - 1] = 5;
  values[n >> 1] = 3;
  const w = new PickleWriter().proto(2).emptyDict();
  for (const [name, offset] of [["last", n - 1], ["mid", n >> 1]] as const) {
    w.str(name);
    pushTensor(w, { storage: { key: "0", cls: "FloatStorage", numel: n }, offset, size: [1], stride: [1] });
    w.setitem();
  }
  const pickle = w.stop().toBytes();
  const deflated = (data: Uint8Array) => buildZip([{ name: "archive/data.pkl", data: pickle }, { name: "archive/data/0", data, deflate: true }]);
  const zip = deflated(new Uint8Array(values.buffer));
  assert.ok(zip.length < 64 * 1024);
  const ck = await loadTorchCheckpoint(await writeTemp(t, "deflated.pt", zip));
  t.after(() => ck.close());
  const sd = ck.stateDict();
  assert.deepEqual(f32Values((await sd.get("last")!.read()).data), [5]);
  assert.deepEqual(f32Values((await sd.get("mid")!.read()).data), [3]);
  // an entry declaring more than deflate can make of its bytes is refused at open
  const lying = patchSize(zip, "archive/data/0", 0xfffffff0);
  await assert.rejects(loadTorchCheckpoint(await writeTemp(t, "lying.pt", lying)), /archive\/data\/0'?: declares 4294967280 bytes from \d+ deflated bytes, more than deflate can produce/);
  // one that inflates past its declared size stops there
  const zr = await ZipReader.open(await writeTemp(t, "past.zip", patchSize(buildZip([{ name: "z", data: new Uint8Array(8192), deflate: true }]), "z", 1024)));
  t.after(() => zr.close());
  await assert.rejects(zr.read(zr.entry("z")!), /key 'z': inflates past the 1024 bytes the directory says/);
});
