/**
 * The pieces of a pre-norm transformer block as ONNX nodes, shared by both towers and both layouts. A block is
 * described by the state_dict keys of its tensors, so timm's blocks (`norm1`, `attn.qkv`, `mlp.fc1`) and
 * OpenAI's (`ln_1`, `attn.in_proj_weight`, `mlp.c_fc`) go through the same code, as in src/models/clip.
 */
import type { Activation } from "../../models/clip/config.js";
import type { GraphBuilder } from "./graph.js";
import { int, ints } from "./proto.js";
import type { GraphWeights } from "./weights.js";

/** x @ W^T + b for a PyTorch Linear: `weightKey` (out, in), `biasKey` when the checkpoint has it. */
export function linear(g: GraphBuilder, w: GraphWeights, x: string, weightKey: string, biasKey: string | undefined): string {
  const y = g.matmul(x, w.matrix(g, weightKey, true));
  return biasKey !== undefined && w.has(biasKey) ? g.add(y, w.plain(g, biasKey)) : y;
}

export function layerNorm(g: GraphBuilder, w: GraphWeights, x: string, prefix: string, eps: number): string {
  return g.layerNorm(x, w.plain(g, `${prefix}.weight`), w.plain(g, `${prefix}.bias`), eps);
}

/** Exact GELU, x * (1 + erf(x / sqrt 2)) / 2, or OpenAI's QuickGELU, x * sigmoid(1.702 x). */
export function activation(g: GraphBuilder, x: string, a: Activation): string {
  if (a === "quick_gelu") return g.mul(x, g.op("Sigmoid", [g.mul(x, g.f32([1.702], []))]));
  const erf = g.op("Erf", [g.mul(x, g.f32([Math.SQRT1_2], []))]);
  return g.mul(g.mul(x, g.f32([0.5], [])), g.add(erf, g.f32([1], [])));
}

/** The state_dict keys of one block. */
export interface BlockKeys {
  norm1: string;
  qkvWeight: string;
  qkvBias: string;
  qNorm?: string;
  kNorm?: string;
  outWeight: string;
  outBias: string;
  norm2: string;
  fc1Weight: string;
  fc1Bias: string;
  fc2Weight: string;
  fc2Bias: string;
}

export interface BlockShape {
  width: number;
  heads: number;
  eps: number;
  qkNormEps: number;
  activation: Activation;
}

export function timmBlockKeys(p: string, qkNorm: boolean): BlockKeys {
  return {
    norm1: `${p}norm1`, qkvWeight: `${p}attn.qkv.weight`, qkvBias: `${p}attn.qkv.bias`,
    qNorm: qkNorm ? `${p}attn.q_norm` : undefined, kNorm: qkNorm ? `${p}attn.k_norm` : undefined,
    outWeight: `${p}attn.proj.weight`, outBias: `${p}attn.proj.bias`, norm2: `${p}norm2`,
    fc1Weight: `${p}mlp.fc1.weight`, fc1Bias: `${p}mlp.fc1.bias`, fc2Weight: `${p}mlp.fc2.weight`, fc2Bias: `${p}mlp.fc2.bias`,
  };
}

export function openaiBlockKeys(p: string): BlockKeys {
  return {
    norm1: `${p}ln_1`, qkvWeight: `${p}attn.in_proj_weight`, qkvBias: `${p}attn.in_proj_bias`,
    outWeight: `${p}attn.out_proj.weight`, outBias: `${p}attn.out_proj.bias`, norm2: `${p}ln_2`,
    fc1Weight: `${p}mlp.c_fc.weight`, fc1Bias: `${p}mlp.c_fc.bias`, fc2Weight: `${p}mlp.c_proj.weight`, fc2Bias: `${p}mlp.c_proj.bias`,
  };
}

/**
 * Multi-head self-attention of x (B, T, E), already normalised, with packed qkv weights (rows q, k, v).
 * `mask`: an additive float mask broadcastable to (B, heads, T, T), or undefined.
 */
function selfAttention(g: GraphBuilder, w: GraphWeights, x: string, k: BlockKeys, s: BlockShape, mask: string | undefined): string {
  const hd = s.width / s.heads;
  const qkv = linear(g, w, x, k.qkvWeight, k.qkvBias); // (B, T, 3E)
  const split = g.op("Transpose", [
    g.op("Reshape", [qkv, g.i64([0, 0, 3, s.heads, hd])]), // (B, T, 3, heads, hd)
  ], { perm: ints([2, 0, 3, 1, 4]) }); // (3, B, heads, T, hd)
  const part = (i: number) => g.op("Gather", [split, g.i64([i], [])], { axis: int(0) }); // (B, heads, T, hd)
  let q = part(0);
  let kk = part(1);
  const v = part(2);
  if (k.qNorm !== undefined) q = layerNorm(g, w, q, k.qNorm, s.qkNormEps);
  if (k.kNorm !== undefined) kk = layerNorm(g, w, kk, k.kNorm, s.qkNormEps);
  q = g.mul(q, g.f32([1 / Math.sqrt(hd)], []));
  let scores = g.matmul(q, g.op("Transpose", [kk], { perm: ints([0, 1, 3, 2]) })); // (B, heads, T, T)
  if (mask !== undefined) scores = g.add(scores, mask);
  const o = g.matmul(g.op("Softmax", [scores], { axis: int(-1) }), v); // (B, heads, T, hd)
  const merged = g.op("Reshape", [
    g.op("Transpose", [o], { perm: ints([0, 2, 1, 3]) }), // (B, T, heads, hd)
    g.i64([0, 0, s.width]),
  ]); // (B, T, E)
  return linear(g, w, merged, k.outWeight, k.outBias);
}

/** x + attn(norm1(x)), then + mlp(norm2(.)): one pre-norm block, x (B, T, E) → (B, T, E). */
export function block(g: GraphBuilder, w: GraphWeights, x: string, k: BlockKeys, s: BlockShape, mask: string | undefined): string {
  const h = g.add(x, selfAttention(g, w, layerNorm(g, w, x, k.norm1, s.eps), k, s, mask));
  const hidden = activation(g, linear(g, w, layerNorm(g, w, h, k.norm2, s.eps), k.fc1Weight, k.fc1Bias), s.activation);
  return g.add(h, linear(g, w, hidden, k.fc2Weight, k.fc2Bias));
}
