/**
 * The image towers as ONNX nodes: patch convolution, CLS token, position embeddings, optional pre-norm, the
 * blocks, the normed CLS token and the projection. `laclip` reads timm's keys (qk-norm when the config has it,
 * `image_projection` on the model); `open_clip` reads OpenAI's (`visual.conv1`, `ln_pre`, `ln_post`, `visual.proj`).
 */
import type { ClipConfig } from "../../models/clip/config.js";
import type { GraphBuilder } from "./graph.js";
import { block, layerNorm, openaiBlockKeys, timmBlockKeys } from "./layers.js";
import { int, ints } from "./proto.js";
import type { GraphWeights } from "./weights.js";

/** pixel_values (B, 3, S, S), normalised → image features (B, embedDim), not normalised. */
export function visionTower(g: GraphBuilder, w: GraphWeights, c: ClipConfig, pixels: string): string {
  const v = c.vision;
  const laclip = c.layout === "laclip";
  const convKey = laclip ? "visual.patch_embed.proj" : "visual.conv1";
  const convInputs = [pixels, w.conv(g, `${convKey}.weight`)];
  if (w.has(`${convKey}.bias`)) convInputs.push(w.plain(g, `${convKey}.bias`));
  const conv = g.op("Conv", convInputs, { kernel_shape: ints([v.patchSize, v.patchSize]), strides: ints([v.patchSize, v.patchSize]) }); // (B, width, S/p, S/p)
  const patches = g.op("Transpose", [g.op("Reshape", [conv, g.i64([0, 0, -1])])], { perm: ints([0, 2, 1]) }); // (B, N, width)

  const batch = g.op("Slice", [g.op("Shape", [pixels]), g.i64([0]), g.i64([1])]); // [B]
  const clsKey = laclip ? "visual.cls_token" : "visual.class_embedding";
  const cls = g.op("Expand", [w.plain(g, clsKey, [1, 1, v.width]), g.op("Concat", [batch, g.i64([1, v.width])], { axis: int(0) })]); // (B, 1, width)
  const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
  const posKey = laclip ? "visual.pos_embed" : "visual.positional_embedding";
  let x = g.add(g.op("Concat", [cls, patches], { axis: int(1) }), w.plain(g, posKey, [1, tokens, v.width])); // (B, N + 1, width)
  const preKey = laclip ? "visual.norm_pre" : "visual.ln_pre";
  if (v.lnPre) x = layerNorm(g, w, x, preKey, v.lnEps);

  const shape = { width: v.width, heads: v.heads, eps: v.lnEps, qkNormEps: v.qkNormEps, activation: v.activation };
  for (let i = 0; i < v.layers; i++) {
    const keys = laclip ? timmBlockKeys(`visual.blocks.${i}.`, v.qkNorm) : openaiBlockKeys(`visual.transformer.resblocks.${i}.`);
    x = block(g, w, x, keys, shape, undefined);
  }
  const clsOut = g.op("Gather", [x, g.i64([0], [])], { axis: int(1) }); // (B, width)
  const normed = layerNorm(g, w, clsOut, laclip ? "visual.norm" : "visual.ln_post", v.lnEps);
  return g.matmul(normed, w.matrix(g, laclip ? "image_projection" : "visual.proj", false)); // (B, embedDim)
}
