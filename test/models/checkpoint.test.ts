import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualSeed } from "../../src/engine/index.js";
import { readSafetensors, writeSafetensors, type HostTensor } from "../../src/io/index.js";
import { CLIP, clipPreset, loadClipCheckpoint, saveClipCheckpoint } from "../../src/models/clip/index.js";
import { StateDictError } from "../../src/nn/index.js";

async function withTemp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-ckpt-"));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const equalHost = (a: HostTensor, b: HostTensor): boolean =>
  a.dtype === b.dtype && a.shape.join() === b.shape.join() && Buffer.from(a.data).equals(Buffer.from(b.data));

test("a project checkpoint saves and loads back to the same config and weights", async () => {
  await withTemp(async (dir) => {
    manualSeed(3);
    const config = { ...clipPreset("open_clip-tiny"), vision: { ...clipPreset("open_clip-tiny").vision, activation: "quick_gelu" as const } };
    const model = new CLIP(config);
    try {
      const files = await saveClipCheckpoint(model, join(dir, "ckpt"), { metadata: { step: "7" } });
      assert.deepEqual(JSON.parse(await readFile(files.config, "utf8")), model.config);
      const loaded = await loadClipCheckpoint(join(dir, "ckpt"));
      try {
        assert.equal(loaded.source, "project");
        assert.deepEqual(loaded.config, model.config); // the activation, which shapes cannot show, survives
        const want = model.hostStateDict();
        for (const [k, t] of loaded.model.hostStateDict()) assert.ok(equalHost(t, want.get(k)!), k);
      } finally {
        loaded.model.dispose();
      }
      // The weights file alone carries its config too, so it loads without detection.
      const alone = await loadClipCheckpoint(files.weights);
      assert.deepEqual(alone.config, model.config);
      alone.model.dispose();
    } finally {
      model.dispose();
    }
  });
});

test("a plain safetensors state dict with a missing and a mis-shaped key fails with both listed", async () => {
  await withTemp(async (dir) => {
    const model = new CLIP(clipPreset("laclip-tiny"));
    const sd = model.hostStateDict();
    model.dispose();
    sd.delete("visual.blocks.1.norm2.bias");
    const b = sd.get("transformer.resblocks.0.mlp.c_proj.bias")!;
    sd.set("transformer.resblocks.0.mlp.c_proj.bias", { dtype: "f32", shape: [b.shape[0]! - 1], data: b.data.slice(4) });
    sd.set("visual.head.weight", { dtype: "f32", shape: [2], data: new Uint8Array(8) });
    const file = join(dir, "broken.safetensors");
    await writeSafetensors(file, sd);
    await assert.rejects(loadClipCheckpoint(file, { overrides: { vision: { heads: 4 }, text: { heads: 4 } } }), (e: unknown) => {
      assert.ok(e instanceof StateDictError, String(e));
      assert.deepEqual(e.missingKeys, ["visual.blocks.1.norm2.bias"]);
      assert.deepEqual(e.unexpectedKeys, ["visual.head.weight"]);
      assert.deepEqual(e.mismatchedKeys, [{ key: "transformer.resblocks.0.mlp.c_proj.bias", expected: [40], got: [39] }]);
      assert.match(e.message, /broken\.safetensors/);
      assert.match(e.message, /'visual\.blocks\.1\.norm2\.bias'/);
      assert.match(e.message, /'transformer\.resblocks\.0\.mlp\.c_proj\.bias' expects \[40\], got \[39\]/);
      return true;
    });
  });
});

test("module.-prefixed safetensors load, and a non-checkpoint file is refused by name", async () => {
  await withTemp(async (dir) => {
    manualSeed(5);
    const model = new CLIP(clipPreset("laclip-tiny"));
    const sd = new Map([...model.hostStateDict()].map(([k, t]) => [`module.${k}`, t]));
    const file = join(dir, "ddp.safetensors");
    await writeSafetensors(file, sd);
    const loaded = await loadClipCheckpoint(file, { overrides: { text: { heads: 4 } } });
    assert.ok(loaded.notes.some((n) => n.includes("module.")));
    assert.equal(loaded.config.vision.heads, 4); // from the qk-norm width
    const a = model.hostStateDict();
    for (const [k, t] of loaded.model.hostStateDict()) assert.ok(equalHost(t, a.get(k)!), k);
    loaded.model.dispose();
    model.dispose();
    const junk = join(dir, "junk.pt");
    await writeFile(junk, "not a checkpoint at all");
    await assert.rejects(loadClipCheckpoint(junk), /junk\.pt/);
  });
});

test("the torch.save fixture loads with the shipped weights", async (t) => {
  const { sharedPath } = await import("../helpers/shared.js");
  const dir = sharedPath(t, "reference", "parity", "laclip_slip");
  if (dir === undefined) return;
  const loaded = await loadClipCheckpoint(join(dir, "checkpoint.pt"), { overrides: { text: { heads: 4 } } });
  try {
    assert.equal(loaded.source, "torch");
    const { tensors } = await readSafetensors(join(dir, "weights.safetensors"));
    const got = loaded.model.hostStateDict();
    assert.equal(got.size, tensors.size);
    for (const [k, w] of tensors) assert.ok(equalHost(got.get(k)!, w), k);
  } finally {
    loaded.model.dispose();
  }
});
