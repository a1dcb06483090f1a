/**
 * The pieces of a pre-norm transformer block shared by every tower, on the engine's fused kernels: timm's
 * `attn.qkv` + `attn.proj` and torch.nn.MultiheadAttention's `in_proj_weight` + `out_proj` hold the same
 * numbers in the same layout ((3E, E), rows q then k then v), so one attention function serves both,
 * batch-first. Each residual branch ends in a product that adds the residual itself (no separate add pass).
 *
 * Under CPU autocast the norms write bf16 (the next op, a product, would cast to it anyway), products run in
 * bf16 and the residual stream stays f32, as in torch: norm(x: f32) -> bf16 product -> x + bf16 -> f32.
 */
import {
  fusedLayerNormWithResidual, fusedLinear, fusedSelfAttention, gelu, isAutocastEnabled, isGradEnabled, linear, type DType, type FusedActivation, type Tensor,
} from "../../engine/index.js";
import { ConfigError } from "../../errors/config_error.js";
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

/** The dtype norms should write: the autocast dtype inside an autocast region, else the input's. */
export function normOutputDtype(x: Tensor): DType | undefined {
  return x.device === "cpu" && isAutocastEnabled("cpu") ? "bf16" : undefined;
}

/**
 * LayerNorm `ln` over the last dim of x (B, T, E), writing `normOutputDtype`, and x handed on as the residual
 * of the branch (its gradient then joins x's inside the norm's backward: no extra add).
 */
export function blockNorm(x: Tensor, ln: LayerNorm): [Tensor, Tensor] {
  return fusedLayerNormWithResidual(x, ln.weight, ln.bias, ln.eps, normOutputDtype(x));
}

function affine(ln: LayerNorm | undefined): { weight: Tensor; bias: Tensor } | undefined {
  if (ln === undefined) return undefined;
  const { weight, bias } = ln;
  if (weight === undefined || bias === undefined) throw new ConfigError("qk-norm LayerNorms need a weight and a bias (elementwise affine)", "qkNorm");
  return { weight, bias };
}

/**
 * residual + out_proj(attention(qkv_proj(x))) for x (B, T, E) (already normalised). Call inside tidy():
 * intermediates are left to the enclosing scope.
 */
export function packedSelfAttention(x: Tensor, w: PackedAttentionWeights, causal: boolean, residual: Tensor): Tensor {
  // f32 out even under autocast: the attention reads float (it rounds the products' operands to bf16 itself).
  const qkv = fusedLinear(x, w.qkvWeight, w.qkvBias, { floatOutput: true }); // (B, T, 3E)
  const eps = w.qNorm?.eps ?? w.kNorm?.eps ?? 1e-6;
  const o = fusedSelfAttention(qkv, { heads: w.heads, causal, qNorm: affine(w.qNorm), kNorm: affine(w.kNorm), eps }); // (B, T, E)
  return fusedLinear(o, w.outWeight, w.outBias, { residual });
}

export interface MlpWeights {
  fc1Weight: Tensor;
  fc1Bias?: Tensor;
  fc2Weight: Tensor;
  fc2Bias?: Tensor;
  activation: Activation;
}

/** residual + fc2(act(fc1(x))) for x (B, T, E) (already normalised). Call inside tidy(). */
export function mlp(x: Tensor, w: MlpWeights, residual: Tensor): Tensor {
  if (!isGradEnabled() && normOutputDtype(x) === "bf16") {
    // Inference under CPU bf16 autocast: libtorch's own bf16 products (bf16 out, no activation derivative kept)
    // measured faster here than the fused kernel, which is built for training (BENCHMARKS.md, bench embed).
    const h = linear(x, w.fc1Weight, w.fc1Bias); // (B, T, hidden)
    const a = w.activation === "quick_gelu" ? h.mul(h.mul(1.702).sigmoid()) : gelu(h);
    return residual.add(linear(a, w.fc2Weight, w.fc2Bias)); // the residual stream stays f32
  }
  const act: FusedActivation = w.activation === "quick_gelu" ? "quick_gelu" : "gelu";
  const h = fusedLinear(x, w.fc1Weight, w.fc1Bias, { activation: act }); // (B, T, hidden)
  return fusedLinear(h, w.fc2Weight, w.fc2Bias, { residual });
}
