/**
 * Functional ops that take several tensors: joining, selection, layers and losses (torch / torch.nn.functional).
 * Single-tensor ops are methods on Tensor.
 */
import { codeOf, type DType } from "./dtype.js";
import { EngineError } from "./errors/engine_error.js";
import { N } from "./native.js";
import type { Generator } from "./random.js";
import { Tensor, wrap } from "./tensor_class.js";

export const cat = (tensors: readonly Tensor[], dim = 0): Tensor => wrap(N.cat(tensors.map((t) => t.h), dim));
export const stack = (tensors: readonly Tensor[], dim = 0): Tensor => wrap(N.stack(tensors.map((t) => t.h), dim));

/** Elementwise cond ? a : b (numbers broadcast as scalars). */
export const where = (cond: Tensor, a: Tensor | number, b: Tensor | number): Tensor =>
  wrap(N.where(cond.h, typeof a === "number" ? a : a.h, typeof b === "number" ? b : b.h));

/** beta * input + alpha * (a @ b) */
export const addmm = (input: Tensor, a: Tensor, b: Tensor, o: { beta?: number; alpha?: number } = {}): Tensor =>
  wrap(N.addmm(input.h, a.h, b.h, o.beta ?? 1, o.alpha ?? 1));

/** beta * input + alpha * bmm(a, b) */
export const baddbmm = (input: Tensor, a: Tensor, b: Tensor, o: { beta?: number; alpha?: number } = {}): Tensor =>
  wrap(N.baddbmm(input.h, a.h, b.h, o.beta ?? 1, o.alpha ?? 1));

/** x @ weight^T + bias, weight laid out (out, in) as torch.nn.Linear. */
export const linear = (x: Tensor, weight: Tensor, bias?: Tensor): Tensor => wrap(N.linear(x.h, weight.h, bias?.h ?? null));

export interface Conv2dOptions {
  stride?: number | [number, number];
  padding?: number | [number, number];
  dilation?: number | [number, number];
  groups?: number;
}
const pair = (v: number | [number, number] | undefined, d: number): number[] =>
  v === undefined ? [d, d] : typeof v === "number" ? [v, v] : [...v];

/** 2-D convolution of x (N, C, H, W) with weight (out, C/groups, kh, kw). */
export const conv2d = (x: Tensor, weight: Tensor, bias?: Tensor, o: Conv2dOptions = {}): Tensor =>
  wrap(N.conv2d(x.h, weight.h, bias?.h ?? null, pair(o.stride, 1), pair(o.padding, 0), pair(o.dilation, 1), o.groups ?? 1));

/**
 * Layer normalisation over the trailing `normalizedShape` dimensions. Under autocast, a bf16/f16 input with
 * float32 weights is normalised in float32 and the result is float32 (autocast's float32 policy for layer_norm:
 * its statistics lose too much in 8 mantissa bits); libtorch 1.13's CPU kernel would refuse the mixed dtypes.
 */
export function layerNorm(x: Tensor, normalizedShape: readonly number[], weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const param = weight ?? bias;
  if (param !== undefined && param.dtype !== x.dtype && (x.dtype === "bf16" || x.dtype === "f16")) {
    if (!N.isAutocastEnabled(x.device.startsWith("cuda") ? "cuda" : "cpu")) {
      throw new EngineError("layerNorm", "argument", `input is ${x.dtype} but the weights are ${param.dtype}; cast one to the other, or run under autocast`);
    }
    const x32 = x.to({ dtype: param.dtype });
    try {
      return wrap(N.layerNorm(x32.h, [...normalizedShape], weight?.h ?? null, bias?.h ?? null, eps));
    } finally {
      x32.dispose();
    }
  }
  return wrap(N.layerNorm(x.h, [...normalizedShape], weight?.h ?? null, bias?.h ?? null, eps));
}

export type Reduction = "none" | "mean" | "sum";
const REDUCTION: Record<Reduction, number> = { none: 0, mean: 1, sum: 2 };
function reduction(r: Reduction | undefined, op: string): number {
  const v = REDUCTION[r ?? "mean"];
  if (v === undefined) throw new EngineError(op, "argument", `reduction must be 'none', 'mean' or 'sum', got '${r}'`);
  return v;
}

export interface CrossEntropyOptions {
  weight?: Tensor;
  reduction?: Reduction;
  ignoreIndex?: number;
  labelSmoothing?: number;
}

/** torch.nn.functional.cross_entropy: logits (N, C, ...) against class indices (N, ...) or probabilities. */
export const crossEntropy = (logits: Tensor, target: Tensor, o: CrossEntropyOptions = {}): Tensor =>
  wrap(N.crossEntropy(logits.h, target.h, o.weight?.h ?? null, reduction(o.reduction, "crossEntropy"), o.ignoreIndex ?? -100, o.labelSmoothing ?? 0));

export const mseLoss = (a: Tensor, b: Tensor, r: Reduction = "mean"): Tensor => wrap(N.mseLoss(a.h, b.h, reduction(r, "mseLoss")));

/** Rows of `weight` (num, dim) picked by integer `indices`; `paddingIdx` rows get no gradient. */
export const embedding = (weight: Tensor, indices: Tensor, paddingIdx = -1): Tensor =>
  wrap(N.embedding(weight.h, indices.h, paddingIdx));

export interface AttentionOptions {
  /** bool (true = may attend, as torch's scaled_dot_product_attention) or float (added to the scores). */
  mask?: Tensor;
  causal?: boolean;
  dropoutP?: number;
  /** Score scale; 1/sqrt(head dim) by default. */
  scale?: number;
  generator?: Generator;
}

/** softmax(q k^T * scale + mask) v over q (..., L, E), k (..., S, E), v (..., S, Ev), in one native call. */
export const scaledDotProductAttention = (q: Tensor, k: Tensor, v: Tensor, o: AttentionOptions = {}): Tensor =>
  wrap(N.attention(q.h, k.h, v.h, o.mask?.h ?? null, o.causal ?? false, o.dropoutP ?? 0, o.scale ?? NaN, o.generator?.native ?? null));

// Functional spellings of methods, for code ported from torch.nn.functional.
export const softmax = (x: Tensor, dim: number, dtype?: DType): Tensor =>
  wrap(N.softmax(x.h, dim, dtype === undefined ? null : codeOf(dtype, "softmax")));
export const logSoftmax = (x: Tensor, dim: number, dtype?: DType): Tensor =>
  wrap(N.logSoftmax(x.h, dim, dtype === undefined ? null : codeOf(dtype, "logSoftmax")));
export const gelu = (x: Tensor, approximate: "none" | "tanh" = "none"): Tensor => wrap(N.gelu(x.h, approximate));
export const quickGelu = (x: Tensor): Tensor => wrap(N.quickGelu(x.h));
export const dropout = (x: Tensor, p: number, train: boolean, generator?: Generator): Tensor =>
  wrap(N.dropout(x.h, p, train, generator?.native ?? null));
export const normalize = (x: Tensor, o: { p?: number; dim?: number; eps?: number } = {}): Tensor =>
  wrap(N.normalize(x.h, o.p ?? 2, [o.dim ?? -1], o.eps ?? 1e-12));
