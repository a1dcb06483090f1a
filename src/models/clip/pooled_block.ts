/**
 * A tower's last block evaluated at its pooled token only (CLS for the image towers, EOT for the text tower),
 * for inference: the features read one row per sample after the last block, and a block's output row depends
 * on the other rows only through their keys and values. So the last block projects keys and values for every
 * token but queries, attention output, out-projection and MLP for one row per sample: in ViT-B/16 that skips
 * about 5/6 of the last block's products (~7% of the tower), with the same features up to summation order.
 *
 * The single-query attention runs in float from operands rounded to bf16 under CPU autocast, as the fused
 * kernel computes its products (float scores, softmax in float, bf16 probabilities).
 */
import { arange, autocast, isGradEnabled, layerNorm, linear, type Tensor } from "../../engine/index.js";
import type { LayerNorm } from "../../nn/index.js";
import { blockNorm, mlp, normOutputDtype, type MlpWeights, type PackedAttentionWeights } from "./attention.js";

/** The parts of a pre-norm block: x + attn(norm1(x)), then x + mlp(norm2(x)). */
export interface BlockParts {
  norm1: LayerNorm;
  attn: PackedAttentionWeights;
  norm2: LayerNorm;
  mlp: MlpWeights;
}

/**
 * Whether a tower takes the inference paths (last block at the pooled token, text cut after its last EOT):
 * eval mode and no autograd. Training's no-grad passes (the feature pass of exact accumulation) stay on the
 * full path, so that their features equal the ones the gradient pass recomputes bit for bit.
 */
export const inferencePaths = (m: { training: boolean }): boolean => !m.training && !isGradEnabled();

/**
 * The block's output rows at positions `at` (B,) int64 of x (B, T, E) → (B, E). `causal`: the row sees
 * positions <= its own only. Call inside tidy().
 */
export function blockAt(x: Tensor, p: BlockParts, at: Tensor, causal: boolean): Tensor {
  const [b, t, e] = x.shape as [number, number, number];
  const rows = arange(b, undefined, 1, { device: x.device }); // (B,)
  const [n1] = blockNorm(x, p.norm1); // (B, T, E)
  const a = p.attn;
  const q = linear(n1.index(rows, at), a.qkvWeight.narrow(0, 0, e), a.qkvBias?.narrow(0, 0, e)); // (B, E)
  const kv = linear(n1, a.qkvWeight.narrow(0, e, 2 * e), a.qkvBias?.narrow(0, e, 2 * e)); // (B, T, 2E)
  const o = singleQueryAttention(q, kv, a, at, causal, normOutputDtype(x) === "bf16"); // (B, E)
  const h = x.index(rows, at).add(linear(o, a.outWeight, a.outBias)).unsqueeze(1); // (B, 1, E), f32 residual stream
  const [n2, r2] = blockNorm(h, p.norm2);
  return mlp(n2, p.mlp, r2).squeeze(1); // (B, E)
}

/** softmax(q k^T * scale [+ mask]) v per head for one query per sample: q (B, E), kv (B, T, 2E) → (B, E). */
function singleQueryAttention(q: Tensor, kv: Tensor, a: PackedAttentionWeights, at: Tensor, causal: boolean, lowp: boolean): Tensor {
  const [b, t, e2] = kv.shape as [number, number, number];
  const e = e2 / 2;
  const hd = e / a.heads;
  // Operands as the fused kernel takes them: bf16-rounded under autocast, products and softmax in float.
  const round = (x: Tensor): Tensor => (lowp ? x.to({ dtype: "bf16" }).to({ dtype: "f32" }) : x.to({ dtype: "f32" }));
  const norm = (x: Tensor, ln: LayerNorm | undefined): Tensor => (ln === undefined ? x : layerNorm(x, [hd], ln.weight, ln.bias, ln.eps));
  const out = autocast({ enabled: false }, () => {
    const qh = round(norm(q.to({ dtype: "f32" }).view([b, a.heads, 1, hd]), a.qNorm)); // (B, heads, 1, hd)
    const heads = (part: Tensor): Tensor => part.to({ dtype: "f32" }).view([b, t, a.heads, hd]).transpose(1, 2); // (B, heads, T, hd)
    const kh = round(norm(heads(kv.narrow(-1, 0, e)), a.kNorm)); // (B, heads, T, hd)
    const vh = round(heads(kv.narrow(-1, e, e))); // (B, heads, T, hd)
    let s = qh.matmul(kh.transpose(-1, -2)).mul(1 / Math.sqrt(hd)); // (B, heads, 1, T)
    if (causal) s = s.maskedFill(arange(t, undefined, 1, { device: q.device }).view([1, 1, 1, t]).gt(at.view([b, 1, 1, 1])), -Infinity);
    return round(s.softmax(-1)).matmul(vh).view([b, e]); // (B, heads, 1, hd) -> (B, E)
  });
  return lowp ? out.to({ dtype: "bf16" }) : out;
}
