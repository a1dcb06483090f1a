/**
 * CLIP's text tower as ONNX nodes (the same in both layouts): token + position embeddings, causal pre-norm
 * blocks, the feature at the end-of-text token (the position of the largest id, as CLIP pools), ln_final,
 * text_projection. `attention_mask` also hides padding keys, as transformers' CLIP does; under the causal mask
 * that changes nothing at the pooled position, so the features equal laclip's for any padding.
 */
import type { ClipConfig } from "../../models/clip/config.js";
import type { GraphBuilder } from "./graph.js";
import { block, layerNorm, openaiBlockKeys } from "./layers.js";
import { int, ints } from "./proto.js";
import type { GraphWeights } from "./weights.js";

/** input_ids (B, T) int64, attention_mask (B, T) int64 → text features (B, embedDim), not normalised. */
export function textTower(g: GraphBuilder, w: GraphWeights, c: ClipConfig, inputIds: string, attentionMask: string): string {
  const t = c.text;
  const ctx = t.contextLength;
  const len = g.op("Slice", [g.op("Shape", [inputIds]), g.i64([1]), g.i64([2])]); // [T]
  const zero = g.i64([0]);
  const pos = g.op("Slice", [w.plain(g, "positional_embedding"), zero, len, zero]); // (T, width)
  let x = g.add(w.embedding(g, "token_embedding.weight", inputIds), pos); // (B, T, width)

  // -1e9 rather than -inf: a fully masked row (never pooled) then stays finite instead of NaN.
  const causalData = new Float32Array(ctx * ctx);
  for (let i = 0; i < ctx; i++) for (let j = i + 1; j < ctx; j++) causalData[i * ctx + j] = -1e9;
  const causal = g.op("Slice", [g.f32(causalData, [ctx, ctx], "causal_mask"), g.i64([0, 0]), g.op("Concat", [len, len], { axis: int(0) }), g.i64([0, 1])]); // (T, T)
  const keep = g.op("Cast", [attentionMask], { to: int(1) }); // (B, T)
  const padding = g.mul(g.op("Sub", [g.f32([1], []), keep]), g.f32([-1e9], [])); // (B, T)
  const mask = g.add(causal, g.op("Unsqueeze", [padding, g.i64([1, 2])])); // (B, 1, T, T)

  const shape = { width: t.width, heads: t.heads, eps: t.lnEps, qkNormEps: 0, activation: t.activation };
  for (let i = 0; i < t.layers; i++) x = block(g, w, x, openaiBlockKeys(`transformer.resblocks.${i}.`), shape, mask);

  const eot = g.op("ArgMax", [inputIds], { axis: int(-1), keepdims: int(1) }); // (B, 1): the first largest id
  const pooled = g.op("GatherND", [x, eot], { batch_dims: int(1) }); // (B, width)
  return g.matmul(layerNorm(g, w, pooled, "ln_final", t.lnEps), w.matrix(g, "text_projection", false)); // (B, embedDim)
}

/** Row-wise x / ||x||, x (B, D). */
export function l2Normalize(g: GraphBuilder, x: string): string {
  return g.op("Div", [x, g.op("ReduceL2", [x], { axes: ints([-1]), keepdims: int(1) })]);
}
