/**
 * OpenAI CLIP's residual attention blocks (`transformer.resblocks.N`): the text tower of both layouts and the
 * open_clip image tower. Pre-norm: x + attn(ln_1(x)), then x + mlp(ln_2(x)); the MLP is c_fc → activation → c_proj.
 */
import { arange, tidy, type Tensor } from "../../engine/index.js";
import { LayerNorm, Linear, Module, ModuleList, MultiheadAttention, type FactoryOptions } from "../../nn/index.js";
import { blockNorm, mlp, packedSelfAttention, type MlpWeights, type PackedAttentionWeights } from "./attention.js";
import { blockAt, inferencePaths } from "./pooled_block.js";
import type { Activation } from "./config.js";

export interface TransformerOptions extends FactoryOptions {
  width: number;
  layers: number;
  heads: number;
  mlpRatio: number;
  lnEps: number;
  activation: Activation;
}

/** `mlp.c_fc` and `mlp.c_proj` (the activation has no parameters). */
class OpenAIMlp extends Module {
  readonly c_fc: Linear;
  readonly c_proj: Linear;

  constructor(width: number, hidden: number, readonly activation: Activation, o: FactoryOptions) {
    super();
    this.c_fc = this.registerModule("c_fc", new Linear(width, hidden, o));
    this.c_proj = this.registerModule("c_proj", new Linear(hidden, width, o));
  }

  weights(): MlpWeights {
    const { c_fc, c_proj } = this;
    return { fc1Weight: c_fc.weight, fc1Bias: c_fc.bias, fc2Weight: c_proj.weight, fc2Bias: c_proj.bias, activation: this.activation };
  }

  /** residual + c_proj(act(c_fc(x))). */
  forward(x: Tensor, residual: Tensor): Tensor {
    return mlp(x, this.weights(), residual);
  }
}

export class ResidualAttentionBlock extends Module {
  readonly ln_1: LayerNorm;
  readonly attn: MultiheadAttention;
  readonly ln_2: LayerNorm;
  readonly mlp: OpenAIMlp;

  constructor(o: TransformerOptions) {
    super();
    const ln = { eps: o.lnEps, dtype: o.dtype, device: o.device };
    this.ln_1 = this.registerModule("ln_1", new LayerNorm(o.width, ln));
    this.attn = this.registerModule("attn", new MultiheadAttention(o.width, o.heads, { ...o, batchFirst: true }));
    this.ln_2 = this.registerModule("ln_2", new LayerNorm(o.width, ln));
    this.mlp = this.registerModule("mlp", new OpenAIMlp(o.width, o.mlpRatio * o.width, o.activation, o));
  }

  private attnWeights(): PackedAttentionWeights {
    const a = this.attn;
    return { qkvWeight: a.inProjWeight, qkvBias: a.inProjBias, outWeight: a.outProj.weight, outBias: a.outProj.bias, heads: a.numHeads };
  }

  /** x (B, T, width) → (B, T, width). */
  forward(x: Tensor, causal: boolean): Tensor {
    return tidy(() => {
      const [n1, r1] = blockNorm(x, this.ln_1);
      const h = packedSelfAttention(n1, this.attnWeights(), causal, r1);
      const [n2, r2] = blockNorm(h, this.ln_2);
      return this.mlp.forward(n2, r2);
    });
  }

  /** The output rows at positions `at` (B,) int64 only, (B, width), for inference (pooled_block.ts). */
  forwardAt(x: Tensor, at: Tensor, causal: boolean): Tensor {
    return tidy(() => blockAt(x, { norm1: this.ln_1, attn: this.attnWeights(), norm2: this.ln_2, mlp: this.mlp.weights() }, at, causal));
  }
}

export class Transformer extends Module {
  readonly resblocks: ModuleList<ResidualAttentionBlock>;

  constructor(readonly options: TransformerOptions) {
    super();
    const blocks = Array.from({ length: options.layers }, () => new ResidualAttentionBlock(options));
    this.resblocks = this.registerModule("resblocks", new ModuleList(blocks));
  }

  /** x (B, T, width) → (B, T, width); `causal` lets position t see only positions <= t (the text tower). */
  forward(x: Tensor, causal: boolean): Tensor {
    const out = runBlocks(x, [...this.resblocks], causal);
    return out === x ? x.view([...x.shape]) : out;
  }

  /**
   * The output at positions `at` (B,) int64 of x (B, T, width) → (B, width): the pooled token. On the inference
   * paths the last block runs at those rows only (pooled_block.ts); otherwise the whole stack and a gather.
   */
  forwardAt(x: Tensor, at: Tensor, causal: boolean): Tensor {
    const blocks = [...this.resblocks];
    const rows = (): Tensor => arange(x.shape[0]!, undefined, 1, { device: x.device });
    if (!inferencePaths(this) || blocks.length === 0) return tidy(() => this.forward(x, causal).index(rows(), at));
    const last = blocks.pop()!;
    const cur = runBlocks(x, blocks, causal);
    try {
      return last.forwardAt(cur, at, causal);
    } finally {
      if (cur !== x) cur.dispose();
    }
  }
}

/** x through `blocks` in turn, each intermediate freed once the next block has read it; x itself when empty. */
function runBlocks(x: Tensor, blocks: readonly ResidualAttentionBlock[], causal: boolean): Tensor {
  let cur = x;
  for (const block of blocks) {
    const next = block.forward(cur, causal);
    if (cur !== x) cur.dispose();
    cur = next;
  }
  return cur;
}
