import { test } from "node:test";
import assert from "node:assert/strict";
import { CLIP, clipPreset, expectedStateShapes, presetNames, resolveClipConfig } from "../../src/models/clip/index.js";
import { ConfigError } from "../../src/errors/index.js";

const count = (c: ReturnType<typeof clipPreset>, pick: (k: string) => boolean = () => true): number =>
  [...expectedStateShapes(c)].filter(([k]) => pick(k)).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);

// Parameter counts published for the reference models (OpenAI's CLIP notebook; timm's model cards with the
// 1000-class head removed): independent of this project's key lists.
test("open_clip presets have the published CLIP parameter counts", () => {
  assert.equal(count(clipPreset("ViT-B-32")), 151_277_313);
  assert.equal(count(clipPreset("ViT-B-16")), 149_620_737);
  assert.equal(count(clipPreset("ViT-L-14")), 427_616_513);
  assert.equal(count(clipPreset("ViT-L-14-quickgelu")), 427_616_513);
  assert.equal(clipPreset("ViT-B-32-quickgelu").vision.activation, "quick_gelu");
  assert.equal(clipPreset("ViT-B-32").text.activation, "gelu");
});

test("laclip image towers are timm's ViT-S/B/L (headless) plus qk-norm", () => {
  const timm = (k: string) => k.startsWith("visual.") && !/q_norm|k_norm/.test(k);
  assert.equal(count(clipPreset("laclip-vit-s16"), timm), 21_665_664);
  assert.equal(count(clipPreset("laclip-vit-b16"), timm), 85_798_656);
  assert.equal(count(clipPreset("laclip-vit-l16"), timm), 303_301_632);
  const b16 = expectedStateShapes(clipPreset("laclip-vit-b16"));
  assert.deepEqual(b16.get("visual.blocks.11.attn.q_norm.weight"), [64]);
  assert.deepEqual(b16.get("visual.pos_embed"), [1, 197, 768]);
  assert.deepEqual(b16.get("image_projection"), [768, 512]);
  assert.deepEqual(b16.get("transformer.resblocks.11.attn.in_proj_weight"), [1536, 512]);
  assert.equal(b16.has("visual.blocks.12.norm1.weight"), false);
});

test("bench-s is exactly the PyTorch benchmark's config", () => {
  const c = clipPreset("bench-s");
  assert.equal(c.layout, "laclip");
  assert.deepEqual(
    [c.vision.imageSize, c.vision.patchSize, c.vision.width, c.vision.layers, c.vision.heads, c.text.contextLength, c.text.vocabSize, c.text.width, c.text.layers, c.text.heads, c.embedDim],
    [64, 8, 192, 6, 3, 32, 49408, 256, 4, 4, 256],
  );
  assert.deepEqual([c.vision.lnEps, c.vision.qkNorm, c.vision.qkNormEps, c.vision.patchBias, c.vision.lnPre, c.vision.activation], [1e-6, true, 1e-6, true, false, "gelu"]);
  assert.deepEqual([c.text.lnEps, c.text.activation, c.vision.mlpRatio, c.text.mlpRatio], [1e-5, "quick_gelu", 4, 4]);
});

test("a built model's state dict has exactly the expected keys, shapes and order-independent set", () => {
  for (const name of ["bench-s", "laclip-tiny", "open_clip-tiny"]) {
    const c = clipPreset(name);
    const m = new CLIP(c);
    try {
      const got = new Map([...m.stateDict()].map(([k, t]) => [k, [...t.shape]]));
      assert.deepEqual(new Set(got.keys()), new Set(expectedStateShapes(c).keys()), name);
      for (const [k, s] of expectedStateShapes(c)) assert.deepEqual(got.get(k), s, `${name} ${k}`);
    } finally {
      m.dispose();
    }
  }
});

test("optional tensors follow the config switches in both layouts", () => {
  const l = resolveClipConfig({ layout: "laclip", vision: { width: 64, layers: 1, heads: 2, qkNorm: false, lnPre: true, patchBias: false, imageSize: 32, patchSize: 8 }, text: { width: 64, layers: 1, contextLength: 8 } });
  const ks = expectedStateShapes(l);
  assert.ok(ks.has("visual.norm_pre.weight"));
  assert.ok(!ks.has("visual.blocks.0.attn.q_norm.weight"));
  assert.ok(!ks.has("visual.patch_embed.proj.bias"));
  const o = resolveClipConfig({ layout: "open_clip", vision: { width: 64, layers: 1, lnPre: false, patchBias: true, imageSize: 32, patchSize: 8 }, text: { width: 64, layers: 1 } });
  const ko = expectedStateShapes(o);
  assert.ok(!ko.has("visual.ln_pre.weight"));
  assert.ok(ko.has("visual.conv1.bias"));
});

test("configs are validated with the field named, and survive a JSON round trip", () => {
  assert.throws(() => resolveClipConfig({ layout: "laclip", vision: { width: 100, heads: 3 } }), (e: unknown) => e instanceof ConfigError && e.key === "vision.heads");
  assert.throws(() => resolveClipConfig({ layout: "open_clip", vision: { qkNorm: true } }), (e: unknown) => e instanceof ConfigError && e.key === "vision.qkNorm");
  assert.throws(() => resolveClipConfig({ layout: "laclip", vision: { imageSize: 30, patchSize: 8 } }), (e: unknown) => e instanceof ConfigError && e.key === "vision.patchSize");
  assert.throws(() => resolveClipConfig({ layout: "vit" as "laclip" }), (e: unknown) => e instanceof ConfigError && e.key === "layout");
  assert.throws(() => resolveClipConfig({ layout: "laclip", text: { heds: 3 } as object }), (e: unknown) => e instanceof ConfigError && e.key === "text.heds");
  for (const n of presetNames()) {
    const c = clipPreset(n);
    assert.deepEqual(resolveClipConfig(JSON.parse(JSON.stringify(c))), c, n);
  }
});
