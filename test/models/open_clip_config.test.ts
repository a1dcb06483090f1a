import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { manualSeed } from "../../src/engine/index.js";
import { writeSafetensors } from "../../src/io/index.js";
import { CLIP, clipPreset, loadClipCheckpoint, resolveClipConfig } from "../../src/models/clip/index.js";
import { fromOpenClipConfig, toOpenClipConfig } from "../../src/models/clip/open_clip_config.js";
import { resolveModelSpec } from "../../src/models/clip/model_spec.js";
import { runCli } from "../helpers/cli.js";

// open_clip's model_configs/ViT-B-16-quickgelu.json and ViT-L-14.json, field for field.
const B16_QUICK = {
  embed_dim: 512, quick_gelu: true,
  vision_cfg: { image_size: 224, layers: 12, width: 768, patch_size: 16 },
  text_cfg: { context_length: 77, vocab_size: 49408, width: 512, heads: 8, layers: 12 },
};
const L14 = {
  embed_dim: 768,
  vision_cfg: { image_size: 224, layers: 24, width: 1024, patch_size: 14 },
  text_cfg: { context_length: 77, vocab_size: 49408, width: 768, heads: 12, layers: 12 },
};

test("open_clip's own model configs read as the built-in presets of the same names", () => {
  assert.deepEqual(fromOpenClipConfig(B16_QUICK, "ViT-B-16-quickgelu.json"), clipPreset("ViT-B-16-quickgelu"));
  assert.deepEqual(fromOpenClipConfig({ model_cfg: L14 }, "open_clip_config.json"), clipPreset("ViT-L-14"));
});

test("vision heads follow head_width; epsilons, no_ln_pre and the preprocess mean are read", () => {
  const c = fromOpenClipConfig({
    model_cfg: {
      embed_dim: 32,
      vision_cfg: { image_size: 32, layers: 2, width: 48, patch_size: 8, head_width: 16, no_ln_pre: true, norm_kwargs: { eps: 1e-6 } },
      text_cfg: { context_length: 16, width: 40, heads: 5, layers: 2 },
    },
    preprocess_cfg: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  }, "x.json");
  assert.equal(c.vision.heads, 3);
  assert.equal(c.vision.lnPre, false);
  assert.equal(c.vision.lnEps, 1e-6);
  assert.equal(c.text.heads, 5);
  assert.equal(c.imageMeanStd, "imagenet");
});

test("written open_clip configs read back to the same model (native and timm-tower forms)", () => {
  const quick = clipPreset("open_clip-tiny");
  const variants = [
    clipPreset("laclip-tiny"),
    clipPreset("laclip-vit-b16"),
    resolveClipConfig({ ...quick, vision: { ...quick.vision, activation: "quick_gelu", heads: 6, lnPre: false }, text: { ...quick.text, activation: "quick_gelu", lnEps: 1e-6 } }),
  ];
  for (const c of variants) assert.deepEqual(fromOpenClipConfig(JSON.parse(JSON.stringify(toOpenClipConfig(c))), "x.json"), c);
  assert.throws(() => toOpenClipConfig(resolveClipConfig({ ...quick, vision: { ...quick.vision, activation: "quick_gelu" } })),
    /open_clip cannot represent this model: different activations in the two towers/);
});

test("open_clip features laclip does not implement are refused by name", () => {
  const withVision = (extra: object) => ({ ...B16_QUICK, vision_cfg: { ...B16_QUICK.vision_cfg, ...extra } });
  assert.throws(() => fromOpenClipConfig(withVision({ ls_init_value: 1e-5 }), "a.json"), /a\.json: vision_cfg\.ls_init_value = 0\.00001 is an open_clip feature/);
  assert.throws(() => fromOpenClipConfig(withVision({ layers: [3, 4, 6, 3] }), "rn.json"), /ResNet image tower/);
  assert.throws(() => fromOpenClipConfig({ ...B16_QUICK, text_cfg: { ...B16_QUICK.text_cfg, hf_model_name: "xlm-roberta-base" } }, "b.json"), /text_cfg\.hf_model_name/);
  assert.deepEqual(fromOpenClipConfig(withVision({ ls_init_value: null, patch_dropout: 0.0, pool_type: "tok" }), "c.json"), clipPreset("ViT-B-16-quickgelu"));
});

test("--model names and files resolve; unknown names list the built-in ones", async () => {
  assert.deepEqual(await resolveModelSpec("ViT-B-32"), clipPreset("ViT-B-32"));
  await assert.rejects(resolveModelSpec("ViT-Q-99"), /--model 'ViT-Q-99' is neither a \.json model config nor a built-in name; built-in: .*ViT-B-16-quickgelu/);
});

test("a plain safetensors whose heads are not width/64 loads by the open_clip_config.json beside it, or by --model", async () => {
  const dir = await mkdtemp(join(tmpdir(), "laclip-ocfg-"));
  try {
    manualSeed(4);
    const model = new CLIP(clipPreset("open_clip-tiny")); // width 48, 4 heads: shapes alone cannot tell
    const sd = model.hostStateDict();
    model.dispose();
    const bare = join(dir, "bare", "weights.safetensors");
    await mkdir(join(dir, "bare"));
    await writeSafetensors(bare, sd);
    await assert.rejects(loadClipCheckpoint(bare), /cannot infer vision\.heads/);
    const cfg = toOpenClipConfig(clipPreset("open_clip-tiny"));
    await mkdir(join(dir, "beside"));
    await writeSafetensors(join(dir, "beside", "open_clip_model.safetensors"), sd);
    await writeFile(join(dir, "beside", "open_clip_config.json"), JSON.stringify(cfg));
    const loaded = await loadClipCheckpoint(join(dir, "beside", "open_clip_model.safetensors"));
    assert.deepEqual(loaded.config, clipPreset("open_clip-tiny"));
    loaded.model.dispose();
    // The same through the CLI with --model pointing at a config file elsewhere.
    await writeFile(join(dir, "model.json"), JSON.stringify(cfg.model_cfg));
    await writeFile(join(dir, "t.txt"), "a dog\n");
    const out = join(dir, "e.safetensors");
    const r = await runCli(["embed", "--checkpoint", bare, "--model", join(dir, "model.json"), "--texts", join(dir, "t.txt"), "--out", out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /config from --model/);
    const noModel = await runCli(["embed", "--checkpoint", bare, "--texts", join(dir, "t.txt"), "--out", out]);
    assert.equal(noModel.code, 1);
    assert.match(noModel.stderr, /cannot infer vision\.heads/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
