/**
 * The open_clip and hf exports against small PyTorch models that use open_clip's and transformers' module names
 * (test/export/torch_layouts.py): built from the exported config, loaded strictly from the exported weights (every
 * key and shape must match), and run on the same inputs as laclip. All cases go through one python3 process
 * (importing torch is the slow part). Needs /usr/bin/python3 with torch.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromHost, manualSeed, noGrad, randn, tidy } from "../../src/engine/index.js";
import { exportCheckpoint } from "../../src/export/index.js";
import { readSafetensors, writeSafetensors, type HostTensor } from "../../src/io/index.js";
import { CLIP, clipPreset, loadClipCheckpoint, resolveClipConfig, saveClipCheckpoint, type ClipConfig } from "../../src/models/clip/index.js";
import { openTokenizerFile, type ClipTokenizer } from "../../src/tokenizer/index.js";
import { projectRoot, sharedDir } from "../helpers/shared.js";

const PY = "/usr/bin/python3";
const SCRIPT = join(projectRoot(), "test", "export", "torch_layouts.py");
const TEXTS = ["a photo of a dog", "two red apples on a table", "x"];

type Format = "open_clip" | "hf";
interface PyResult { keys: string[]; image_embeds: number[][]; text_embeds: number[][]; logit_scale: number }
interface Case {
  name: string;
  format: Format;
  out: string;
  inputs: string;
  image: Float32Array;
  text: Float32Array;
  logitScale?: number;
  keys?: (keys: string[]) => void;
  /** The laclip layout that must come back when the export is read by laclip. */
  readBack?: ClipConfig;
}

function close(got: number[][], want: Float32Array, what: string): void {
  const flat = got.flat();
  assert.equal(flat.length, want.length, what);
  for (let i = 0; i < flat.length; i++) {
    assert.ok(Math.abs(flat[i]! - want[i]!) <= 1e-5 + 1e-4 * Math.abs(want[i]!), `${what}[${i}]: torch ${flat[i]} laclip ${want[i]}`);
  }
}

const variant = (name: string, vision: Partial<ClipConfig["vision"]>, text: Partial<ClipConfig["text"]> = {}): ClipConfig => {
  const c = clipPreset(name);
  return resolveClipConfig({ ...c, vision: { ...c.vision, ...vision }, text: { ...c.text, ...text } });
};

/** A random model of `config` saved, exported in `format`, and laclip's embeddings of random inputs. */
async function modelCase(dir: string, name: string, config: ClipConfig, format: Format, tok: ClipTokenizer, keys: Case["keys"]): Promise<Case> {
  const root = join(dir, `${name}-${format}`);
  await mkdir(root);
  manualSeed(21);
  const model = new CLIP(config);
  await saveClipCheckpoint(model, join(root, "ckpt"));
  await exportCheckpoint({ checkpoint: join(root, "ckpt"), format, out: join(root, "out") });
  const s = config.vision.imageSize;
  const ids = tok.encodeBatchI64(TEXTS, config.text.contextLength);
  const want = noGrad(() => tidy(() => {
    const images = randn([2, 3, s, s]);
    return {
      image: model.encodeImage(images).normalize({ dim: -1 }).toTypedArray() as Float32Array,
      text: model.encodeText(fromHost(ids)).normalize({ dim: -1 }).toTypedArray() as Float32Array,
      pixels: images.toTypedArray() as Float32Array,
      scale: model.logitScale.item(),
    };
  }));
  model.dispose();
  const inputs = join(root, "inputs.safetensors");
  await writeSafetensors(inputs, new Map<string, HostTensor>([
    ["images", { dtype: "f32", shape: [2, 3, s, s], data: new Uint8Array(want.pixels.buffer) }], ["tokens", ids],
  ]));
  return { name, format, out: join(root, "out"), inputs, image: want.image, text: want.text, logitScale: want.scale, keys, readBack: format === "open_clip" ? config : undefined };
}

/** L2-normalised rows of a (N, D) f32 host tensor. */
function normalisedRows(t: HostTensor): Float32Array {
  const x = new Float32Array(t.data.slice().buffer);
  const d = t.shape[1]!;
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let c = 0; c < d; c++) s += x[r * d + c]! ** 2;
    for (let c = 0; c < d; c++) x[r * d + c]! /= Math.sqrt(s);
  }
  return x;
}

/** The shared released-layout fixture exported; PyTorch's own reference embeddings are the expectation. */
async function fixtureCase(dir: string, family: string, format: Format): Promise<Case> {
  const fixture = join(sharedDir(), "reference", "parity", family);
  const io = (await readSafetensors(join(fixture, "io.safetensors"))).tensors;
  const root = join(dir, `fixture-${family}-${format}`);
  await mkdir(root);
  const inputs = join(root, "inputs.safetensors");
  await writeSafetensors(inputs, new Map([["images", io.get("input.image")!], ["tokens", io.get("input.text")!]]));
  // The fixture's widths are not multiples of 64: its heads are given, as a user would.
  await exportCheckpoint({ checkpoint: join(fixture, "checkpoint.pt"), format, out: join(root, "out"), overrides: { vision: { heads: 4 }, text: { heads: 4 } } });
  return {
    name: `released-layout fixture ${family}`, format, out: join(root, "out"), inputs,
    image: normalisedRows(io.get("output.image_embed")!), text: normalisedRows(io.get("output.text_embed")!),
  };
}

test("open_clip and hf exports match PyTorch models with open_clip's and transformers' module names", async (t) => {
  if (spawnSync(PY, ["-c", "import torch"]).status !== 0) {
    t.skip(`${PY} with torch is absent (apt-get install python3-torch): PyTorch layout checks skipped`);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "laclip-torchlayout-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const tok = openTokenizerFile();
  const cases: Case[] = [
    await modelCase(dir, "laclip layout: timm tower, qk-norm, patch bias", clipPreset("laclip-tiny"), "open_clip", tok, (keys) => {
      assert.ok(keys.includes("visual.trunk.blocks.1.attn.q_norm.weight"));
      assert.ok(keys.includes("visual.trunk.patch_embed.proj.bias"));
      assert.ok(keys.includes("visual.head.proj.weight"));
      assert.ok(keys.includes("transformer.resblocks.1.attn.in_proj_weight"));
    }),
    await modelCase(dir, "laclip layout with ln_pre: the patch bias folded into pos_embed", variant("laclip-tiny", { lnPre: true, heads: 2 }), "open_clip", tok, (keys) => {
      assert.ok(keys.includes("visual.trunk.norm_pre.weight"));
      assert.ok(!keys.includes("visual.trunk.patch_embed.proj.bias"));
    }),
    await modelCase(dir, "open_clip layout, QuickGELU, 8-wide heads (head_width)", variant("open_clip-tiny", { activation: "quick_gelu", heads: 6 }, { activation: "quick_gelu" }), "open_clip", tok, (keys) => {
      assert.ok(keys.includes("visual.conv1.weight"));
      assert.ok(keys.includes("visual.ln_pre.weight"));
      assert.ok(!keys.some((k) => k.startsWith("visual.trunk.")));
    }),
    await modelCase(dir, "open_clip layout with a patch bias (folded)", variant("open_clip-tiny", { patchBias: true }), "hf", tok, (keys) => {
      assert.ok(keys.includes("vision_model.pre_layrnorm.weight"));
      assert.ok(keys.includes("text_model.encoder.layers.1.self_attn.k_proj.bias"));
      assert.ok(keys.includes("visual_projection.weight"));
    }),
    await modelCase(dir, "laclip layout without qk-norm, with ln_pre", variant("laclip-tiny", { qkNorm: false, lnPre: true }), "hf", tok, (keys) => {
      assert.ok(keys.includes("vision_model.embeddings.class_embedding"));
    }),
  ];
  if (existsSync(join(sharedDir(), "reference", "parity", "open_clip"))) {
    cases.push(await fixtureCase(dir, "open_clip", "open_clip"), await fixtureCase(dir, "open_clip", "hf"), await fixtureCase(dir, "laclip_slip", "open_clip"));
  } else {
    t.diagnostic(`shared material absent: ${join(sharedDir(), "reference", "parity")}; released-layout fixture cases skipped`);
  }
  const r = spawnSync(PY, [SCRIPT, ...cases.flatMap((c) => [c.format, c.out, c.inputs])], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as PyResult);
  assert.equal(results.length, cases.length);
  for (const [i, c] of cases.entries()) {
    await t.test(`${c.format}: ${c.name}`, async () => {
      const py = results[i]!;
      c.keys?.(py.keys);
      close(py.image_embeds, c.image, "image_embeds");
      close(py.text_embeds, c.text, "text_embeds");
      if (c.logitScale !== undefined) assert.ok(Math.abs(py.logit_scale - c.logitScale) < 1e-6);
      if (c.readBack !== undefined) {
        // laclip reads the export back with the open_clip_config.json beside the weights.
        const back = await loadClipCheckpoint(join(c.out, "open_clip_model.safetensors"));
        try {
          assert.equal(back.config.layout, c.readBack.layout);
          assert.equal(back.config.vision.heads, c.readBack.vision.heads);
          assert.ok(back.notes.some((n) => n.includes("open_clip_config.json")), back.notes.join("; "));
        } finally {
          back.model.dispose();
        }
      }
    });
  }
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
