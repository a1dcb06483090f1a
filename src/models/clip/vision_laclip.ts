/**
 * The image tower of the laclip layout: timm's VisionTransformer as LaCLIP builds it (`visual.*`), with
 * qk-norm (a LayerNorm over head_dim on q and on k of every head), pre-norm blocks and CLS pooling after the
 * final norm. The projection to the joint space (`image_projection`) belongs to the CLIP model, as in LaCLIP.
 */
import { cat, empty, tidy, zeros, type Tensor } from "../../engine/index.js";
import { Conv2d, LayerNorm, Linear, Module, ModuleList, type FactoryOptions } from "../../nn/index.js";
import { blockNorm, mlp, packedSelfAttention, type MlpWeights, type PackedAttentionWeights } from "./attention.js";
import { blockAt, inferencePaths } from "./pooled_block.js";
import type { Activation, VisionConfig } from "./config.js";

class TimmAttention extends Module {
  readonly qkv: Linear;
  readonly q_norm: LayerNorm | undefined;
  readonly k_norm: LayerNorm | undefined;
  readonly proj: Linear;

  constructor(readonly heads: number, v: VisionConfig, o: FactoryOptions) {
    super();
    const w = v.width;
    this.qkv = this.registerModule("qkv", new Linear(w, 3 * w, o));
    const norm = { eps: v.qkNormEps, dtype: o.dtype, device: o.device };
    this.q_norm = v.qkNorm ? this.registerModule("q_norm", new LayerNorm(w / heads, norm)) : undefined;
    this.k_norm = v.qkNorm ? this.registerModule("k_norm", new LayerNorm(w / heads, norm)) : undefined;
    this.proj = this.registerModule("proj", new Linear(w, w, o));
  }

  weights(): PackedAttentionWeights {
    return {
      qkvWeight: this.qkv.weight, qkvBias: this.qkv.bias, outWeight: this.proj.weight, outBias: this.proj.bias,
      heads: this.heads, qNorm: this.q_norm, kNorm: this.k_norm,
    };
  }

  /** residual + proj(attention(x)), x (B, T, width) normalised. */
  forward(x: Tensor, residual: Tensor): Tensor {
    return packedSelfAttention(x, this.weights(), false, residual);
  }
}

class TimmMlp extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(width: number, hidden: number, readonly activation: Activation, o: FactoryOptions) {
    super();
    this.fc1 = this.registerModule("fc1", new Linear(width, hidden, o));
    this.fc2 = this.registerModule("fc2", new Linear(hidden, width, o));
  }

  weights(): MlpWeights {
    const { fc1, fc2 } = this;
    return { fc1Weight: fc1.weight, fc1Bias: fc1.bias, fc2Weight: fc2.weight, fc2Bias: fc2.bias, activation: this.activation };
  }

  /** residual + fc2(act(fc1(x))). */
  forward(x: Tensor, residual: Tensor): Tensor {
    return mlp(x, this.weights(), residual);
  }
}

export class TimmBlock extends Module {
  readonly norm1: LayerNorm;
  readonly attn: TimmAttention;
  readonly norm2: LayerNorm;
  readonly mlp: TimmMlp;

  constructor(v: VisionConfig, o: FactoryOptions) {
    super();
    const ln = { eps: v.lnEps, dtype: o.dtype, device: o.device };
    this.norm1 = this.registerModule("norm1", new LayerNorm(v.width, ln));
    this.attn = this.registerModule("attn", new TimmAttention(v.heads, v, o));
    this.norm2 = this.registerModule("norm2", new LayerNorm(v.width, ln));
    this.mlp = this.registerModule("mlp", new TimmMlp(v.width, v.mlpRatio * v.width, v.activation, o));
  }

  /** x (B, T, width) → (B, T, width). */
  forward(x: Tensor): Tensor {
    return tidy(() => {
      const [n1, r1] = blockNorm(x, this.norm1);
      const h = this.attn.forward(n1, r1);
      const [n2, r2] = blockNorm(h, this.norm2);
      return this.mlp.forward(n2, r2);
    });
  }

  /** The output rows at positions `at` (B,) int64 only, (B, width), for inference (pooled_block.ts). */
  forwardAt(x: Tensor, at: Tensor): Tensor {
    return tidy(() => blockAt(x, { norm1: this.norm1, attn: this.attn.weights(), norm2: this.norm2, mlp: this.mlp.weights() }, at, false));
  }
}

/** `visual.patch_embed.proj`: a conv with stride = kernel = patch. */
class PatchEmbed extends Module {
  readonly proj: Conv2d;

  constructor(v: VisionConfig, o: FactoryOptions) {
    super();
    this.proj = this.registerModule("proj", new Conv2d(3, v.width, v.patchSize, { ...o, stride: v.patchSize, bias: v.patchBias }));
  }
}

export class LaclipVisionTransformer extends Module {
  readonly patch_embed: PatchEmbed;
  readonly norm_pre: LayerNorm | undefined;
  readonly blocks: ModuleList<TimmBlock>;
  readonly norm: LayerNorm;

  constructor(readonly config: VisionConfig, o: FactoryOptions = {}) {
    super();
    const v = config;
    const tokens = (v.imageSize / v.patchSize) ** 2 + 1;
    const f = { dtype: o.dtype ?? "f32", device: o.device };
    this.registerParameter("cls_token", empty([1, 1, v.width], f));
    this.registerParameter("pos_embed", empty([1, tokens, v.width], f));
    this.patch_embed = this.registerModule("patch_embed", new PatchEmbed(v, o));
    const ln = { eps: v.lnEps, dtype: o.dtype, device: o.device };
    this.norm_pre = v.lnPre ? this.registerModule("norm_pre", new LayerNorm(v.width, ln)) : undefined;
    this.blocks = this.registerModule("blocks", new ModuleList(Array.from({ length: v.layers }, () => new TimmBlock(v, o))));
    this.norm = this.registerModule("norm", new LayerNorm(v.width, ln));
  }

  /** images (B, 3, H, W), normalised → the CLS token after the final norm, (B, width). */
  forward(images: Tensor): Tensor {
    return tidy(() => {
      const b = images.shape[0]!;
      const w = this.config.width;
      const patches = this.patch_embed.proj.forward(images) // (B, width, H/p, W/p)
        .flatten(2) // (B, width, N)
        .transpose(1, 2); // (B, N, width)
      const cls = this.param("cls_token").expand(b, 1, w); // (B, 1, width)
      let x = cat([cls, patches], 1).add(this.param("pos_embed")); // (B, N + 1, width)
      if (this.norm_pre !== undefined) x = this.norm_pre.forward(x);
      const blocks = [...this.blocks];
      // Inference: the last block at the CLS row only (pooled_block.ts); LayerNorm is per token, so norm that row only.
      const last = inferencePaths(this) ? blocks.pop() : undefined;
      for (const block of blocks) {
        const next = block.forward(x);
        x.dispose();
        x = next;
      }
      const pooled = last ? last.forwardAt(x, zeros([b], { dtype: "i64", device: x.device })) : x.select(1, 0); // (B, width)
      return this.norm.forward(pooled);
    });
  }
}
