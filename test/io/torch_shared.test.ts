/**
 * The reference checkpoints (torch.save zip, `module.` keys, argparse.Namespace inside) against the
 * safetensors files of the same weights: every tensor must be byte-equal, with the same dtype and shape.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { PyDict, PyNamespace, SafetensorsReader, TorchTensor, loadTorchCheckpoint } from "../../src/io/index.js";
import { sharedPath } from "../helpers/shared.js";

for (const family of ["laclip_slip", "open_clip"]) {
  test(`${family}/checkpoint.pt: state_dict equals weights.safetensors byte for byte`, async (t) => {
    const ckptPath = sharedPath(t, "reference", "parity", family, "checkpoint.pt");
    const stPath = sharedPath(t, "reference", "parity", family, "weights.safetensors");
    if (ckptPath === undefined || stPath === undefined) return;
    const ck = await loadTorchCheckpoint(ckptPath);
    t.after(() => ck.close());
    const st = await SafetensorsReader.open(stPath);
    t.after(() => st.close());

    const root = ck.root as PyDict;
    assert.ok(root instanceof PyDict);
    const epoch = root.get("epoch");
    assert.ok(typeof epoch === "number" && Number.isInteger(epoch) && epoch >= 0, `epoch ${String(epoch)}`);
    const raw = ck.stateDict();
    assert.ok([...raw.keys()].every((k) => k.startsWith("module.")), "saved from DistributedDataParallel");

    const sd = ck.stateDict({ stripPrefix: "module." });
    assert.deepEqual([...sd.keys()].sort(), st.keys().sort());
    for (const [key, tensor] of sd) {
      assert.ok(tensor instanceof TorchTensor);
      const got = await tensor.read();
      const want = await st.read(key);
      assert.equal(got.dtype, want.dtype, key);
      assert.deepEqual(got.shape, want.shape, key);
      assert.ok(Buffer.from(got.data).equals(Buffer.from(want.data)), `${key} bytes differ`);
    }

    const args = root.get("args");
    if (args !== undefined) {
      assert.ok(args instanceof PyNamespace);
      const names = Object.keys(args.fields);
      assert.ok(names.length > 0);
      for (const n of names) assert.notEqual(args.fields[n], undefined, n);
    }
  });
}

test("laclip_slip/checkpoint.pt carries the training args as a Namespace", async (t) => {
  const path = sharedPath(t, "reference", "parity", "laclip_slip", "checkpoint.pt");
  if (path === undefined) return;
  const ck = await loadTorchCheckpoint(path);
  t.after(() => ck.close());
  const args = (ck.root as PyDict).get("args");
  assert.ok(args instanceof PyNamespace, "SLIP-style checkpoints pickle argparse.Namespace");
  assert.equal(typeof args.fields.model, "string");
  assert.equal(typeof args.fields.lr, "number");
});
