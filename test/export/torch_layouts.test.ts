/**
 * The open_clip and hf exports against small PyTorch models that use open_clip's and transformers' module names
 * (test/export/torch_layouts.py): built from the exported config, loaded strictly from the exported weights (every
 * key and shape must match), and run on the same inputs as laclip. Needs /usr/bin/python3 with torch.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHost, manualSeed, noGrad, randn, tidy } from "../../src/engine/index.js";
import { exportCheckpoint } from "../../src/export/index.js";
import { readSafetensors, writeSafetensors } from "../../src/io/index.js";
import { CLIP, clipPreset, loadClipCheckpoint, resolveClipConfig, saveClipCheckpoint, type ClipConfig } from "../../src/models/clip/index.js";
import { openTokenizerFile } from "../../src/tokenizer/index.js";
import { projectRoot, sharedPath } from "../helpers/shared.js";

const PY = "/usr/bin/python3";
const SCRIPT = join(projectRoot(), "test", "export", "torch_layouts.py");
const TEXTS = ["a photo of a dog", "two red apples on a table", "x"];

function havePythonTorch(t: TestContext): boolean {
  if (spawnSync(PY, ["-c", "import torch"]).status === 0) return true;
  t.skip(`${PY} with torch is absent (apt-get install python3-torch): PyTorch layout checks skipped`);
  return false;
}

interface PyResult { keys: string[]; image_embeds: number[][]; text_embeds: number[][]; logit_scale: number }

function close(got: number[][], want: Float32Array, what: string): void {
  const flat = got.flat();
  assert.equal(flat.length, want.length, what);
  for (let i = 0; i < flat.length; i++) {
    assert.ok(Math.abs(flat[i]! - want[i]!) <= 1e-5 + 1e-4 * Math.abs(want[i]!), `${what}[${i}]: torch ${flat[i]} laclip ${want[i]}`);
  }
}

/** Exports `config` (random weights) in `format`, runs the PyTorch layout on it, compares embeddings. */
async function check(config: ClipConfig, format: "open_clip" | "hf", expectKeys: (keys: string[]) => void): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), "laclip-torchlayout-"));
  try {
    manualSeed(21);
    const model = new CLIP(config);
    await saveClipCheckpoint(model, join(dir, "ckpt"));
    await exportCheckpoint({ checkpoint: join(dir, "ckpt"), format, out: join(dir, "out") });
    const s = config.vision.imageSize;
    const tok = openTokenizerFile(undefined, { contextLength: config.text.contextLength });
    const ids = tok.encodeBatchI64(TEXTS);
    const want = noGrad(() => tidy(() => {
      const images = randn([2, 3, s, s]);
      const img = model.encodeImage(images).normalize({ dim: -1 }).toTypedArray() as Float32Array;
      const txt = model.encodeText(fromHost(ids)).normalize({ dim: -1 }).toTypedArray() as Float32Array;
      const pixels = images.toTypedArray() as Float32Array;
      return { img, txt, pixels, scale: model.logitScale.item() };
    }));
    model.dispose();
    const inputs = join(dir, "inputs.safetensors");
    await writeSafetensors(inputs, new Map([
      ["images", { dtype: "f32" as const, shape: [2, 3, s, s], data: new Uint8Array(want.pixels.buffer) }],
      ["tokens", ids],
    ]));
    const r = spawnSync(PY, [SCRIPT, format, join(dir, "out"), inputs], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const py = JSON.parse(r.stdout) as PyResult;
    expectKeys(py.keys);
    close(py.image_embeds, want.img, "image_embeds");
    close(py.text_embeds, want.txt, "text_embeds");
    assert.ok(Math.abs(py.logit_scale - want.scale) < 1e-6);
    // The export reads back into laclip with its own config (open_clip_config.json / config.json beside the weights).
    const weights = join(dir, "out", format === "hf" ? "model.safetensors" : "open_clip_model.safetensors");
    if (format === "open_clip") {
      const back = await loadClipCheckpoint(weights);
      try {
        assert.equal(back.config.layout, config.layout);
        assert.equal(back.config.vision.heads, config.vision.heads);
        assert.ok(back.notes.some((n) => n.includes("open_clip_config.json")), back.notes.join("; "));
      } finally {
        back.model.dispose();
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const variant = (name: string, vision: Partial<ClipConfig["vision"]>, text: Partial<ClipConfig["text"]> = {}): ClipConfig => {
  const c = clipPreset(name);
  return resolveClipConfig({ ...c, vision: { ...c.vision, ...vision }, text: { ...c.text, ...text } });
};

test("open_clip export of the laclip layout (timm tower, qk-norm, patch bias) matches PyTorch with open_clip's names", async (t) => {
  if (!havePythonTorch(t)) return;
  await check(clipPreset("laclip-tiny"), "open_clip", (keys) => {
    assert.ok(keys.includes("visual.trunk.blocks.1.attn.q_norm.weight"));
    assert.ok(keys.includes("visual.trunk.patch_embed.proj.bias"));
    assert.ok(keys.includes("visual.head.proj.weight"));
    assert.ok(keys.includes("transformer.resblocks.1.attn.in_proj_weight"));
  });
});

test("open_clip export of a laclip model with ln_pre folds the patch bias into pos_embed (timm pre_norm has none)", async (t) => {
  if (!havePythonTorch(t)) return;
  await check(variant("laclip-tiny", { lnPre: true, heads: 2 }), "open_clip", (keys) => {
    assert.ok(keys.includes("visual.trunk.norm_pre.weight"));
    assert.ok(!keys.includes("visual.trunk.patch_embed.proj.bias"));
  });
});

test("open_clip export of the open_clip layout (QuickGELU, 8-wide heads) matches, head_width carrying the heads", async (t) => {
  if (!havePythonTorch(t)) return;
  await check(variant("open_clip-tiny", { activation: "quick_gelu", heads: 6 }, { activation: "quick_gelu" }), "open_clip", (keys) => {
    assert.ok(keys.includes("visual.conv1.weight"));
    assert.ok(keys.includes("visual.ln_pre.weight"));
    assert.ok(!keys.some((k) => k.startsWith("visual.trunk.")));
  });
});

test("hf export (open_clip layout with a folded patch bias; laclip layout without qk-norm) matches PyTorch with transformers' names", async (t) => {
  if (!havePythonTorch(t)) return;
  await check(variant("open_clip-tiny", { patchBias: true }), "hf", (keys) => {
    assert.ok(keys.includes("vision_model.pre_layrnorm.weight"));
    assert.ok(keys.includes("text_model.encoder.layers.1.self_attn.k_proj.bias"));
    assert.ok(keys.includes("visual_projection.weight"));
  });
  await check(variant("laclip-tiny", { qkNorm: false, lnPre: true }), "hf", (keys) => {
    assert.ok(keys.includes("vision_model.embeddings.class_embedding"));
  });
});

test("hf export of a qk-norm model fails in one line naming qk-norm", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-hf-refuse-"));
  try {
    const model = new CLIP(clipPreset("laclip-tiny"));
    await saveClipCheckpoint(model, join(dir, "ckpt"));
    model.dispose();
    await assert.rejects(exportCheckpoint({ checkpoint: join(dir, "ckpt"), format: "hf", out: join(dir, "out") }),
      (e: Error) => /cannot represent this model: qk-norm/.test(e.message) && !e.message.includes("\n"));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** L2-normalised rows of a (N, D) f32 host tensor. */
function normalisedRows(data: Uint8Array, d: number): Float32Array {
  const x = new Float32Array(data.slice().buffer);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[r * d + c]! ** 2;
    for (let c = 0; c < d; c++) x[r * d + c]! /= Math.sqrt(s);
  }
  return x;
}

for (const [family, formats] of [["open_clip", ["open_clip", "hf"]], ["laclip_slip", ["open_clip"]]] as const) {
  test(`the released-layout ${family} fixture exported as ${formats.join(" and ")} gives PyTorch's own embeddings`, async (t) => {
    const fixture = sharedPath(t, "reference", "parity", family);
    if (fixture === undefined || !havePythonTorch(t)) return;
    const dir = await mkdtemp(join(tmpdir(), "laclip-fixture-export-"));
    try {
      const io = (await readSafetensors(join(fixture, "io.safetensors"))).tensors;
      const inputs = join(dir, "inputs.safetensors");
      await writeSafetensors(inputs, new Map([["images", io.get("input.image")!], ["tokens", io.get("input.text")!]]));
      for (const format of formats) {
        const out = join(dir, format);
        // The fixture's widths are not multiples of 64: its heads are given, as a user would.
        await exportCheckpoint({ checkpoint: join(fixture, "checkpoint.pt"), format, out, overrides: { vision: { heads: 4 }, text: { heads: 4 } } });
        const r = spawnSync(PY, [SCRIPT, format, out, inputs], { encoding: "utf8", maxBuffer: 64 << 20 });
        assert.equal(r.status, 0, r.stderr);
        const py = JSON.parse(r.stdout) as PyResult;
        close(py.image_embeds, normalisedRows(io.get("output.image_embed")!.data, 32), `${format} image_embeds`);
        close(py.text_embeds, normalisedRows(io.get("output.text_embed")!.data, 32), `${format} text_embeds`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
