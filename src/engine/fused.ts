/**
 * Fused CPU kernels for transformer training (native/src/fused_*.cc): each is one native call and one
 * autograd node with a hand-written backward, where the plain ops would be several calls, several sweeps over
 * memory and, with more than one thread, several fork-joins each way. Same results as the composed ops to
 * float rounding (they compute in float, or double for f64 tensors). Other devices and dtypes fall back to
 * the composed libtorch ops inside the same call. Their backward passes are not themselves differentiable:
 * use the plain ops for higher-order gradients.
 */
import { codeOf, type DType } from "./dtype.js";
import { N } from "./native.js";
import { wrap, type Tensor } from "./tensor_class.js";

export type FusedActivation = "none" | "gelu" | "quick_gelu";
const ACTIVATION: Record<FusedActivation, number> = { none: 0, gelu: 1, quick_gelu: 2 };

export interface FusedLinearOptions {
  /** Applied to x W^T + b (exact erf GELU, or OpenAI's x sigmoid(1.702 x)). */
  activation?: FusedActivation;
  /** Added to the output (shape of the output); only without an activation. */
  residual?: Tensor;
  /**
   * Write a lower-precision product (bf16 under autocast) as f32 instead; only without an activation or a
   * residual. For a consumer that reads f32 anyway (fusedSelfAttention), it saves the rounding and a cast.
   */
  floatOutput?: boolean;
}

/**
 * act(x W^T + b) + residual for x (..., in) and weight (out, in). Under CPU autocast the product runs in bf16
 * (as torch's autocast linear) and the result is bf16, or the residual's dtype when there is one.
 */
export const fusedLinear = (x: Tensor, weight: Tensor, bias?: Tensor, o: FusedLinearOptions = {}): Tensor =>
  wrap(N.fusedLinear(x.h, weight.h, bias?.h ?? null, ACTIVATION[o.activation ?? "none"], o.residual?.h ?? null, o.floatOutput ?? false));

/**
 * LayerNorm over the last dimension (weight and bias of that size, in x's float type). `dtype` writes the
 * output in another dtype (bf16 from an f32 residual stream feeding a bf16 product under autocast).
 */
export const fusedLayerNorm = (x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5, dtype?: DType): Tensor =>
  wrap(N.fusedLayerNorm(x.h, weight?.h ?? null, bias?.h ?? null, eps, dtype === undefined ? null : codeOf(dtype, "fusedLayerNorm")));

/**
 * fusedLayerNorm(x) and x itself, for a pre-norm block: pass the second as the residual of the branch (e.g.
 * fusedLinear's `residual`). Its gradient then joins x's inside the norm's backward pass, where using x twice
 * would make autograd add the two gradients with one more op.
 */
export function fusedLayerNormWithResidual(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5, dtype?: DType): [Tensor, Tensor] {
  const [y, r] = N.fusedLayerNormPassthrough(x.h, weight?.h ?? null, bias?.h ?? null, eps, dtype === undefined ? null : codeOf(dtype, "fusedLayerNorm"));
  return [wrap(y), wrap(r)];
}

export interface FusedSelfAttentionOptions {
  heads: number;
  /** Position t attends to positions <= t only. */
  causal?: boolean;
  /** Score scale; 1/sqrt(head dim) by default. */
  scale?: number;
  /** timm's qk-norm: a LayerNorm over the head dim on q and on k, before the scaling. */
  qNorm?: { weight: Tensor; bias: Tensor };
  kNorm?: { weight: Tensor; bias: Tensor };
  /** Epsilon of the q/k norms. */
  eps?: number;
}

/**
 * Self-attention from a packed projection: qkv (B, T, 3E) with rows [q | k | v], heads side by side in each
 * → softmax(q k^T * scale) v per head, heads merged back: (B, T, E), ready for the output projection. With bf16
 * qkv, or f32 qkv under CPU autocast, the products take bf16 operands and the output is bf16.
 */
export const fusedSelfAttention = (qkv: Tensor, o: FusedSelfAttentionOptions): Tensor =>
  wrap(N.fusedSelfAttention(
    qkv.h, o.heads, o.causal ?? false, o.scale ?? NaN,
    o.qNorm?.weight.h ?? null, o.qNorm?.bias.h ?? null, o.kNorm?.weight.h ?? null, o.kNorm?.bias.h ?? null, o.eps ?? 1e-6,
  ));
