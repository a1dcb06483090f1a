/**
 * Self-attention with one packed q/k/v projection, shared by every tower: timm's `attn.qkv` + `attn.proj`
 * and torch.nn.MultiheadAttention's `in_proj_weight` + `out_proj` hold the same numbers in the same layout
 * ((3E, E), rows q then k then v), so one function serves both, batch-first, with the engine's fused attention.
 */
import { layerNorm, linear, scaledDotProductAttention, type Tensor } from "../../engine/index.js";
import type { LayerNorm } from "../../nn/index.js";
import type { Activation } from "./config.js";

export interface PackedAttentionWeights {
  qkvWeight: Tensor;
  qkvBias?: Tensor;
  outWeight: Tensor;
  outBias?: Tensor;
  heads: number;
  /** Per-head LayerNorms on q and k (timm's qk-norm), applied before the 1/sqrt(head_dim) scaling. */
  qNorm?: LayerNorm;
  kNorm?: LayerNorm;
}

/** x (B, T, E) → (B, T, E). Call inside tidy(): intermediates are left to the enclosing scope. */
export function packedSelfAttention(x: Tensor, w: PackedAttentionWeights, causal: boolean): Tensor {
  const [b, t, e] = x.shape as [number, number, number];
  const hd = e / w.heads;
  const qkv = linear(x, w.qkvWeight, w.qkvBias) // (B, T, 3E)
    .view(b, t, 3, w.heads, hd) // (B, T, 3, heads, hd)
    .permute(2, 0, 3, 1, 4); // (3, B, heads, T, hd)
  let [q, k, v] = qkv.unbind(0) as [Tensor, Tensor, Tensor]; // each (B, heads, T, hd)
  if (w.qNorm !== undefined) q = normHead(q, w.qNorm);
  if (w.kNorm !== undefined) k = normHead(k, w.kNorm);
  const o = scaledDotProductAttention(q, k, v, { causal }) // (B, heads, T, hd)
    .transpose(1, 2) // (B, T, heads, hd)
    .reshape(b, t, e); // (B, T, E)
  return linear(o, w.outWeight, w.outBias);
}

/** Under CPU autocast q and k arrive in bf16 while LayerNorm weights stay f32; libtorch 1.13's CPU layer_norm
 * wants one dtype, so the input is widened to the weights' (what the PyTorch peer does with q.float()). */
function normHead(x: Tensor, ln: LayerNorm): Tensor {
  const w = ln.weight;
  const input = w !== undefined && x.dtype !== w.dtype ? x.to(w.dtype) : x;
  return layerNorm(input, ln.normalizedShape, w, ln.bias, ln.eps);
}

export function activate(x: Tensor, a: Activation): Tensor {
  return a === "quick_gelu" ? x.quickGelu() : x.gelu();
}
