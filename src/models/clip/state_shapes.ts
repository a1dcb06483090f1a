/**
 * The state_dict a config implies, key by key with its shape, without building the model: checkpoint loading
 * compares a file against it before allocating anything, and tests compare the built model against it.
 * Keys are the released checkpoints' (see the layouts in config.ts).
 */
import type { ClipConfig, TextConfig, VisionConfig } from "./config.js";

export type ShapeMap = Map<string, number[]>;

const ln = (out: ShapeMap, key: string, w: number): void => {
  out.set(`${key}.weight`, [w]);
  out.set(`${key}.bias`, [w]);
};
const lin = (out: ShapeMap, key: string, o: number, i: number, bias = true): void => {
  out.set(`${key}.weight`, [o, i]);
  if (bias) out.set(`${key}.bias`, [o]);
};

/** One OpenAI-style residual block: ln_1, attn (fused in_proj + out_proj), ln_2, mlp (c_fc, c_proj). */
function resblock(out: ShapeMap, p: string, width: number, mlpRatio: number): void {
  ln(out, `${p}.ln_1`, width);
  out.set(`${p}.attn.in_proj_weight`, [3 * width, width]);
  out.set(`${p}.attn.in_proj_bias`, [3 * width]);
  lin(out, `${p}.attn.out_proj`, width, width);
  ln(out, `${p}.ln_2`, width);
  lin(out, `${p}.mlp.c_fc`, mlpRatio * width, width);
  lin(out, `${p}.mlp.c_proj`, width, mlpRatio * width);
}

/** timm ViT tower (laclip layout). */
function laclipVision(out: ShapeMap, v: VisionConfig, embedDim: number): void {
  const w = v.width;
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  out.set("visual.cls_token", [1, 1, w]);
  out.set("visual.pos_embed", [1, tokens, w]);
  out.set("visual.patch_embed.proj.weight", [w, 3, v.patchSize, v.patchSize]);
  if (v.patchBias) out.set("visual.patch_embed.proj.bias", [w]);
  if (v.lnPre) ln(out, "visual.norm_pre", w);
  const hd = w / v.heads;
  for (let i = 0; i < v.layers; i++) {
    const p = `visual.blocks.${i}`;
    ln(out, `${p}.norm1`, w);
    lin(out, `${p}.attn.qkv`, 3 * w, w);
    if (v.qkNorm) {
      ln(out, `${p}.attn.q_norm`, hd);
      ln(out, `${p}.attn.k_norm`, hd);
    }
    lin(out, `${p}.attn.proj`, w, w);
    ln(out, `${p}.norm2`, w);
    lin(out, `${p}.mlp.fc1`, v.mlpRatio * w, w);
    lin(out, `${p}.mlp.fc2`, w, v.mlpRatio * w);
  }
  ln(out, "visual.norm", w);
  out.set("image_projection", [w, embedDim]);
}

/** OpenAI / open_clip VisionTransformer (open_clip layout). */
function openClipVision(out: ShapeMap, v: VisionConfig, embedDim: number): void {
  const w = v.width;
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  out.set("visual.class_embedding", [w]);
  out.set("visual.positional_embedding", [tokens, w]);
  out.set("visual.proj", [w, embedDim]);
  out.set("visual.conv1.weight", [w, 3, v.patchSize, v.patchSize]);
  if (v.patchBias) out.set("visual.conv1.bias", [w]);
  if (v.lnPre) ln(out, "visual.ln_pre", w);
  for (let i = 0; i < v.layers; i++) resblock(out, `visual.transformer.resblocks.${i}`, w, v.mlpRatio);
  ln(out, "visual.ln_post", w);
}

function textTower(out: ShapeMap, t: TextConfig, embedDim: number): void {
  out.set("token_embedding.weight", [t.vocabSize, t.width]);
  out.set("positional_embedding", [t.contextLength, t.width]);
  for (let i = 0; i < t.layers; i++) resblock(out, `transformer.resblocks.${i}`, t.width, t.mlpRatio);
  ln(out, "ln_final", t.width);
  out.set("text_projection", [t.width, embedDim]);
}

export function expectedStateShapes(c: ClipConfig): ShapeMap {
  const out: ShapeMap = new Map();
  if (c.layout === "laclip") laclipVision(out, c.vision, c.embedDim);
  else openClipVision(out, c.vision, c.embedDim);
  textTower(out, c.text, c.embedDim);
  out.set("logit_scale", []);
  return out;
}
