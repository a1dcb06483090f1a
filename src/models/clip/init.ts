/**
 * From-scratch initialisation as the reference code does it (sizes-dependent normal draws); layers not named
 * here keep their PyTorch defaults from src/nn (LayerNorm 1/0, Linear/Conv kaiming-uniform, MHA xavier).
 * - Text tower (OpenAI CLIP, SLIP, LaCLIP, open_clip): token embedding N(0, 0.02), positions N(0, 0.01);
 *   per block in_proj N(0, w^-1/2), out_proj and c_proj N(0, w^-1/2 (2 layers)^-1/2), c_fc N(0, (2w)^-1/2);
 *   text_projection N(0, w^-1/2).
 * - laclip image tower (timm ViT): every Linear N(0, 0.02) with zero bias (timm's truncation at +-2 is
 *   ~100 sigma away, so a plain normal is the same distribution), pos_embed N(0, 0.02), cls_token N(0, 1e-6);
 *   image_projection N(0, width^-1/2) (SLIP).
 * - open_clip image tower: class_embedding, positional_embedding and proj N(0, width^-1/2).
 * - logit_scale = config.initLogitScale (ln(1/0.07)).
 */
import type { Generator } from "../../engine/index.js";
import { Linear, init } from "../../nn/index.js";
import type { CLIP } from "./model.js";
import type { Transformer } from "./transformer.js";
import { LaclipVisionTransformer } from "./vision_laclip.js";

function initTransformer(t: Transformer, g?: Generator): void {
  const { width, layers } = t.options;
  const attnStd = width ** -0.5;
  const projStd = width ** -0.5 * (2 * Math.max(layers, 1)) ** -0.5;
  const fcStd = (2 * width) ** -0.5;
  for (const b of t.resblocks) {
    init.normal_(b.attn.inProjWeight, 0, attnStd, g);
    init.normal_(b.attn.outProj.weight, 0, projStd, g);
    init.normal_(b.mlp.c_fc.weight, 0, fcStd, g);
    init.normal_(b.mlp.c_proj.weight, 0, projStd, g);
  }
}

export function initClip(m: CLIP, g?: Generator): void {
  const c = m.config;
  const v = m.visual;
  if (v instanceof LaclipVisionTransformer) {
    for (const mod of v.modules()) {
      if (!(mod instanceof Linear)) continue;
      init.normal_(mod.weight, 0, 0.02, g);
      if (mod.bias !== undefined) init.zeros_(mod.bias);
    }
    init.normal_(v.param("pos_embed"), 0, 0.02, g);
    init.normal_(v.param("cls_token"), 0, 1e-6, g);
    init.normal_(m.param("image_projection"), 0, c.vision.width ** -0.5, g);
  } else {
    const s = c.vision.width ** -0.5;
    for (const name of ["class_embedding", "positional_embedding", "proj"]) init.normal_(v.param(name), 0, s, g);
  }
  init.normal_(m.text.token_embedding.weight, 0, 0.02, g);
  init.normal_(m.param("positional_embedding"), 0, 0.01, g);
  initTransformer(m.text.transformer, g);
  init.normal_(m.param("text_projection"), 0, c.text.width ** -0.5, g);
  init.constant_(m.logitScale, c.initLogitScale);
}
