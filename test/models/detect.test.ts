import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readSafetensors } from "../../src/io/index.js";
import { clipPreset, detectClipConfig, detectLayout, expectedStateShapes, presetNames, LACLIP_MODEL_NAMES } from "../../src/models/clip/index.js";
import { ConfigError } from "../../src/errors/index.js";
import { sharedPath } from "../helpers/shared.js";

const asShapes = (m: Map<string, number[]>) => new Map([...m].map(([k, shape]) => [k, { shape }]));

test("every preset's state-dict shapes detect back to the preset", () => {
  const named = new Map(Object.entries(LACLIP_MODEL_NAMES).map(([k, v]) => [v, k]));
  for (const name of presetNames()) {
    const c = clipPreset(name);
    const args = named.has(name) ? { model: named.get(name)! } : undefined;
    // Tiny and bench sizes have widths that are not multiples of 64: their heads must be given.
    const overrides = c.text.width % 64 !== 0 || (c.vision.width % 64 !== 0 && !c.vision.qkNorm)
      ? { vision: { heads: c.vision.heads }, text: { heads: c.text.heads } } : {};
    const d = detectClipConfig(asShapes(expectedStateShapes(c)), { args, overrides: { ...overrides, vision: { ...overrides.vision, activation: c.vision.activation }, text: { ...overrides.text, activation: c.text.activation } } });
    assert.deepEqual(d.config, c, name);
  }
});

test("heads come from qk-norm width, args or width/64, and otherwise must be given", () => {
  const c = clipPreset("bench-s"); // vision 192/3 heads = 64-wide; text 256/4 = 64-wide
  const d = detectClipConfig(asShapes(expectedStateShapes(c)));
  assert.equal(d.config.vision.heads, 3);
  assert.equal(d.config.text.heads, 4);
  assert.ok(d.notes.some((n) => n.includes("qk-norm width 64")), d.notes.join("\n"));
  const tiny = clipPreset("open_clip-tiny");
  assert.throws(() => detectClipConfig(asShapes(expectedStateShapes(tiny))), (e: unknown) => e instanceof ConfigError && e.key === "vision.heads" && /--vision-heads/.test(e.message));
});

test("a key set of neither layout is refused with what was looked for", () => {
  assert.throws(() => detectLayout(["encoder.weight", "decoder.bias"]), (e: unknown) => e instanceof ConfigError && /patch_embed\.proj\.weight.*conv1\.weight/.test(e.message));
});

for (const family of ["laclip_slip", "open_clip"]) {
  test(`detects layout and sizes of the ${family} fixture weights`, async (t) => {
    const dir = sharedPath(t, "reference", "parity", family);
    if (dir === undefined) return;
    const { tensors } = await readSafetensors(join(dir, "weights.safetensors"));
    const want = JSON.parse(await readFile(join(dir, "config.json"), "utf8")) as Record<string, number | boolean>;
    assert.equal(detectLayout(tensors.keys()), family === "open_clip" ? "open_clip" : "laclip");
    // The fixture's text width (40) is not a multiple of 64, so heads are given as a user would give them.
    const d = detectClipConfig(tensors, { overrides: { text: { heads: want.text_heads as number }, vision: family === "open_clip" ? { heads: want.vision_heads as number } : {} } });
    const c = d.config;
    assert.deepEqual(
      [c.embedDim, c.vision.imageSize, c.vision.patchSize, c.vision.width, c.vision.layers, c.vision.heads, c.text.contextLength, c.text.vocabSize, c.text.width, c.text.layers, c.text.heads],
      [want.embed_dim, want.image_size, want.patch, want.vision_width, want.vision_layers, want.vision_heads, want.context_length, want.vocab_size, want.text_width, want.text_layers, want.text_heads],
    );
    assert.deepEqual([c.vision.qkNorm, c.vision.lnPre, c.vision.patchBias], [want.qk_norm, want.vision_ln_pre, want.patch_bias]);
    // Not stored in checkpoints: the layout defaults are what the fixtures (and released models) use.
    assert.deepEqual([c.vision.lnEps, c.text.lnEps, c.vision.activation, c.text.activation], [want.vision_ln_eps, want.text_ln_eps, want.vision_activation, want.text_activation]);
  });
}
